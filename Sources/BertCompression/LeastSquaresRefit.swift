import EncoderWeights

/// The least-squares refit of a Linear after some of its inputs are removed (pruned heads feed
/// fewer context columns, pruned neurons fewer FFN columns): the kept columns are refitted so the
/// output on the calibration inputs stays as close as possible to the unpruned Linear's,
/// W'_kept = (G_kk + λ·mean(diag)·I)⁻¹ G_k: Wᵀ, from the gram G of the unpruned input. Given the
/// inputs' sums (`sum`, N tokens), the bias is fitted too, from the gram of [x_kept; 1]: removed
/// channels with a non-zero mean (a head's value bias, GELU's positive outputs) become bias.
enum LeastSquaresRefit {
    /// `linear` (all inputs) restricted to the columns `kept` and refitted with `gram` [in, in].
    static func refit(_ linear: HostLinear, kept: [Int], gram: [Double], sum: [Double]? = nil, tokens: Int = 0,
                      dampening: Double = 0.01) throws -> HostLinear {
        let n = linear.inFeatures, out = linear.outFeatures
        precondition(gram.count == n * n && kept.allSatisfy { (0..<n).contains($0) })
        let w = linear.floatWeight.map(Double.init), bias = linear.bias.map(Double.init)
        let intercept = sum != nil && tokens > 0, k = kept.count, m = k + (intercept ? 1 : 0)
        var system = [Double](repeating: 0, count: m * m)
        for (a, i) in kept.enumerated() { for (b, j) in kept.enumerated() { system[a * m + b] = gram[i * n + j] } }
        // Damp the weights' block only: λ·mean(diag G_kk) on its diagonal, none on the intercept.
        let mean = (0..<k).map { system[$0 * m + $0] }.reduce(0, +) / Double(max(k, 1))
        for a in 0..<k { system[a * m + a] += dampening * (mean > 0 ? mean : 1) }
        // rhs[a, o] = Σ_t x̃_a (x_t · W_o + b_o): the kept inputs' (and the constant's) correlation
        // with the full output.
        var rhs = [Double](repeating: 0, count: m * out)
        for (a, i) in kept.enumerated() {
            for o in 0..<out {
                var s = 0.0
                for j in 0..<n { s += gram[i * n + j] * w[o * n + j] }
                rhs[a * out + o] = s + (intercept ? sum![i] * bias[o] : 0)
            }
        }
        if let sum, intercept {
            for (a, i) in kept.enumerated() { system[a * m + k] = sum[i]; system[k * m + a] = sum[i] }
            system[k * m + k] = Double(tokens)
            for o in 0..<out { rhs[k * out + o] = (0..<n).map { sum[$0] * w[o * n + $0] }.reduce(0, +) + Double(tokens) * bias[o] }
        }
        let x = try SymmetricAlgebra.solve(system, n: m, rhs, columns: out)
        var refitted = [Float](repeating: 0, count: out * k)
        for o in 0..<out { for a in 0..<k { refitted[o * k + a] = Float(x[a * out + o]) } }
        let newBias = intercept ? (0..<out).map { Float(x[k * out + $0]) } : linear.bias
        return HostLinear(weight: refitted, bias: newBias, outFeatures: out, inFeatures: k)
    }
}
