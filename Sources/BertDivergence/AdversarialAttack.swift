import BertMetrics
import BertModel
import EncoderWeights
import Foundation

/// Settings and constraints of the word-substitution attack (after BERT-Attack, Li et al. 2020,
/// black-box: the attack sees only the class probabilities of the model it attacks).
public struct AttackSettings: Codable, Sendable {
    /// Correctly classified test items attacked per model.
    public var examples = 25
    /// At most this share of an item's words may be replaced (at least one word).
    public var maxWordShare = 0.2
    /// Substitute candidates per word: its nearest neighbours (cosine) in the attacked model's
    /// own input-embedding (word-embedding) matrix, among whole-word alphabetic tokens.
    public var candidates = 8
    public init() {}
}

/// What the attack did to one model.
public struct AttackSummary: Codable, Sendable {
    public let model: String
    public let attacked: Int
    public let succeeded: Int
    public var successRate: Double { attacked == 0 ? .nan : Double(succeeded) / Double(attacked) }
    /// Mean words replaced over successful attacks.
    public let meanWordsChanged: Double
    /// Mean model queries (forward passes of one text) per attacked item: the query budget used.
    public let meanQueries: Double
    /// Accuracy on the attacked items before (1 by construction) and after the attack.
    public let accuracyAfter: Double
    /// A few successful adversarial texts: original and changed.
    public let examples: [AdversarialExample]
}

public struct AdversarialExample: Codable, Sendable {
    public let original: String
    public let adversarial: String
    public let label: Int
}

/// Words the attack never replaces: function words carry syntax rather than sentiment, and
/// replacing them mostly yields ungrammatical text (BERT-Attack filters them the same way).
let stopWords: Set<String> = [
    "a", "an", "the", "and", "or", "but", "if", "then", "of", "at", "by", "for", "with", "about", "to", "from", "in", "on",
    "into", "over", "under", "again", "further", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both",
    "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too",
    "very", "can", "will", "just", "don", "should", "now", "is", "are", "was", "were", "be", "been", "being", "have", "has",
    "had", "do", "does", "did", "i", "me", "my", "we", "our", "you", "your", "he", "him", "his", "she", "her", "it", "its",
    "they", "them", "their", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "as", "until", "while",
    "up", "down", "out", "off", "because", "s", "t", "n't", "'s",
]

/// The attack: rank words by how much deleting each lowers the true class's probability, then
/// greedily replace the most important ones with the candidate that lowers it most, until the
/// prediction flips or the word budget is spent. The label-preserving constraint: a substitute
/// must not carry the opposite sentiment of the word it replaces, nor sentiment where the word
/// had none, by VADER's lexicon (Hutto & Gilbert 2014) — so "good" never becomes "bad", which
/// would change the true label rather than fool the model.
public struct WordSubstitutionAttack {
    public let settings: AttackSettings
    /// VADER valence per lower-case word (absent = neutral).
    public let lexicon: [String: Double]

    public init(settings: AttackSettings, lexicon: [String: Double]) {
        self.settings = settings
        self.lexicon = lexicon
    }

    /// Reads assets/data/vader_lexicon.tsv (word, valence).
    public static func loadLexicon(_ path: String) throws -> [String: Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DatasetError("\(path): cannot read the VADER lexicon (run "
                + "scripts/setup)") }
        var lexicon: [String: Double] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: "\t")
            if parts.count == 2, let v = Double(parts[1]) { lexicon[String(parts[0])] = v }
        }
        return lexicon
    }

    func allowed(_ original: String, _ substitute: String) -> Bool {
        let a = lexicon[original] ?? 0, b = lexicon[substitute] ?? 0
        if a == 0 { return b == 0 }
        return b == 0 || (a > 0) == (b > 0)
    }

    /// Attacks `texts` (true `labels`) on `model` scored by `probability` (P(label 1) per text).
    public func attack(model: StudyModel, texts: [String], labels: [Int],
                       probability: ([String]) throws -> [Double]) throws -> (summary: AttackSummary, adversarial: [AdversarialExample]) {
        let neighbours = try NeighbourIndex(model: model)
        var succeeded = 0, changedTotal = 0, queries = 0, wrongAfter = 0
        var successes: [AdversarialExample] = []
        for (text, label) in zip(texts, labels) {
            var words = text.split(separator: " ").map(String.init)
            func pTrue(_ p: Double) -> Double { label == 1 ? p : 1 - p }
            let attackable = words.indices.filter { !stopWords.contains(words[$0].lowercased()) && words[$0].contains(where: \.isLetter) }
            let deletions = attackable.map { i in words.enumerated().filter { $0.offset != i }.map(\.element).joined(separator: " ") }
            let base = pTrue(try probability([text])[0])
            let dropped = deletions.isEmpty ? [] : try probability(deletions).map(pTrue)
            queries += 1 + deletions.count
            let order = zip(attackable, dropped).sorted { base - $0.1 > base - $1.1 }.map(\.0)
            let budget = max(1, Int(settings.maxWordShare * Double(words.count)))
            var current = base, changed = 0, success = false
            for i in order where changed < budget {
                let word = words[i].lowercased().trimmingCharacters(in: .punctuationCharacters)
                let candidates = neighbours.nearest(word, count: settings.candidates).filter { allowed(word, $0) && !stopWords.contains($0) }
                if candidates.isEmpty { continue }
                let trials = candidates.map { c -> String in var w = words; w[i] = c; return w.joined(separator: " ") }
                let scores = try probability(trials).map(pTrue)
                queries += trials.count
                guard let best = scores.indices.min(by: { scores[$0] < scores[$1] }), scores[best] < current else { continue }
                words[i] = candidates[best]
                current = scores[best]
                changed += 1
                if current < 0.5 { success = true; break }
            }
            if success {
                succeeded += 1
                changedTotal += changed
                wrongAfter += 1
                successes.append(AdversarialExample(original: text, adversarial: words.joined(separator: " "), label: label))
            }
        }
        let summary = AttackSummary(model: model.model.name, attacked: texts.count, succeeded: succeeded,
                                    meanWordsChanged: succeeded == 0 ? .nan : Double(changedTotal) / Double(succeeded),
                                    meanQueries: texts.isEmpty ? 0 : Double(queries) / Double(texts.count),
                                    accuracyAfter: texts.isEmpty ? .nan : 1 - Double(wrongAfter) / Double(texts.count),
                                    examples: Array(successes.prefix(5)))
        return (summary, successes)
    }
}

/// Nearest whole-word tokens of a word in a model's input-embedding matrix, by cosine.
struct NeighbourIndex {
    let tokenizer: WordPieceTokenizerView
    let table: [Float]
    let norms: [Float]
    let width: Int
    var cache: [String: [String]] = [:]

    init(model: StudyModel) throws {
        let host = try HostEncoderWeights(checkpoint: model.model.checkpoint)
        let values: [Float], w: Int
        switch host.wordEmbeddings {
        case .float(let v, _, let width): (values, w) = (v, width)
        case .int8(let q, let s, _, let width): (values, w) = (q.indices.map { Float(q[$0]) * s[$0 / width] }, width)
        }
        norms = (0..<(values.count / w)).map { r in max(1e-12, values[(r * w)..<((r + 1) * w)].reduce(0) { $0 + $1 * $1 }.squareRoot()) }
        table = values
        width = w
        tokenizer = WordPieceTokenizerView(model.tokenizer)
    }

    /// Up to `count` neighbours of `word` (which must be one whole-word token), alphabetic only.
    func nearest(_ word: String, count: Int) -> [String] {
        guard let id = tokenizer.wholeWordID(word) else { return [] }
        let r = Int(id)
        let query = table[(r * width)..<((r + 1) * width)]
        var scored: [(Float, Int)] = []
        for candidate in tokenizer.wordIDs where candidate != r {
            var dot: Float = 0
            let base = candidate * width
            for (j, q) in query.enumerated() { dot += q * table[base + j] }
            scored.append((dot / (norms[candidate] * norms[r]), candidate))
        }
        return scored.sorted { $0.0 > $1.0 }.prefix(count).compactMap { tokenizer.token($0.1) }
    }
}
