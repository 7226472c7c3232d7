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

/// One PIE as the report shows it: the text, its label and the two populations' modal labels.
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
    /// The items every model was attacked on; nil in files written before the common item set
    /// (each model then had its own items) and when the attack did not run.
    public var attackItems: AttackItemSet? = nil
    /// The cross-fitted probe: its chosen C and the large model's self-agreement (the null); nil
    /// in files written before cross-fitting.
    public var probe: ProbeSummary? = nil
    /// Every p-value of the report with its Holm adjustment across all of them; nil in older files.
    public var tests: [CorrectedTest]? = nil

    /// Reads divergence.json, with each variant's fields read by the metrics of `metrics` (older
    /// files without some metric's fields read back without that metric).
    public static func decode(from url: URL, metrics: [any DivergenceMetric] = DivergenceMetrics.all) throws -> DivergenceResults {
        try decode(try Data(contentsOf: url), metrics: metrics)
    }

    /// divergence.json bytes already in memory.
    public static func decode(_ data: Data, metrics: [any DivergenceMetric] = DivergenceMetrics.all) throws -> DivergenceResults {
        let decoder = JSONDecoder()
        decoder.userInfo[DivergenceMetrics.userInfoKey] = metrics
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(DivergenceResults.self, from: data)
    }

    /// divergence.json's bytes: sorted keys, so the same results give the same file.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}

/// The knobs of a divergence study.
public struct DivergenceSettings: Codable, Sendable {
    public var trainItems: Int? = nil
    public var testItems: Int? = nil
    public var outOfDomainItems: Int? = 200
    public var testShare = 0.2
    public var splitSeed: UInt64 = 20241021
    public var neighbours = 10
    public var headPopulation = 10
    public var regularisation = 1.0
    public var bootstrapResamples = 1000
    public var ckaItems = 500
    /// Half-samples behind debiased CKA's intervals (0: none); nil in files written before them.
    public var ckaResamples: Int? = 1000
    public var maxLength = 128
    public var attack = AttackSettings()
    /// Folds of the cross-fitted probe (every labelled item predicted once by a probe that did not
    /// see it); nil in files written before cross-fitting, whose probes used one train/test split.
    public var folds: Int? = 5
    /// Fold partitions (split seeds) the probe statistics are repeated over: splitSeed, splitSeed + 1, ...
    public var seeds: Int? = 5
    /// The C candidates the large model's cross-validation chooses from (L2-normalised features).
    public var regularisationGrid: [Double]? = [1, 3, 10, 30, 100, 300, 1000, 3000, 10000]

    public init() {}
}

// divergence.json files written before the word-substitution attack have no `attacks`,
// `transferMatrix` or `settings.attack`; they read back as runs without an attack, so every
// committed run can still be re-rendered. Files written before the constrained attack on a common
// item set have no `attackItems` and no constraint settings (AttackSettings' optional fields).
// Every other field is required, as before.

extension DivergenceResults {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(String.self, forKey: .schema)
        created = try c.decode(String.self, forKey: .created)
        device = try c.decode(String.self, forKey: .device)
        large = try c.decode(String.self, forKey: .large)
        settings = try c.decode(DivergenceSettings.self, forKey: .settings)
        data = try c.decode([String: Int].self, forKey: .data)
        dataSources = try c.decode([String].self, forKey: .dataSources)
        models = try c.decode([ModelBehaviour].self, forKey: .models)
        variants = try c.decode([VariantComparison].self, forKey: .variants)
        names = try c.decode([String].self, forKey: .names)
        agreementMatrix = try c.decode([[Double]].self, forKey: .agreementMatrix)
        errorJaccardMatrix = try c.decode([[Double]].self, forKey: .errorJaccardMatrix)
        sanity = try c.decode([String].self, forKey: .sanity)
        notes = try c.decode([String].self, forKey: .notes)
        attacks = try c.decodeIfPresent([AttackSummary].self, forKey: .attacks) ?? []
        transferMatrix = try c.decodeIfPresent([[Double]].self, forKey: .transferMatrix) ?? []
        probe = try c.decodeIfPresent(ProbeSummary.self, forKey: .probe)
        tests = try c.decodeIfPresent([CorrectedTest].self, forKey: .tests)
        attackItems = try c.decodeIfPresent(AttackItemSet.self, forKey: .attackItems)
    }
}

extension DivergenceSettings {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trainItems = try c.decodeIfPresent(Int.self, forKey: .trainItems)
        testItems = try c.decodeIfPresent(Int.self, forKey: .testItems)
        outOfDomainItems = try c.decodeIfPresent(Int.self, forKey: .outOfDomainItems)
        testShare = try c.decode(Double.self, forKey: .testShare)
        splitSeed = try c.decode(UInt64.self, forKey: .splitSeed)
        neighbours = try c.decode(Int.self, forKey: .neighbours)
        headPopulation = try c.decode(Int.self, forKey: .headPopulation)
        regularisation = try c.decode(Double.self, forKey: .regularisation)
        bootstrapResamples = try c.decode(Int.self, forKey: .bootstrapResamples)
        ckaItems = try c.decode(Int.self, forKey: .ckaItems)
        ckaResamples = try c.decodeIfPresent(Int.self, forKey: .ckaResamples)
        maxLength = try c.decode(Int.self, forKey: .maxLength)
        attack = try c.decodeIfPresent(AttackSettings.self, forKey: .attack) ?? .legacy
        folds = try c.decodeIfPresent(Int.self, forKey: .folds)
        seeds = try c.decodeIfPresent(Int.self, forKey: .seeds)
        regularisationGrid = try c.decodeIfPresent([Double].self, forKey: .regularisationGrid)
    }
}
