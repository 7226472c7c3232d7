@testable import BertDivergence
import Foundation
import Testing

/// The attack's rules on hand-made words: each constraint refuses what it should and nothing else.
@Suite struct AttackConstraints {
    /// A small lexicon: "good" lists "bad" as its antonym, but "bad" lists nothing back.
    static let lexicon = AttackLexicon([
        "movie": .init(wordNet: ["n"], penn: ["NN"]),
        "film": .init(wordNet: ["n", "v"], penn: ["NN", "VB"]),
        "quickly": .init(wordNet: ["r"], penn: ["RB"]),
        "loved": .init(wordNet: ["v", "a"], penn: ["VBD", "VBN"]),
        "adored": .init(wordNet: ["v", "a"], penn: ["VBD", "VBN"]),
        "adore": .init(wordNet: ["v"], penn: ["VB", "VBP"]),
        "cherished": .init(wordNet: ["v", "a"]),
        "good": .init(wordNet: ["n", "a", "r"], penn: ["JJ"], antonyms: ["bad"]),
        "bad": .init(wordNet: ["n", "a", "r"], penn: ["JJ"]),
        "fine": .init(wordNet: ["n", "a", "r"], penn: ["JJ"]),
    ])
    static let rules = SubstitutionConstraints(valence: [:], lexicon: lexicon, minSimilarity: 0.5)

    @Test func aSubstituteOfAnotherPartOfSpeechIsRefused() {
        #expect(Self.rules.refusal(original: "movie", tag: "NN", candidate: "film", similarity: 0.7) == nil)
        #expect(Self.rules.refusal(original: "movie", tag: "NN", candidate: "quickly", similarity: 0.7) == .partOfSpeech)
        // The exact Penn tag, where the tagger's lexicon knows the candidate: a past tense takes a past tense.
        #expect(Self.rules.refusal(original: "loved", tag: "VBD", candidate: "adored", similarity: 0.6) == nil)
        #expect(Self.rules.refusal(original: "loved", tag: "VBD", candidate: "adore", similarity: 0.6) == .partOfSpeech)
        // Unknown to the tagger's lexicon: WordNet's parts of speech decide.
        #expect(Self.rules.refusal(original: "loved", tag: "VBD", candidate: "cherished", similarity: 0.6) == nil)
        // Not in the lexicon at all: refused (its part of speech cannot be checked).
        #expect(Self.rules.refusal(original: "movie", tag: "NN", candidate: "flick", similarity: 0.9) == .partOfSpeech)
        // Without a tag in context, the two words' WordNet sets must overlap.
        #expect(Self.rules.refusal(original: "movie", tag: nil, candidate: "film", similarity: 0.7) == nil)
        #expect(Self.rules.refusal(original: "movie", tag: nil, candidate: "quickly", similarity: 0.7) == .partOfSpeech)
    }

    @Test func anAntonymIsRefusedFromEitherSide() {
        #expect(Self.rules.refusal(original: "good", tag: "JJ", candidate: "bad", similarity: 0.53) == .antonym)
        // "bad" lists no antonyms: the pair is still found through "good"'s entry.
        #expect(Self.rules.refusal(original: "bad", tag: "JJ", candidate: "good", similarity: 0.53) == .antonym)
        #expect(Self.rules.refusal(original: "good", tag: "JJ", candidate: "fine", similarity: 0.53) == nil)
    }

    @Test func theSimilarityThresholdIsInclusive() {
        #expect(Self.rules.refusal(original: "movie", tag: "NN", candidate: "film", similarity: 0.5) == nil)
        #expect(Self.rules.refusal(original: "movie", tag: "NN", candidate: "film", similarity: 0.4999) == .similarity)
        #expect(Self.rules.refusal(original: "movie", tag: "NN", candidate: "film", similarity: .nan) == .similarity)
        let unlimited = SubstitutionConstraints(valence: [:], lexicon: Self.lexicon, minSimilarity: nil)
        #expect(unlimited.refusal(original: "movie", tag: "NN", candidate: "film", similarity: -1) == nil)
    }

    @Test func polarityStopWordsAndNegationsStillHold() {
        let rules = SubstitutionConstraints(valence: ["good": 1.9, "fine": 0.8, "bad": -2.5], lexicon: nil, minSimilarity: nil)
        #expect(rules.refusal(original: "good", tag: nil, candidate: "fine", similarity: 0) == nil)
        #expect(rules.refusal(original: "good", tag: nil, candidate: "bad", similarity: 0) == .polarity)
        #expect(rules.refusal(original: "movie", tag: nil, candidate: "fine", similarity: 0) == .polarity)
        #expect(rules.refusal(original: "movie", tag: nil, candidate: "never", similarity: 0.9) == .excludedWord)
        #expect(rules.refusal(original: "movie", tag: nil, candidate: "the", similarity: 0.9) == .excludedWord)
        #expect(!rules.replaceable("never", tag: nil) && !rules.replaceable("the", tag: nil) && rules.replaceable("movie", tag: nil))
        // With the lexicon, a word whose tag in context is not a noun, verb, adjective or adverb stays.
        #expect(!Self.rules.replaceable("twenty", tag: "CD") && Self.rules.replaceable("twenty", tag: "NN"))
        #expect(Self.rules.replaceable("twenty", tag: nil))
    }

    @Test func aWordKeepsItsPunctuationAndCapital() {
        #expect(WordParts("Schwarzenegger,").replaced(by: "stallone") == "Stallone,")
        #expect(WordParts("''Conan''").core == "conan" && WordParts("''Conan''").replaced(by: "hero") == "''Hero''")
        #expect(WordParts("film").replaced(by: "movie") == "movie")
    }
}

/// The lexicon and tag files: read as written, refused with the file and line when malformed.
@Suite struct AttackResourceFiles {
    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-attack-\(UUID().uuidString).tsv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func theLexiconReadsBackAndNamesABadLine() throws {
        let path = try write("word\twordnet\tpenn\tantonyms\ngood\tnar\tJJ,NN\tbad,worse\nflick\t-\t-\t-\n")
        let lexicon = try AttackLexicon.load(path)
        #expect(lexicon.entries["good"] == .init(wordNet: ["n", "a", "r"], penn: ["JJ", "NN"], antonyms: ["bad", "worse"]))
        #expect(lexicon.entries["flick"] == .init(wordNet: []))
        let bad = try write("word\twordnet\tpenn\tantonyms\ngood\tnx\tJJ\t-\n")
        #expect(throws: DatasetError.self) { try AttackLexicon.load(bad) }
        do { _ = try AttackLexicon.load(bad) } catch { #expect("\(error)".hasPrefix("\(bad):2: ")) }
        do { _ = try AttackLexicon.load("/nonexistent/attack_lexicon.tsv") } catch { #expect("\(error)".contains("scripts/setup")) }
    }

    @Test func tagsNeedOnePerWord() throws {
        let tags = try PartOfSpeechTags.load(try write("text\ttags\nA fine film .\tDET JJ NN -\n"))
        #expect(tags.tags(of: "A fine film .", words: 4) == ["DET", "JJ", "NN", nil])
        #expect(tags.tags(of: "A fine film", words: 3) == nil)
        let bad = try write("text\ttags\nA fine film\tDET JJ\n")
        do {
            _ = try PartOfSpeechTags.load(bad)
            Issue.record("two tags for three words were accepted")
        } catch { #expect("\(error)".hasPrefix("\(bad):2: ")) }
    }

    /// The derived lexicon (scripts/make_attack_resources.py), where setup has written it: WordNet's
    /// antonyms reach inflections, and parts of speech come through morphy.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: AttackStudy.assets("data/attack_lexicon.tsv").path)))
    func theDerivedLexiconKnowsCommonWords() throws {
        let lexicon = try AttackLexicon.load(AttackStudy.assets("data/attack_lexicon.tsv").path)
        #expect(lexicon.areAntonyms("good", "bad") && lexicon.areAntonyms("loved", "hated") && lexicon.areAntonyms("boring", "interesting"))
        #expect(!lexicon.areAntonyms("good", "excellent") && !lexicon.areAntonyms("movie", "film"))
        #expect(lexicon.entries["films"]?.wordNet.contains("n") == true && lexicon.entries["loved"]?.penn.contains("VBD") == true)
    }
}

/// Which items are attacked, and which count for transfer.
@Suite struct AttackItems {
    @Test func everyModelGetsTheSameItemsAllCorrectOnTheCleanText() {
        // Items 0-9 are candidates; model 1 gets 3 and 7 wrong, model 2 gets 5 wrong, item 12 is not a candidate.
        var correct = [[Bool]](repeating: [Bool](repeating: true, count: 13), count: 3)
        correct[1][3] = false
        correct[1][7] = false
        correct[2][5] = false
        let candidates = Array(0..<10)
        let (qualified, chosen) = AttackItemSelection.common(candidates: candidates, correct: correct, count: 4, seed: 7)
        #expect(qualified == 7 && chosen.count == 4 && Set(chosen).count == 4)
        #expect(chosen.allSatisfy { i in candidates.contains(i) && correct.allSatisfy { $0[i] } })
        // Seeded: the same draw again, another with another seed, and all of them when fewer qualify.
        #expect(AttackItemSelection.common(candidates: candidates, correct: correct, count: 4, seed: 7).chosen == chosen)
        let all = AttackItemSelection.common(candidates: candidates, correct: correct, count: 200, seed: 7)
        #expect(all.qualified == 7 && Set(all.chosen) == [0, 1, 2, 4, 6, 8, 9])
        #expect(AttackItemSelection.common(candidates: candidates, correct: correct, count: 7, seed: 8).chosen != all.chosen)
    }

    @Test func transferCountsOnlyItemsTheTargetGotRight() {
        // Three adversarial texts of items 4, 6 and 9; the target was wrong on item 6 before any attack.
        var clean = [Bool](repeating: true, count: 10)
        clean[6] = false
        let labels = [1, 0, 1]
        #expect(AttackItemSelection.transferAccuracy(predictions: [1, 0, 0], labels: labels, items: [4, 6, 9], cleanCorrect: clean) == 0.5)
        #expect(AttackItemSelection.transferAccuracy(predictions: [1, 1, 1], labels: labels, items: [4, 6, 9], cleanCorrect: clean) == 1)
        #expect(AttackItemSelection.transferAccuracy(predictions: [0], labels: [0], items: [6], cleanCorrect: clean).isNaN)
    }

    @Test func theAdversarialComponentIsPairedOverItems() {
        let large = [true, false, false, true], variant = [true, true, true, false]
        #expect(MiniatureIndexMetric.adversarialComponent(large: large, variant: variant, items: [0, 1, 2, 3]) == 0.25)
        #expect(MiniatureIndexMetric.adversarialComponent(large: large, variant: variant, items: [1, 1, 2]) == 1)
        #expect(MiniatureIndexMetric.adversarialComponent(large: large, variant: large, items: [0, 3, 3]) == 0)
    }
}
