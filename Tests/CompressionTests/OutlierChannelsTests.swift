import BertCheckpoint
@testable import BertCompression
import BertModel
import EncoderWeights
import Foundation
import Testing

/// `linear` int8 with every input channel but `kept` in fp32 (and `smoothing`, if given, on the
/// one int8 channel): one int8 channel is exact (its per-token code and per-row weight code are
/// both ±127), so the Linear computes what the fp32 one does, up to float rounding. The int8 codes
/// of the fp32 channels, which readers must ignore, are filled with junk.
private func allButOne(_ linear: HostLinear, kept: Int, smoothing: [Float]?) throws -> HostLinear {
    var mixed = try Smoothing.quantized(linear, smoothing: smoothing, outliers: (0..<linear.inFeatures).filter { $0 != kept })
    guard case .int8(var codes, let scales) = mixed.weight else { preconditionFailure("int8 expected") }
    for i in codes.indices where i % linear.inFeatures != kept { codes[i] = Int8(i % 201 - 100) }
    mixed.weight = .int8(codes, scales: scales)
    return mixed
}

// Nested in `Compression` (serialized): the suites share one OpenCL context, driven from one thread at a time.
extension Compression {
@Suite struct OutlierChannels {
    /// A tiny model whose Linears keep all input channels but one in fp32 (some with SmoothQuant
    /// factors): in W8A8 mode the engine must zero those channels' codes, keep them out of each
    /// token's scale, add them in fp32 before the activation, and so reproduce the fp32 model; a
    /// plain W8A8 copy of the same model, for contrast, does not come close.
    @Test func mixedPrecisionLinearsReproduceTheFloatModel() throws {
        let dir = try freshDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let teacher = try tinyTeacher(in: dir), plain = dir.appendingPathComponent("int8"), mixed = dir.appendingPathComponent("mixed")
        try Compressor.compress(source: teacher, target: plain, method: .int8)
        var host = try HostEncoderWeights(checkpoint: try Checkpoint(directory: teacher))
        for l in host.layers.indices {
            var layer = host.layers[l]
            let width = layer.query.inFeatures
            let s = (0..<width).map { Float(0.5 + Double(($0 * 7 + l) % 5) / 4) }  // factors the one int8 channel must honour
            let kept = (l * 5 + 3) % width
            layer.query = try allButOne(layer.query, kept: kept, smoothing: s)
            layer.key = try allButOne(layer.key, kept: kept, smoothing: s)
            layer.value = try allButOne(layer.value, kept: kept, smoothing: s)
            layer.attentionOutput = try allButOne(layer.attentionOutput, kept: 1, smoothing: nil)
            layer.intermediate = try allButOne(layer.intermediate, kept: width - 1, smoothing: s)
            layer.output = try allButOne(layer.output, kept: 2 + l, smoothing: nil)
            host.layers[l] = layer
        }
        let checkpoint = try Checkpoint(directory: plain)
        try CheckpointWriter.write(host, config: try Data(contentsOf: plain.appendingPathComponent("config.json")),
                                   architecture: checkpoint.config.architecture, tokenizerFrom: teacher, to: mixed)
        let reference = try lastHidden(teacher, mode: .dense)
        func worst(_ values: [Float]) -> Double { zip(values, reference).map { Double(abs($0 - $1)) }.max()! }
        let w8a8 = worst(try lastHidden(mixed, mode: .int8)), dense = worst(try lastHidden(mixed, mode: .dense))
        let naive = worst(try lastHidden(plain, mode: .int8))
        print(String(format: "largest hidden-state error against fp32: mixed W8A8 %.2e, its dense form %.2e, plain W8A8 %.2e", w8a8, dense, naive))
        #expect(w8a8 < 1e-5 && dense < 1e-5)
        #expect(naive > 100 * w8a8, "the plain W8A8 model should be far off (\(naive)), or this test shows nothing")
    }

    /// A checkpoint whose outlier tensors are broken is refused with one line naming the tensor.
    @Test(arguments: ["repeat", "outside", "only one"])
    func brokenOutlierTensorsAreRefused(fault: String) throws {
        let dir = try freshDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let teacher = try tinyTeacher(in: dir), plain = dir.appendingPathComponent("int8")
        try Compressor.compress(source: teacher, target: plain, method: .int8)
        let url = plain.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(data: try Data(contentsOf: url), url: url)
        let name = "encoder.layer.1.output.dense.weight", rows = try file.info(name).shape[0]
        var writer = SafeTensorsWriter()
        for tensor in file.tensorNames {
            let info = try file.info(tensor)
            writer.add(tensor, dtype: info.dtype, shape: info.shape, bytes: try file.withRawBytes(tensor) { Data($0) })
        }
        writer.add(name + "_outlier_columns", int32s: fault == "repeat" ? [3, 5, 3] : fault == "outside" ? [3, 64, 5] : [3, 5, 7], shape: [3])
        if fault != "only one" { writer.add(name + "_outlier_weight", floats: [Float](repeating: 0.5, count: rows * 3), shape: [rows, 3]) }
        try FileManager.default.removeItem(at: url)
        try writer.write(to: url)
        let error = #expect(throws: (any Error).self) { _ = try HostEncoderWeights(checkpoint: try Checkpoint(directory: plain)) }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains(name) && message.contains(fault) && !message.contains("\n"), "\(message)")
    }
}
}
