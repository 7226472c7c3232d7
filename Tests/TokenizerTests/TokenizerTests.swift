import BertTokens
import Foundation
import Testing

/// The L6 vocabulary and config, committed beside the goldens so these tests need no assets.
let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

struct ExpectedRow: Decodable {
    let text: String
    let ids: [Int32]
    let ids_16: [Int32]
    let ids_128: [Int32]
}

/// Rows of expected.jsonl (written by scripts/make_tokenizer_golden.py with `tokenizers`).
func expectedRows() throws -> [ExpectedRow] {
    let lines = try String(contentsOf: fixtures.appendingPathComponent("expected.jsonl"), encoding: .utf8)
        .split(separator: "\n").dropFirst()  // the first line names the library version
    return try lines.map { try JSONDecoder().decode(ExpectedRow.self, from: Data($0.utf8)) }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-tok-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct Tokenizer {
    let tokenizer: WordPieceTokenizer

    init() throws { tokenizer = try WordPieceTokenizer(directory: fixtures) }

    @Test func matchesHuggingFaceTokenizersOnEveryGoldenSentence() throws {
        let rows = try expectedRows()
        #expect(rows.count >= 80)
        var mismatches = 0
        for row in rows {
            let ids = tokenizer.encode(row.text, maxLength: 100_000)
            if ids != row.ids {
                mismatches += 1
                let pieces = ids.map { tokenizer.token(forID: $0) ?? "?" }, expected = row.ids.map { tokenizer.token(forID: $0) ?? "?" }
                Issue.record("\(row.text.debugDescription): got \(pieces), tokenizers gives \(expected)")
            }
            #expect(tokenizer.encode(row.text, maxLength: 16) == row.ids_16, "\(row.text.debugDescription) at max length 16")
            #expect(tokenizer.encode(row.text, maxLength: 128) == row.ids_128, "\(row.text.debugDescription) at max length 128")
        }
        #expect(mismatches == 0)
    }

    @Test func batchesArePaddedToTheLongestRow() {
        let batch = tokenizer.encodeBatch(["hello world", "hi", "a much longer sentence than the others"], maxLength: 6)
        #expect(batch.batchSize == 3)
        #expect(batch.sequenceLength == 6)
        #expect(batch.lengths == [4, 3, 6])
        #expect(batch.ids.count == 18)
        #expect(batch.ids[3] == tokenizer.sepID && Array(batch.ids[4..<6]) == [tokenizer.padID, tokenizer.padID])
        #expect(Array(batch.attentionMask[0..<6]) == [1, 1, 1, 1, 0, 0])
        #expect(Array(batch.attentionMask[6..<12]) == [1, 1, 1, 0, 0, 0])
        #expect(Array(batch.ids[6..<12]).suffix(3) == [tokenizer.padID, tokenizer.padID, tokenizer.padID])
        #expect(batch.ids[0] == tokenizer.clsID && batch.ids[17] == tokenizer.sepID)
        #expect(batch.tokenTypes.allSatisfy { $0 == 0 })
    }

    @Test func wordsOverOneHundredCharactersAreUnknown() {
        #expect(tokenizer.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
        #expect(tokenizer.tokenize(String(repeating: "a", count: 100)) != ["[UNK]"])
    }

    @Test func missingVocabularyNamesTheFile() throws {
        let dir = try temporaryDirectory()
        let error = #expect(throws: TokenizerError.self) { _ = try WordPieceTokenizer(directory: dir) }
        #expect(error?.description.contains(dir.appendingPathComponent("vocab.txt").path) == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test(arguments: ["[CLS]", "[SEP]", "[PAD]", "[UNK]"])
    func vocabularyWithoutASpecialTokenIsRefused(missing: String) throws {
        let dir = try temporaryDirectory()
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello"].filter { $0 != missing }
        try tokens.joined(separator: "\n").write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let error = #expect(throws: TokenizerError.self) { _ = try WordPieceTokenizer(directory: dir) }
        #expect(error?.description.contains("no \(missing) token") == true)
        #expect(error?.description.contains("vocab.txt") == true)
    }

    @Test func emptyVocabularyAndBadConfigAreRefused() throws {
        let dir = try temporaryDirectory()
        try "".write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let empty = #expect(throws: TokenizerError.self) { _ = try WordPieceTokenizer(directory: dir) }
        #expect(empty?.description.contains("empty") == true)
        try "[PAD]\n[UNK]\n[CLS]\n[SEP]\n".write(to: dir.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        try "{not json".write(to: dir.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let bad = #expect(throws: TokenizerError.self) { _ = try WordPieceTokenizer(directory: dir) }
        #expect(bad?.description.contains("tokenizer_config.json") == true)
    }
}

@Suite struct TokenizerEdgeCases {
    /// `tokenizers` 0.23.3 (BertWordPieceTokenizer on this vocabulary) gives [2, 7, 6, 3] for
    /// "hello world": a token listed twice resolves to its last line.
    @Test func duplicateVocabularyTokensResolveToTheLastLine() throws {
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "hello"]
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary)
        #expect(tokenizer.encode("hello world", maxLength: 16) == [2, 7, 6, 3])
    }

    /// A long line with special tokens spelled in it, split at the specials exactly as the
    /// same text tokenized piece by piece; long inputs take one pass (no quadratic rescans).
    @Test func longLinesWithSpecialTokensSplitAtEachSpecial() throws {
        let tokenizer = try WordPieceTokenizer(directory: fixtures)
        let chunk = "a good movie [SEP] then [CLS]bad[MASK] "
        let line = String(repeating: chunk, count: 5_000)
        let ids = tokenizer.pieceIDs(line)
        let perChunk = tokenizer.pieceIDs(chunk)
        #expect(ids.count == perChunk.count * 5_000)
        #expect(Array(ids.prefix(perChunk.count)) == perChunk)
        #expect(perChunk.contains(tokenizer.sepID) && perChunk.contains(tokenizer.clsID))
    }
}
