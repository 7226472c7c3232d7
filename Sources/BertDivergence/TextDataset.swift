import BertMetrics
import Foundation
import Support

/// Texts with optional binary labels, read from TSV or JSON lines.
public struct TextDataset: Sendable {
    public let name: String
    public let texts: [String]
    /// 0/1 per text, or nil for an unlabelled set (out-of-domain text).
    public let labels: [Int]?

    public init(name: String, texts: [String], labels: [Int]?) {
        precondition(labels == nil || labels!.count == texts.count)
        self.name = name
        self.texts = texts
        self.labels = labels
    }

    /// Reads `path`: a `.jsonl` file of {"text": ..., "label": ...} objects, or a TSV file with a
    /// header naming a `text` column and optionally `label` (0/1) or `mean_sentiment` (a rating:
    /// > 0 positive, < 0 negative, 0 dropped as neither). `requireLabels` refuses unlabelled
    /// or non-binary data with the file and line.
    public static func load(_ path: String, name: String? = nil, requireLabels: Bool) throws -> TextDataset {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try TextLines.read(path) } catch let error as InputError { throw DatasetError(error.message) }
        let label = name ?? url.deletingPathExtension().lastPathComponent
        let dataset = try parse(data, path: path, name: label, jsonLines: url.pathExtension == "jsonl")
        guard !dataset.texts.isEmpty else { throw DatasetError("\(path): no usable rows") }
        if requireLabels {
            guard let labels = dataset.labels else { throw DatasetError("\(path): no labels (need a label or mean_sentiment column)") }
            guard Set(labels).count == 2 else { throw DatasetError("\(path): labels must include both classes 0 and 1, found "
                    + "\(Set(labels).sorted())") }
        }
        return dataset
    }

    /// The rows of a TSV (or, with `jsonLines`, JSON lines) file's bytes; errors name `path`.
    public static func parse(_ data: Data, path: String, name: String, jsonLines isJSONLines: Bool) throws -> TextDataset {
        let lines: [String]
        do { lines = try TextLines.split(data, path: path).map(\.text) } catch let error as InputError { throw DatasetError(error.message) }
        return isJSONLines ? try jsonLines(lines, path: path, name: name) : try tsv(lines, path: path, name: name)
    }

    static func tsv(_ lines: [String], path: String, name: String) throws -> TextDataset {
        var lines = lines
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first else { throw DatasetError("\(path): empty file") }
        let columns = header.split(separator: "\t", omittingEmptySubsequences: false).map { $0.lowercased() }
        guard let textColumn = columns.firstIndex(of: "text") else {
            throw DatasetError("\(path):1: the header has no 'text' column (have: \(TextLines.excerpt(columns.joined(separator: ", "))))")
        }
        let labelColumn = columns.firstIndex(of: "label"), ratingColumn = columns.firstIndex(of: "mean_sentiment")
        var texts: [String] = [], labels: [Int] = []
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                throw DatasetError("\(path):\(i + 1): \(fields.count) fields, the header has \(columns.count)")
            }
            let body = String(fields[textColumn]).trimmingCharacters(in: .whitespaces)
            if body.isEmpty { continue }
            if let labelColumn {
                guard let value = Int(fields[labelColumn]), value == 0 || value == 1 else {
                    throw DatasetError("\(path):\(i + 1): label '\(TextLines.excerpt(fields[labelColumn]))' is not 0 or 1")
                }
                labels.append(value)
            } else if let ratingColumn {
                guard let rating = Double(fields[ratingColumn]) else {
                    throw DatasetError("\(path):\(i + 1): mean_sentiment '\(TextLines.excerpt(fields[ratingColumn]))' is not a number")
                }
                if rating == 0 { continue }
                labels.append(rating > 0 ? 1 : 0)
            }
            texts.append(body)
        }
        let hasLabels = labelColumn != nil || ratingColumn != nil
        return TextDataset(name: name, texts: texts, labels: hasLabels ? labels : nil)
    }

    static func jsonLines(_ lines: [String], path: String, name: String) throws -> TextDataset {
        var texts: [String] = [], labels: [Int] = []
        var labelled: Bool? = nil
        for (i, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let body = object["text"] as? String else {
                throw DatasetError("\(path):\(i + 1): not a JSON object with a \"text\" string")
            }
            let label = object["label"]
            if labelled == nil { labelled = label != nil }
            if labelled == true {
                guard let value = label as? Int, value == 0 || value == 1 else {
                    throw DatasetError("\(path):\(i + 1): label \(String(describing: label ?? "missing")) is not 0 or 1")
                }
                labels.append(value)
            }
            texts.append(body)
        }
        return TextDataset(name: name, texts: texts, labels: labelled == true ? labels : nil)
    }

    /// A seeded shuffle's first `count` items (all when count is nil or larger).
    public func sample(_ count: Int?, seed: UInt64) -> TextDataset {
        var order = Array(texts.indices)
        var rng = SeededRandom(seed: seed)
        order.shuffle(using: &rng)
        let chosen = Array(order.prefix(count ?? order.count))
        return TextDataset(name: name, texts: chosen.map { texts[$0] }, labels: labels.map { l in chosen.map { l[$0] } })
    }

    /// A seeded split into train and test of `testShare` of the items.
    public func split(testShare: Double, seed: UInt64) -> (train: TextDataset, test: TextDataset) {
        let shuffled = sample(nil, seed: seed)
        let testCount = Int((Double(texts.count) * testShare).rounded())
        func part(_ range: Range<Int>, _ suffix: String) -> TextDataset {
            TextDataset(name: "\(name) \(suffix)", texts: Array(shuffled.texts[range]), labels: shuffled.labels.map { Array($0[range]) })
        }
        return (part(testCount..<texts.count, "train"), part(0..<testCount, "test"))
    }
}

/// A data file that cannot be used: one line with the file, line and problem.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
