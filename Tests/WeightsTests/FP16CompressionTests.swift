import BertCheckpoint
import BertCompression
import EncoderWeights
import Foundation
import Testing

/// `compress --method fp16` on the host: F16 Linear weights in the file, equal to the teacher's
/// rounded to fp16, everything else untouched, the method recorded in config.json.
@Suite struct FP16Compression {
    @Test func linearWeightsAreStoredAsF16RoundedFromTheTeacher() throws {
        let source = try synthetic("tiny", seed: 43, in: try scratch())
        let original = try HostEncoderWeights(checkpoint: try Checkpoint(directory: source))
        let target = try scratch().appendingPathComponent("fp16")
        try Compressor.compress(source: source, target: target, method: .fp16)
        let checkpoint = try Checkpoint(directory: target)
        let query = try #require(checkpoint.layout.layers.first?.query)
        #expect(checkpoint.file.tensors[query.weight]?.dtype == .f16)
        #expect(checkpoint.file.tensors[query.bias]?.dtype == .f32)
        #expect(checkpoint.file.tensors[checkpoint.layout.wordEmbeddings]?.dtype == .f32)
        #expect(checkpoint.config.compressionMethod == "fp16")
        let weights = try HostEncoderWeights(checkpoint: checkpoint)
        var changed = 0
        for (layer, before) in zip(weights.layers, original.layers) {
            for ((name, h), (_, f)) in zip(layer.linears, before.linears) {
                guard case .float(let halves) = h.weight, case .float(let values) = f.weight else {
                    Issue.record("\(name): not float"); continue
                }
                #expect(halves == values.map { Float(Float16($0)) }, "\(name): not the teacher's weights rounded to fp16")
                changed += zip(halves, values).filter { $0 != $1 }.count
                #expect(h.bias == f.bias)
            }
            #expect(layer.attentionNorm == before.attentionNorm && layer.outputNorm == before.outputNorm)
        }
        #expect(changed > 0, "no weight changed: the file is not fp16")
        #expect(weights.wordEmbeddings == original.wordEmbeddings)
        #expect(FileManager.default.fileSize(target) < FileManager.default.fileSize(source))
    }

    @Test func quantizedSourceIsRefused() throws {
        let source = try synthetic("tiny", seed: 44, in: try scratch())
        let int8 = try scratch().appendingPathComponent("int8")
        try Compressor.compress(source: source, target: int8, method: .int8)
        let target = try scratch().appendingPathComponent("x")
        #expect(throws: CheckpointError.self) { try Compressor.compress(source: int8, target: target, method: .fp16) }
    }
}

extension FileManager {
    /// Bytes of a checkpoint's model.safetensors.
    func fileSize(_ directory: URL) -> Int {
        (try? attributesOfItem(atPath: directory.appendingPathComponent("model.safetensors").path)[.size] as? Int) ?? 0
    }
}
