import BertMetrics
import Foundation

/// Rai et al.'s kNN Jaccard: how far each test item keeps its nearest neighbours (cosine, pooled
/// embeddings) from the large model's space to the variant's, beside its value for random sets.
public struct NeighbourOverlapMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let knnJaccard: Double
        public let knnRandomBaseline: Double
        /// k and the number of items the neighbours are drawn from: the Jaccard depends on both
        /// (nil in files written before they were recorded).
        public var knnK: Int? = nil
        public var knnPool: Int? = nil
    }

    public init() {}

    public var fields: [String] { ["knnJaccard", "knnRandomBaseline", "knnK", "knnPool"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let overlap = Representations.neighborJaccard(context.large.test.pooled, context.runs[variant].test.pooled,
                                                      k: context.settings.neighbours)
        return Result(knnJaccard: overlap.mean, knnRandomBaseline: overlap.randomBaseline, knnK: overlap.k,
                      knnPool: context.large.test.pooled.rows)
    }

    /// The pool the neighbours were drawn from, when the file records it.
    func pool(_ results: DivergenceResults) -> Int? { results.variants.first?[NeighbourOverlapMetric.self]?.knnPool }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let note = "kNN Jaccard: mean over test items of the Jaccard of their \(results.settings.neighbours) nearest neighbours (cosine) "
            + "in each model's space (Rai et al.)" + (pool(results).map { ", among \($0) test items" } ?? "") + "."
        return [ReportColumn(.representations, "kNN Jaccard (random)", note: note) {
            $0[NeighbourOverlapMetric.self].map { "\(ReportCell.number($0.knnJaccard)) (\(ReportCell.number($0.knnRandomBaseline)))" }
        }]
    }
}
