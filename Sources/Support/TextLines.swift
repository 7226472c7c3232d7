import Foundation

/// The one way BertBench reads text files: bytes from a path, `-` (standard input) or a pipe,
/// split into lines at LF, CRLF or a lone CR, each checked as UTF-8 and against a length limit.
public enum TextLines {
    /// Longest line accepted, in bytes: far past any real text, short of exhausting memory.
    public static let maxLineBytes = 16 << 20

    /// The bytes at `path`; `-` is standard input, and pipes and FIFOs are read to their end.
    public static func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw InputError("\(path): no such file") }
        guard !isDirectory.boolValue else { throw InputError("\(path): is a folder, not a text file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw InputError("\(path): cannot be opened for reading") }
        defer { try? handle.close() }
        do { return try handle.readToEnd() ?? Data() } catch {
            throw InputError("\(path): read failed (\(error.localizedDescription))")
        }
    }

    /// The lines of `data` with their 1-based numbers; a final line break ends the last line
    /// rather than starting an empty one. Errors name `path` and the line.
    public static func split(_ data: Data, path: String) throws -> [(number: Int, text: String)] {
        var lines: [(Int, String)] = []
        var start = data.startIndex, index = data.startIndex, number = 0
        func emit(_ end: Data.Index) throws {
            number += 1
            guard end - start <= maxLineBytes else {
                throw InputError("\(path):\(number): line of \(end - start) bytes is longer than the \(maxLineBytes >> 20) MiB limit")
            }
            guard let text = String(validating: data[start..<end], as: UTF8.self) else {
                throw InputError("\(path):\(number): line is not valid UTF-8")
            }
            lines.append((number, text))
        }
        while index < data.endIndex {
            let byte = data[index]
            if byte == 0x0A || byte == 0x0D {
                try emit(index)
                index += (byte == 0x0D && index + 1 < data.endIndex && data[index + 1] == 0x0A) ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        if start < data.endIndex { try emit(data.endIndex) }
        return lines
    }

    /// At most `limit` characters of `text`, marked when cut, so an error about a huge line
    /// stays one readable line.
    public static func excerpt(_ text: some StringProtocol, limit: Int = 80) -> String {
        text.count <= limit ? String(text) : String(text.prefix(limit)) + "…"
    }
}

/// An input BertBench cannot read: one line naming the file (and line).
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
