import ArgumentParser
import BertCheckpoint
import BertDivergence
import BertKernels
import BertModel
import BertTokens
import Foundation
import Support

/// Options that size and seed a divergence study, shared by `diverge` and `run`.
struct StudyOptions: ParsableArguments {
    @Option(help: "Labelled in-domain data (TSV with text and label or mean_sentiment, or JSONL).") var data: String = "assets/data/movie_snippets.tsv"
    @Option(name: .customLong("ood"), help: "Out-of-domain text files (repeat); default: the tweet, Amazon and NYT snippets.") var outOfDomain: [String] = []
    @Option(help: "Training items for the probes (after the split); 0 = all.") var trainItems: Int = 1500
    @Option(help: "Test items; 0 = all.") var testItems: Int = 800
    @Option(help: "Items per out-of-domain set; 0 = all.") var oodItems: Int = 200
    @Option(help: "Heads per population (bootstrap resamples) for PIEs.") var heads: Int = 10
    @Option(help: "Neighbours for kNN Jaccard and Deep-kNN.") var k: Int = 10
    @Option(help: "Seed of the train/test split and samples.") var seed: UInt64 = 20241021
    @Option(help: "Test items attacked per model by the word-substitution attack (0: no attack).") var attackItems: Int = 25
    @Option(help: "VADER lexicon (word, valence) for the attack's label-preserving constraint.") var lexicon: String = "assets/data/vader_lexicon.tsv"

    var settings: DivergenceSettings {
        var s = DivergenceSettings()
        s.trainItems = trainItems == 0 ? nil : trainItems
        s.testItems = testItems == 0 ? nil : testItems
        s.outOfDomainItems = oodItems == 0 ? nil : oodItems
        s.headPopulation = heads
        s.neighbours = k
        s.splitSeed = seed
        s.attack.examples = attackItems
        return s
    }

    func validateCounts() throws {
        guard trainItems >= 0, testItems >= 0, oodItems >= 0 else { throw ValidationError("item counts must be 0 (all) or positive") }
        guard heads >= 1, k >= 1 else { throw ValidationError("--heads and --k must be at least 1") }
        guard attackItems >= 0 else { throw ValidationError("--attack-items must be 0 or more") }
    }

    /// Loads, splits and samples the data; the study's text sets.
    func datasets() throws -> (train: TextDataset, test: TextDataset, ood: [TextDataset]) {
        let s = settings
        let labelled = try TextDataset.load(data, name: "in-domain", requireLabels: true)
        let (train, test) = labelled.split(testShare: s.testShare, seed: s.splitSeed)
        let oodPaths = outOfDomain.isEmpty ? ["assets/data/tweets.tsv", "assets/data/amazon_reviews.tsv", "assets/data/nyt_editorials.tsv"] : outOfDomain
        let ood = try oodPaths.map { try TextDataset.load($0, requireLabels: false).sample(s.outOfDomainItems, seed: s.splitSeed) }
        return (train.sample(s.trainItems, seed: s.splitSeed), test.sample(s.testItems, seed: s.splitSeed), ood)
    }
}

/// `bertbench diverge`: how differently variants behave from a large model.
struct DivergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diverge",
        abstract: "Compare variants with a large model: errors, flips, KL, kNN and CKA representations, OOD flags, PIEs; writes divergence.json and divergence.md.")

    @Option(help: "The large model's directory.") var large: String
    @Option(name: .customLong("variant"), help: "A variant's directory (repeat).") var variants: [String]
    @OptionGroup var study: StudyOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Output directory (created; divergence.json and divergence.md inside).") var out: String
    @Flag(help: "No progress on stderr.") var quiet = false

    func validate() throws {
        try study.validateCounts()
        guard !variants.isEmpty else { throw ValidationError("give at least one --variant") }
    }

    func run() throws {
        let kernels = try deviceOptions.kernels()
        let results = try DivergenceRunner.run(large: URL(fileURLWithPath: large), variants: variants.map { URL(fileURLWithPath: $0) },
                                               study: study, kernels: kernels, quiet: quiet)
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(try results.encoded(), to: folder.appendingPathComponent("divergence.json").path)
        try writeAtomically(Data(DivergenceReport.markdown(results).utf8), to: folder.appendingPathComponent("divergence.md").path)
        for line in results.sanity { print(line) }
        print("wrote \(folder.path)/{divergence.json,divergence.md}")
    }
}

/// Loads the models of a study and runs it, with progress.
enum DivergenceRunner {
    /// `expectations` declares what the sanity checks expect of each variant; nil reads it from
    /// the names, as `diverge` always has (`expectationsFromNames`).
    static func run(large: URL, variants: [URL], study: StudyOptions, kernels: EncoderKernels, quiet: Bool,
                    expectations: [URL: StudyModel.Expectation]? = nil) throws -> DivergenceResults {
        let (train, test, ood) = try study.datasets()
        let largeModel = try ModelLoader.load(large, kernels: kernels)
        let largeHash = try largeModel.checkpoint.sourceHash()
        var models = [StudyModel(model: largeModel, tokenizer: try WordPieceTokenizer(directory: large), sameFamily: true)]
        var notes: [String] = []
        for url in variants {
            let loaded = try ModelLoader.load(url, kernels: kernels)
            let tokenizer = try WordPieceTokenizer(directory: url)
            if tokenizer.vocabularySize != models[0].tokenizer.vocabularySize {
                notes.append("\(loaded.name) has its own vocabulary (\(tokenizer.vocabularySize) tokens): texts are tokenised per model")
            }
            models.append(StudyModel(model: loaded, tokenizer: tokenizer, sameFamily: sameFamily(loaded, large: largeModel, largeHash: largeHash),
                                     expectation: expectations?[url] ?? .none))
        }
        if expectations == nil { expectationsFromNames(&models) }
        let progress = Progress("divergence", total: models.count * (train.texts.count + test.texts.count + ood.map(\.texts.count).reduce(0, +)), quiet: quiet)
        var finished = 0, current = ""
        let lexicon = study.attackItems > 0 ? try WordSubstitutionAttack.loadLexicon(study.lexicon) : nil
        let studyRun = DivergenceStudy(settings: study.settings, train: train, test: test, outOfDomain: ood, lexicon: lexicon) { message in
            if !quiet { FileHandle.standardError.write(Data("divergence: \(message)\n".utf8)) }
        }
        var results = try studyRun.compare(models, device: kernels.context.device.name) { name, done, total in
            if name != current {
                if !current.isEmpty { finished += total }
                current = name
            }
            progress.update(finished + done, detail: "embedding with \(name)")
        }
        results.dataSources = [study.data] + (study.outOfDomain.isEmpty ? ["assets/data/tweets.tsv", "assets/data/amazon_reviews.tsv", "assets/data/nyt_editorials.tsv"] : study.outOfDomain)
        results.notes = notes
        return results
    }

    /// `bertbench run`'s own int8 variants ("...-int8-w8a8", "...-int8-weight-only", else any
    /// same-family int8 model) are near copies; an "L3" model is trained separately.
    static func expectationsFromNames(_ models: inout [StudyModel]) {
        let variants = models.indices.dropFirst()
        var nearCopies = variants.filter { models[$0].model.name.hasSuffix("int8-w8a8") || models[$0].model.name.hasSuffix("int8-weight-only") }
        if nearCopies.isEmpty, let other = variants.first(where: { models[$0].model.name.contains("int8") && models[$0].sameFamily }) {
            nearCopies = [other]
        }
        for i in nearCopies { models[i].expectation = .nearCopy }
        if let l3 = variants.first(where: { models[$0].model.name.contains("L3") }) { models[l3].expectation = .separatelyTrained }
    }

    /// A compression of the large model: BertBench derived it from that exact file, or it is an
    /// external quantization with the same architecture.
    static func sameFamily(_ variant: LoadedModel, large: LoadedModel, largeHash: String) -> Bool {
        let c = variant.checkpoint.config, l = large.checkpoint.config
        if case .object(let compression)? = c.json["compression"], compression["source_hash"]?.stringValue == largeHash { return true }
        return c.quantizationMethod != nil && c.layerCount == l.layerCount && c.hiddenSize == l.hiddenSize && c.vocabSize == l.vocabSize
    }
}
