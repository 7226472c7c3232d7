import Foundation

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

/// Negations (VADER's list): replacing one, or putting one in, flips what the text says
/// ("never" and "ever" are near neighbours in the embedding), so they are never touched.
let negations: Set<String> = [
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't", "couldn't", "daren't",
    "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't",
    "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
    "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
    "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
]

/// The rules a substitute must pass to keep the text's meaning, and so its true label: each is
/// a pure function of the two words (and the original's tag in context), testable by hand.
public struct SubstitutionConstraints: Sendable {
    /// VADER valence per lower-case word (absent = neutral).
    public let valence: [String: Double]
    /// WordNet parts of speech and antonyms; nil: neither is checked (the first attack's rules).
    public let lexicon: AttackLexicon?
    /// Least cosine between the two words' input embeddings; nil: no threshold.
    public let minSimilarity: Double?

    /// The rule a refused substitute broke first.
    public enum Refusal: String, Sendable {
        case excludedWord, similarity, antonym, partOfSpeech, polarity
    }

    /// The rules with these resources.
    public init(valence: [String: Double], lexicon: AttackLexicon?, minSimilarity: Double?) {
        (self.valence, self.lexicon, self.minSimilarity) = (valence, lexicon, minSimilarity)
    }

    /// Whether the attack may replace `word` (lower case, punctuation trimmed) at all: not a stop
    /// word or negation, with letters, and (checking parts of speech) a noun, verb, adjective or
    /// adverb in context when it has a tag.
    public func replaceable(_ word: String, tag: String?) -> Bool {
        guard !stopWords.contains(word), !negations.contains(word), word.contains(where: \.isLetter) else { return false }
        guard lexicon != nil, let tag else { return true }
        return AttackLexicon.wordNetPart(ofPenn: tag) != nil
    }

    /// nil when `candidate` may replace `original` (tagged `tag` in context, cosine `similarity`
    /// between their input embeddings); else the first rule it breaks.
    public func refusal(original: String, tag: String?, candidate: String, similarity: Double) -> Refusal? {
        if stopWords.contains(candidate) || negations.contains(candidate) || candidate == original { return .excludedWord }
        if let minSimilarity, !(similarity >= minSimilarity) { return .similarity }
        if let lexicon {
            if lexicon.areAntonyms(original, candidate) { return .antonym }
            if !lexicon.partOfSpeechMatches(original: original, tag: tag, candidate: candidate) { return .partOfSpeech }
        }
        return polarityKept(original, candidate) ? nil : .polarity
    }

    /// VADER's label-preserving rule: a substitute may not carry the opposite sentiment of the
    /// word it replaces, nor sentiment where the word had none (so "good" never becomes "bad").
    public func polarityKept(_ original: String, _ substitute: String) -> Bool {
        let a = valence[original] ?? 0, b = valence[substitute] ?? 0
        if a == 0 { return b == 0 }
        return b == 0 || (a > 0) == (b > 0)
    }
}
