import BertMetrics
import BertModel
import EncoderWeights
import Foundation

/// The attack's resources: VADER valences, and (for the constrained attack) the WordNet lexicon
/// and the texts' part-of-speech tags in context.
public struct AttackResources: Sendable {
    public let valence: [String: Double]
    /// nil: parts of speech and antonyms are not checked.
    public let lexicon: AttackLexicon?
    /// nil or missing texts: parts of speech are matched out of context (WordNet's sets overlap).
    public let tags: PartOfSpeechTags?

    /// The resources as loaded.
    public init(valence: [String: Double], lexicon: AttackLexicon? = nil, tags: PartOfSpeechTags? = nil) {
        (self.valence, self.lexicon, self.tags) = (valence, lexicon, tags)
    }
}

/// One item to attack: its text, true label and index among the labelled items.
public struct AttackItem: Sendable {
    public let text: String
    public let label: Int
    public let index: Int

    /// The item as given.
    public init(text: String, label: Int, index: Int) { (self.text, self.label, self.index) = (text, label, index) }
}

/// The attack: rank words by how much deleting each lowers the true class's probability, then
/// greedily replace the most important ones with the allowed candidate that lowers it most, until
/// the prediction flips or the word budget is spent. Candidates are the word's nearest neighbours
/// in the attacked model's input embeddings that pass `SubstitutionConstraints` (similarity, part
/// of speech, no antonym, VADER polarity), so the true label stands.
public struct WordSubstitutionAttack {
    public let settings: AttackSettings
    public let resources: AttackResources
    public let constraints: SubstitutionConstraints

    /// The attack with `settings`; parts of speech and antonyms are checked only when the settings
    /// ask for it and the resources have a lexicon.
    public init(settings: AttackSettings, resources: AttackResources) {
        self.settings = settings
        self.resources = resources
        let linguistic = settings.linguisticConstraints == true ? resources.lexicon : nil
        constraints = SubstitutionConstraints(valence: resources.valence, lexicon: linguistic, minSimilarity: settings.minSimilarity)
    }

    /// Reads assets/data/vader_lexicon.tsv (word, valence).
    public static func loadLexicon(_ path: String) throws -> [String: Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DatasetError("\(path): cannot read the VADER lexicon (run scripts/setup)")
        }
        var lexicon: [String: Double] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: "\t")
            if parts.count == 2, let v = Double(parts[1]) { lexicon[String(parts[0])] = v }
        }
        return lexicon
    }

    /// Attacks `items` on `model` scored by `probability` (P(label 1) per text).
    public func attack(model: StudyModel, items: [AttackItem],
                       probability: ([String]) throws -> [Double]) throws -> (summary: AttackSummary, adversarial: [AdversarialExample]) {
        let neighbours = try NeighbourIndex(model: model)
        var changedTotal = 0, queries = 0, tagged = 0, perturbed = 0.0
        var outcomes: [Bool] = [], successes: [AdversarialExample] = []
        for item in items {
            var words = item.text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let tags = resources.tags?.tags(of: item.text, words: words.count)
            if tags != nil { tagged += 1 }
            func pTrue(_ p: Double) -> Double { item.label == 1 ? p : 1 - p }
            let cores = words.map(WordParts.init)
            let attackable = words.indices.filter { constraints.replaceable(cores[$0].core, tag: tags?[$0] ?? nil) }
            let deletions = attackable.map { i in words.enumerated().filter { $0.offset != i }.map(\.element).joined(separator: " ") }
            let base = pTrue(try probability([item.text])[0])
            let dropped = deletions.isEmpty ? [] : try probability(deletions).map(pTrue)
            queries += 1 + deletions.count
            let order = zip(attackable, dropped).sorted { base - $0.1 > base - $1.1 }.map(\.0)
            let budget = max(1, Int(settings.maxWordShare * Double(words.count)))
            var current = base, changed = 0, success = false
            for i in order where changed < budget {
                let word = cores[i].core, tag = tags?[i] ?? nil
                let candidates = neighbours.nearest(word, count: settings.candidates)
                    .filter { constraints.refusal(original: word, tag: tag, candidate: $0.word, similarity: $0.cosine) == nil }.map(\.word)
                if candidates.isEmpty { continue }
                let trials = candidates.map { c -> String in var w = words; w[i] = cores[i].replaced(by: c); return w.joined(separator: " ") }
                let scores = try probability(trials).map(pTrue)
                queries += trials.count
                guard let best = scores.indices.min(by: { scores[$0] < scores[$1] }), scores[best] < current else { continue }
                words[i] = cores[i].replaced(by: candidates[best])
                current = scores[best]
                changed += 1
                if current < 0.5 { success = true; break }
            }
            outcomes.append(success)
            if success {
                changedTotal += changed
                perturbed += Double(changed) / Double(words.count)
                successes.append(AdversarialExample(original: item.text, adversarial: words.joined(separator: " "), label: item.label,
                                                    item: item.index))
            }
        }
        let n = Double(items.count), succeeded = successes.count
        let summary = AttackSummary(model: model.model.name, attacked: items.count, succeeded: succeeded,
                                    meanWordsChanged: succeeded == 0 ? .nan : Double(changedTotal) / Double(succeeded),
                                    meanQueries: items.isEmpty ? 0 : Double(queries) / n,
                                    accuracyAfter: items.isEmpty ? .nan : 1 - Double(succeeded) / n,
                                    examples: Array(successes.prefix(5)),
                                    meanPerturbedFraction: succeeded == 0 ? .nan : perturbed / Double(succeeded),
                                    outcomes: outcomes, taggedItems: tagged)
        return (summary, successes)
    }
}

/// A whitespace word split into its lower-case core and the punctuation around it, so that
/// "Schwarzenegger," becomes "Stallone," and not "stallone".
struct WordParts {
    let prefix: Substring, core: String, suffix: Substring, capitalised: Bool

    init(_ word: String) {
        let start = word.firstIndex { !$0.isPunctuation } ?? word.endIndex
        let end = word[start...].lastIndex { !$0.isPunctuation }.map(word.index(after:)) ?? start
        prefix = word[..<start]
        suffix = word[end...]
        core = word[start..<end].lowercased()
        capitalised = word[start..<end].first?.isUppercase == true
    }

    /// The word with its core replaced by `substitute`, keeping punctuation and a leading capital.
    func replaced(by substitute: String) -> String {
        prefix + (capitalised ? substitute.prefix(1).uppercased() + substitute.dropFirst() : substitute) + suffix
    }
}
