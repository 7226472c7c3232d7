import BertMetrics
import Foundation

/// Items the large model gets right and the variant wrong, and the reverse.
public struct FlipsMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let flips: Flips
    }

    public init() {}

    public var fields: [String] { ["flips"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        Result(flips: PredictionErrors.flips(reference: context.large.predictions, variant: context.runs[variant].predictions,
                                             labels: context.labels))
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        [ReportColumn(.errorsAndOutputs, "flips correct→wrong / wrong→correct", large: "—") {
            $0[FlipsMetric.self].map { "\($0.flips.correctToWrong) / \($0.flips.wrongToCorrect)" }
        }]
    }
}
