/// Deep Nearest Neighbours out-of-distribution detector (Sun, Ming, Zhu & Li, ICML 2022).
///
/// Embeddings are L2-normalised; an item's score is its Euclidean distance to the k-th nearest
/// training embedding (larger = further from the training data = more likely out of
/// distribution). Sun et al. use k = 50 for CIFAR-10 and k = 200 for CIFAR-100, each with 50 000
/// training images; BertBench's default is 10 because its training sets are a few thousand
/// sentences (raise it with the training-set size). The decision threshold is set on in-distribution
/// validation items so that 95% of them are accepted (TPR 95%), and the detector is then judged
/// on an in-distribution test set versus an OOD set. Queries are never part of the training set,
/// so no self-match is excluded.
public struct DeepNearestNeighbors: Sendable {
    /// k = 10 (see the type's note on Sun et al.'s k = 50 for 50 000 training images).
    public static let defaultK = 10
    /// Share of in-distribution validation items kept below the threshold.
    public static let defaultTruePositiveRate = 0.95

    public let k: Int
    private let training: PackedVectors

    /// Remembers the normalised training embeddings; k is capped at the training-set size.
    public init(training: EmbeddingMatrix, k: Int = defaultK) {
        precondition(training.rows >= 1, "Deep-kNN needs training embeddings")
        precondition(k >= 1, "k must be at least 1")
        self.k = Swift.min(k, training.rows)
        self.training = training.packedUnitRows()
    }

    /// Distance from each query to its k-th nearest training embedding (both normalised).
    ///
    /// For unit vectors ||q - t|| = sqrt(2 - 2 q·t), so ranking by dot product is ranking by
    /// distance and the dot-product engine does the work; the distance is exact to ~1e-8 near 0.
    public func scores(_ queries: EmbeddingMatrix) -> [Double] {
        precondition(queries.columns == training.length,
                     "query width \(queries.columns) differs from training width \(training.length)")
        guard queries.rows > 0 else { return [] }
        var top = TopKSimilarities(rows: queries.rows, k: k)
        forEachDotProduct(queries.packedUnitRows(), training, upperTriangle: false) { q, t, s in
            top.offer(row: q, similarity: s, index: t)
        }
        return (0..<queries.rows).map { (Swift.max(0, 2 - 2 * top.kthSimilarity(of: $0))).squareRoot() }
    }

    /// The smallest validation score with at least `truePositiveRate` of validation scores at or
    /// below it: the ⌈rate · m⌉-th smallest of m (an order statistic, not an interpolation, so the
    /// stated share of in-distribution items really is accepted).
    public static func threshold(validationScores: [Double],
                                 truePositiveRate: Double = defaultTruePositiveRate) -> Double {
        precondition(!validationScores.isEmpty, "threshold needs validation scores")
        precondition(truePositiveRate > 0 && truePositiveRate <= 1, "rate must lie in (0, 1]")
        let sorted = validationScores.sorted()
        let rank = Int((truePositiveRate * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(1, Swift.min(rank, sorted.count)) - 1]
    }

    private func share(_ flags: [Bool]) -> Double {
        flags.isEmpty ? .nan : Double(flags.filter { $0 }.count) / Double(flags.count)
    }

    /// Flags score > threshold as out of distribution.
    public static func flags(scores: [Double], threshold: Double) -> [Bool] {
        scores.map { $0 > threshold }
    }

    /// Calibrates on `validation`, then scores and flags `test` (in distribution) and
    /// `outOfDistribution`.
    public func evaluate(validation: EmbeddingMatrix, test: EmbeddingMatrix,
                         outOfDistribution: EmbeddingMatrix,
                         truePositiveRate: Double = defaultTruePositiveRate) -> OutOfDistributionReport {
        let cut = Self.threshold(validationScores: scores(validation), truePositiveRate: truePositiveRate)
        let testScores = scores(test), oodScores = scores(outOfDistribution)
        let testFlags = Self.flags(scores: testScores, threshold: cut)
        let oodFlags = Self.flags(scores: oodScores, threshold: cut)
        return OutOfDistributionReport(
            k: k, threshold: cut, testScores: testScores, outOfDistributionScores: oodScores,
            flaggedTest: testFlags.indices.filter { testFlags[$0] },
            flaggedOutOfDistribution: oodFlags.indices.filter { oodFlags[$0] },
            detectionRate: share(oodFlags), falsePositiveRate: share(testFlags),
            auroc: ROC.auroc(negatives: testScores, positives: oodScores))
    }
}

/// What Deep-kNN decided on an in-distribution test set and an OOD set.
public struct OutOfDistributionReport: Sendable, Codable, Equatable {
    public let k: Int
    public let threshold: Double
    public let testScores: [Double]
    public let outOfDistributionScores: [Double]
    /// In-distribution test items flagged OOD (false positives), ascending indices.
    public let flaggedTest: [Int]
    /// OOD items flagged OOD (detections), ascending indices; Rai et al. compare these sets
    /// between models by Jaccard.
    public let flaggedOutOfDistribution: [Int]
    /// Share of OOD items flagged.
    public let detectionRate: Double
    /// Share of in-distribution test items flagged (FPR at the validation TPR).
    public let falsePositiveRate: Double
    /// AUROC of the score separating OOD (positive) from in-distribution test (negative).
    public let auroc: Double
}

/// Area under the ROC curve.
public enum ROC {
    /// P(score of a random positive > score of a random negative) + ½ P(equal): the Mann-Whitney
    /// U statistic over n₊ n₋, computed from ranks with ties given their average rank, which is
    /// exactly sklearn.metrics.roc_auc_score's value with ties. NaN when either side is empty.
    public static func auroc(negatives: [Double], positives: [Double]) -> Double {
        guard !negatives.isEmpty && !positives.isEmpty else { return .nan }
        let all = negatives.map { ($0, false) } + positives.map { ($0, true) }
        let order = all.indices.sorted { all[$0].0 < all[$1].0 }
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && all[order[end]].0 == all[order[start]].0 { end += 1 }
            let averageRank = Double(start + 1 + end) / 2      // ranks start+1 ... end, 1-based
            for r in start..<end where all[order[r]].1 { positiveRankSum += averageRank }
            start = end
        }
        let np = Double(positives.count), nn = Double(negatives.count)
        return (positiveRankSum - np * (np + 1) / 2) / (np * nn)
    }
}
