import BertMetrics
import Foundation

/// One model's own behaviour: its head's accuracy and its out-of-distribution detection.
public struct ModelBehaviour: Codable, Sendable {
    public let name: String
    public let accuracy: BootstrapInterval
    /// Per out-of-domain set: Deep Nearest Neighbours detection against the in-domain test set.
    public let outOfDistribution: [String: OutOfDistributionSummary]
}

/// Deep-kNN on one out-of-domain set, without the per-item scores.
public struct OutOfDistributionSummary: Codable, Sendable {
    public let auroc: Double
    public let detectionRate: Double
    public let falsePositiveRate: Double
    public let flagged: [Int]
    public let items: Int
}

/// One variant against the large model.
public struct VariantComparison: Codable, Sendable {
    public let name: String
    /// A compression of the large model (so its head can be applied unchanged).
    public let sameFamily: Bool
    public let accuracy: BootstrapInterval
    public let agreement: Double
    public let flips: Flips
    public let errorJaccard: Double
    public let errorJaccardRandomBaseline: Double
    public let mcNemar: McNemarTest
    /// KL(large || variant) and JS over class probabilities of each model's own head.
    public let kl: DistributionSummary
    public let js: DistributionSummary
    public let sameTop1: Double
    /// The large model's head applied to the variant's embeddings, when `sameFamily`.
    public let deployedAccuracy: Double?
    public let deployedAgreement: Double?
    public let knnJaccard: Double
    public let knnRandomBaseline: Double
    /// [large layer][variant layer], embeddings output first.
    public let cka: [[Double]]
    /// Jaccard of the flagged OOD sets, and its random baseline, per out-of-domain set.
    public let oodJaccard: [String: Double]
    public let oodJaccardRandomBaseline: [String: Double]
    public let pies: PIESummary
}

/// Pruning Identified Exemplars of one variant against the large model.
public struct PIESummary: Codable, Sendable {
    public let count: Int
    public let share: Double
    public let largeAccuracyOnPIEs: Double?
    public let variantAccuracyOnPIEs: Double?
    public let largeAccuracyOnOthers: Double?
    public let variantAccuracyOnOthers: Double?
    /// Up to 25 PIE texts with their true label, for the report.
    public let examples: [PIEExample]
}

public struct PIEExample: Codable, Sendable {
    public let text: String
    public let label: Int
    public let largeModal: Int
    public let variantModal: Int
}

/// Everything `diverge` measured: divergence.json (schema "bertbench.divergence/1").
public struct DivergenceResults: Codable, Sendable {
    public static let schemaVersion = "bertbench.divergence/1"
    public var schema = DivergenceResults.schemaVersion
    public let created: String
    public let device: String
    public let large: String
    public let settings: DivergenceSettings
    /// Names and sizes of the data: train, test, and each out-of-domain set.
    public let data: [String: Int]
    public var dataSources: [String]
    public let models: [ModelBehaviour]
    public let variants: [VariantComparison]
    /// All models (large first): pairwise agreement and error-set Jaccard.
    public let names: [String]
    public let agreementMatrix: [[Double]]
    public let errorJaccardMatrix: [[Double]]
    public let sanity: [String]
    public var notes: [String]
    /// The word-substitution attack on each model (own head), and the transfer matrix:
    /// [source model][evaluated model] = accuracy on the source's successful adversarial texts.
    public let attacks: [AttackSummary]
    public let transferMatrix: [[Double]]

    public static func decode(from url: URL) throws -> DivergenceResults {
        try decode(try Data(contentsOf: url))
    }

    /// divergence.json bytes already in memory.
    public static func decode(_ data: Data) throws -> DivergenceResults {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(DivergenceResults.self, from: data)
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}

/// The knobs of a divergence study.
public struct DivergenceSettings: Codable, Sendable {
    public var trainItems: Int? = 1500
    public var testItems: Int? = 800
    public var outOfDomainItems: Int? = 200
    public var testShare = 0.2
    public var splitSeed: UInt64 = 20241021
    public var neighbours = 10
    public var headPopulation = 10
    public var regularisation = 1.0
    public var bootstrapResamples = 1000
    public var ckaItems = 500
    public var maxLength = 128
    public var attack = AttackSettings()

    public init() {}
}
