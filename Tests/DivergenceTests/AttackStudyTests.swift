@testable import BertDivergence
import BertKernels
import BertModel
import BertTokens
import Foundation
import OpenCLRuntime
import Testing

/// The constrained attack end to end on the real L6 and its int8 weight-only variant (where
/// scripts/setup has put them): one item set for both, and every substitution made obeys the rules.
@Suite struct AttackStudy {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func assets(_ path: String) -> URL { root.appendingPathComponent("assets/\(path)") }
    static let needed = ["models/all-MiniLM-L6-v2", "variants/all-MiniLM-L6-v2-int8-weight-only", "data/movie_snippets.tsv",
                         "data/vader_lexicon.tsv", "data/attack_lexicon.tsv", "data/movie_snippets.pos.tsv"]
    static var present: Bool { needed.allSatisfy { FileManager.default.fileExists(atPath: assets($0).path) } }

    @Test(.enabled(if: AttackStudy.present, "needs the models, a variant and the attack's resources (scripts/setup)"))
    func bothModelsAreAttackedOnTheSameItemsWithinTheConstraints() throws {
        let kernels = try EncoderKernels(context: try ComputeContext(device: try Device.choose(getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) })))
        let models = try ["models/all-MiniLM-L6-v2", "variants/all-MiniLM-L6-v2-int8-weight-only"].map { path in
            let url = Self.assets(path)
            return StudyModel(model: try ModelLoader.load(url, kernels: kernels), tokenizer: try WordPieceTokenizer(directory: url), sameFamily: true)
        }
        let data = try TextDataset.load(Self.assets("data/movie_snippets.tsv").path, requireLabels: true)
        let (trainAll, testAll) = data.split(testShare: 0.2, seed: 3)
        let train = trainAll.sample(120, seed: 3), test = testAll.sample(60, seed: 3)
        var settings = DivergenceSettings()
        (settings.seeds, settings.headPopulation, settings.bootstrapResamples, settings.ckaItems) = (1, 2, 50, 30)
        settings.attack.examples = 5
        let lexicon = try AttackLexicon.load(Self.assets("data/attack_lexicon.tsv").path)
        let tags = try PartOfSpeechTags.load(Self.assets("data/movie_snippets.pos.tsv").path)
        let valence = try WordSubstitutionAttack.loadLexicon(Self.assets("data/vader_lexicon.tsv").path)
        let study = DivergenceStudy(settings: settings, train: train, test: test, outOfDomain: [],
                                    attackResources: AttackResources(valence: valence, lexicon: lexicon, tags: tags)) { _ in }
        let results = try study.compare(models, device: kernels.context.device.name) { _, _, _ in }

        let set = try #require(results.attackItems)
        #expect(set.items.count == min(5, set.qualified) && set.qualified <= set.candidates && Set(set.items).count == set.items.count)
        #expect(results.attacks.count == 2)
        for summary in results.attacks {
            #expect(summary.attacked == set.items.count && summary.outcomes?.count == set.items.count)
            #expect(summary.succeeded == summary.outcomes?.filter { $0 }.count && summary.taggedItems == set.items.count)
        }
        // Every substitution in every successful text: a neighbour at cosine >= 0.5 in the attacked
        // model's embeddings, of the word's part of speech in context, no antonym, polarity kept.
        let rules = SubstitutionConstraints(valence: valence, lexicon: lexicon, minSimilarity: 0.5)
        var substitutions = 0
        for (m, summary) in zip(models, results.attacks) {
            let neighbours = try NeighbourIndex(model: m)
            for example in summary.examples {
                let before = example.original.split(separator: " ").map(String.init), after = example.adversarial.split(separator: " ").map(String.init)
                #expect(before.count == after.count && set.items.contains(example.item ?? -1))
                let wordTags = try #require(tags.tags(of: example.original, words: before.count))
                let changed = before.indices.filter { before[$0] != after[$0] }
                #expect(!changed.isEmpty && changed.count <= max(1, Int(0.2 * Double(before.count))))
                for i in changed {
                    let (word, substitute) = (WordParts(before[i]).core, WordParts(after[i]).core)
                    let cosine = neighbours.nearest(word, count: settings.attack.candidates).first { $0.word == substitute }?.cosine
                    #expect(rules.refusal(original: word, tag: wordTags[i], candidate: substitute, similarity: cosine ?? .nan) == nil,
                            "\(word) -> \(substitute) (\(wordTags[i] ?? "-"))")
                    substitutions += 1
                }
            }
        }
        // The transfer matrix: the diagonal is 0 wherever the source has successes; all else a share.
        for (s, row) in results.transferMatrix.enumerated() where results.attacks[s].succeeded > 0 {
            #expect(row[s] == 0 && row.allSatisfy { (0...1).contains($0) })
        }
        let md = DivergenceReport.markdown(results)
        #expect(md.contains("attacked on the same \(set.items.count) items") && md.contains("| perturbed words |"))
        #expect(md.contains("not a WordNet antonym") && md.contains("counted only over items the column's model classifies correctly"))
        print("attack test: \(set.items.count) of \(set.qualified) items, \(substitutions) substitutions checked, success "
              + results.attacks.map { "\($0.model) \($0.succeeded)/\($0.attacked)" }.joined(separator: ", "))
    }
}
