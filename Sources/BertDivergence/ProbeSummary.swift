import BertMetrics
import Foundation

/// A statistic of the cross-fitted probes repeated over several fold partitions (split seeds).
public struct SeededEstimate: Codable, Sendable {
    /// The statistic averaged over seeds, with a paired bootstrap interval (the same resampled
    /// items for both models and every seed).
    public let interval: BootstrapInterval
    /// The statistic under each seed's partition alone: their spread is the split's own noise.
    public let bySeed: [Double]

    /// `statistic(seed, items)` averaged over `seeds`, resampling `items` items `resamples` times.
    public init(seeds: Int, items: Int, resamples: Int, statistic: (Int, [Int]) -> Double) {
        interval = Bootstrap.percentileInterval(itemCount: items, resamples: resamples) { indices in
            (0..<seeds).reduce(0.0) { $0 + statistic($1, indices) } / Double(seeds)
        }
        let all = Array(0..<items)
        bySeed = (0..<seeds).map { statistic($0, all) }
    }
}

/// How the study's probe was set up, and its null: the large model against itself.
public struct ProbeSummary: Codable, Sendable {
    /// The C chosen by cross-validation on the large model, shared by every model's probe.
    public let regularisation: RegularisationChoice
    /// Folds of the cross-fitting.
    public let folds: Int
    /// Fold partitions the probe statistics were repeated over.
    public let seeds: Int
    /// Labelled items cross-fitted (each predicted once per seed).
    public let items: Int
    /// Agreement of two large-model probes fitted on disjoint halves of each item's training
    /// folds: how much two equally good probes of one model disagree by their data alone.
    public let selfAgreement: SeededEstimate
}

/// One hypothesis test of the report, with its p-value adjusted across the whole report.
public struct CorrectedTest: Codable, Sendable {
    /// What is tested, e.g. "McNemar (error rates)" or "excess disagreement > 0".
    public let test: String
    /// The variant the test compares with the large model.
    public let variant: String
    /// The unadjusted p-value.
    public let p: Double
    /// Holm's adjusted p-value over every test in `DivergenceResults.tests`.
    public let holm: Double
}

extension CorrectedTest {
    /// The report's tests (McNemar's per variant, the excess-disagreement sign test per variant),
    /// Holm-adjusted together: the family-wise error rate holds over the whole report.
    static func holm(_ variants: [VariantComparison]) -> [CorrectedTest] {
        var raw: [(test: String, variant: String, p: Double)] = []
        for v in variants {
            if let m = v[McNemarMetric.self] { raw.append(("McNemar: error rates differ", v.name, m.mcNemar.pValue)) }
            if let e = v[ExcessDisagreementMetric.self] {
                raw.append(("sign test: disagreement exceeds the null", v.name, e.excessDisagreement.signTest.pValue))
            }
        }
        let adjusted = MultipleTesting.holm(raw.map(\.p))
        return zip(raw, adjusted).map { CorrectedTest(test: $0.test, variant: $0.variant, p: $0.p, holm: $1) }
    }
}
