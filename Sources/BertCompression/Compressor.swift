import BertCheckpoint
import EncoderWeights
import Foundation
import Support

/// Applies a `CompressionMethod` to a checkpoint and writes the result as a new checkpoint.
public enum Compressor {
    /// Compresses `source` into `target` (which must not exist); returns what was done.
    @discardableResult
    public static func compress(source: URL, target: URL, method: CompressionMethod) throws -> CompressionSummary {
        let checkpoint = try Checkpoint(directory: source)
        let config = checkpoint.config
        let path = checkpoint.directory.path
        var weights = try HostEncoderWeights(checkpoint: checkpoint)
        var changes: [String: JSONValue?] = [:]
        var lines: [String] = []

        switch method {
        case .int8, .int8WeightOnly:
            if let existing = config.quantizationMethod {
                throw CheckpointError("\(path): already quantized (\(existing)); compress the fp32 checkpoint instead")
            }
            weights = Quantization.quantize(weights)
            changes["quantization"] = .object(["method": .string(method.name),
                                               "weights": .string("int8 symmetric, zero point 0, scale = absmax/127"),
                                               "linear_granularity": .string("per-output-channel"),
                                               "embedding_granularity": .string("per-row")])
            lines.append("quantized \(weights.layers.count * 6) Linear weights per output channel and the word/position embeddings per row")
        case .pruneUnstructured(let sparsity, let global):
            guard (0..<1).contains(sparsity) else { throw CheckpointError("--sparsity \(sparsity) must be in [0, 1)") }
            try requireFloat(config, path)
            let report: [String]
            (weights, report) = Pruning.unstructured(weights, sparsity: sparsity, global: global)
            lines += report
        case .pruneHeads(let fraction):
            guard (0..<1).contains(fraction) else { throw CheckpointError("--fraction \(fraction) must be in [0, 1)") }
            try requireFloat(config, path)
            let kept: [[Int]]
            (weights, kept) = Pruning.heads(weights, headDim: config.headDim, fraction: fraction)
            changes["heads_per_layer"] = .array(kept.map { .number(Double($0.count)) })
            changes["kept_heads"] = .array(kept.map { .array($0.map { .number(Double($0)) }) })
            lines.append("heads kept per layer: \(kept.map(\.count))")
        case .pruneFFN(let fraction):
            guard (0..<1).contains(fraction) else { throw CheckpointError("--fraction \(fraction) must be in [0, 1)") }
            try requireFloat(config, path)
            weights = Pruning.ffn(weights, fraction: fraction)
            changes["intermediate_sizes"] = .array(weights.layers.map { .number(Double($0.intermediate.outFeatures)) })
            lines.append("FFN neurons kept per layer: \(weights.layers.map(\.intermediate.outFeatures))")
        case .dropLayers(let keep):
            guard !keep.isEmpty else { throw CheckpointError("--keep names no layers") }
            if let bad = keep.first(where: { !(0..<config.layerCount).contains($0) }) {
                throw CheckpointError("--keep names layer \(bad), but \(path) has layers 0...\(config.layerCount - 1)")
            }
            guard Set(keep).count == keep.count else { throw CheckpointError("--keep lists a layer twice: \(keep)") }
            weights.layers = keep.map { weights.layers[$0] }
            changes[config.architecture.configFields.layerCount] = .number(Double(keep.count))
            if let heads = config.headsPerLayer { changes["heads_per_layer"] = .array(keep.map { .number(Double(heads[$0])) }) }
            if let widths = config.intermediateSizes { changes["intermediate_sizes"] = .array(keep.map { .number(Double(widths[$0])) }) }
            lines.append("kept teacher layers \(keep) of \(config.layerCount) (layer-dropped, not trained)")
        }

        var record = method.parameters
        record["method"] = .string(method.name)
        record["source"] = .string(source.standardizedFileURL.path)
        record["source_hash"] = .string(try checkpoint.sourceHash())
        record["source_bytes"] = .number(Double(try fileSize(checkpoint.file.url)))
        changes["compression"] = .object(record)
        try CheckpointWriter.write(weights, config: try config.encoded(changing: changes), architecture: config.architecture,
                                   tokenizerFrom: source, to: target)
        return CompressionSummary(method: method.name, lines: lines)
    }

    private static func requireFloat(_ config: BertConfig, _ path: String) throws {
        if let q = config.quantizationMethod {
            throw CheckpointError("\(path): is quantized (\(q)); prune the fp32 checkpoint, then quantize")
        }
    }
}
