import Foundation
import Support

/// Reads a file of one text per line, refusing what cannot be embedded: a missing file, bytes
/// that are not UTF-8, an empty line. Errors name the file and the line.
enum TextInput {
    /// One text per line of `path` (`-` reads standard input); LF, CRLF and lone CR end lines.
    static func lines(of path: String) throws -> [String] {
        let lines = try TextLines.split(try TextLines.read(path), path: path)
        for line in lines where line.text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw InputError("\(path):\(line.number): empty line (each line must hold one text)")
        }
        if lines.isEmpty { throw InputError("\(path): no texts (the file is empty)") }
        return lines.map(\.text)
    }
}
