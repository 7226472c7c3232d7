import Foundation

/// Reads a file of one text per line, refusing what cannot be embedded: a missing file, bytes
/// that are not UTF-8, an empty line. Errors name the file and the line.
enum TextInput {
    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static func lines(of path: String) throws -> [String] {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Failure(message: "\(path): no such input file") }
        let data = try Data(contentsOf: url)
        var texts: [String] = []
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            var bytes = data[start..<end]
            if bytes.last == 0x0D { bytes = bytes.dropLast() }  // CRLF files
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Failure(message: "\(path):\(lineNumber): line is not valid UTF-8")
            }
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                // A trailing newline at the end of the file ends the last line; it is not an empty line.
                if end == data.endIndex || (end + 1 == data.endIndex && text.isEmpty) { break }
                throw Failure(message: "\(path):\(lineNumber): empty line (each line must hold one text)")
            }
            texts.append(text)
            start = end == data.endIndex ? end : end + 1
        }
        if texts.isEmpty { throw Failure(message: "\(path): no texts (the file is empty)") }
        return texts
    }
}
