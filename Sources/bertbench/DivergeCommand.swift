import ArgumentParser
import BertDivergence
import BertExperiments
import Foundation

/// Options that size and seed a divergence study, shared by `diverge` and `run`.
struct StudyOptions: ParsableArguments {
    @Option(help: "Labelled in-domain data (TSV with text and label or mean_sentiment, or JSONL).")
    var data: String = "assets/data/movie_snippets.tsv"
    @Option(name: .customLong("ood"), help: "Out-of-domain text files (repeat); default: the tweet, Amazon and NYT snippets.")
    var outOfDomain: [String] = []
    @Option(help: "Training items (after the split; with the test items, all cross-fitted by the probes); 0 = all.") var trainItems: Int = 0
    @Option(help: "Test items (kNN, CKA, PIEs, Deep-kNN; also cross-fitted); 0 = all.") var testItems: Int = 0
    @Option(help: "Folds of the cross-fitted probe.") var folds: Int = 5
    @Option(help: "Fold partitions (split seeds) the probe statistics are repeated over.") var seeds: Int = 5
    @Option(help: "Items per out-of-domain set; 0 = all.") var oodItems: Int = 200
    @Option(help: "Heads per population (bootstrap resamples) for PIEs.") var heads: Int = 10
    @Option(help: "Neighbours for kNN Jaccard and Deep-kNN.") var k: Int = 10
    @Option(help: "Seed of the train/test split and samples.") var seed: UInt64 = 20241021
    @Option(help: "Random halves of the CKA items behind debiased CKA's 95% intervals (0: none).") var ckaResamples: Int = 1000
    @Option(help: "Items attacked by the word-substitution attack, the same for every model (0: no attack).") var attackItems: Int = 200
    @Option(help: "VADER lexicon (word, valence) for the attack's label-preserving constraint.") var lexicon: String = "assets/data/vader_lexicon.tsv"
    @Option(help: "WordNet lexicon (parts of speech, antonyms) for the attack's substitutes (scripts/make_attack_resources.py).")
    var attackLexicon: String = "assets/data/attack_lexicon.tsv"
    @Option(help: "Part-of-speech tags of the data's words in context (scripts/make_attack_resources.py --data FILE).")
    var posTags: String = "assets/data/movie_snippets.pos.tsv"
    @Option(help: "Least cosine between a word and its substitute in the attacked model's input embeddings.") var attackSimilarity = 0.5

    var settings: DivergenceSettings {
        var s = DivergenceSettings()
        s.trainItems = trainItems == 0 ? nil : trainItems
        s.testItems = testItems == 0 ? nil : testItems
        s.outOfDomainItems = oodItems == 0 ? nil : oodItems
        s.headPopulation = heads
        s.neighbours = k
        s.splitSeed = seed
        s.folds = folds
        s.seeds = seeds
        s.ckaResamples = ckaResamples
        s.attack.examples = attackItems
        s.attack.minSimilarity = attackSimilarity
        return s
    }

    func validateCounts() throws {
        guard trainItems >= 0, testItems >= 0, oodItems >= 0 else { throw ValidationError("item counts must be 0 (all) or positive") }
        guard folds >= 2, seeds >= 1 else { throw ValidationError("--folds must be at least 2 and --seeds at least 1") }
        guard heads >= 1, k >= 1 else { throw ValidationError("--heads and --k must be at least 1") }
        // Each item's k nearest neighbours are other items: the sets need more than k of them.
        for (name, count) in [("--train-items", trainItems), ("--test-items", testItems)] where count != 0 && count <= k {
            throw ValidationError("\(name) \(count) must be 0 (all) or more than --k \(k) (the nearest-neighbour metrics need k others)")
        }
        guard ckaResamples >= 0 else { throw ValidationError("--cka-resamples must be 0 or more") }
        guard attackItems >= 0 else { throw ValidationError("--attack-items must be 0 or more") }
        guard (-1...1).contains(attackSimilarity) else { throw ValidationError("--attack-similarity \(attackSimilarity) must be a cosine in -1...1") }
    }

    /// The study as a cell: the large model and variants, the data files hashed now.
    func cell(large: ModelRef, variants: [StudyVariant], device: String) throws -> DivergenceCell {
        let defaults = ["assets/data/tweets.tsv", "assets/data/amazon_reviews.tsv", "assets/data/nyt_editorials.tsv"]
        let oodPaths = outOfDomain.isEmpty ? defaults : outOfDomain
        return DivergenceCell(large: large, variants: variants, data: try DataRef.at(data), outOfDomain: try oodPaths.map(DataRef.at),
                              lexicon: attackItems > 0 ? try DataRef.at(lexicon) : nil,
                              attackLexicon: attackItems > 0 ? try DataRef.at(attackLexicon) : nil,
                              partOfSpeechTags: attackItems > 0 ? try DataRef.at(posTags) : nil, settings: settings, device: device)
    }
}

/// `bertbench diverge`: how differently variants behave from a large model.
struct DivergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diverge",
        abstract: "Compare variants with a large model: errors, flips, KL, kNN and CKA representations, OOD flags, PIEs; "
            + "writes divergence.json and divergence.md.")

    @Option(help: "The large model's directory.") var large: String
    @OptionGroup var studied: StudiedVariants
    @OptionGroup var study: StudyOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Output directory (created; divergence.json and divergence.md inside).") var out: String
    @Flag(help: "The output directory exists: study again, replacing only the files BertBench wrote there.") var overwrite = false
    @Flag(help: "No progress on stderr.") var quiet = false

    func validate() throws {
        try study.validateCounts()
        guard !studied.isEmpty else { throw ValidationError("give at least one --variant") }
        _ = try studied.populations()
    }

    func run() throws {
        let kernels = try deviceOptions.kernels()
        let cell = try study.cell(large: try ModelRef.at(URL(fileURLWithPath: large)), variants: try studied.studyVariants(),
                                  device: kernels.context.device.name)
        let folder = URL(fileURLWithPath: out)
        let merged = try Experiment.run(Plan(runID: folder.lastPathComponent, cells: [cell]), shard: .all, folder: folder,
                                        context: CellContext(quiet: quiet) { kernels }, existing: overwrite ? .overwrite : .refuse)
        guard let results = merged.divergence else { throw ValidationError("the study did not finish") }
        try RunFolder.writeStudy(results, to: folder)
        for line in results.sanity { print(line) }
        print("wrote \(folder.path)/{divergence.json,divergence.md}")
    }
}

/// The variants of a study and what it expects of each, shared by `diverge` and `plan`.
struct StudiedVariants: ParsableArguments {
    @Option(name: .customLong("variant"), help: "A variant's directory (repeat).") var variants: [String] = []
    @Option(name: .customLong("near-copy"), help: ArgumentHelp("A variant expected to be a near copy of the large model, e.g. its int8 form: "
                + "the report checks it agrees on at least 97% of items (repeat; also studied). Default: guessed from names."))
    var nearCopies: [String] = []
    @Option(name: .customLong("separately-trained"), help: ArgumentHelp("A variant trained on its own: the report checks it agrees less than the "
                + "best near copy (repeat; also studied). Default: guessed from names."))
    var separatelyTrained: [String] = []
    @Option(name: .customLong("population"), help: ArgumentHelp("NAME=DIR: a variant in the population NAME of compressed models made "
                + "by one method with different seeds or calibration sets, for PIEs over populations (repeat; at least 2 per NAME; "
                + "also studied).", valueName: "NAME=DIR"))
    var populationMembers: [String] = []

    /// No variant was named.
    var isEmpty: Bool { (variants + nearCopies + separatelyTrained + populationMembers).isEmpty }

    /// The --population members as (directory, population name); errors say which one is malformed.
    func populations() throws -> [(path: String, name: String)] {
        let members = try populationMembers.map { text -> (path: String, name: String) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--population \(text): expected NAME=DIR, e.g. sparsegpt-50=assets/variants/l6-sparsegpt-50-seed-1")
            }
            return (parts[1], parts[0])
        }
        for name in Set(members.map(\.name)).sorted() where members.filter({ $0.name == name }).count < 2 {
            throw ValidationError("--population \(name) has one member; a population needs at least 2 (Hooker et al. use 5 or more)")
        }
        return members
    }

    /// Every studied directory with its role: as declared, or (when nothing is declared) as
    /// `bertbench run`'s names say: "...-int8-w8a8" and "...-int8-weight-only" (else the first
    /// "int8" model) are near copies, an "L3" model is trained separately, "-distilled" and
    /// "-recovered" models were trained from the large one.
    func roles() -> [(path: String, role: VariantRole)] {
        let all = variants + nearCopies.filter { !variants.contains($0) } + separatelyTrained.filter { !variants.contains($0) }
        if !nearCopies.isEmpty || !separatelyTrained.isEmpty {
            return all.map { ($0, nearCopies.contains($0) ? .int8Miniature : separatelyTrained.contains($0) ? .separatelyTrained : .compression) }
        }
        let names = all.map { URL(fileURLWithPath: $0).standardizedFileURL.lastPathComponent }
        var near = Set(names.indices.filter { names[$0].hasSuffix("int8-w8a8") || names[$0].hasSuffix("int8-weight-only") })
        if near.isEmpty, let other = names.indices.first(where: { names[$0].contains("int8") }) { near = [other] }
        let separate = names.indices.first { names[$0].contains("L3") }
        return all.indices.map { i in (all[i], near.contains(i) ? .int8Miniature : i == separate ? .separatelyTrained : trainedRole(names[i])) }
    }

    /// The role of `run`'s trained variants by name (StandardPlans.trainedVariants), else a one-shot compression.
    func trainedRole(_ name: String) -> VariantRole {
        name.hasSuffix("-recovered") ? .recovered : name.contains("-distilled") ? .trained : .compression
    }

    /// The variants as the study cell takes them, their checkpoints hashed now.
    func studyVariants() throws -> [StudyVariant] {
        let named = try roles().map { StudyVariant(model: try ModelRef.at(URL(fileURLWithPath: $0.path)), role: $0.role) }
        let members = try populations().map { StudyVariant(model: try ModelRef.at(URL(fileURLWithPath: $0.path)), role: .compression,
                                                            population: $0.name) }
        return named + members
    }
}
