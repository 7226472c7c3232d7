import BertDivergence
import Foundation
import Testing

/// Data files from any platform: LF, CRLF and lone CR all end lines, in TSV and JSON lines.
@Suite struct LineEndings {
    func write(_ text: String, _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-eol-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func tsvWithCRLFAndCRReadsLikeLF() throws {
        let rows = ["text\tlabel", "a good film\t1", "a dull one\t0", "fine\t1"]
        let lf = try TextDataset.load(try write(rows.joined(separator: "\n") + "\n", "lf.tsv"), requireLabels: true)
        for separator in ["\r\n", "\r"] {
            let other = try TextDataset.load(try write(rows.joined(separator: separator) + separator, "x.tsv"), requireLabels: true)
            #expect(other.texts == lf.texts)
            #expect(other.labels == lf.labels)
        }
        #expect(lf.texts == ["a good film", "a dull one", "fine"])
    }

    @Test func jsonLinesWithCRLFReadLikeLF() throws {
        let text = "{\"text\": \"good\", \"label\": 1}\r\n{\"text\": \"bad\", \"label\": 0}\r\n"
        let set = try TextDataset.load(try write(text, "x.jsonl"), requireLabels: true)
        #expect(set.texts == ["good", "bad"])
        #expect(set.labels == [1, 0])
    }

    @Test func aHeaderWithoutLineBreaksGivesAShortError() throws {
        let blob = (0..<5_000).map { "col\($0)" }.joined(separator: "\t")
        let error = #expect(throws: DatasetError.self) { _ = try TextDataset.load(try write(blob, "wide.tsv"), requireLabels: true) }
        #expect((error?.description.count ?? 0) < 300)
    }
}
