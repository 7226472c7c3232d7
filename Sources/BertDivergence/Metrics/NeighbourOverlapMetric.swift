import BertMetrics
import Foundation

/// Rai et al.'s kNN Jaccard: how far each test item keeps its nearest neighbours (cosine, pooled
/// embeddings) from the large model's space to the variant's, with a 95% bootstrap interval over
/// the query items, beside its value for random sets and its null: the same Jaccard of the best
/// declared near copy other than the variant (`JaccardNulls`: the large model against itself is 1
/// exactly, its embeddings being deterministic).
public struct NeighbourOverlapMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let knnJaccard: Double
        public let knnRandomBaseline: Double
        /// k and the number of items the neighbours are drawn from: the Jaccard depends on both
        /// (nil in files written before they were recorded).
        public var knnK: Int? = nil
        public var knnPool: Int? = nil
        /// Percentile bootstrap over query items of `knnJaccard` (nil in older files).
        public var knnJaccardInterval: BootstrapInterval? = nil
        /// The null (empty when the study declares no near copy other than this variant); nil in
        /// files written before it.
        public var knnJaccardNull: NearCopyNull? = nil
    }

    /// `knnJaccard` of the best declared near copy other than the variant.
    public struct NearCopyNull: Codable, Sendable {
        /// The near copy's name.
        public var model: String? = nil
        /// Its kNN Jaccard with a bootstrap interval over the same resampled query items.
        public var jaccard: BootstrapInterval? = nil
    }

    public init() {}

    public var fields: [String] {
        ["knnJaccard", "knnRandomBaseline", "knnK", "knnPool", "knnJaccardInterval", "knnJaccardNull"]
    }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let k = context.settings.neighbours, resamples = context.settings.bootstrapResamples
        let perItem = context.neighbourJaccards(variant, k: k), chance = context.neighbourBaseline(k: k)
        var result = Result(knnJaccard: SampleStatistics.mean(perItem), knnRandomBaseline: chance.baseline, knnK: chance.k,
                            knnPool: context.large.test.pooled.rows)
        result.knnJaccardInterval = JaccardNulls.meanInterval(perItem, resamples: resamples)
        if let null = JaccardNulls.nearCopyNull(variant: variant, nearCopies: context.nearCopies,
                                                perItem: { context.neighbourJaccards($0, k: k) }) {
            result.knnJaccardNull = NearCopyNull(model: context.runs[null.index].name,
                                                 jaccard: JaccardNulls.meanInterval(null.perItem, resamples: resamples))
        } else {
            result.knnJaccardNull = NearCopyNull()
        }
        return result
    }

    /// "0.620 [0.600, 0.640] (0.005)", then "; null 0.910 (int8)" where the file has one.
    static func cell(_ r: Result) -> String {
        var text = ReportCell.number(r.knnJaccard)
        if let i = r.knnJaccardInterval { text += " [\(ReportCell.number(i.lower)), \(ReportCell.number(i.upper))]" }
        text += " (\(ReportCell.number(r.knnRandomBaseline)))"
        if let null = r.knnJaccardNull?.jaccard, let name = r.knnJaccardNull?.model {
            text += "; null \(ReportCell.number(null.estimate)) [\(ReportCell.number(null.lower)), \(ReportCell.number(null.upper))] (\(name))"
        }
        return text
    }

    /// The pool the neighbours were drawn from, when the file records it.
    func pool(_ results: DivergenceResults) -> Int? { results.variants.first?[NeighbourOverlapMetric.self]?.knnPool }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let note = "kNN Jaccard: mean over test items of the Jaccard of their \(results.settings.neighbours) nearest neighbours (cosine) "
            + "in each model's space (Rai et al.)" + (pool(results).map { ", among \($0) test items" } ?? "") + "."
        let withInterval = results.variants.contains { $0[NeighbourOverlapMetric.self]?.knnJaccardInterval != nil }
        let nullNote = withInterval ? " 95% bootstrap interval over the query items in brackets. Null: the large model against itself "
            + "gives 1 exactly (its embeddings are deterministic), so the null is the same Jaccard for the best declared near copy "
            + "(its int8 form, a change that should not matter) other than the variant itself, named in brackets; none when the "
            + "study declares no near copy." : ""
        return [ReportColumn(.representations, withInterval ? "kNN Jaccard [95% CI] (random); null" : "kNN Jaccard (random)",
                             rightAligned: !withInterval, note: note + nullNote) {
            $0[NeighbourOverlapMetric.self].map { Self.cell($0) }
        }]
    }
}
