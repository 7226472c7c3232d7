import BertCheckpoint

/// One-shot OBS pruning of one Linear with reconstruction (Frantar & Alistarh 2023, SparseGPT):
/// columns are visited in blocks; in each, weights go by saliency w² / [U]_jj² (U the upper
/// Cholesky factor of H⁻¹, so [U]_jj² is [H⁻¹]_jj given the columns already processed), and each
/// removal's error is spread over the row's later columns through H⁻¹, so the Linear's output on
/// the calibration inputs moves as little as possible. H = gram + λ·mean(diag)·I. Double throughout.
enum SparseGPT {
    /// Which weights to remove: a share per column block (unstructured) or n of every m consecutive
    /// inputs in each row (semi-structured n:m, e.g. 2:4).
    enum Pattern: Equatable {
        case unstructured(sparsity: Double)
        case nOfM(n: Int, m: Int)
    }

    /// The pruned weight [rows, cols] of `weight` for inputs whose gram is `gram` [cols, cols].
    static func prune(weight: [Float], rows: Int, cols: Int, gram: [Double], pattern: Pattern,
                      dampening: Double = 0.01, blockSize: Int = 128) throws -> [Float] {
        precondition(weight.count == rows * cols && gram.count == cols * cols)
        var w = weight.map(Double.init)
        var h = gram
        // Inputs that never fired carry no information: their weights go first and H stays invertible.
        for j in 0..<cols where h[j * cols + j] == 0 {
            h[j * cols + j] = 1
            for r in 0..<rows { w[r * cols + j] = 0 }
        }
        h = SymmetricAlgebra.dampened(h, n: cols, lambda: dampening)
        let u = try SymmetricAlgebra.upperCholeskyOfInverse(h, n: cols)
        var block = blockSize
        if case .nOfM(_, let m) = pattern { block = max(m, blockSize / m * m) }
        var start = 0
        while start < cols {
            let end = min(start + block, cols), count = end - start
            var mask = [Bool](repeating: false, count: rows * count)
            if case .unstructured(let sparsity) = pattern {
                // The block's threshold: its floor(sparsity · size) least salient weights go.
                var scores: [(Double, Int)] = []
                scores.reserveCapacity(rows * count)
                for r in 0..<rows {
                    for c in 0..<count {
                        let d = u[(start + c) * cols + start + c], v = w[r * cols + start + c]
                        scores.append((v * v / (d * d), r * count + c))
                    }
                }
                scores.sort { $0 < $1 }
                for (_, index) in scores.prefix(Int(sparsity * Double(rows * count))) { mask[index] = true }
            }
            var errors = [Double](repeating: 0, count: rows * count)
            for c in 0..<count {
                let j = start + c, d = u[j * cols + j]
                if case .nOfM(let n, let m) = pattern, c % m == 0 {
                    for r in 0..<rows {
                        let group = (c..<min(c + m, count)).sorted { a, b in
                            let da = u[(start + a) * cols + start + a], db = u[(start + b) * cols + start + b]
                            let sa = w[r * cols + start + a] * w[r * cols + start + a] / (da * da)
                            let sb = w[r * cols + start + b] * w[r * cols + start + b] / (db * db)
                            return (sa, a) < (sb, b)
                        }
                        for g in group.prefix(n) { mask[r * count + g] = true }
                    }
                }
                for r in 0..<rows {
                    let value = w[r * cols + j]
                    let kept = mask[r * count + c] ? 0 : value
                    let err = (value - kept) / d
                    w[r * cols + j] = kept
                    errors[r * count + c] = err
                    // Compensate within the block: later columns of the row absorb the error.
                    if err != 0 { for k in (j + 1)..<end { w[r * cols + k] -= err * u[j * cols + k] } }
                }
            }
            // The block's errors move the columns after it at once (the "lazy batch" update).
            if end < cols {
                for r in 0..<rows {
                    for c in 0..<count {
                        let err = errors[r * count + c]
                        guard err != 0 else { continue }
                        let j = start + c
                        for k in end..<cols { w[r * cols + k] -= err * u[j * cols + k] }
                    }
                }
            }
            start = end
        }
        return w.map(Float.init)
    }

    /// Σ over the calibration tokens of ||(W' - W) x||², from the gram: trace((W' - W) G (W' - W)ᵀ).
    static func outputError(original: [Float], pruned: [Float], rows: Int, cols: Int, gram: [Double]) -> Double {
        SymmetricAlgebra.gramDistance(pruned, original, rows: rows, cols: cols, gram: gram)
    }
}

/// OBS-compensated rounding to int8 (the GPTQ idea, Frantar et al. 2022, at 8 bits): columns are
/// rounded in order with fixed per-output-channel scales, and each rounding error is spread over
/// the row's later columns through H⁻¹ as SparseGPT spreads a pruned weight's, so the Linear's
/// output on the calibration inputs moves less than with round-to-nearest.
enum OBSRounding {
    /// int8 codes and per-row scales (absmax/127) of `weight` [rows, cols] for inputs with `gram`.
    static func int8(weight: [Float], rows: Int, cols: Int, gram: [Double], dampening: Double = 0.01,
                     blockSize: Int = 128) throws -> (codes: [Int8], scales: [Float]) {
        var w = weight.map(Double.init)
        let scales = (0..<rows).map { r -> Double in
            let m = (0..<cols).map { abs(w[r * cols + $0]) }.max() ?? 0
            return m > 0 ? m / 127 : 1
        }
        var h = gram
        for j in 0..<cols where h[j * cols + j] == 0 { h[j * cols + j] = 1 }
        h = SymmetricAlgebra.dampened(h, n: cols, lambda: dampening)
        let u = try SymmetricAlgebra.upperCholeskyOfInverse(h, n: cols)
        var codes = [Int8](repeating: 0, count: rows * cols)
        var start = 0
        while start < cols {
            let end = min(start + blockSize, cols), count = end - start
            var errors = [Double](repeating: 0, count: rows * count)
            for c in 0..<count {
                let j = start + c, d = u[j * cols + j]
                for r in 0..<rows {
                    let value = w[r * cols + j]
                    let code = max(-127, min(127, (value / scales[r]).rounded()))
                    codes[r * cols + j] = Int8(code)
                    let err = (value - code * scales[r]) / d
                    errors[r * count + c] = err
                    if err != 0 { for k in (j + 1)..<end { w[r * cols + k] -= err * u[j * cols + k] } }
                }
            }
            if end < cols {
                for r in 0..<rows {
                    for c in 0..<count where errors[r * count + c] != 0 {
                        let err = errors[r * count + c], j = start + c
                        for k in end..<cols { w[r * cols + k] -= err * u[j * cols + k] }
                    }
                }
            }
            start = end
        }
        return (codes, scales.map(Float.init))
    }
}
