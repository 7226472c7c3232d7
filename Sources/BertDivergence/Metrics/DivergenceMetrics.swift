import Foundation

/// The registry: every metric the study computes, in the order of their report columns.
public enum DivergenceMetrics {
    /// One line per metric; a new metric is a new file in Metrics/ and a line here.
    public static let all: [any DivergenceMetric] = [
        AccuracyMetric(),
        ExcessDisagreementMetric(),
        KappaMetric(),
        AgreementMetric(),
        FlipsMetric(),
        ErrorOverlapMetric(),
        McNemarMetric(),
        OutputDivergenceMetric(),
        DeployedHeadMetric(),
        NeighbourOverlapMetric(),
        NeighbourCurveMetric(),
        CKAMetric(),
        DebiasedCKAMetric(),
        OutOfDomainOverlapMetric(),
        OutOfDomainTaskMetric(),
        PIEMetric(),
        PopulationPIEMetric(),
        MakingMetric(),
        MiniatureIndexMetric(),
    ]

    /// Where `DivergenceResults.decode(from:metrics:)` passes its metric list to the decoder.
    static let userInfoKey = CodingUserInfoKey(rawValue: "bertbench.divergenceMetrics")!

    /// The fields two metrics of `metrics` both claim, which would overwrite each other in divergence.json.
    public static func collisions(_ metrics: [any DivergenceMetric]) -> [String] {
        var seen = Set(VariantComparison.ownFields), repeated: [String] = []
        for field in metrics.flatMap(\.fields) where !seen.insert(field).inserted { repeated.append(field) }
        return repeated
    }
}

/// A study that cannot be run as asked (its metric list is inconsistent).
public struct DivergenceError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
