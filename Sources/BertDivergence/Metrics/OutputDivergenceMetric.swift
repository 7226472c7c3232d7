import BertMetrics
import Foundation

/// KL(large || variant), Jensen-Shannon and top-1 agreement over the class probabilities of
/// each model's own head.
public struct OutputDivergenceMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let kl: DistributionSummary
        public let js: DistributionSummary
        public let sameTop1: Double
    }

    public init() {}

    public var fields: [String] { ["kl", "js", "sameTop1"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let output = OutputDivergence.compare(reference: context.large.probabilities.map { [1 - $0, $0] },
                                              variant: context.runs[variant].probabilities.map { [1 - $0, $0] })
        return Result(kl: output.kl, js: output.js, sameTop1: output.sameTop1)
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        [
            ReportColumn(.errorsAndOutputs, "KL mean / p99", large: "—") {
                $0[OutputDivergenceMetric.self].map { String(format: "%.4f / %.4f", $0.kl.mean, $0.kl.p99) }
            },
            ReportColumn(.errorsAndOutputs, "JS mean", large: "—") { $0[OutputDivergenceMetric.self].map { String(format: "%.4f", $0.js.mean) } },
            ReportColumn(.errorsAndOutputs, "same top-1", large: "—") { $0[OutputDivergenceMetric.self].map { ReportCell.percent($0.sameTop1) } },
        ]
    }
}
