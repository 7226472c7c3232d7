import BertCheckpoint
import BertCompression
import EncoderWeights
import Foundation
import Support
import Testing

/// 4-bit weights on disk: the nibble order, the round trip through `bertbench compress
/// --method int4-rtn` and the loader, and the loader's one-line refusals of malformed tensors.
@Suite struct Int4Storage {
    @Test func codesPackLowNibbleFirstAndOddWidthsPadWithZero() throws {
        let q = try Int4Weight(rows: 2, cols: 3, groupSize: 2, codes: [1, 2, 3, 15, 0, 9], scales: [1, 1, 1, 1], zeros: [0, 0, 0, 0])
        #expect(q.packed == [0x21, 0x03, 0x0F, 0x09])
        #expect(q.codes == [1, 2, 3, 15, 0, 9] && q.groups == 2)
        #expect(throws: CheckpointError.self) {
            _ = try Int4Weight(rows: 1, cols: 3, groupSize: 2, packed: [0x21, 0x13], scales: [1, 1], zeros: [0, 0])
        }
    }

    @Test func roundToNearestStaysWithinHalfAStepPerGroup() throws {
        var rng = SeededRandom(seed: 5)
        let rows = 3, cols = 50, group = 16  // 4 groups, the last of 2 columns
        var w = (0..<(rows * cols)).map { _ in Float.random(in: -0.3...0.7, using: &rng) }
        w[7] = 0  // zero inside the range stays representable
        let q = try Int4Quantizer.roundToNearest(w, rows: rows, cols: cols, groupSize: group)
        #expect(q.groups == 4 && q.scales.count == 12)
        let d = q.dequantized
        for r in 0..<rows {
            for c in 0..<cols {
                let g = r * q.groups + c / group
                #expect(abs(d[r * cols + c] - w[r * cols + c]) <= q.scales[g] / 2 * 1.001, "[\(r), \(c)]")
            }
        }
        #expect(q.codes.contains(0) && q.codes.contains(15), "min and max of a group map onto the end codes")
    }

    @Test func int4RTNRoundTripsThroughTheCheckpoint() throws {
        let source = try synthetic("tiny", seed: 43, in: try scratch())
        let original = try HostEncoderWeights(checkpoint: try Checkpoint(directory: source))
        let target = try scratch().appendingPathComponent("int4")
        try Compressor.compress(source: source, target: target, method: .int4RTN(groupSize: 24))  // 32 = 24 + 8, 64 = 24 + 24 + 16
        let checkpoint = try Checkpoint(directory: target)
        #expect(checkpoint.config.quantizationMethod == "int4-rtn")
        #expect(checkpoint.config.quantizationBits == 4 && checkpoint.config.quantizationGroupSize == 24)
        let weights = try HostEncoderWeights(checkpoint: checkpoint)
        for (layer, before) in zip(weights.layers, original.layers) {
            for ((name, q), (_, f)) in zip(layer.linears, before.linears) {
                guard case .int4(let stored) = q.weight else { Issue.record("\(name): not int4 after compression"); continue }
                let expected = try Int4Quantizer.roundToNearest(f.floatWeight, rows: f.outFeatures, cols: f.inFeatures, groupSize: 24)
                #expect(stored == expected, "\(name): codes, scales or zero points changed between writer and loader")
                #expect(stored.groups == (f.inFeatures + 23) / 24 && q.bias == f.bias)
            }
        }
        guard case .int8 = weights.wordEmbeddings else { Issue.record("word embeddings not int8"); return }
        #expect(weights.pooler == original.pooler)
        let bytes = try Data(contentsOf: target.appendingPathComponent("model.safetensors")).count
        let sourceBytes = try Data(contentsOf: source.appendingPathComponent("model.safetensors")).count
        #expect(bytes * 3 < sourceBytes, "int4 file \(bytes) bytes against fp32 \(sourceBytes)")
    }

    /// A compressed tiny checkpoint copied with one tensor or config field replaced.
    func broken(tensor: String? = nil, dtype: DType = .u8, shape: [Int]? = nil, bytes: Data? = nil,
                config change: ([String: JSONValue]) -> [String: JSONValue] = { $0 }) throws -> URL {
        let source = try synthetic("tiny", seed: 44, in: try scratch())
        let good = try scratch().appendingPathComponent("int4")
        try Compressor.compress(source: source, target: good, method: .int4RTN(groupSize: 24))
        let target = try scratch().appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try JSONEncoder().encode(JSONValue.object(change(try configJSON(good)))).write(to: target.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: good.appendingPathComponent("vocab.txt"), to: target.appendingPathComponent("vocab.txt"))
        let file = try SafeTensorsFile(url: good.appendingPathComponent("model.safetensors"))
        var writer = SafeTensorsWriter()
        for name in file.tensorNames {
            let info = try file.info(name)
            if name == tensor {
                let original = try file.withRawBytes(name) { Data($0) }
                writer.add(name, dtype: dtype, shape: shape ?? info.shape, bytes: bytes ?? original)
            } else {
                writer.add(name, dtype: info.dtype, shape: info.shape, bytes: try file.withRawBytes(name) { Data($0) })
            }
        }
        try writer.write(to: target.appendingPathComponent("model.safetensors"))
        return target
    }

    func refusal(_ directory: URL) -> String {
        do {
            _ = try HostEncoderWeights(checkpoint: try Checkpoint(directory: directory))
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func loaderRefusesMalformedInt4TensorsByName() throws {
        let weight = "encoder.layer.1.intermediate.dense.weight"
        // [64, 32] in groups of 24: codes [64, 16], scales and zeros [64, 2].
        let wrongScale = refusal(try broken(tensor: weight + "_scale", dtype: .f32, shape: [64, 1], bytes: Data(count: 64 * 4)))
        #expect(wrongScale.contains(weight + "_scale") && wrongScale.contains("[64, 2]"), "\(wrongScale)")
        let wrongCodes = refusal(try broken(tensor: weight, shape: [64, 32], bytes: Data(count: 64 * 32)))
        #expect(wrongCodes.contains(weight) && wrongCodes.contains("[64, 16]"), "\(wrongCodes)")
        let badZero = refusal(try broken(tensor: weight + "_zero", bytes: Data(repeating: 16, count: 64 * 2)))
        #expect(badZero.contains(weight) && badZero.contains("zero point 16"), "\(badZero)")
        let noRecord = refusal(try broken { json in
            var json = json
            json["quantization"] = .object(["method": .string("int4-rtn")])
            return json
        })
        #expect(noRecord.contains("U8") && noRecord.contains("bits 4"), "\(noRecord)")
        let oddGroup = refusal(try broken { json in
            var json = json
            json["quantization"] = .object(["method": .string("int4-rtn"), "bits": .number(4), "group_size": .number(25)])
            return json
        })
        #expect(oddGroup.contains("group_size"), "\(oddGroup)")
        for message in [wrongScale, wrongCodes, badZero, noRecord, oddGroup] { #expect(!message.contains("\n")) }
    }
}
