import BertCheckpoint
import BertCompression
import Foundation
import Testing

/// A cached variant is reused only when its config.json's record says it was made the way the plan
/// asks: same method, same settings, same source weights, same calibration sample.
@Suite struct CompressionRecordCheckTests {
    let source: URL
    let sourceHash: String

    init() throws {
        source = try synthetic("tiny", seed: 7, in: try scratch())
        sourceHash = try Checkpoint(directory: source).sourceHash()
    }

    func made(_ method: CompressionMethod) throws -> BertConfig {
        let target = try scratch().appendingPathComponent("variant")
        try Compressor.compress(source: source, target: target, method: method)
        return try Checkpoint(directory: target).config
    }

    @Test func theSameRecipeAgrees() throws {
        for method in [CompressionMethod.int8, .pruneUnstructured(sparsity: 0.5, global: true), .int4RTN(groupSize: 32),
                       .pruneHeads(fraction: 0.5)] {
            #expect(try CompressionRecordCheck.difference(config: try made(method), method: method, sourceHash: sourceHash,
                                                          calibration: nil) == nil, "\(method)")
        }
    }

    @Test func anotherRecipeIsNamed() throws {
        let halfGlobal = try made(.pruneUnstructured(sparsity: 0.5, global: true))
        let sparser = try CompressionRecordCheck.difference(config: halfGlobal, method: .pruneUnstructured(sparsity: 0.7, global: true),
                                                            sourceHash: sourceHash, calibration: nil)
        #expect(sparser?.contains("sparsity") == true && sparser?.contains("0.7") == true, "\(sparser ?? "nil")")
        let method = try CompressionRecordCheck.difference(config: halfGlobal, method: .int8, sourceHash: sourceHash, calibration: nil)
        #expect(method == "it was made by prune-unstructured, not int8")
        let group = try CompressionRecordCheck.difference(config: try made(.int4RTN(groupSize: 32)), method: .int4RTN(groupSize: 64),
                                                          sourceHash: sourceHash, calibration: nil)
        #expect(group?.contains("group of 32") == true && group?.contains("group of 64") == true, "\(group ?? "nil")")
        let scope = try CompressionRecordCheck.difference(config: halfGlobal, method: .pruneUnstructured(sparsity: 0.5, global: false),
                                                          sourceHash: sourceHash, calibration: nil)
        #expect(scope?.contains("scope") == true, "\(scope ?? "nil")")
        let other = try CompressionRecordCheck.difference(config: halfGlobal, method: .pruneUnstructured(sparsity: 0.5, global: true),
                                                          sourceHash: "fnv1a64:0000000000000000", calibration: nil)
        #expect(other?.contains("not the source's fnv1a64:0000000000000000") == true, "\(other ?? "nil")")
        let asked = CompressionRecordCheck.Calibration(file: "texts.txt", items: 64, seed: 14, unrecordedSeed: 14)
        let uncalibrated = try CompressionRecordCheck.difference(config: halfGlobal, method: .pruneUnstructured(sparsity: 0.5, global: true),
                                                                 sourceHash: sourceHash, calibration: asked)
        #expect(uncalibrated?.contains("without a calibration set") == true, "\(uncalibrated ?? "nil")")
    }

    /// Records written before the parameters were kept: compared by their numeric settings.
    @Test func olderRecordsAreComparedByTheirSettings() throws {
        var json = try made(.pruneUnstructured(sparsity: 0.5, global: true)).json
        guard case .object(var record)? = json["compression"] else { Issue.record("no record"); return }
        record["parameters"] = nil
        json["compression"] = .object(record)
        let older = try BertConfig(json: json)
        #expect(try CompressionRecordCheck.difference(config: older, method: .pruneUnstructured(sparsity: 0.5, global: true),
                                                      sourceHash: sourceHash, calibration: nil) == nil)
        let sparser = try CompressionRecordCheck.difference(config: older, method: .pruneUnstructured(sparsity: 0.7, global: true),
                                                            sourceHash: sourceHash, calibration: nil)
        #expect(sparser == "its sparsity is 0.5, the plan's is 0.7")
    }

    @Test func aFolderNotMadeByCompressIsRefused() throws {
        let difference = try CompressionRecordCheck.difference(config: try Checkpoint(directory: source).config, method: .int8,
                                                               sourceHash: sourceHash, calibration: nil)
        #expect(difference?.contains("no compression record") == true)
    }

    /// The calibration sample: file, count (a short file gives all its texts) and seed (records
    /// from before seeds were recorded used the default).
    @Test func theCalibrationSampleIsCompared() throws {
        var json = try made(.int8).json
        func check(_ record: [String: JSONValue], _ asked: CompressionRecordCheck.Calibration) throws -> String? {
            var compression = json["compression"]!
            if case .object(var c) = compression { c["calibration"] = .object(record); compression = .object(c) }
            json["compression"] = compression
            return try CompressionRecordCheck.difference(config: try BertConfig(json: json), method: .int8, sourceHash: sourceHash,
                                                         calibration: asked)
        }
        let record: [String: JSONValue] = ["file": .string("texts.txt"), "items": .number(40), "items_in_file": .number(40), "seed": .number(3)]
        let asked = { (file: String, items: Int, seed: UInt64) in
            CompressionRecordCheck.Calibration(file: file, items: items, seed: seed, unrecordedSeed: 14)
        }
        #expect(try check(record, asked("texts.txt", 512, 3)) == nil, "40 of 512 asked: the whole file")
        #expect(try check(record, asked("other.txt", 512, 3))?.contains("other.txt") == true)
        #expect(try check(record, asked("texts.txt", 512, 4))?.contains("seed 3") == true)
        var larger = record
        larger["items_in_file"] = .number(1000)
        #expect(try check(larger, asked("texts.txt", 512, 3))?.contains("40 texts") == true)
        var unseeded = record
        unseeded["seed"] = nil
        #expect(try check(unseeded, asked("texts.txt", 40, 14)) == nil)
        #expect(try check(unseeded, asked("texts.txt", 40, 15)) != nil)
    }
}
