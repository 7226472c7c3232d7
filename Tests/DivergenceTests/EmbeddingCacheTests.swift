@testable import BertDivergence
import BertMetrics
import Foundation
import Support
import Testing

/// The sweep's embedding cache: entries read back bit for bit, damage is an error naming the
/// file, and a missing entry is a miss, not an error.
struct EmbeddingCacheTests {
    func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> EmbeddingMatrix {
        var random = SeededRandom(seed: seed)
        return EmbeddingMatrix(rows: rows, columns: columns, values: random.normals(rows * columns, standardDeviation: 1))
    }

    func sample() -> ModelEmbeddings {
        let train = TextEmbeddings(pooled: matrix(7, 5, seed: 1), layers: [], logits: [[0.5, -1], [2, 3], [1, 1], [0, 0], [4, 5], [6, 7], [8, 9]])
        let test = TextEmbeddings(pooled: matrix(3, 5, seed: 2), layers: [matrix(3, 5, seed: 3), matrix(3, 5, seed: 4)], logits: nil)
        return ModelEmbeddings(train: train, test: test, outOfDomain: [matrix(4, 5, seed: 5), matrix(2, 5, seed: 6)])
    }

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func entriesReadBackExactly() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = EmbeddingCache(folder: dir.appendingPathComponent("embeddings"))
        #expect(try cache.load("0123") == nil)
        let original = sample()
        try cache.store(original, key: "0123", model: "tiny")
        let back = try #require(try cache.load("0123"))
        #expect(back.train.pooled == original.train.pooled)
        #expect(back.train.logits == original.train.logits)
        #expect(back.test.layers == original.test.layers)
        #expect(back.test.logits == nil)
        #expect(back.outOfDomain == original.outOfDomain)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.folder.path)
        #expect(leftovers == ["0123.emb"], "only the entry, no temporary file: \(leftovers)")
    }

    @Test(arguments: ["cut", "extra", "key", "header"])
    func damagedEntriesAreErrorsNamingTheFile(_ damage: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = EmbeddingCache(folder: dir)
        try cache.store(sample(), key: "abcd", model: "tiny")
        var data = try Data(contentsOf: cache.url("abcd"))
        switch damage {
        case "cut": data.removeLast(4)
        case "extra": data.append(contentsOf: [0, 0, 0, 0])
        case "key": try data.write(to: cache.url("other")); data = Data()
        default: data.replaceSubrange(0..<8, with: Data("garbage!".utf8))
        }
        if damage == "key" {
            #expect { _ = try cache.load("other") } throws: { "\($0)".contains("other.emb") && "\($0)".contains("holds key abcd") }
        } else {
            try data.write(to: cache.url("abcd"))
            #expect { _ = try cache.load("abcd") } throws: { "\($0)".contains("abcd.emb") && "\($0)".contains("damaged") }
        }
    }
}
