import BertMetrics
import Foundation

/// Jaccard of the two models' sets of misclassified items, beside its value for random sets of
/// the same sizes and its null, built as the agreement's is: the large model's probes fitted on
/// disjoint halves A and B of each item's training folds (seed 0), and like for like the large
/// model's half-A probe against the variant's half-B probe.
public struct ErrorOverlapMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let errorJaccard: Double
        public let errorJaccardRandomBaseline: Double
        /// Error sets of the large model's half-A and half-B probes; nil in older files.
        public var errorJaccardNull: Double? = nil
        /// Error sets of the large model's half-A probe and the variant's half-B probe.
        public var errorJaccardHalves: Double? = nil
    }

    public init() {}

    public var fields: [String] { ["errorJaccard", "errorJaccardRandomBaseline", "errorJaccardNull", "errorJaccardHalves"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let large = PredictionErrors.misclassified(predictions: context.large.predictions, labels: context.labels)
        let other = PredictionErrors.misclassified(predictions: context.runs[variant].predictions, labels: context.labels)
        var result = Result(errorJaccard: SetOverlap.jaccard(large, other),
                            errorJaccardRandomBaseline: SetOverlap.expectedRandomJaccard(sizeA: large.count, sizeB: other.count,
                                                                                         universe: context.labels.count))
        if let a = context.large.halfA.first, let b = context.large.halfB.first, let v = context.runs[variant].halfB.first {
            let errors = { PredictionErrors.misclassified(predictions: $0, labels: context.labels) }
            result.errorJaccardNull = SetOverlap.jaccard(errors(a), errors(b))
            result.errorJaccardHalves = SetOverlap.jaccard(errors(a), errors(v))
        }
        return result
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let withNull = results.variants.contains { $0[ErrorOverlapMetric.self]?.errorJaccardNull != nil }
        let note = withNull ? "Error-set Jaccard: of the two models' misclassified items (random sets of the same sizes in "
            + "brackets); halves: the large model's probe fitted on half A of each item's training folds against the variant's "
            + "on half B, to compare with the null, the large model's half-A against its own half-B probe (seed 0)." : nil
        return [ReportColumn(.errorsAndOutputs, withNull ? "error-set Jaccard (random); halves, null" : "error-set Jaccard (random)",
                             rightAligned: !withNull, large: "—", note: note) { v in
            v[ErrorOverlapMetric.self].map { r in
                "\(ReportCell.number(r.errorJaccard)) (\(ReportCell.number(r.errorJaccardRandomBaseline)))"
                    + (r.errorJaccardHalves.flatMap { h in r.errorJaccardNull.map { "; halves \(ReportCell.number(h)), null \(ReportCell.number($0))" } } ?? "")
            }
        }]
    }
}
