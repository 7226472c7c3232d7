import BertTokens
import Foundation
import Testing

/// all-mpnet-base-v2's vocab.txt and tokenizer.json, and the ids `tokenizers` gives with them
/// (scripts/make_mpnet_tokenizer_golden.py), committed so these tests need no assets.
let mpnetFixtures = fixtures.appendingPathComponent("mpnet")

@Suite struct MPNetTokenizer {
    let tokenizer: WordPieceTokenizer

    init() throws { tokenizer = try WordPieceTokenizer(directory: mpnetFixtures) }

    /// Rows of mpnet/expected.jsonl, after its version line.
    func rows() throws -> [ExpectedRow] {
        let lines = try String(contentsOf: mpnetFixtures.appendingPathComponent("expected.jsonl"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst().filter { !$0.isEmpty }
        return try lines.map { try JSONDecoder().decode(ExpectedRow.self, from: Data($0.utf8)) }
    }

    @Test func framesWithTheSpecialTokensOfTokenizerJSON() {
        #expect(tokenizer.token(forID: tokenizer.clsID) == "<s>")
        #expect(tokenizer.token(forID: tokenizer.sepID) == "</s>")
        #expect(tokenizer.token(forID: tokenizer.padID) == "<pad>")
        #expect(tokenizer.token(forID: tokenizer.unkID) == "[UNK]")
    }

    @Test func matchesHuggingFaceTokenizersOnEveryGoldenSentence() throws {
        let rows = try rows()
        #expect(rows.count >= 600)
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

    /// "<UNK>" is MPNet's normalised added token <unk> after lower-casing; "<S>" is not <s>.
    @Test func normalizedAddedTokensMatchAfterLowerCasing() {
        let unk = tokenizer.id(forToken: "<unk>")!
        #expect(tokenizer.pieceIDs("<UNK>") == [unk])
        #expect(tokenizer.pieceIDs("<S>") != [tokenizer.clsID])
        #expect(tokenizer.pieceIDs("a</s>b") == tokenizer.pieceIDs("a") + [tokenizer.sepID] + tokenizer.pieceIDs("b"))
    }

    @Test func unsupportedTokenizerJSONIsRefusedWithTheFileNamed() throws {
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(at: mpnetFixtures.appendingPathComponent("vocab.txt"), to: dir.appendingPathComponent("vocab.txt"))
        let json = dir.appendingPathComponent("tokenizer.json")
        for (text, expected) in [("{\"normalizer\": {\"type\": \"NFKC\"}}", "normalizer NFKC"), ("[1]", "not a JSON object"),
                                 ("{\"normalizer\": {\"type\": \"BertNormalizer\"}, \"model\": {\"type\": \"WordPiece\", \"unk_token\": "
                                  + "\"[UNK]\"}, \"post_processor\": {\"type\": \"ByteLevel\"}}", "post_processor ByteLevel")] {
            try text.write(to: json, atomically: true, encoding: .utf8)
            let error = #expect(throws: TokenizerError.self) { _ = try WordPieceTokenizer(directory: dir) }
            #expect(error?.description.contains(json.path) == true)
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "no error")")
            #expect(error?.description.contains("\n") == false)
        }
    }
}

/// The L6 model folder under assets/ (scripts/setup), which carries a tokenizer.json.
let l6Assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("assets/models/all-MiniLM-L6-v2")

@Suite struct TokenizerJSONForBERT {
    /// A BERT folder read through its tokenizer.json (TemplateProcessing) gives the ids `tokenizers`
    /// gives, as the vocab.txt + tokenizer_config.json reading does.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: l6Assets.appendingPathComponent("tokenizer.json").path),
                   "assets/models/all-MiniLM-L6-v2 is absent: run scripts/setup"))
    func l6TokenizerJSONMatchesTheGoldens() throws {
        let tokenizer = try WordPieceTokenizer(directory: l6Assets)
        #expect(tokenizer.token(forID: tokenizer.clsID) == "[CLS]" && tokenizer.token(forID: tokenizer.padID) == "[PAD]")
        for row in try expectedRows() {
            #expect(tokenizer.encode(row.text, maxLength: 100_000) == row.ids, "\(row.text.debugDescription)")
        }
    }
}
