/// A linear Gram matrix prepared for the unbiased HSIC estimator, so that each layer's n x n
/// Gram is computed once and reused against every layer of the other model.
public struct UnbiasedGram: Sendable {
    /// Items (rows and columns of K).
    public let n: Int
    /// K with its diagonal set to zero (K̃), row-major.
    let values: [Double]
    /// K̃ 1.
    let rowSums: [Double]
    /// 1ᵀ K̃ 1.
    let total: Double

    /// The Gram K = Xc Xcᵀ of the column-centred rows of `x` (n >= 4 items).
    public init(_ x: EmbeddingMatrix) {
        precondition(x.rows >= 4, "the unbiased HSIC needs at least 4 items")
        n = x.rows
        var k = symmetricGram(x.packedCentredRows())
        for i in 0..<n { k[i * n + i] = 0 }
        var sums = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { sums[i] += k[i * n + j] } }
        values = k
        rowSums = sums
        total = sums.reduce(0, +)
    }

    private init(n: Int, values: [Double], rowSums: [Double]) {
        (self.n, self.values, self.rowSums, total) = (n, values, rowSums, rowSums.reduce(0, +))
    }

    /// The Gram of the distinct items `items` alone (n >= 4), without recomputing it: the unbiased
    /// HSIC is unchanged by adding aᵢ + aⱼ + c to the off-diagonal entries (Székely & Rizzo's
    /// U-centring removes such terms), which is all that centring the features on the subset's
    /// mean instead of the full set's would change.
    public func restricted(to items: [Int]) -> UnbiasedGram {
        let m = items.count
        precondition(m >= 4, "the unbiased HSIC needs at least 4 items")
        var sub = [Double](repeating: 0, count: m * m), sums = [Double](repeating: 0, count: m)
        values.withUnsafeBufferPointer { k in
            sub.withUnsafeMutableBufferPointer { out in
                for (a, i) in items.enumerated() {
                    let row = i * n
                    var s = 0.0
                    for (b, j) in items.enumerated() {
                        let v = k[row + j]
                        out[a * m + b] = v
                        s += v
                    }
                    sums[a] = s
                }
            }
        }
        return UnbiasedGram(n: m, values: sub, rowSums: sums)
    }
}

extension Representations {
    /// Unbiased HSIC (Song et al. 2012, eq. 5):
    ///     [tr(K̃ L̃) + (1ᵀK̃1)(1ᵀL̃1) / ((n−1)(n−2)) − 2/(n−2) · 1ᵀK̃L̃1] / (n(n−3)).
    public static func unbiasedHSIC(_ k: UnbiasedGram, _ l: UnbiasedGram) -> Double {
        precondition(k.n == l.n, "HSIC needs the same items on both sides")
        let n = Double(k.n)
        var trace = 0.0, cross = 0.0
        k.values.withUnsafeBufferPointer { a in
            l.values.withUnsafeBufferPointer { b in
                for i in 0..<(k.n * k.n) { trace += a[i] * b[i] }      // both symmetric: tr(K̃L̃) = Σ K̃ᵢⱼ L̃ᵢⱼ
            }
        }
        for i in 0..<k.n { cross += k.rowSums[i] * l.rowSums[i] }
        return (trace + k.total * l.total / ((n - 1) * (n - 2)) - 2 / (n - 2) * cross) / (n * (n - 3))
    }

    /// Debiased linear CKA (Kornblith et al. 2019 with Song et al.'s unbiased HSIC; their
    /// `feature_space_linear_cka(debiased=True)` on centred features). The biased estimator is
    /// pulled towards 1 by the dimension-to-items ratio (0.655 against 0.57 on 500 items of 384
    /// dimensions here); this one is not, and may dip slightly below 0. NaN for a constant side.
    public static func debiasedCKA(_ k: UnbiasedGram, _ l: UnbiasedGram) -> Double {
        let kk = unbiasedHSIC(k, k), ll = unbiasedHSIC(l, l)
        guard kk > 0 && ll > 0 else { return .nan }
        return unbiasedHSIC(k, l) / (kk * ll).squareRoot()
    }

    /// Debiased linear CKA of two matrices of the same items.
    public static func debiasedCKA(_ x: EmbeddingMatrix, _ y: EmbeddingMatrix) -> Double {
        debiasedCKA(UnbiasedGram(x), UnbiasedGram(y))
    }
}
