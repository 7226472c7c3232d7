/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
func jsonString(_ text: String) -> String {
    var out = "\""
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// A JSON array of numbers; Swift's shortest round-trip float text keeps every bit.
func jsonArray<T: BinaryFloatingPoint & LosslessStringConvertible>(_ values: some Sequence<T>) -> String {
    "[" + values.map { $0.isFinite ? String($0) : "null" }.joined(separator: ",") + "]"
}

func jsonArray<T: BinaryInteger>(_ values: some Sequence<T>) -> String {
    "[" + values.map { String($0) }.joined(separator: ",") + "]"
}
