import BertDivergence
import Foundation
import Testing

func write(_ text: String, _ name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

@Suite struct Datasets {
    @Test func ratingsBecomeBinaryLabelsAndZerosAreDropped() throws {
        let path = try write("id\tmean_sentiment\ttext\n1\t2.5\tgreat film\n2\t-1.2\tdull\n3\t0\tneither\n4\t0.1\tfine\n", "m.tsv")
        let d = try TextDataset.load(path, requireLabels: true)
        #expect(d.texts == ["great film", "dull", "fine"])
        #expect(d.labels == [1, 0, 1])
    }

    @Test func labelColumnAndJSONLinesAreRead() throws {
        let tsv = try TextDataset.load(try write("text\tlabel\na\t1\nb\t0\n", "l.tsv"), requireLabels: true)
        #expect(tsv.labels == [1, 0])
        let jsonl = try TextDataset.load(try write("{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": "
                + "1}\n", "l.jsonl"), requireLabels: true)
        #expect(jsonl.texts == ["a", "b"] && jsonl.labels == [0, 1])
        let unlabelled = try TextDataset.load(try write("{\"text\": \"x\"}\n", "u.jsonl"), requireLabels: false)
        #expect(unlabelled.labels == nil)
    }

    @Test func missingLabelsAreRefusedWhenABinaryTaskIsAsked() throws {
        let path = try write("id\ttext\n1\thello\n", "nolabels.tsv")
        let error = #expect(throws: DatasetError.self) { _ = try TextDataset.load(path, requireLabels: true) }
        #expect(error?.description.contains("no labels") == true)
        #expect(error?.description.contains("nolabels.tsv") == true)
    }

    @Test func nonBinaryLabelsNameTheLine() throws {
        let tsv = try write("text\tlabel\na\t1\nb\t2\n", "three.tsv")
        let e1 = #expect(throws: DatasetError.self) { _ = try TextDataset.load(tsv, requireLabels: true) }
        #expect(e1?.description.contains("three.tsv:3: label '2' is not 0 or 1") == true)
        let one = try write("text\tlabel\na\t1\nb\t1\n", "oneclass.tsv")
        let e2 = #expect(throws: DatasetError.self) { _ = try TextDataset.load(one, requireLabels: true) }
        #expect(e2?.description.contains("both classes") == true)
        let jsonl = try write("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": \"pos\"}\n", "bad.jsonl")
        let e3 = #expect(throws: DatasetError.self) { _ = try TextDataset.load(jsonl, requireLabels: true) }
        #expect(e3?.description.contains("bad.jsonl:2") == true)
    }

    @Test func filesWithNoUsableRowsAreRefused() throws {
        let empty = try write("id\tmean_sentiment\ttext\n3\t0\tonly neutral\n", "neutral.tsv")
        let e1 = #expect(throws: DatasetError.self) { _ = try TextDataset.load(empty, requireLabels: true) }
        #expect(e1?.description.contains("no usable rows") == true)
        let noText = try write("id\tbody\n1\thello\n", "notext.tsv")
        let e2 = #expect(throws: DatasetError.self) { _ = try TextDataset.load(noText, requireLabels: false) }
        #expect(e2?.description.contains("no 'text' column") == true)
        let e3 = #expect(throws: DatasetError.self) { _ = try TextDataset.load("/nonexistent/x.tsv", requireLabels: false) }
        #expect(e3?.description.contains("no such file") == true)
    }

    @Test func splitsAndSamplesAreSeededAndDisjoint() throws {
        let rows = (0..<100).map { "t\($0)\t\($0 % 2)" }.joined(separator: "\n")
        let d = try TextDataset.load(try write("text\tlabel\n" + rows + "\n", "s.tsv"), requireLabels: true)
        let (train, test) = d.split(testShare: 0.2, seed: 7)
        let (train2, test2) = d.split(testShare: 0.2, seed: 7)
        #expect(test.texts.count == 20 && train.texts.count == 80)
        #expect(Set(train.texts).isDisjoint(with: test.texts))
        #expect(train.texts == train2.texts && test.texts == test2.texts)
        #expect(d.split(testShare: 0.2, seed: 8).test.texts != test.texts)
        let sample = train.sample(10, seed: 1)
        #expect(sample.texts.count == 10 && zip(sample.texts, sample.labels!).allSatisfy { t, l in Int(t.dropFirst())! % 2 == l })
    }
}
