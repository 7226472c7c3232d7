import Foundation
import Support

/// Penn tags in context of each whitespace word of each text (assets/data/<data>.pos.tsv), keyed
/// by the text as the data set reads it; nil for a word the tagger's tokens could not be aligned to.
public struct PartOfSpeechTags: Sendable {
    public let tags: [String: [String?]]

    /// Tags keyed by text (tests build small ones by hand).
    public init(_ tags: [String: [String?]]) { self.tags = tags }

    /// The tags of `text`'s whitespace words, or nil when the text was not tagged (or not as these words).
    public func tags(of text: String, words: Int) -> [String?]? {
        guard let found = tags[text], found.count == words else { return nil }
        return found
    }

    /// Reads the TSV (header `text tags`; tags space-separated, one per word, "-" for none).
    public static func load(_ path: String) throws -> PartOfSpeechTags {
        let data: Data
        do { data = try TextLines.read(path) } catch let error as InputError {
            throw DatasetError("\(error.message) (the attack's part-of-speech tags: run scripts/setup)")
        }
        return try parse(data, path: path)
    }

    /// The file's bytes already in memory; errors name `path` and the line.
    public static func parse(_ data: Data, path: String) throws -> PartOfSpeechTags {
        let lines: [(number: Int, text: String)]
        do { lines = try TextLines.split(data, path: path) } catch let error as InputError { throw DatasetError(error.message) }
        guard lines.first?.text == "text\ttags" else {
            throw DatasetError("\(path):1: not a part-of-speech tag file (want the header 'text, tags'; run scripts/setup)")
        }
        var tags: [String: [String?]] = [:]
        for line in lines.dropFirst() where !line.text.isEmpty {
            let f = line.text.split(separator: "\t", omittingEmptySubsequences: false)
            let words = f.first?.split(separator: " ", omittingEmptySubsequences: false).count ?? 0
            let found = f.count == 2 ? f[1].split(separator: " ").map { $0 == "-" ? nil : String($0) } : []
            guard f.count == 2, found.count == words else {
                throw DatasetError("\(path):\(line.number): want a text and one tag per word of it; got '\(TextLines.excerpt(line.text))'")
            }
            tags[String(f[0])] = found
        }
        return PartOfSpeechTags(tags)
    }
}
