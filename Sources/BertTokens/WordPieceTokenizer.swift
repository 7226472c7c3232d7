import Foundation

/// BERT's uncased WordPiece tokenizer (text -> token ids), compatible with Hugging Face
/// `tokenizers`' BertNormalizer, BertPreTokenizer, WordPiece and BERT post-processor.
public struct WordPieceTokenizer: Sendable {
    private let normalizer: TextNormalizer
    private let wordPiece: WordPiece
    private let tokens: [String]
    /// Special tokens matched verbatim in raw text before normalisation, as `tokenizers` does
    /// with its added tokens: "[CLS]" typed in a text is the [CLS] token, not "[", "cl", "##s", "]".
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    public let unkID: Int32

    public var vocabularySize: Int { tokens.count }

    /// Reads `vocab.txt` and, when present, `tokenizer_config.json` from a model directory.
    public init(directory: URL) throws {
        let vocabURL = directory.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: vocabURL.path) else {
            throw TokenizerError("\(vocabURL.path): no such file (the model directory needs vocab.txt)")
        }
        guard let data = try? Data(contentsOf: vocabURL), let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError("\(vocabURL.path): not readable as UTF-8")
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let vocabulary = lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        var lower = true, strip: Bool? = nil, chinese = true
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            guard let configData = try? Data(contentsOf: configURL),
                  let config = (try? JSONSerialization.jsonObject(with: configData)) as? [String: Any] else {
                throw TokenizerError("\(configURL.path): not a JSON object")
            }
            lower = config["do_lower_case"] as? Bool ?? true
            strip = config["strip_accents"] as? Bool
            chinese = config["tokenize_chinese_chars"] as? Bool ?? true
        }
        try self.init(vocabulary: vocabulary, doLowerCase: lower, stripAccents: strip, tokenizeChineseChars: chinese, source: vocabURL.path)
    }

    /// A tokenizer over `vocabulary` (id = position); `stripAccents` nil follows `doLowerCase`.
    public init(vocabulary: [String], doLowerCase: Bool = true, stripAccents: Bool? = nil,
                tokenizeChineseChars: Bool = true, source: String = "vocabulary") throws {
        guard !vocabulary.isEmpty else { throw TokenizerError("\(source): the vocabulary is empty") }
        var index: [String: Int32] = [:]
        // A token listed twice resolves to its last line, as `tokenizers` builds its map.
        for (i, token) in vocabulary.enumerated() { index[token] = Int32(i) }
        func special(_ token: String) throws -> Int32 {
            guard let id = index[token] else { throw TokenizerError("\(source): the vocabulary has no \(token) token") }
            return id
        }
        clsID = try special("[CLS]")
        sepID = try special("[SEP]")
        padID = try special("[PAD]")
        unkID = try special("[UNK]")
        tokens = vocabulary
        specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { t in index[t].map { (Array(t.unicodeScalars), $0) } }
        normalizer = TextNormalizer(lowercase: doLowerCase, stripAccents: stripAccents ?? doLowerCase, separateCJK: tokenizeChineseChars)
        wordPiece = WordPiece(vocabulary: index, unknownID: unkID)
    }

    public func token(forID id: Int32) -> String? { tokens.indices.contains(Int(id)) ? tokens[Int(id)] : nil }
    public func id(forToken token: String) -> Int32? { wordPiece.vocabulary[token] }

    /// Word-piece ids of `text`, without [CLS]/[SEP].
    public func pieceIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        let scalars = Array(text.unicodeScalars)
        var plainStart = 0, i = 0
        // One pass: every special token starts with "[", so only those positions are tried.
        while i < scalars.count {
            guard scalars[i] == "[", let (length, id) = specialToken(at: i, in: scalars) else { i += 1; continue }
            ids += plainIDs(scalars[plainStart..<i])
            ids.append(id)
            i += length
            plainStart = i
        }
        ids += plainIDs(scalars[plainStart..<scalars.count])
        return ids
    }

    /// The special token spelled at `position`, with its length in scalars.
    private func specialToken(at position: Int, in scalars: [Unicode.Scalar]) -> (Int, Int32)? {
        for special in specialTokens {
            let pattern = special.scalars
            guard position + pattern.count <= scalars.count else { continue }
            if scalars[position..<(position + pattern.count)].elementsEqual(pattern) { return (pattern.count, special.id) }
        }
        return nil
    }

    /// Ids of ordinary text (no special tokens in it).
    private func plainIDs(_ scalars: ArraySlice<Unicode.Scalar>) -> [Int32] {
        if scalars.isEmpty { return [] }
        let text = String(String.UnicodeScalarView(scalars))
        return preTokenize(normalizer.normalize(text)).flatMap(wordPiece.ids(for:))
    }

    /// Word pieces of `text`, without [CLS]/[SEP].
    public func tokenize(_ text: String) -> [String] { pieceIDs(text).map { tokens[Int($0)] } }

    /// [CLS] pieces [SEP], the pieces truncated so the whole fits `maxLength` (at least 2).
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        return [clsID] + pieceIDs(text).prefix(maxLength - 2) + [sepID]
    }

    /// Encodes each text and pads the batch to its longest row.
    public func encodeBatch(_ texts: [String], maxLength: Int) -> TokenBatch {
        TokenBatch(rows: texts.map { encode($0, maxLength: maxLength) }, padID: padID)
    }
}
