import BertDivergence
import BertModel
import BertTokens
import Foundation

/// The whole behavioural study for one large model, its variants, one data set and one seed:
/// divergence.json. One cell rather than one per variant because the study's agreement and
/// error-Jaccard matrices and the attack transfer matrix span every pair of models, and the
/// per-variant numbers depend on the large model's run (heads, PIE population). In a sweep its
/// embeddings come from `EmbeddingCell`s of an earlier stage through the plan's cache.
public struct DivergenceCell: CellKind {
    public static let kind = "divergence"
    public let large: ModelRef
    public let variants: [StudyVariant]
    public let data: DataRef
    public let outOfDomain: [DataRef]
    /// VADER lexicon for the attack; nil when the attack is off.
    public let lexicon: DataRef?
    /// The attack's WordNet lexicon and the data's part-of-speech tags (scripts/make_attack_resources.py);
    /// nil in plans written before the constrained attack, or when the attack is off.
    public var attackLexicon: DataRef? = nil
    public var partOfSpeechTags: DataRef? = nil
    /// Sizes and seed (`splitSeed`) of the study.
    public let settings: DivergenceSettings
    /// The device's name when planned.
    public let device: String

    /// The study of `variants` against `large` on `data` and `outOfDomain`.
    public init(large: ModelRef, variants: [StudyVariant], data: DataRef, outOfDomain: [DataRef], lexicon: DataRef?,
                attackLexicon: DataRef? = nil, partOfSpeechTags: DataRef? = nil, settings: DivergenceSettings, device: String) {
        self.attackLexicon = attackLexicon
        self.partOfSpeechTags = partOfSpeechTags
        self.large = large
        self.variants = variants
        self.data = data
        self.outOfDomain = outOfDomain
        self.lexicon = lexicon
        self.settings = settings
        self.device = device
    }

    public var slug: String { "\(large.name)-\(variants.count)-variants-seed-\(settings.splitSeed)" }

    public var inputs: [String: String] {
        // The constrained attack's files join the inputs only when present, so plans written before it keep their identity.
        var inputs = ["large": large.identity, "variants": variants.map(\.identity).joined(separator: ", "),
                      "data": data.hash, "outOfDomain": outOfDomain.map(\.hash).joined(separator: ", "), "lexicon": lexicon?.hash ?? "none",
                      "settings": Self.settingsText(settings), "device": device]
        if let attackLexicon { inputs["attackLexicon"] = attackLexicon.hash }
        if let partOfSpeechTags { inputs["partOfSpeechTags"] = partOfSpeechTags.hash }
        return inputs
    }

    /// Runs after the embedding units of its sweep, whose cache it reads.
    public var stage: Int { 1 }

    /// The settings as sorted JSON, for ids.
    static func settingsText(_ settings: DivergenceSettings) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(settings)).map { String(decoding: $0, as: UTF8.self) } ?? "\(settings)"
    }

    /// The texts a study with `settings` samples: training and test items of `data`, and each
    /// out-of-domain set; the same for the study unit and the embedding units of its sweep.
    static func studyTexts(data: DataRef, outOfDomain: [DataRef], settings: DivergenceSettings) throws
        -> (train: TextDataset, test: TextDataset, outOfDomain: [TextDataset]) {
        let labelled = try TextDataset.load(data.path, name: "in-domain", requireLabels: true)
        let (trainAll, testAll) = labelled.split(testShare: settings.testShare, seed: settings.splitSeed)
        let seed = settings.splitSeed
        let ood = try outOfDomain.map { try TextDataset.load($0.path, requireLabels: false).sample(settings.outOfDomainItems, seed: seed) }
        let train = trainAll.sample(settings.trainItems, seed: seed), test = testAll.sample(settings.testItems, seed: seed)
        for (set, name) in [(train, "training"), (test, "test")] where set.texts.count <= settings.neighbours || Set(set.labels ?? []).count < 2 {
            throw ExperimentError("\(data.path): the \(name) set has \(set.texts.count) items; the study needs more than k = "
                                  + "\(settings.neighbours) of them, with both labels")
        }
        return (train, test, ood)
    }

    public func run(_ context: CellContext) throws -> DivergenceResults {
        context.releaseModel()
        let kernels = try context.kernels()
        let (train, test, ood) = try Self.studyTexts(data: data, outOfDomain: outOfDomain, settings: settings)
        let largeModel = try ModelLoader.load(URL(fileURLWithPath: large.path), kernels: kernels)
        let largeHash = try largeModel.checkpoint.sourceHash()
        var models = [StudyModel(model: largeModel, tokenizer: try WordPieceTokenizer(directory: URL(fileURLWithPath: large.path)), sameFamily: true)]
        var notes: [String] = []
        for variant in variants {
            let url = URL(fileURLWithPath: variant.model.path)
            let loaded = try ModelLoader.load(url, kernels: kernels)
            let tokenizer = try WordPieceTokenizer(directory: url)
            if tokenizer.vocabularySize != models[0].tokenizer.vocabularySize {
                notes.append("\(loaded.name) has its own vocabulary (\(tokenizer.vocabularySize) tokens): texts are tokenised per model")
            }
            let family = Self.sameFamily(loaded, large: largeModel, largeHash: largeHash)
            var studied = StudyModel(model: loaded, tokenizer: tokenizer, sameFamily: family, expectation: variant.role.expectation)
            studied.population = variant.population
            studied.making = variant.role.making
            models.append(studied)
        }
        let total = models.count * (train.texts.count + test.texts.count + ood.map(\.texts.count).reduce(0, +))
        let progress = ProgressLine("divergence", total: total, quiet: context.quiet)
        var finished = 0, current = ""
        let resources = try lexicon.map {
            AttackResources(valence: try WordSubstitutionAttack.loadLexicon($0.path),
                            lexicon: try attackLexicon.map { try AttackLexicon.load($0.path) },
                            tags: try partOfSpeechTags.map { try PartOfSpeechTags.load($0.path) })
        }
        var study = DivergenceStudy(settings: settings, train: train, test: test, outOfDomain: ood, attackResources: resources) {
            context.say("divergence", $0)
        }
        study.cache = context.embeddingCache
        var results = try study.compare(models, device: kernels.context.device.name) { name, done, total in
            if name != current {
                if !current.isEmpty { finished += total }
                current = name
            }
            progress.update(finished + done, detail: "embedding with \(name)")
        }
        results.dataSources = [data.path] + outOfDomain.map(\.path)
        results.notes = notes
        return results
    }

    /// A compression of the large model: BertBench derived it from that exact file, or it is an
    /// external quantization with the same architecture.
    static func sameFamily(_ variant: LoadedModel, large: LoadedModel, largeHash: String) -> Bool {
        let c = variant.checkpoint.config, l = large.checkpoint.config
        if case .object(let compression)? = c.json["compression"], compression["source_hash"]?.stringValue == largeHash { return true }
        return c.quantizationMethod != nil && c.layerCount == l.layerCount && c.hiddenSize == l.hiddenSize && c.vocabSize == l.vocabSize
    }

    public static func merge(_ output: DivergenceResults, into merged: inout MergedRun) {
        guard let first = merged.divergence else { return merged.divergence = output }
        // A study of another large model (a second family) joins the run beside the first; a second
        // study of the same large model would contradict it, so it is left out with a note.
        guard output.large != first.large, !merged.otherStudies.contains(where: { $0.large == output.large }) else {
            return merged.note("a second divergence cell of \(output.large) was not merged: one study per large model in a run folder")
        }
        merged.otherStudies.append(output)
    }
}

/// A model compared with the large one, and what the study expects of it.
public struct StudyVariant: Codable, Sendable, Equatable {
    public let model: ModelRef
    public let role: VariantRole
    /// The population of compressed models it belongs to (population PIEs), if any.
    public let population: String?

    /// `model` in `role`, in `population` when given.
    public init(model: ModelRef, role: VariantRole, population: String? = nil) {
        self.model = model
        self.role = role
        self.population = population
    }

    /// What the cell's id hashes about it.
    var identity: String { "\(model.identity) \(role.rawValue)" + (population.map { " population=\($0)" } ?? "") }
}

/// What a variant is expected to show, as plan data: the sanity checks of the report are
/// statements about these roles (the int8 miniatures agree with the large model on at least
/// 97% of items; the separately trained smaller model agrees less than they do).
public enum VariantRole: String, Codable, Sendable {
    /// An int8 quantization of the large model: expected to behave as a miniature of it.
    case int8Miniature = "int8-miniature"
    /// A smaller model trained on its own, the reference point for "agrees less".
    case separatelyTrained = "separately-trained"
    /// Any other one-shot compression (pruning, head removal, layer dropping).
    case compression
    /// A smaller model distilled from the large one (trained, not one-shot).
    case trained
    /// A compression recovered by a short distillation from the large one (zeros kept).
    case recovered
}

extension VariantRole {
    /// How a variant in this role was made, as the report groups them.
    var making: String {
        switch self {
        case .int8Miniature, .compression: return "one-shot"
        case .trained, .recovered: return "recovered / trained"
        case .separatelyTrained: return "trained separately"
        }
    }

    /// What the study's sanity checks hold a variant in this role to.
    var expectation: StudyModel.Expectation {
        switch self {
        case .int8Miniature: return .nearCopy
        case .separatelyTrained: return .separatelyTrained
        case .compression, .trained, .recovered: return .none
        }
    }
}
