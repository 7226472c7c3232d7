import EncoderWeights

/// The least-squares refit of a Linear after some of its inputs are removed (pruned heads feed
/// fewer context columns, pruned neurons fewer FFN columns): the kept columns are refitted so the
/// output on the calibration inputs stays as close as possible to the unpruned Linear's,
/// W'_kept = (G_kk + λ·mean(diag)·I)⁻¹ G_k: Wᵀ, from the gram G of the unpruned input. The bias
/// stays (the statistics hold no input means to refit it with).
enum LeastSquaresRefit {
    /// `linear` (all inputs) restricted to the columns `kept` and refitted with `gram` [in, in].
    static func refit(_ linear: HostLinear, kept: [Int], gram: [Double], dampening: Double = 0.01) throws -> HostLinear {
        let n = linear.inFeatures, k = kept.count, out = linear.outFeatures
        precondition(gram.count == n * n && kept.allSatisfy { (0..<n).contains($0) })
        let w = linear.floatWeight.map(Double.init)
        var gkk = [Double](repeating: 0, count: k * k)
        for (a, i) in kept.enumerated() { for (b, j) in kept.enumerated() { gkk[a * k + b] = gram[i * n + j] } }
        gkk = SymmetricAlgebra.dampened(gkk, n: k, lambda: dampening)
        // rhs[a, o] = Σ_j G[kept_a, j] W[o, j]: the kept inputs' correlation with the full output.
        var rhs = [Double](repeating: 0, count: k * out)
        for (a, i) in kept.enumerated() {
            for o in 0..<out {
                var s = 0.0
                for j in 0..<n { s += gram[i * n + j] * w[o * n + j] }
                rhs[a * out + o] = s
            }
        }
        let x = try SymmetricAlgebra.solve(gkk, n: k, rhs, columns: out)
        var refitted = [Float](repeating: 0, count: out * k)
        for o in 0..<out { for a in 0..<k { refitted[o * k + a] = Float(x[a * out + o]) } }
        return HostLinear(weight: refitted, bias: linear.bias, outFeatures: out, inFeatures: k)
    }
}
