import Foundation

/// Settings and constraints of the word-substitution attack (after BERT-Attack, Li et al. 2020,
/// black-box: the attack sees only the class probabilities of the model it attacks).
/// Fields added after the first attack are optional: nil in older divergence.json files, whose
/// attacks had no such constraint (the report says so).
public struct AttackSettings: Codable, Sendable {
    /// Items attacked, the same for every model (`commonItems`); before that, per model.
    public var examples = 200
    /// At most this share of an item's words may be replaced (at least one word).
    public var maxWordShare = 0.2
    /// Substitute candidates examined per word: its nearest neighbours (cosine) in the attacked
    /// model's own input-embedding (word-embedding) matrix, among whole-word alphabetic tokens,
    /// before the constraints remove some.
    public var candidates = 16
    /// A substitute's cosine with the word in that matrix must reach this; nil: no threshold.
    /// 0.5 keeps near-synonyms and inflections of the word (good: excellent 0.58, great 0.52) and
    /// drops loosely related words (good: nice 0.42, decent 0.39); antonyms score as high
    /// (good: bad 0.53), which is why they are excluded separately.
    public var minSimilarity: Double? = 0.5
    /// Substitutes must match the word's part of speech in context and not be its WordNet
    /// antonym; nil: not constrained so.
    public var linguisticConstraints: Bool? = true
    /// Every model attacked on the same items, drawn from those every model gets right; nil: each
    /// model on the first items it got right itself.
    public var commonItems: Bool? = true
    public init() {}

    /// What an older file without any attack settings held: the first attack's settings.
    static var legacy: AttackSettings {
        var s = AttackSettings()
        (s.examples, s.candidates, s.minSimilarity, s.linguisticConstraints, s.commonItems) = (25, 8, nil, nil, nil)
        return s
    }
}

/// The items every model was attacked on: fold-0 items (which the attacked probes never saw)
/// that every model classifies correctly on the clean text, the first `attacked` in a seeded order.
public struct AttackItemSet: Codable, Sendable {
    /// Fold-0 items of seed 0's partition.
    public let candidates: Int
    /// Of those, the items every model classifies correctly.
    public let qualified: Int
    /// Indices of the attacked items among the labelled items (training then test), in attack order.
    public let items: [Int]
    /// The seed of the order the items were drawn in.
    public let seed: UInt64
    /// Items wanted (settings.attack.examples): fewer were attacked when fewer qualified.
    public let wanted: Int
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
    /// Mean over successful attacks of changed words / words of the text; nil in older files.
    public var meanPerturbedFraction: Double? = nil
    /// Per attacked item, in the item set's order: whether the attack succeeded (for paired
    /// comparisons between models on the same items); nil in older files.
    public var outcomes: [Bool]? = nil
    /// Attacked items whose words had part-of-speech tags in context (the rest matched parts of
    /// speech out of context); nil in older files.
    public var taggedItems: Int? = nil
}

/// One successful adversarial text.
public struct AdversarialExample: Codable, Sendable {
    public let original: String
    public let adversarial: String
    public let label: Int
    /// The item's index among the labelled items; nil in older files.
    public var item: Int? = nil
}
