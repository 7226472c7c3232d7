import BertMetrics
import Foundation
import Support

/// Embeddings of the study's texts per model, shared between the units of a sweep: one file per
/// model x texts x settings key, written whole and renamed into place, so a unit reads either a
/// complete entry or none, and two units that compute the same entry write the same bytes.
public struct EmbeddingCache: Sendable {
    /// The folder holding `<key>.emb` files (a plan folder's `embeddings/`).
    public let folder: URL

    /// A cache in `folder` (created on the first store).
    public init(folder: URL) { self.folder = folder }

    /// Where the entry `key` lives.
    public func url(_ key: String) -> URL { folder.appendingPathComponent("\(key).emb") }

    /// The entry `key`, or nil when absent; an error naming the file when it is damaged or holds
    /// another key (entries are never half-written, so damage means someone edited it).
    func load(_ key: String) throws -> ModelEmbeddings? {
        let file = url(key)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let data = try Data(contentsOf: file, options: .alwaysMapped)
        return try EmbeddingFile.decode(data, key: key, path: file.path)
    }

    /// Stores `embeddings` under `key`, atomically.
    func store(_ embeddings: ModelEmbeddings, key: String, model: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(EmbeddingFile.encode(embeddings, key: key, model: model), to: url(key).path)
    }
}

/// What an embedding unit did: which entry, how big, and whether it was there already.
public struct EmbeddingEntry: Codable, Sendable {
    public let model: String
    public let key: String
    public let file: String
    public let items: Int
    public let bytes: Int
    /// The entry existed (another unit, or an earlier run, computed it).
    public let reused: Bool
    public let seconds: Double
}

extension DivergenceStudy {
    /// The cache key of `m`'s embeddings of this study's texts: the checkpoint's bytes, the
    /// texts in order, the length limit and what is kept (pooled, test layers, logits).
    func embeddingKey(_ m: StudyModel) throws -> String {
        var hash = FNV1a64()
        hash.add("bertbench-embeddings-v1\n\(try m.model.checkpoint.sourceHash())\nmax-length \(settings.maxLength)\n")
        for (name, texts) in [("train", train.texts), ("test", test.texts)] + outOfDomain.map({ ($0.name, $0.texts) }) {
            hash.add("\(name) \(texts.count)\n")
            for text in texts { hash.add(text + "\n") }
        }
        return String(format: "%016llx", hash.value)
    }

    /// `m`'s embeddings from `cache` when there, else computed (and stored when a cache is set).
    func embeddingsUsingCache(_ m: StudyModel, progress: (String, Int, Int) -> Void) throws
        -> (embeddings: ModelEmbeddings, reused: Bool, key: String?) {
        guard let cache else { return (try embed(m, progress: progress), false, nil) }
        let key = try embeddingKey(m)
        if let cached = try cache.load(key) {
            log("embeddings of \(m.model.name) from \(cache.url(key).path)")
            return (cached, true, key)
        }
        let computed = try embed(m, progress: progress)
        try cache.store(computed, key: key, model: m.model.name)
        return (computed, false, key)
    }

    /// Computes `m`'s embeddings into the cache unless they are there: what an embedding unit of
    /// a sweep does, so the study unit only reads them.
    public func fillCache(_ m: StudyModel, progress: (String, Int, Int) -> Void) throws -> EmbeddingEntry {
        guard let cache else { throw DivergenceError("no embedding cache folder was given") }
        let started = Date()
        let (embeddings, reused, hashed) = try embeddingsUsingCache(m, progress: progress)
        let key = hashed!, file = cache.url(key)  // a cache is set, so the key was computed (once: it hashes every text)
        return EmbeddingEntry(model: m.model.name, key: key, file: file.lastPathComponent,
                              items: embeddings.train.pooled.rows + embeddings.test.pooled.rows,
                              bytes: try fileSize(file), reused: reused, seconds: Date().timeIntervalSince(started))
    }
}

/// The `.emb` format: a magic line, one JSON header line naming the blocks, then each block's
/// float32 values, little-endian, row-major, in header order.
enum EmbeddingFile {
    static let magic = "bertbench-embeddings 1\n"

    struct Header: Codable {
        let key: String
        let model: String
        let blocks: [Block]
    }

    struct Block: Codable {
        let name: String
        let rows: Int
        let columns: Int
    }

    static func encode(_ e: ModelEmbeddings, key: String, model: String) throws -> Data {
        var blocks: [(Block, [Float])] = []
        func add(_ name: String, _ m: EmbeddingMatrix) { blocks.append((Block(name: name, rows: m.rows, columns: m.columns), m.values)) }
        func add(_ prefix: String, _ t: TextEmbeddings) {
            add("\(prefix).pooled", t.pooled)
            for (l, layer) in t.layers.enumerated() { add("\(prefix).layer.\(l)", layer) }
            if let logits = t.logits {
                let columns = logits.first?.count ?? 0
                blocks.append((Block(name: "\(prefix).logits", rows: logits.count, columns: columns), logits.flatMap { $0 }))
            }
        }
        add("train", e.train)
        add("test", e.test)
        for (i, m) in e.outOfDomain.enumerated() { add("ood.\(i)", m) }
        var data = Data(magic.utf8)
        data.append(try JSONEncoder().encode(Header(key: key, model: model, blocks: blocks.map(\.0))))
        data.append(0x0A)
        // Raw copies: every host BertBench runs on (x86-64, arm64) is little-endian.
        for (_, values) in blocks { values.withUnsafeBytes { data.append(contentsOf: $0) } }
        return data
    }

    static func decode(_ data: Data, key: String, path: String) throws -> ModelEmbeddings {
        func damaged(_ why: String) -> DivergenceError {
            DivergenceError("\(path): a damaged embedding cache entry (\(why)); remove it and run the unit again")
        }
        let magicBytes = Data(magic.utf8)
        guard data.count > magicBytes.count, data.prefix(magicBytes.count) == magicBytes else { throw damaged("no header") }
        guard let end = data[magicBytes.count...].firstIndex(of: 0x0A) else { throw damaged("no header line") }
        guard let header = try? JSONDecoder().decode(Header.self, from: data[magicBytes.count..<end]) else { throw damaged("unreadable header") }
        guard header.key == key else { throw damaged("it holds key \(header.key), not \(key)") }
        var offset = end + 1
        var named: [String: EmbeddingMatrix] = [:]
        for block in header.blocks {
            guard block.rows >= 0, block.columns >= 0, block.rows.multipliedReportingOverflow(by: block.columns).overflow == false else {
                throw damaged("block \(block.name) has shape \(block.rows)x\(block.columns)")
            }
            let bytes = block.rows * block.columns * 4
            guard data.count - offset >= bytes else { throw damaged("block \(block.name) is cut short") }
            let count = block.rows * block.columns, start = offset
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                _ = data.copyBytes(to: UnsafeMutableRawBufferPointer(buffer), from: start..<(start + bytes))
                initialized = count
            }
            named[block.name] = EmbeddingMatrix(rows: block.rows, columns: block.columns, values: values)
            offset += bytes
        }
        guard offset == data.count else { throw damaged("\(data.count - offset) bytes after the last block") }
        func text(_ prefix: String) throws -> TextEmbeddings {
            guard let pooled = named["\(prefix).pooled"] else { throw damaged("no \(prefix).pooled block") }
            let layers = (0...).lazy.map { named["\(prefix).layer.\($0)"] }.prefix { $0 != nil }.compactMap { $0 }
            let logits = named["\(prefix).logits"].map { m in (0..<m.rows).map { Array(m.values[($0 * m.columns)..<(($0 + 1) * m.columns)]) } }
            return TextEmbeddings(pooled: pooled, layers: Array(layers), logits: logits)
        }
        let ood = (0...).lazy.map { named["ood.\($0)"] }.prefix { $0 != nil }.compactMap { $0 }
        return ModelEmbeddings(train: try text("train"), test: try text("test"), outOfDomain: Array(ood))
    }
}
