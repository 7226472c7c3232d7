/// Rearranges a Linear weight into the panels a packed GEMM streams: done once at load time,
/// so the kernel reads each panel front to back instead of NR/VW floats from every row of B.
public enum WeightPacking {
    /// Elements of the packed form of an [N, K] weight in panels `width` columns wide (N rounded
    /// up to whole panels, the padding zero).
    public static func packedCount(n: Int, k: Int, width: Int) -> Int { tiles(n, width) * width * k }

    /// A weight stored as Hugging Face does, [N, K] row-major (`rows` = N outputs), packed into
    /// panels: panel p holds outputs p*width ..< (p+1)*width, element (k, j) at
    /// p*K*width + k*width + j, zero past N. `zero` is the element type's zero.
    public static func panels<T>(_ weight: [T], n: Int, k: Int, width: Int, zero: T) -> [T] {
        precondition(weight.count == n * k && width > 0)
        var packed = [T](repeating: zero, count: packedCount(n: n, k: k, width: width))
        packed.withUnsafeMutableBufferPointer { out in
            weight.withUnsafeBufferPointer { w in
                for row in 0..<n {
                    let base = (row / width) * k * width + row % width
                    for col in 0..<k { out[base + col * width] = w[row * k + col] }
                }
            }
        }
        return packed
    }

    /// Bytes of the packed form of [N, K] 4-bit codes in panels `width` columns wide.
    public static func int4PackedCount(n: Int, k: Int, width: Int) -> Int { tiles(n, width) * width * ((k + 1) / 2) }

    /// Unpacked 4-bit codes [N, K] (one per byte, 0...15) packed into the panels
    /// gemm_int4_packed.cl streams: panel p, K pair t, column j at p*KP*width + t*width + j
    /// (KP = ceil(K/2)), holding the code of k = 2t in the low nibble and k = 2t+1 in the high
    /// nibble; zero past K and past N.
    public static func int4Panels(_ codes: [UInt8], n: Int, k: Int, width: Int) -> [UInt8] {
        precondition(codes.count == n * k && width > 0)
        let pairs = (k + 1) / 2
        var packed = [UInt8](repeating: 0, count: int4PackedCount(n: n, k: k, width: width))
        packed.withUnsafeMutableBufferPointer { out in
            codes.withUnsafeBufferPointer { w in
                for row in 0..<n {
                    let base = (row / width) * pairs * width + row % width
                    for col in 0..<k { out[base + (col / 2) * width] |= (w[row * k + col] & 0xF) << (col % 2 == 0 ? 0 : 4) }
                }
            }
        }
        return packed
    }

    /// Per-(output row, group) scales and offsets [N, groups] laid out per panel for
    /// gemm_int4_packed.cl: panel p, group g: `width` scales then `width` offsets at
    /// p*groups*2*width + g*2*width; zero past N.
    public static func groupPanels(scales: [Float], offsets: [Float], n: Int, groups: Int, width: Int) -> [Float] {
        precondition(scales.count == n * groups && offsets.count == n * groups && width > 0)
        var packed = [Float](repeating: 0, count: tiles(n, width) * groups * 2 * width)
        for row in 0..<n {
            let base = (row / width) * groups * 2 * width + row % width
            for g in 0..<groups {
                packed[base + g * 2 * width] = scales[row * groups + g]
                packed[base + g * 2 * width + width] = offsets[row * groups + g]
            }
        }
        return packed
    }
}
