import BertCheckpoint
import EncoderWeights

/// GPTQ (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for Generative
/// Pre-trained Transformers") for one Linear weight W [rows, cols] with input second moments
/// H = Σ x xᵀ: columns are quantized one at a time, and each column's rounding error, divided by
/// the diagonal of the upper Cholesky factor U of H⁻¹, is spread over the columns not yet
/// quantized along U's row (the OBS update), so that ||X Wᵀ - X Ŵᵀ|| stays small. Lazy batches:
/// inside a block of columns the update is immediate, past it applied once per block.
/// Everything in float64; the stored codes, scales and zero points are `Int4Weight`'s.
public enum GPTQ {
    /// The method's settings.
    public struct Options: Sendable, Equatable {
        /// Input columns per scale and zero point.
        public var groupSize: Int
        /// Dampening: damp · mean(diag H) is added to H's diagonal (GPTQ's percdamp).
        public var damp: Double
        /// Quantize columns in order of decreasing diag H (GPTQ's act-order); the groups stay
        /// contiguous in the original order, with their parameters fixed from the unquantized
        /// weight up front (AutoGPTQ's static groups), so the stored format does not change.
        public var actOrder: Bool

        /// Settings; GPTQ's defaults are group 128, damp 0.01, no act-order.
        public init(groupSize: Int = 128, damp: Double = 0.01, actOrder: Bool = false) {
            self.groupSize = groupSize
            self.damp = damp
            self.actOrder = actOrder
        }

        /// Columns per lazy-update block: 128 or more, and whole groups, so that a group's
        /// parameters are computed from columns that already carry every earlier update.
        var blockSize: Int { groupSize * max(1, 128 / groupSize) }
    }

    /// W quantized to 4 bits; `label` names the layer in errors.
    public static func quantize(_ weight: [Float], rows: Int, cols: Int, gram: [Double], options: Options,
                                label: String) throws -> Int4Weight {
        precondition(weight.count == rows * cols && gram.count == cols * cols)
        let gs = options.groupSize, groups = (cols + gs - 1) / gs
        var w = weight.map(Double.init)
        var h = gram
        // Inputs that never fire carry no information: GPTQ sets their weights to zero and H's diagonal to 1.
        for i in 0..<cols where h[i * cols + i] == 0 {
            h[i * cols + i] = 1
            for r in 0..<rows { w[r * cols + i] = 0 }
        }
        let order = options.actOrder ? (0..<cols).sorted { (h[$0 * cols + $0], $1) > (h[$1 * cols + $1], $0) } : Array(0..<cols)
        var params = [Int4GroupQuantizer?](repeating: nil, count: rows * groups)
        if options.actOrder {
            for r in 0..<rows { for g in 0..<groups { params[r * groups + g] = groupParameters(w, row: r, cols: cols, group: g, size: gs) } }
        }
        // Work in the processing order: column i of `wp` and row/column i of `hp` are original column order[i].
        var wp = [Double](repeating: 0, count: rows * cols), hp = [Double](repeating: 0, count: cols * cols)
        for r in 0..<rows { for i in 0..<cols { wp[r * cols + i] = w[r * cols + order[i]] } }
        for i in 0..<cols { for j in 0..<cols { hp[i * cols + j] = h[order[i] * cols + order[j]] } }
        let meanDiagonal = (0..<cols).map { hp[$0 * cols + $0] }.reduce(0, +) / Double(cols)
        for i in 0..<cols { hp[i * cols + i] += options.damp * meanDiagonal }
        let u = try upperCholeskyOfInverse(hp, n: cols, label: label)

        var codes = [UInt8](repeating: 0, count: rows * cols)
        let block = options.blockSize
        var errors = [Double](repeating: 0, count: rows * block)
        try wp.withUnsafeMutableBufferPointer { wp in
            try u.withUnsafeBufferPointer { u in
                for start in stride(from: 0, to: cols, by: block) {
                    let end = min(cols, start + block)
                    for i in start..<end {
                        let original = order[i], d = u[i * cols + i]
                        if !options.actOrder && original % gs == 0 {
                            // A group starts: its parameters come from the weights as updated so far
                            // (its columns lie inside this block, so they carry every update).
                            for r in 0..<rows {
                                let g = original / gs, range = (r * cols + original)..<(r * cols + min(cols, original + gs))
                                params[r * groups + g] = Int4GroupQuantizer(wp[range])
                            }
                        }
                        for r in 0..<rows {
                            guard let q = params[r * groups + original / gs] else {
                                throw CheckpointError("\(label): GPTQ reached column \(original) before its group's parameters")
                            }
                            let value = wp[r * cols + i], code = q.code(value)
                            codes[r * cols + original] = code
                            let error = (value - q.value(code)) / d
                            errors[r * block + i - start] = error
                            for j in (i + 1)..<max(i + 1, end) { wp[r * cols + j] -= error * u[i * cols + j] }
                        }
                    }
                    // The block's errors reach the columns after it in one pass (lazy batch update).
                    guard end < cols else { continue }
                    for r in 0..<rows {
                        for i in start..<end {
                            let error = errors[r * block + i - start]
                            if error == 0 { continue }
                            let row = r * cols, urow = i * cols
                            for j in end..<cols { wp[row + j] -= error * u[urow + j] }
                        }
                    }
                }
            }
        }
        let scales = params.map { $0?.scale ?? 1 }, zeros = params.map { $0?.zero ?? 0 }
        return try Int4Weight(rows: rows, cols: cols, groupSize: gs, codes: codes, scales: scales, zeros: zeros)
    }

    /// The upper-triangular U with H⁻¹ = Uᵀ U, row-major; a matrix that is not positive definite
    /// (after dampening) is an error naming the layer.
    static func upperCholeskyOfInverse(_ h: [Double], n: Int, label: String) throws -> [Double] {
        do {
            return try SymmetricAlgebra.upperCholeskyOfInverse(h, n: n)
        } catch let error as CheckpointError {
            throw CheckpointError("\(label): \(error.message) with --damp")
        }
    }

    /// The parameters of row `row`'s group `group` of `w` [.., cols].
    static func groupParameters(_ w: [Double], row: Int, cols: Int, group: Int, size: Int) -> Int4GroupQuantizer {
        Int4GroupQuantizer(w[(row * cols + group * size)..<(row * cols + min(cols, (group + 1) * size))])
    }

    /// ||X Wᵀ - X Ŵᵀ||²_F over the calibration tokens, from their Gram matrix: Σ_rows Δ G Δᵀ with Δ = W - Ŵ.
    public static func outputError(_ original: [Float], _ quantized: [Float], rows: Int, cols: Int, gram: [Double]) -> Double {
        SymmetricAlgebra.gramDistance(original, quantized, rows: rows, cols: cols, gram: gram)
    }
}
