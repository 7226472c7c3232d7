/// Per-item and mean Jaccard of k-nearest-neighbour sets in two embedding spaces.
public struct NeighborOverlap: Sendable, Codable, Equatable {
    public let k: Int
    /// Jaccard of item i's neighbour sets in the two spaces.
    public let perItem: [Double]
    /// Mean of perItem: Rai et al.'s "data representation" similarity.
    public let mean: Double
    /// Expected mean for neighbour sets drawn at random (k of the n - 1 other items each), the
    /// floor a reader should compare `mean` with.
    public let randomBaseline: Double
}

/// How similarly two models arrange the same items: linear CKA and kNN-set overlap.
public enum Representations {
    /// k = 10 neighbours by default: local enough to describe an item's neighbourhood, large enough
    /// that one swapped neighbour moves that item's Jaccard by at most ~0.1. Pass Rai et al.'s own
    /// k when reproducing their numbers.
    public static let defaultNeighbors = 10

    /// Linear CKA (Kornblith et al. 2019) between X (n x d1) and Y (n x d2), rows the same items.
    ///
    /// After centring every column, CKA = ||Yᵀ X||²_F / (||Xᵀ X||_F · ||Yᵀ Y||_F), which equals
    /// HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)) for the linear kernels K = X Xᵀ, L = Y Yᵀ. The
    /// cost is the smaller of two routes: feature space, one symmetric Gram of the d1 + d2 centred
    /// columns (n (d1 + d2)² / 2 products), or sample space, the n x n Grams K and L
    /// (n² (d1 + d2) / 2 products) with ||Yᵀ X||²_F = <K, L>_F. Invariant to orthogonal
    /// transforms and isotropic scaling of either side; in [0, 1]. NaN when either side is
    /// constant (a zero denominator: there is no structure to compare).
    public static func linearCKA(_ x: EmbeddingMatrix, _ y: EmbeddingMatrix) -> Double {
        precondition(x.rows == y.rows, "CKA needs the same items on both sides (\(x.rows) vs \(y.rows))")
        precondition(x.rows >= 2, "CKA needs at least two items")
        let d1 = x.columns, d2 = y.columns
        var xy = 0.0, xx = 0.0, yy = 0.0
        if d1 + d2 <= x.rows {
            // Feature space: Gram of all centred columns of [X Y]; blocks give XᵀX, YᵀY, XᵀY.
            let both = PackedVectors(stacking: x.packedCentredColumns(), y.packedCentredColumns())
            forEachDotProduct(both, both, upperTriangle: true, includeDiagonal: true) { a, b, g in
                let g2 = g * g
                if b < d1 {
                    xx += a == b ? g2 : 2 * g2        // off-diagonal entries appear twice in XᵀX
                } else if a >= d1 {
                    yy += a == b ? g2 : 2 * g2
                } else {
                    xy += g2                          // a in X, b in Y: each entry of XᵀY once
                }
            }
        } else {
            // Sample space: K = Xc Xcᵀ stored, L = Yc Ycᵀ streamed against it.
            let n = x.rows
            let k = symmetricGram(x.packedCentredRows())
            let yRows = y.packedCentredRows()
            forEachDotProduct(yRows, yRows, upperTriangle: true, includeDiagonal: true) { i, j, l in
                let weight = i == j ? 1.0 : 2.0
                xy += weight * k[i * n + j] * l
                yy += weight * l * l
            }
            for v in k { xx += v * v }
        }
        let denominator = xx.squareRoot() * yy.squareRoot()
        return denominator > 0 ? xy / denominator : .nan
    }

    /// For every item, its k nearest other items by cosine similarity, nearest first.
    ///
    /// Brute force over all pairs (each pair's dot product computed once, O(n² d)); the item
    /// itself is excluded; ties in similarity go to the lower index, so the result is fully
    /// determined. k is capped at n - 1.
    public static func nearestNeighbors(_ embeddings: EmbeddingMatrix, k: Int = defaultNeighbors) -> [[Int]] {
        precondition(embeddings.rows >= 2, "neighbours need at least two items")
        precondition(k >= 1, "k must be at least 1")
        let n = embeddings.rows
        var top = TopKSimilarities(rows: n, k: Swift.min(k, n - 1))
        let unit = embeddings.packedUnitRows()
        forEachDotProduct(unit, unit, upperTriangle: true) { i, j, s in
            top.offer(row: i, similarity: s, index: j)
            top.offer(row: j, similarity: s, index: i)
        }
        return (0..<n).map { top.indices(of: $0) }
    }

    /// Rai et al.'s representation similarity: mean over items of the Jaccard of their k-nearest-
    /// neighbour sets (cosine) in space A and in space B.
    public static func neighborJaccard(_ a: EmbeddingMatrix, _ b: EmbeddingMatrix,
                                       k: Int = defaultNeighbors) -> NeighborOverlap {
        precondition(a.rows == b.rows, "both spaces must hold the same items")
        let na = nearestNeighbors(a, k: k), nb = nearestNeighbors(b, k: k)
        let perItem = zip(na, nb).map { SetOverlap.jaccard($0, $1) }
        let kk = Swift.min(k, a.rows - 1)
        return NeighborOverlap(k: kk, perItem: perItem, mean: SampleStatistics.mean(perItem),
                               randomBaseline: SetOverlap.expectedRandomJaccard(sizeA: kk, sizeB: kk,
                                                                                universe: a.rows - 1))
    }
}
