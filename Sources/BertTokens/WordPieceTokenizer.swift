import Foundation

/// BERT's uncased WordPiece tokenizer (text -> token ids), compatible with Hugging Face
/// `tokenizers`' BertNormalizer, BertPreTokenizer, WordPiece and its post-processor: BERT's
/// [CLS] x [SEP], or RoBERTa/MPNet's <s> x </s> when the model's tokenizer.json says so.
public struct WordPieceTokenizer: Sendable {
    private let normalizer: TextNormalizer
    private let wordPiece: WordPiece
    private let tokens: [String]
    /// Added tokens matched verbatim in raw text before normalisation, as `tokenizers` does:
    /// "[CLS]" typed in a text is the [CLS] token, not "[", "cl", "##s", "]".
    private let rawSpecials: SpecialMatcher
    /// Added tokens tokenizer.json marks `normalized`: matched in the normalised text.
    private let normalizedSpecials: SpecialMatcher
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    public let unkID: Int32

    public var vocabularySize: Int { tokens.count }

    /// Reads `vocab.txt` and, when present, `tokenizer.json` (special tokens, normaliser) or else
    /// `tokenizer_config.json` (normaliser flags only; BERT's special tokens) from a model directory.
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
        let jsonURL = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: jsonURL.path) {
            let spec = try TokenizerJSON(url: jsonURL)
            try self.init(vocabulary: vocabulary, doLowerCase: spec.lowercase, stripAccents: spec.stripAccents,
                          tokenizeChineseChars: spec.separateCJK, specials: spec.specials, source: vocabURL.path)
            return
        }
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
                tokenizeChineseChars: Bool = true, specials: SpecialTokens = .bert, source: String = "vocabulary") throws {
        guard !vocabulary.isEmpty else { throw TokenizerError("\(source): the vocabulary is empty") }
        var index: [String: Int32] = [:]
        // A token listed twice resolves to its last line, as `tokenizers` builds its map.
        for (i, token) in vocabulary.enumerated() { index[token] = Int32(i) }
        func special(_ token: String) throws -> Int32 {
            guard let id = index[token] else { throw TokenizerError("\(source): the vocabulary has no \(token) token") }
            return id
        }
        clsID = try special(specials.cls)
        sepID = try special(specials.sep)
        padID = try special(specials.pad)
        unkID = try special(specials.unk)
        tokens = vocabulary
        let added = specials.added.compactMap { t in (index[t.content] ?? t.id).map { (t, $0) } }
        rawSpecials = SpecialMatcher(added.filter { !$0.0.normalized }.map { ($0.0.content, $0.1) })
        normalizedSpecials = SpecialMatcher(added.filter { $0.0.normalized }.map { ($0.0.content, $0.1) })
        normalizer = TextNormalizer(lowercase: doLowerCase, stripAccents: stripAccents ?? doLowerCase, separateCJK: tokenizeChineseChars)
        wordPiece = WordPiece(vocabulary: index, unknownID: unkID)
    }

    public func token(forID id: Int32) -> String? { tokens.indices.contains(Int(id)) ? tokens[Int(id)] : nil }
    public func id(forToken token: String) -> Int32? { wordPiece.vocabulary[token] }

    /// Word-piece ids of `text`, without [CLS]/[SEP]: added tokens split the raw text, each
    /// remaining piece is normalised, split again at normalised added tokens, and WordPiece-d.
    public func pieceIDs(_ text: String) -> [Int32] {
        rawSpecials.split(Array(text.unicodeScalars)) { plain in
            let normalized = normalizer.normalize(String(String.UnicodeScalarView(plain)))
            return normalizedSpecials.split(Array(normalized.unicodeScalars)) { piece in
                preTokenize(String(String.UnicodeScalarView(piece))).flatMap(wordPiece.ids(for:))
            }
        }
    }

    /// Word pieces of `text`, without [CLS]/[SEP].
    public func tokenize(_ text: String) -> [String] { pieceIDs(text).map { tokens[Int($0)] } }

    /// [CLS] pieces [SEP] (or the model's own frame, <s> pieces </s>), the pieces truncated so the
    /// whole fits `maxLength` (at least 2).
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        return [clsID] + pieceIDs(text).prefix(maxLength - 2) + [sepID]
    }

    /// Encodes each text and pads the batch to its longest row.
    public func encodeBatch(_ texts: [String], maxLength: Int) -> TokenBatch {
        TokenBatch(rows: texts.map { encode($0, maxLength: maxLength) }, padID: padID)
    }
}
