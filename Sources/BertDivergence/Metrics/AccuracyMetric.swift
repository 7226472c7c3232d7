import BertMetrics
import Foundation

/// The variant's accuracy on the test set with its own head, with a bootstrap 95% interval.
public struct AccuracyMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let accuracy: BootstrapInterval
    }

    public init() {}

    public var fields: [String] { ["accuracy"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        Result(accuracy: context.behaviours[variant].accuracy)
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        [ReportColumn(.errorsAndOutputs, "accuracy [95% CI]", rightAligned: false, large: Self.interval(results.models[0].accuracy)) {
            $0[AccuracyMetric.self].map { AccuracyMetric.interval($0.accuracy) }
        }]
    }

    static func interval(_ a: BootstrapInterval) -> String {
        "\(ReportCell.percent(a.estimate)) [\(ReportCell.percent(a.lower)), \(ReportCell.percent(a.upper))]"
    }
}
