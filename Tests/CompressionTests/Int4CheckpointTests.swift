import BertCheckpoint
import BertCompression
import BertModel
import Foundation
import Testing

/// A 4-bit checkpoint as a user makes it (`compress --method int4-rtn`) loads in the engine in
/// int4 mode by default and computes what the fp32 path computes on its dequantized weights.
@Suite struct Int4Checkpoint {
    @Test func int4RTNCheckpointRunsInInt4ModeAndMatchesItsDequantizedWeights() throws {
        let dir = try freshDirectory()
        let teacher = try tinyTeacher(in: dir), target = dir.appendingPathComponent("int4")
        try Compressor.compress(source: teacher, target: target, method: .int4RTN(groupSize: 24))
        let loaded = try ModelLoader.load(target, kernels: TestDevice.kernels)
        #expect(loaded.encoder.linearMode == .int4 && loaded.modeReason == "default for this checkpoint")
        let int4 = try lastHidden(target), dequantized = try lastHidden(target, mode: .dense), fp32 = try lastHidden(teacher)
        let worst = zip(int4, dequantized).map { abs($0 - $1) / max(1, abs($1)) }.max()!
        #expect(worst < 1e-4, "int4 vs fp32 path on the dequantized weights: \(worst)")
        let h = loaded.checkpoint.config.hiddenSize
        let c = cosine(int4[0..<h], fp32[0..<h])
        #expect(c > 0.9 && c < 1 - 1e-7, "first token's cosine to the fp32 teacher \(c): 4-bit should be close, not identical")
        let dense = try ModelLoader.load(target, kernels: TestDevice.kernels, mode: .dense)
        #expect(loaded.encoder.weightBytes < dense.encoder.weightBytes)
    }
}
