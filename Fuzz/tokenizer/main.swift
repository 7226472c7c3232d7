// libFuzzer target: a vocabulary (the bytes before the first NUL, one token per line) and a
// text (the bytes after it) through the WordPiece tokenizer.
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
    return 0
}

exit(runFuzzer(fuzz))
