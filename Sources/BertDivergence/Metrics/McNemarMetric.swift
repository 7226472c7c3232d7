import BertMetrics
import Foundation

/// McNemar's test of whether the two models' error rates differ on the same items.
public struct McNemarMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let mcNemar: McNemarTest
    }

    public init() {}

    public var fields: [String] { ["mcNemar"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        Result(mcNemar: PredictionErrors.mcNemar(reference: context.large.predictions, variant: context.runs[variant].predictions,
                                                 labels: context.labels))
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        [ReportColumn(.errorsAndOutputs, "McNemar p", large: "—") { $0[McNemarMetric.self].map { String(format: "%.3g", $0.mcNemar.pValue) } }]
    }
}
