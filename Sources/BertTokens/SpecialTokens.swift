import Foundation

/// A token `tokenizers` matches in text before WordPiece runs (its "added tokens"): verbatim in the
/// raw text, or, when `normalized`, in the text after normalisation ("<UNK>" lower-cased to "<unk>").
public struct AddedToken: Sendable, Equatable {
    /// The token's spelling.
    public let content: String
    /// Matched after normalisation rather than in the raw text.
    public let normalized: Bool
    /// The id tokenizer.json declares, used when the vocabulary does not list the token.
    public let id: Int32?

    /// An added token; `id` nil means "the vocabulary's id for `content`".
    public init(_ content: String, normalized: Bool = false, id: Int32? = nil) {
        self.content = content
        self.normalized = normalized
        self.id = id
    }
}

/// Which tokens frame, pad and stand in for a sequence, and which are matched as added tokens:
/// BERT's "[CLS] x [SEP]" with [PAD]/[UNK], or RoBERTa/MPNet's "<s> x </s>" with <pad>.
public struct SpecialTokens: Sendable, Equatable {
    /// The token before the text (BERT's [CLS], MPNet's <s>).
    public var cls: String
    /// The token after the text (BERT's [SEP], MPNet's </s>).
    public var sep: String
    /// The token that fills a batch's shorter rows.
    public var pad: String
    /// What WordPiece emits for an unmatchable word.
    public var unk: String
    /// Tokens matched whole in the text.
    public var added: [AddedToken]

    /// Names every role.
    public init(cls: String, sep: String, pad: String, unk: String, added: [AddedToken]) {
        self.cls = cls
        self.sep = sep
        self.pad = pad
        self.unk = unk
        self.added = added
    }

    /// BERT's uncased tokens, what a model directory without tokenizer.json gets.
    public static let bert = SpecialTokens(cls: "[CLS]", sep: "[SEP]", pad: "[PAD]", unk: "[UNK]",
                                           added: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map { AddedToken($0) })
}

/// What a Hugging Face tokenizer.json says about the special tokens and the normaliser: the parts
/// BertBench reads (BertNormalizer, WordPiece, and a Bert, Roberta or single-sequence Template post-processor).
struct TokenizerJSON {
    var specials: SpecialTokens
    var lowercase: Bool
    /// nil: follow `lowercase`, as BertNormalizer does.
    var stripAccents: Bool?
    var separateCJK: Bool

    /// Reads `url`; errors name the file and the field it could not use.
    init(url: URL) throws {
        let path = url.path
        guard let data = try? Data(contentsOf: url), let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TokenizerError("\(path): not a JSON object")
        }
        guard let normalizer = root["normalizer"] as? [String: Any], normalizer["type"] as? String == "BertNormalizer" else {
            let kind = (root["normalizer"] as? [String: Any])?["type"] as? String ?? "none"
            throw TokenizerError("\(path): normalizer \(kind) is not supported (BertBench implements BertNormalizer)")
        }
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
              let unk = model["unk_token"] as? String else {
            throw TokenizerError("\(path): model must be WordPiece with an unk_token")
        }
        lowercase = normalizer["lowercase"] as? Bool ?? true
        stripAccents = normalizer["strip_accents"] as? Bool
        separateCJK = normalizer["handle_chinese_chars"] as? Bool ?? true
        let (cls, sep) = try Self.frame(root["post_processor"] as? [String: Any], path: path)
        let added = (root["added_tokens"] as? [[String: Any]] ?? []).compactMap { entry -> AddedToken? in
            guard let content = entry["content"] as? String, !content.isEmpty else { return nil }
            return AddedToken(content, normalized: entry["normalized"] as? Bool ?? false, id: (entry["id"] as? Int).map(Int32.init))
        }
        let pad = (root["padding"] as? [String: Any])?["pad_token"] as? String
            ?? added.map(\.content).first { $0 == "<pad>" || $0 == "[PAD]" } ?? "[PAD]"
        specials = SpecialTokens(cls: cls, sep: sep, pad: pad, unk: unk, added: added)
    }

    /// The tokens put before and after a single sequence by the post-processor.
    private static func frame(_ processor: [String: Any]?, path: String) throws -> (String, String) {
        guard let processor else { throw TokenizerError("\(path): no post_processor (BertBench needs the tokens around a sequence)") }
        let type = processor["type"] as? String ?? "?"
        switch type {
        case "BertProcessing", "RobertaProcessing":
            guard let cls = (processor["cls"] as? [Any])?.first as? String, let sep = (processor["sep"] as? [Any])?.first as? String else {
                throw TokenizerError("\(path): post_processor \(type) lacks cls or sep")
            }
            return (cls, sep)
        case "TemplateProcessing":
            // Only "special A special": the one shape an encoder of single sentences is fed.
            let single = processor["single"] as? [[String: Any]] ?? []
            let special = { (item: [String: Any]) in (item["SpecialToken"] as? [String: Any])?["id"] as? String }
            guard single.count == 3, let cls = special(single[0]), single[1]["Sequence"] != nil, let sep = special(single[2]) else {
                throw TokenizerError("\(path): post_processor TemplateProcessing must frame a single sequence as [special, A, special]")
            }
            return (cls, sep)
        default:
            throw TokenizerError("\(path): post_processor \(type) is not supported (BertBench reads Bert, Roberta and Template processing)")
        }
    }
}
