import Foundation
import Support

/// The texts of a calibration set and where they came from: a file with one text per line (a
/// `.tsv` with a `text` column, like assets/data's, gives that column), sampled to `items` with
/// a seed (fixed by default) so the same file, count and seed always give the same set; another
/// seed draws another sample of the same file, which is how a population of compressed models
/// differs only in its calibration items.
public struct CalibrationTexts: Sendable {
    /// The texts, in sampled order.
    public let texts: [String]
    /// The file's name (last path component), for config.json.
    public let fileName: String
    /// FNV-1a 64 of the file's bytes, hex: which version of the file was used.
    public let contentHash: String
    /// Non-empty texts in the file.
    public let available: Int
    /// The seed of the sample when none is given (every variant made before seeds existed used it).
    public static let seed: UInt64 = 14
    /// The seed this sample was drawn with.
    public let seed: UInt64

    /// Reads `path` and keeps `items` texts (all when nil or more than there are), drawn by a
    /// shuffle seeded with `seed`; errors are one line naming the file: missing, unreadable, not
    /// UTF-8, or without any text.
    public init(path: String, items: Int?, seed: UInt64 = CalibrationTexts.seed) throws {
        if let items, items < 1 { throw InputError("--calibration-items must be at least 1, not \(items)") }
        let data = try TextLines.read(path)
        var lines = try TextLines.split(data, path: path).map(\.text)
        if path.hasSuffix(".tsv") {
            guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false),
                  let column = header.firstIndex(of: "text") else {
                throw InputError("\(path): a .tsv calibration file needs a header with a 'text' column")
            }
            lines = lines.dropFirst().map { line in
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                return column < fields.count ? String(fields[column]) : ""
            }
        }
        let all = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !all.isEmpty else { throw InputError("\(path): no calibration text in the file (one text per line)") }
        var order = Array(all.indices)
        var rng = SeededRandom(seed: seed)
        self.seed = seed
        order.shuffle(using: &rng)
        texts = order.prefix(min(items ?? all.count, all.count)).map { all[$0] }
        available = all.count
        fileName = URL(fileURLWithPath: path).lastPathComponent
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        contentHash = String(format: "fnv1a64:%016llx", hash)
    }
}
