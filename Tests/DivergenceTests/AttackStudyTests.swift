@testable import BertDivergence
import BertKernels
import BertModel
import BertTokens
import Foundation
import OpenCLRuntime
import Testing

/// The constrained attack on the real L6 (where scripts/setup has put the assets): in the study
/// with its int8 weight-only variant, one item set for both; on real snippets, every substitution
/// made obeys the rules.
@Suite struct AttackStudy {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func assets(_ path: String) -> URL { root.appendingPathComponent("assets/\(path)") }
    static let needed = ["models/all-MiniLM-L6-v2", "variants/all-MiniLM-L6-v2-int8-weight-only", "data/movie_snippets.tsv",
                         "data/vader_lexicon.tsv", "data/attack_lexicon.tsv", "data/movie_snippets.pos.tsv"]
    static var present: Bool { needed.allSatisfy { FileManager.default.fileExists(atPath: assets($0).path) } }

    @Test(.enabled(if: AttackStudy.present, "needs the models, a variant and the attack's resources (scripts/setup)"))
    func bothModelsAreAttackedOnTheSameItems() throws {
        let kernels = try Self.kernels()
        let models = try ["models/all-MiniLM-L6-v2", "variants/all-MiniLM-L6-v2-int8-weight-only"].map { path in
            let url = Self.assets(path)
            return StudyModel(model: try ModelLoader.load(url, kernels: kernels), tokenizer: try WordPieceTokenizer(directory: url), sameFamily: true)
        }
        let data = try TextDataset.load(Self.assets("data/movie_snippets.tsv").path, requireLabels: true)
        let (trainAll, testAll) = data.split(testShare: 0.2, seed: 3)
        let train = trainAll.sample(60, seed: 3), test = testAll.sample(30, seed: 3)
        var settings = DivergenceSettings()
        (settings.seeds, settings.headPopulation, settings.bootstrapResamples, settings.ckaItems) = (1, 2, 50, 30)
        settings.regularisationGrid = [10]
        settings.folds = 3  // fewer probe fits; fold 0 (the attack's pool) holds 30 of the 90 items
        settings.attack.examples = 3
        let (valence, lexicon, tags) = try Self.resources()
        let study = DivergenceStudy(settings: settings, train: train, test: test, outOfDomain: [],
                                    attackResources: AttackResources(valence: valence, lexicon: lexicon, tags: tags)) { _ in }
        let results = try study.compare(models, device: kernels.context.device.name) { _, _, _ in }

        let set = try #require(results.attackItems)
        #expect(set.items.count == 3 && set.qualified <= set.candidates && Set(set.items).count == set.items.count)
        #expect(set.candidates == 30 && set.items.allSatisfy { (0..<90).contains($0) })
        #expect(results.attacks.count == 2)
        for summary in results.attacks {
            #expect(summary.attacked == set.items.count && summary.outcomes?.count == set.items.count)
            #expect(summary.succeeded == summary.outcomes?.filter { $0 }.count && summary.taggedItems == set.items.count)
            #expect(summary.examples.allSatisfy { set.items.contains($0.item ?? -1) })
        }
        // The transfer matrix: the diagonal is 0 wherever the source has successes; all else a share.
        for (s, row) in results.transferMatrix.enumerated() where results.attacks[s].succeeded > 0 {
            #expect(row[s] == 0 && row.allSatisfy { (0...1).contains($0) })
        }
        let md = DivergenceReport.markdown(results)
        #expect(md.contains("attacked on the same \(set.items.count) items") && md.contains("| perturbed words |"))
        #expect(md.contains("not a WordNet antonym") && md.contains("counted only over items the column's model classifies correctly"))
    }

    static func resources() throws -> (valence: [String: Double], lexicon: AttackLexicon, tags: PartOfSpeechTags) {
        (try WordSubstitutionAttack.loadLexicon(assets("data/vader_lexicon.tsv").path),
         try AttackLexicon.load(assets("data/attack_lexicon.tsv").path), try PartOfSpeechTags.load(assets("data/movie_snippets.pos.tsv").path))
    }

    static func kernels() throws -> EncoderKernels {
        try EncoderKernels(context: try ComputeContext(device: try Device.choose(getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) })))
    }

    /// Real snippets, L6's real embedding matrix and the real lexicon and tags, against a stand-in
    /// classifier that every substitution fools a little (true-class probability 1 − 0.3 per changed
    /// word): the attack then substitutes wherever the rules allow, and every substitution it makes
    /// is checked against the rules again, the similarity recomputed.
    @Test(.enabled(if: AttackStudy.present, "needs the L6 model and the attack's resources (scripts/setup)"))
    func everySubstitutionOnRealSnippetsObeysTheRules() throws {
        let kernels = try Self.kernels()
        let url = Self.assets("models/all-MiniLM-L6-v2")
        let model = StudyModel(model: try ModelLoader.load(url, kernels: kernels), tokenizer: try WordPieceTokenizer(directory: url),
                               sameFamily: true)
        let data = try TextDataset.load(Self.assets("data/movie_snippets.tsv").path, requireLabels: true)
        // Eight snippets of 12+ words (a budget of at least two words), each of its own length.
        var lengths = Set<Int>(), chosen: [Int] = []
        for (i, text) in data.texts.enumerated() where chosen.count < 8 {
            let n = text.split(separator: " ").count
            if n >= 12, lengths.insert(n).inserted { chosen.append(i) }
        }
        let items = chosen.map { AttackItem(text: data.texts[$0], label: data.labels![$0], index: $0) }
        let (valence, lexicon, tags) = try Self.resources()
        let attack = WordSubstitutionAttack(settings: AttackSettings(), resources: AttackResources(valence: valence, lexicon: lexicon, tags: tags))
        let originals = Dictionary(uniqueKeysWithValues: items.map { ($0.text.split(separator: " ").count, $0) })
        func standIn(_ texts: [String]) -> [Double] {
            texts.map { text in
                let words = text.split(separator: " ")
                guard let item = originals[words.count] else { return 0.9 }  // a deletion: ranks words, fools nobody
                let changed = zip(words, item.text.split(separator: " ")).filter { $0 != $1 }.count
                let pTrue = 1 - 0.3 * Double(changed)
                return item.label == 1 ? pTrue : 1 - pTrue
            }
        }
        #expect(originals.count == items.count, "the stand-in tells items apart by their length")
        let (summary, successes) = try attack.attack(model: model, items: items, probability: standIn)
        let rules = attack.constraints, neighbours = try NeighbourIndex(model: model)
        var substitutions = 0
        for example in successes {
            let before = example.original.split(separator: " ").map(String.init), after = example.adversarial.split(separator: " ").map(String.init)
            let wordTags = try #require(tags.tags(of: example.original, words: before.count))
            let changed = before.indices.filter { before[$0] != after[$0] }
            #expect(before.count == after.count && changed.count == 2)
            for i in changed {
                let (word, substitute) = (WordParts(before[i]).core, WordParts(after[i]).core)
                let cosine = neighbours.nearest(word, count: AttackSettings().candidates).first { $0.word == substitute }?.cosine
                #expect(rules.refusal(original: word, tag: wordTags[i], candidate: substitute, similarity: cosine ?? .nan) == nil,
                        "\(word) -> \(substitute) (\(wordTags[i] ?? "-"))")
                #expect(!lexicon.areAntonyms(word, substitute) && (cosine ?? 0) >= 0.5)
                substitutions += 1
            }
        }
        // The stand-in is fooled by any two substitutions, so most items fall: the checks above ran.
        #expect(summary.succeeded >= 4 && substitutions >= 8 && summary.meanPerturbedFraction.map { $0 > 0 && $0 <= 0.2 } == true)
    }
}
