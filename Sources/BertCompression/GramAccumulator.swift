/// Builds `LinearInputStatistics` from activation rows as they stream past, without keeping them.
///
/// Σ x xᵀ is computed on the host with a blocked, register-tiled SIMD loop: tokens are gathered in
/// blocks of `blockRows`, each block's upper triangle is summed in Float over 4 x 16 tiles (8 SIMD
/// accumulators, every loaded row reused 8 times), and the block sum is added into the Double
/// gram. Float is exact enough inside a block of 128 tokens, and Double across blocks keeps 30k
/// tokens accurate. The host was chosen over the engine's GEMM because the GEMM variant a device
/// profile picks may read only packed weights, and Xᵀ X needs a transposed operand the engine has no
/// kernel for; at width 1536 and 20k tokens this loop takes seconds (measured in docs/compression.md).
public struct GramAccumulator {
    /// Input channels.
    public let width: Int
    /// Tokens added so far.
    public private(set) var tokens = 0
    private var gram: [Double]
    private var absMax: [Float]
    private var sum: [Double]
    private var block: [Float]
    private var blockCount = 0
    private let padded: Int
    private let blockRows = 128

    /// An empty accumulator for inputs `width` wide.
    public init(width: Int) {
        precondition(width > 0)
        self.width = width
        padded = (width + 15) / 16 * 16
        gram = [Double](repeating: 0, count: width * width)
        absMax = [Float](repeating: 0, count: width)
        sum = [Double](repeating: 0, count: width)
        block = [Float](repeating: 0, count: blockRows * padded)
    }

    /// Adds rows `rows` of `values` ([anything, width] row-major).
    public mutating func add(_ values: [Float], rows: [Int]) {
        values.withUnsafeBufferPointer { source in
            for r in rows {
                let row = source.baseAddress! + r * width
                for j in 0..<width {
                    block[blockCount * padded + j] = row[j]
                    absMax[j] = max(absMax[j], abs(row[j]))
                    sum[j] += Double(row[j])
                }
                blockCount += 1
                tokens += 1
                if blockCount == blockRows { flush() }
            }
        }
    }

    /// The statistics of every row added.
    public mutating func finish() -> LinearInputStatistics {
        flush()
        // Only the upper triangle was summed; mirror it.
        for i in 0..<width {
            for j in 0..<i { gram[i * width + j] = gram[j * width + i] }
        }
        var statistics = LinearInputStatistics(width: width, tokens: tokens, gram: gram, absMax: absMax)
        statistics.sum = sum
        return statistics
    }

    /// Adds the block's Σ x xᵀ (upper triangle, in 4 x 16 tiles) to the gram and empties the block.
    private mutating func flush() {
        guard blockCount > 0 else { return }
        let n = blockCount, p = padded, w = width
        for r in n..<blockRows { for j in 0..<p { block[r * p + j] = 0 } }
        block.withUnsafeBufferPointer { x in
            gram.withUnsafeMutableBufferPointer { g in
                let base = UnsafeRawPointer(x.baseAddress!)
                var i0 = 0
                while i0 < w {
                    var j0 = i0 / 16 * 16
                    while j0 < w {
                        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
                        var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
                        for t in 0..<n {
                            let row = t * p
                            let b0 = base.loadUnaligned(fromByteOffset: (row + j0) * 4, as: SIMD8<Float>.self)
                            let b1 = base.loadUnaligned(fromByteOffset: (row + j0 + 8) * 4, as: SIMD8<Float>.self)
                            // i0 + 3 < p: p is a multiple of 16 above i0, which steps by 4.
                            let x0 = x[row + i0], x1 = x[row + i0 + 1], x2 = x[row + i0 + 2], x3 = x[row + i0 + 3]
                            a00 += x0 * b0; a01 += x0 * b1
                            a10 += x1 * b0; a11 += x1 * b1
                            a20 += x2 * b0; a21 += x2 * b1
                            a30 += x3 * b0; a31 += x3 * b1
                        }
                        let tiles = [(a00, a01), (a10, a11), (a20, a21), (a30, a31)]
                        for (di, (lo, hi)) in tiles.enumerated() where i0 + di < w {
                            let i = i0 + di
                            for c in 0..<16 where j0 + c < w && j0 + c >= i {
                                g[i * w + j0 + c] += Double(c < 8 ? lo[c] : hi[c - 8])
                            }
                        }
                        j0 += 16
                    }
                    i0 += 4
                }
            }
        }
        blockCount = 0
    }
}
