import BertMetrics
import Foundation

/// What a metric reads: every model's run on the study's data (the large model first), each
/// model's own behaviour, the test labels and the settings.
public struct StudyContext {
    public let settings: DivergenceSettings
    /// The labelled test set every run predicted.
    public let test: TextDataset
    public let labels: [Int]
    public let outOfDomain: [TextDataset]
    public let models: [StudyModel]
    public let runs: [ModelRun]
    public let behaviours: [ModelBehaviour]
    /// Deep-kNN on each out-of-domain set, per model: [model][set].
    public let outOfDistribution: [[OutOfDistributionReport]]

    /// The large model's run, the reference of every comparison.
    public var large: ModelRun { runs[0] }
}
