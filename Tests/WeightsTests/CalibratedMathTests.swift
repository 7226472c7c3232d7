@testable import BertCompression
import EncoderWeights
import Foundation
import Support
import Testing

/// Random rows [count, width] with correlated channels and a few loud ones, like real activations.
private func activations(_ count: Int, width: Int, seed: UInt64) -> [Float] {
    var rng = SeededRandom(seed: seed)
    let mixing = (0..<(width * width)).map { _ in Float.random(in: -1...1, using: &rng) }
    var out = [Float](repeating: 0, count: count * width)
    for t in 0..<count {
        let z = (0..<width).map { _ in Float.random(in: -1...1, using: &rng) }
        for j in 0..<width {
            var s: Float = 0
            for k in 0..<width { s += mixing[j * width + k] * z[k] }
            out[t * width + j] = s * (j % 7 == 3 ? 8 : 1)
        }
    }
    return out
}

private func randomMatrix(_ rows: Int, _ cols: Int, seed: UInt64) -> [Float] {
    var rng = SeededRandom(seed: seed)
    return (0..<(rows * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
}

/// Σ x xᵀ in the plainest way, in Double.
private func naiveGram(_ x: [Float], count: Int, width: Int) -> [Double] {
    var g = [Double](repeating: 0, count: width * width)
    for t in 0..<count { for i in 0..<width { for j in 0..<width { g[i * width + j] += Double(x[t * width + i]) * Double(x[t * width + j]) } } }
    return g
}

/// The inverse of a small square matrix by Gauss-Jordan elimination with partial pivoting: an
/// independent check of the Cholesky route.
private func gaussJordanInverse(_ a: [Double], n: Int) -> [Double] {
    var m = a, inv = [Double](repeating: 0, count: n * n)
    for i in 0..<n { inv[i * n + i] = 1 }
    for c in 0..<n {
        let p = (c..<n).max { abs(m[$0 * n + c]) < abs(m[$1 * n + c]) }!
        for k in 0..<n { m.swapAt(c * n + k, p * n + k); inv.swapAt(c * n + k, p * n + k) }
        let d = m[c * n + c]
        for k in 0..<n { m[c * n + k] /= d; inv[c * n + k] /= d }
        for r in 0..<n where r != c {
            let f = m[r * n + c]
            for k in 0..<n { m[r * n + k] -= f * m[c * n + k]; inv[r * n + k] -= f * inv[c * n + k] }
        }
    }
    return inv
}

/// The square submatrix of `a` [n, n] on `indices`.
private func submatrix(_ a: [Double], n: Int, _ indices: [Int]) -> [Double] {
    indices.flatMap { i in indices.map { a[i * n + $0] } }
}

/// SparseGPT by its definition, one row at a time with explicit inverses (no Cholesky, no lazy
/// batches): at column j, F = {j, ..., n-1}; saliency w_k² / [H_{F_k}⁻¹]_00; a removed weight's
/// error moves the rest of the row by -w_j / [H_F⁻¹]_00 · [H_F⁻¹]_{:,0}. Columns fit in one block.
private func referenceSparseGPT(_ w: [Float], rows: Int, cols: Int, gram: [Double], pattern: SparseGPT.Pattern) -> [Float] {
    let h = SymmetricAlgebra.dampened(gram, n: cols, lambda: 0.01)
    let inverses = (0..<cols).map { j in gaussJordanInverse(submatrix(h, n: cols, Array(j..<cols)), n: cols - j) }
    let d = (0..<cols).map { inverses[$0][0] }
    var out = w.map(Double.init)
    var mask = [Bool](repeating: false, count: rows * cols)
    if case .unstructured(let sparsity) = pattern {
        let order = (0..<(rows * cols)).sorted { a, b in
            let sa = out[a] * out[a] / d[a % cols], sb = out[b] * out[b] / d[b % cols]
            return (sa, a) < (sb, b)
        }
        for i in order.prefix(Int(sparsity * Double(rows * cols))) { mask[i] = true }
    }
    for r in 0..<rows {
        for j in 0..<cols {
            if case .nOfM(let n, let m) = pattern, j % m == 0 {
                let group = (j..<min(j + m, cols)).sorted { a, b in
                    (out[r * cols + a] * out[r * cols + a] / d[a], a) < (out[r * cols + b] * out[r * cols + b] / d[b], b)
                }
                for g in group.prefix(n) { mask[r * cols + g] = true }
            }
            guard mask[r * cols + j] else { continue }
            let f = inverses[j], size = cols - j, value = out[r * cols + j]
            for k in 0..<size { out[r * cols + j + k] -= value / f[0] * f[k * size] }
            out[r * cols + j] = 0
        }
    }
    return out.map(Float.init)
}

@Suite struct CalibratedMath {
    @Test func gramAccumulatorMatchesAPlainDoubleSum() {
        // Odd width (not a multiple of the 16-wide tiles) and more rows than one 128-row block.
        let width = 37, count = 300
        let x = activations(count, width: width, seed: 1)
        var acc = GramAccumulator(width: width)
        let rows = Array(0..<count).filter { $0 % 5 != 2 }  // skip some rows, as padding is skipped
        acc.add(x, rows: rows)
        let stats = acc.finish()
        var picked: [Float] = []
        for r in rows { picked += x[(r * width)..<((r + 1) * width)] }
        let reference = naiveGram(picked, count: rows.count, width: width)
        #expect(stats.tokens == rows.count)
        // Errors relative to the Cauchy-Schwarz bound sqrt(G_ii G_jj) of each entry (Float sums inside a block).
        var worst = 0.0
        for i in 0..<width { for j in 0..<width {
            let bound = (reference[i * width + i] * reference[j * width + j]).squareRoot()
            worst = max(worst, abs(stats.gram[i * width + j] - reference[i * width + j]) / bound)
        } }
        #expect(worst < 1e-5, "relative gram error \(worst)")
        let absMax = (0..<width).map { j in rows.map { abs(x[$0 * width + j]) }.max()! }
        #expect(stats.absMax == absMax)
    }

    @Test func choleskyAndSolveAgreeWithGaussJordan() throws {
        let n = 23
        let x = activations(60, width: n, seed: 2)
        let a = SymmetricAlgebra.dampened(naiveGram(x, count: 60, width: n), n: n, lambda: 0.01)
        let reference = gaussJordanInverse(a, n: n)
        let l = try SymmetricAlgebra.cholesky(a, n: n)
        for i in 0..<n { for j in 0..<n {
            let lLt = (0..<n).map { l[i * n + $0] * l[j * n + $0] }.reduce(0, +)
            #expect(abs(lLt - a[i * n + j]) < 1e-8 * abs(a[i * n + i]))
            if j > i { #expect(l[i * n + j] == 0, "not lower triangular") }
        } }
        let b = (0..<(n * 3)).map { Double($0 % 5) - 2 }
        let solved = try SymmetricAlgebra.solve(a, n: n, b, columns: 3)
        for i in 0..<n { for c in 0..<3 {
            let expected = (0..<n).map { reference[i * n + $0] * b[$0 * 3 + c] }.reduce(0, +)
            #expect(abs(solved[i * 3 + c] - expected) < 1e-8 * max(1, abs(expected)))
        } }
        #expect(throws: (any Error).self) { try SymmetricAlgebra.cholesky([1, 2, 2, 1], n: 2) }
    }

    /// The factor OBS methods walk, by the order-reversal route: upper triangular with a positive
    /// diagonal and Uᵀ U equal to a Gauss-Jordan inverse (which makes it the unique such factor); at
    /// 200 the parallel row loops and the SIMD dot's main loop run too.
    @Test(arguments: [7, 23, 200])
    func upperCholeskyOfInverseIsTheFactorOfTheInverse(n: Int) throws {
        let x = activations(n + 40, width: n, seed: UInt64(n))
        let a = SymmetricAlgebra.dampened(naiveGram(x, count: n + 40, width: n), n: n, lambda: 0.01)
        let u = try SymmetricAlgebra.upperCholeskyOfInverse(a, n: n)
        let inverse = gaussJordanInverse(a, n: n), scale = inverse.map(abs).max()!
        var worst = 0.0
        for i in 0..<n { for j in 0..<n {
            worst = max(worst, abs((0..<n).map { u[$0 * n + i] * u[$0 * n + j] }.reduce(0, +) - inverse[i * n + j]) / scale)
        } }
        #expect(worst < 1e-9, "Uᵀ U against the inverse: \(worst)")
        #expect((0..<n).allSatisfy { i in u[i * n + i] > 0 && (0..<i).allSatisfy { u[i * n + $0] == 0 } }, "not upper triangular")
    }

    /// The output distance from the gram against trace(Δ G Δᵀ) summed naively, on row counts
    /// around its blocks of 8 (1, 9, 17) and with rows of Δ that are zero.
    @Test(arguments: [1, 9, 17])
    func gramDistanceIsTheTraceOfDeltaGDeltaT(rows: Int) {
        let cols = 13
        let x = activations(30, width: cols, seed: 5)
        let gram = naiveGram(x, count: 30, width: cols)
        let a = randomMatrix(rows, cols, seed: 6)
        var b = randomMatrix(rows, cols, seed: 7)
        for c in 0..<cols { b[c] = a[c] }  // row 0 equal: no contribution
        var expected = 0.0
        for r in 0..<rows { for i in 0..<cols { for j in 0..<cols {
            expected += (Double(a[r * cols + i]) - Double(b[r * cols + i])) * gram[i * cols + j] * (Double(a[r * cols + j]) - Double(b[r * cols + j]))
        } } }
        let distance = SymmetricAlgebra.gramDistance(a, b, rows: rows, cols: cols, gram: gram)
        #expect(abs(distance - expected) <= 1e-9 * max(1, abs(expected)), "\(distance) vs \(expected)")
    }

    @Test(arguments: [SparseGPT.Pattern.unstructured(sparsity: 0.5), .unstructured(sparsity: 0.9), .nOfM(n: 2, m: 4)])
    func sparseGPTMatchesTheDefinitionOnASmallMatrix(pattern: SparseGPT.Pattern) throws {
        let rows = 6, cols = 16
        let gram = naiveGram(activations(80, width: cols, seed: 3), count: 80, width: cols)
        let w = randomMatrix(rows, cols, seed: 4)
        let pruned = try SparseGPT.prune(weight: w, rows: rows, cols: cols, gram: gram, pattern: pattern)
        let reference = referenceSparseGPT(w, rows: rows, cols: cols, gram: gram, pattern: pattern)
        #expect(zip(pruned, reference).map { abs($0 - $1) }.max()! < 1e-4)
        switch pattern {
        case .unstructured(let sparsity):
            #expect(pruned.filter { $0 == 0 }.count == Int(sparsity * Double(rows * cols)))
        case .nOfM(let n, let m):
            for r in 0..<rows { for g in stride(from: 0, to: cols, by: m) {
                #expect(pruned[(r * cols + g)..<(r * cols + g + m)].filter { $0 == 0 }.count == n)
            } }
        }
    }

    @Test func sparseGPTReconstructsBetterThanMagnitudePruning() throws {
        // Several column blocks (cols > 128), so the lazy batch updates between blocks are exercised.
        let rows = 24, cols = 160, count = 400
        let gram = naiveGram(activations(count, width: cols, seed: 5), count: count, width: cols)
        let w = randomMatrix(rows, cols, seed: 6)
        for sparsity in [0.5, 0.9] {
            let obs = try SparseGPT.prune(weight: w, rows: rows, cols: cols, gram: gram, pattern: .unstructured(sparsity: sparsity))
            let cut = w.map(abs).sorted()[Int(sparsity * Double(w.count)) - 1]
            let magnitude = w.map { abs($0) <= cut ? 0 : $0 }
            let eObs = SparseGPT.outputError(original: w, pruned: obs, rows: rows, cols: cols, gram: gram)
            let eMag = SparseGPT.outputError(original: w, pruned: magnitude, rows: rows, cols: cols, gram: gram)
            #expect(eObs < eMag, "sparsity \(sparsity): SparseGPT \(eObs) vs magnitude \(eMag)")
        }
    }

    @Test func refitSolvesTheNormalEquations() throws {
        let n = 20, out = 7, count = 120
        let x = activations(count, width: n, seed: 7)
        let gram = naiveGram(x, count: count, width: n)
        let full = HostLinear(weight: randomMatrix(out, n, seed: 8), bias: [Float](repeating: 0.5, count: out), outFeatures: out, inFeatures: n)
        let kept = [0, 2, 3, 7, 8, 11, 15, 19]
        let refitted = try LeastSquaresRefit.refit(full, kept: kept, gram: gram)
        // Independent: (G_kk + λ·mean diag·I)⁻¹ by Gauss-Jordan, times G_k: Wᵀ.
        let k = kept.count
        let gkk = SymmetricAlgebra.dampened(submatrix(gram, n: n, kept), n: k, lambda: 0.01)
        let inv = gaussJordanInverse(gkk, n: k), w = full.floatWeight
        for o in 0..<out { for a in 0..<k {
            var s = 0.0
            for b in 0..<k { for j in 0..<n { s += inv[a * k + b] * gram[kept[b] * n + j] * Double(w[o * n + j]) } }
            #expect(abs(Double(refitted.floatWeight[o * k + a]) - s) < 1e-3 * max(1, abs(s)))
        } }
        #expect(refitted.bias == full.bias)
        var input = LinearInputStatistics(width: n, tokens: count, gram: gram, absMax: [Float](repeating: 0, count: n))
        let before = StructuredRefit.relativeError(full, Pruning.selectColumns(full, kept), kept: kept, input: input)
        let after = StructuredRefit.relativeError(full, refitted, kept: kept, input: input)
        #expect(after < before, "refit \(after) vs plain removal \(before)")
        // With the inputs' sums the bias is fitted too: compare with ordinary least squares on the
        // rows themselves, [x_kept, 1] against x · Wᵀ + b, by the same Gauss-Jordan route.
        let shifted = x.map { $0 + 0.7 }
        let g2 = naiveGram(shifted, count: count, width: n)
        let sums = (0..<n).map { j in (0..<count).map { Double(shifted[$0 * n + j]) }.reduce(0, +) }
        let withBias = try LeastSquaresRefit.refit(full, kept: kept, gram: g2, sum: sums, tokens: count, dampening: 0)
        var design = [Double](repeating: 0, count: (k + 1) * (k + 1))
        for t in 0..<count {
            let row = kept.map { Double(shifted[t * n + $0]) } + [1]
            for a in 0...k { for b in 0...k { design[a * (k + 1) + b] += row[a] * row[b] } }
        }
        let designInverse = gaussJordanInverse(design, n: k + 1)
        for o in 0..<out {
            var rhs = [Double](repeating: 0, count: k + 1)
            for t in 0..<count {
                let y = (0..<n).map { Double(shifted[t * n + $0]) * Double(w[o * n + $0]) }.reduce(0, +) + Double(full.bias[o])
                let row = kept.map { Double(shifted[t * n + $0]) } + [1]
                for a in 0...k { rhs[a] += row[a] * y }
            }
            let solution = (0...k).map { a in (0...k).map { designInverse[a * (k + 1) + $0] * rhs[$0] }.reduce(0, +) }
            for a in 0..<k { #expect(abs(Double(withBias.floatWeight[o * k + a]) - solution[a]) < 1e-3 * max(1, abs(solution[a]))) }
            #expect(abs(Double(withBias.bias[o]) - solution[k]) < 1e-3 * max(1, abs(solution[k])))
        }
        input = LinearInputStatistics(width: n, tokens: count, gram: g2, absMax: [Float](repeating: 0, count: n))
        input.sum = sums
        let plain = StructuredRefit.relativeError(full, Pruning.selectColumns(full, kept), kept: kept, input: input)
        #expect(StructuredRefit.relativeError(full, withBias, kept: kept, input: input) < plain)
    }

    @Test func obsRoundingMovesTheOutputLessThanRoundingToNearest() throws {
        let rows = 16, cols = 150, count = 400
        let gram = naiveGram(activations(count, width: cols, seed: 10), count: count, width: cols)
        let w = randomMatrix(rows, cols, seed: 11)
        let (codes, scales) = try OBSRounding.int8(weight: w, rows: rows, cols: cols, gram: gram)
        let nearest = HostLinear(weight: w, bias: [Float](repeating: 0, count: rows), outFeatures: rows, inFeatures: cols)
            .quantizedPerOutputChannel()
        guard case .int8(_, let nearestScales) = nearest.weight else { Issue.record("not int8"); return }
        #expect(scales == nearestScales)  // same grid (absmax / 127 per row); only the rounding differs
        let obs = codes.indices.map { Float(codes[$0]) * scales[$0 / cols] }
        let eObs = SparseGPT.outputError(original: w, pruned: obs, rows: rows, cols: cols, gram: gram)
        let eNearest = SparseGPT.outputError(original: w, pruned: nearest.floatWeight, rows: rows, cols: cols, gram: gram)
        #expect(eObs < eNearest, "OBS \(eObs) vs nearest \(eNearest)")
    }

    @Test func smoothingKeepsTheFunctionOfEveryLinear() throws {
        let n = 12, out = 5
        let linear = HostLinear(weight: randomMatrix(out, n, seed: 9), bias: [Float](repeating: 0, count: out), outFeatures: out, inFeatures: n)
        let ranges: [Float] = (0..<n).map { $0 == 4 ? 40 : Float($0 % 3 + 1) }
        let s = Smoothing.factors(activationMax: ranges, weights: [linear], alpha: 0.5)
        // The outlier channel's factor is the largest: its range moves into the weight.
        #expect(s.indices.max { s[$0] < s[$1] } == 4)
        let smoothed = try Smoothing.quantized(linear, smoothing: s)
        #expect(smoothed.inputSmoothing == s)
        // The effective weight (stored / s) is the original up to int8 rounding of the stored one.
        let step = linear.floatWeight.map(abs).max()! * s.max()! / 127
        #expect(zip(smoothed.floatWeight, linear.floatWeight).map { abs($0 - $1) }.max()! <= step)
    }
}
