import Foundation
import Support

/// What the attack knows about a word out of context: its WordNet parts of speech, the Penn tags
/// a tagger's lexicon has seen it with, and its WordNet antonyms (assets/data/attack_lexicon.tsv,
/// derived by scripts/make_attack_resources.py from WordNet 3.0 and Lingua::EN::Tagger).
public struct AttackLexicon: Sendable {
    /// One word's entry.
    public struct Entry: Sendable, Equatable {
        /// WordNet parts of speech of the word's base forms: "n", "v", "a", "r".
        public var wordNet: Set<Character>
        /// Penn tags the tagger's lexicon (Penn Treebank counts) lists for the word; empty when unseen.
        public var penn: Set<String>
        /// Words opposed to this one in WordNet (direct, and indirect through adjective clusters),
        /// in every listed inflection.
        public var antonyms: Set<String>

        /// An entry from its parts.
        public init(wordNet: Set<Character>, penn: Set<String> = [], antonyms: Set<String> = []) {
            (self.wordNet, self.penn, self.antonyms) = (wordNet, penn, antonyms)
        }
    }

    public let entries: [String: Entry]

    /// A lexicon from entries keyed by lower-case word (tests build small ones by hand).
    public init(_ entries: [String: Entry]) { self.entries = entries }

    /// Reads the TSV (header `word wordnet penn antonyms`; "-" for none); errors name file and line.
    public static func load(_ path: String) throws -> AttackLexicon {
        let data: Data
        do { data = try TextLines.read(path) } catch let error as InputError {
            throw DatasetError("\(error.message) (the attack's lexicon: run scripts/setup)")
        }
        return try parse(data, path: path)
    }

    /// The file's bytes already in memory; errors name `path` and the line.
    public static func parse(_ data: Data, path: String) throws -> AttackLexicon {
        let lines: [(number: Int, text: String)]
        do { lines = try TextLines.split(data, path: path) } catch let error as InputError { throw DatasetError(error.message) }
        guard lines.first?.text == "word\twordnet\tpenn\tantonyms" else {
            throw DatasetError("\(path):1: not an attack lexicon (want the header 'word, wordnet, penn, antonyms'; run scripts/setup)")
        }
        var entries: [String: Entry] = [:]
        for line in lines.dropFirst() where !line.text.isEmpty {
            let f = line.text.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 4, !f[0].isEmpty, f[1] == "-" || f[1].allSatisfy({ "nvar".contains($0) }) else {
                throw DatasetError("\(path):\(line.number): want word, parts of speech (n v a r or -), Penn tags and antonyms; got "
                                   + "'\(TextLines.excerpt(line.text))'")
            }
            let list = { (s: Substring) in s == "-" ? Set<String>() : Set(s.split(separator: ",").map(String.init)) }
            entries[String(f[0])] = Entry(wordNet: f[1] == "-" ? [] : Set(f[1]), penn: list(f[2]), antonyms: list(f[3]))
        }
        return AttackLexicon(entries)
    }

    /// WordNet's part of speech for a Penn tag: nouns n, verbs v, adjectives a, adverbs r; nil for
    /// every other tag (determiners, pronouns, prepositions, numbers...), whose words are not replaced.
    public static func wordNetPart(ofPenn tag: String) -> Character? {
        switch tag {
        case "NN", "NNS", "NNP", "NNPS": return "n"
        case "VB", "VBD", "VBG", "VBN", "VBP", "VBZ": return "v"
        case "JJ", "JJR", "JJS": return "a"
        case "RB", "RBR", "RBS": return "r"
        default: return nil
        }
    }

    /// Whether `candidate` can stand where `original` stands. With the original's Penn tag in
    /// context: the candidate's WordNet parts of speech must include that tag's part, and when the
    /// tagger's lexicon knows the candidate, it must list that exact tag (so "loved" (VBD) takes
    /// "adored", not "adore"). Without a tag (a text the tagger did not tag), the two words' WordNet
    /// parts of speech must overlap. The candidate's side is a dictionary match, out of context.
    public func partOfSpeechMatches(original: String, tag: String?, candidate: String) -> Bool {
        guard let c = entries[candidate] else { return false }
        guard let tag else {
            guard let o = entries[original] else { return false }
            return !o.wordNet.isDisjoint(with: c.wordNet)
        }
        guard let part = Self.wordNetPart(ofPenn: tag), c.wordNet.contains(part) else { return false }
        return c.penn.isEmpty || c.penn.contains(tag)
    }

    /// Whether WordNet opposes the two words, looked up from either side.
    public func areAntonyms(_ a: String, _ b: String) -> Bool {
        entries[a]?.antonyms.contains(b) == true || entries[b]?.antonyms.contains(a) == true
    }
}
