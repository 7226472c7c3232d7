import BertMetrics
import Foundation

/// The share of test items on which the variant predicts the large model's label.
public struct AgreementMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let agreement: Double
    }

    public init() {}

    public var fields: [String] { ["agreement"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        Result(agreement: PredictionErrors.agreement(context.large.predictions, context.runs[variant].predictions))
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        [ReportColumn(.errorsAndOutputs, "agreement", large: "—") { $0[AgreementMetric.self].map { ReportCell.percent($0.agreement) } }]
    }
}
