import Foundation

/// BERT's text normalisation, as Hugging Face's BertNormalizer applies it, in its order:
/// drop NUL, U+FFFD and control characters and turn whitespace into spaces; put spaces around
/// CJK ideographs; strip accents (NFD, then drop non-spacing marks); lower-case each scalar.
struct TextNormalizer: Sendable {
    let lowercase: Bool
    let stripAccents: Bool
    let separateCJK: Bool

    func normalize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                out.append(" ")
            } else if separateCJK && isCJK(scalar) {
                out.append(" ")
                out.append(scalar)
                out.append(" ")
            } else {
                out.append(scalar)
            }
        }
        var result = String(out)
        if stripAccents {
            result = String(String.UnicodeScalarView(result.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }))
        }
        if lowercase {
            // Per scalar, as Rust's char::to_lowercase: no context rules such as final sigma.
            // Appended to a String, not a UnicodeScalarView, whose append(contentsOf:) copies
            // the whole view each time (quadratic in the line's length).
            var lowered = ""
            lowered.reserveCapacity(result.utf8.count)
            for scalar in result.unicodeScalars { lowered += scalar.properties.lowercaseMapping }
            result = lowered
        }
        return result
    }
}

/// Whitespace as BERT defines it: space, tab, newline, carriage return, and Unicode White_Space.
func isWhitespace(_ s: Unicode.Scalar) -> Bool {
    s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
}

/// Control characters as BERT defines them: Unicode "other" categories, except tab/newline/CR.
func isControl(_ s: Unicode.Scalar) -> Bool {
    if s == "\t" || s == "\n" || s == "\r" { return false }
    switch s.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned: return true
    default: return false
    }
}

/// BERT's punctuation: all ASCII symbols and punctuation (so $, +, ^ and ` count), and every
/// Unicode punctuation category.
func isPunctuation(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
    switch s.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
    default: return false
    }
}

/// The CJK Unified Ideograph blocks BERT splits into single characters (not kana or hangul).
func isCJK(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
         0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
    default: return false
    }
}
