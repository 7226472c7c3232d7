import BertMetrics
import Foundation

/// Jaccard of the two models' sets of misclassified test items, beside its value for random
/// sets of the same sizes.
public struct ErrorOverlapMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let errorJaccard: Double
        public let errorJaccardRandomBaseline: Double
    }

    public init() {}

    public var fields: [String] { ["errorJaccard", "errorJaccardRandomBaseline"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let large = PredictionErrors.misclassified(predictions: context.large.predictions, labels: context.labels)
        let other = PredictionErrors.misclassified(predictions: context.runs[variant].predictions, labels: context.labels)
        return Result(errorJaccard: SetOverlap.jaccard(large, other),
                      errorJaccardRandomBaseline: SetOverlap.expectedRandomJaccard(sizeA: large.count, sizeB: other.count,
                                                                                   universe: context.labels.count))
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        [ReportColumn(.errorsAndOutputs, "error-set Jaccard (random)", large: "—") {
            $0[ErrorOverlapMetric.self].map { "\(ReportCell.number($0.errorJaccard)) (\(ReportCell.number($0.errorJaccardRandomBaseline)))" }
        }]
    }
}
