import BertMetrics
import Foundation

/// What a metric reads: every model's run on the study's data (the large model first), each
/// model's own behaviour, the labels and the settings.
public struct StudyContext {
    public let settings: DivergenceSettings
    /// The test set (kNN, CKA, PIEs and Deep-kNN work on it).
    public let test: TextDataset
    /// Labels of every labelled item in probe order (training then test): what the cross-fitted
    /// predictions (`ModelRun.predictions`, `crossFits`) are judged against.
    public let labels: [Int]
    /// Labels of the test set, for the PIE populations.
    public var testLabels: [Int] { test.labels! }
    public let outOfDomain: [TextDataset]
    public let models: [StudyModel]
    public let runs: [ModelRun]
    public let behaviours: [ModelBehaviour]
    /// Deep-kNN on each out-of-domain set, per model: [model][set].
    public let outOfDistribution: [[OutOfDistributionReport]]
    /// The word-substitution attack on each model, in `runs` order; empty when it did not run.
    public var attacks: [AttackSummary] = []
    /// Neighbour lists and half-bank flags shared by the metrics (computed on first use).
    public let cache = StudyCache()

    /// The large model's run, the reference of every comparison.
    public var large: ModelRun { runs[0] }
}
