/// Splits normalised text into words: on whitespace (dropped) and around every punctuation
/// character (kept as its own word), as Hugging Face's BertPreTokenizer.
func preTokenize(_ text: String) -> [String] {
    var words: [String] = []
    var current = String.UnicodeScalarView()
    func flush() {
        if !current.isEmpty { words.append(String(current)) }
        current = String.UnicodeScalarView()
    }
    for scalar in text.unicodeScalars {
        if isWhitespace(scalar) {
            flush()
        } else if isPunctuation(scalar) {
            flush()
            words.append(String(scalar))
        } else {
            current.append(scalar)
        }
    }
    flush()
    return words
}
