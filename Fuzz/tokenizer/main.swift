// libFuzzer target: a vocabulary (the bytes before the first NUL, one token per line) and a
// text (the bytes after it) through the WordPiece tokenizer, once with BERT's special tokens and
// once with MPNet-style ones whose added tokens are the fuzzed vocabulary's first lines (half of
// them matched after normalisation), so the added-token matcher sees arbitrary overlapping spellings.
import BertTokens
import Foundation
import FuzzDriver

let fuzz: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { bytes, count in
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    let split = data.firstIndex(of: 0) ?? data.endIndex
    let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        + String(decoding: data[..<split], as: UTF8.self).split(separator: "\n").prefix(300).map(String.init)
    let text = split < data.endIndex ? String(decoding: data[(split + 1)...], as: UTF8.self) : ""
    guard let tokenizer = try? WordPieceTokenizer(vocabulary: vocabulary) else { return 0 }
    let ids = tokenizer.encode(text, maxLength: 512)
    precondition(ids.count <= 512 && ids.first == tokenizer.clsID && ids.last == tokenizer.sepID)
    precondition(ids.allSatisfy { tokenizer.token(forID: $0) != nil })
    _ = tokenizer.encodeBatch([text, text + " x"], maxLength: 16)
    let added = vocabulary.dropFirst(5).prefix(6).enumerated().map { AddedToken($1, normalized: $0 % 2 == 1) }
    let specials = SpecialTokens(cls: "<s>", sep: "</s>", pad: "<pad>", unk: "[UNK]", added: Array(added))
    guard let roberta = try? WordPieceTokenizer(vocabulary: vocabulary + ["<s>", "</s>", "<pad>"], specials: specials) else { return 0 }
    let framed = roberta.encode(text, maxLength: 64)
    precondition(framed.count <= 64 && framed.first == roberta.clsID && framed.last == roberta.sepID)
    precondition(framed.allSatisfy { roberta.token(forID: $0) != nil })
    return 0
}

exit(runFuzzer(fuzz))
