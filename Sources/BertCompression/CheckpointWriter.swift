import BertCheckpoint
import EncoderWeights
import Foundation
import Support

/// Writes host weights as a checkpoint directory in an architecture's key layout (without the
/// task prefix), with config.json and the tokenizer files, atomically:
/// built beside the target and renamed into place, so a failure leaves no directory behind.
public enum CheckpointWriter {
    /// Writes `weights` under `architecture`'s keys with `config` as config.json into `directory` (which must not exist);
    /// fp32 Linear weights are stored as `linearDType` (F32, or F16).
    public static func write(_ weights: HostEncoderWeights, config: Data, architecture: any EncoderArchitecture,
                             tokenizerFrom source: URL, to directory: URL, linearDType: DType = .f32) throws {
        if FileManager.default.fileExists(atPath: directory.path) {
            throw CheckpointError("\(directory.path): already exists (refusing to overwrite)")
        }
        try writeDirectoryAtomically(directory) { staging in
            try config.write(to: staging.appendingPathComponent("config.json"))
            for name in ["vocab.txt", "tokenizer_config.json", "tokenizer.json", "special_tokens_map.json"]
            where FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path) {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: staging.appendingPathComponent(name))
            }
            try tensors(weights, architecture: architecture, linearDType: linearDType).write(to: staging.appendingPathComponent("model.safetensors"))
        }
    }

    static func tensors(_ w: HostEncoderWeights, architecture: any EncoderArchitecture, linearDType: DType = .f32) -> SafeTensorsWriter {
        var writer = SafeTensorsWriter()
        writer.metadata = ["format": "pt", "writer": "bertbench compress"]
        func matrix(_ name: String, _ stored: StoredWeight, rows: Int, cols: Int) {
            switch stored {
            case .float(let v): writer.add(name, floats: v, shape: [rows, cols])
            case .int8(let q, let s):
                writer.add(name, int8s: q, shape: [rows, cols])
                writer.add(name + "_scale", floats: s, shape: [rows])
            case .int4(let q):
                // Layout and nibble order: Int4Weight; config.json's quantization record gives the group size.
                writer.add(name, uint8s: q.packed, shape: [rows, q.bytesPerRow])
                writer.add(name + "_scale", floats: q.scales, shape: [rows, q.groups])
                writer.add(name + "_zero", uint8s: q.zeros, shape: [rows, q.groups])
            }
        }
        func linear(_ names: LinearNames, _ l: HostLinear) {
            if linearDType == .f16, case .float(let v) = l.weight {
                writer.add(names.weight, halves: v, shape: [l.outFeatures, l.inFeatures])
            } else {
                matrix(names.weight, l.weight, rows: l.outFeatures, cols: l.inFeatures)
            }
            if let s = l.inputSmoothing { writer.add(names.smoothing, floats: s, shape: [l.inFeatures]) }
            if let o = l.outliers {
                writer.add(names.outlierColumns, int32s: o.columns, shape: [o.columns.count])
                writer.add(names.outlierWeight, floats: o.weight, shape: [l.outFeatures, o.columns.count])
            }
            writer.add(names.bias, floats: l.bias, shape: [l.outFeatures])
        }
        func norm(_ names: NormNames, _ n: HostNorm) {
            writer.add(names.weight, floats: n.gamma, shape: [n.gamma.count])
            writer.add(names.bias, floats: n.beta, shape: [n.beta.count])
        }
        func table(_ name: String, _ t: HostTable) {
            switch t {
            case .float(let v, let rows, let width): matrix(name, .float(v), rows: rows, cols: width)
            case .int8(let q, let s, let rows, let width): matrix(name, .int8(q, scales: s), rows: rows, cols: width)
            }
        }
        // The same key names the loader reads, from one place.
        let layout = architecture.layout(layers: w.layers.count, prefix: "", pooler: w.pooler != nil, head: w.head != nil)
        table(layout.wordEmbeddings, w.wordEmbeddings)
        table(layout.positionEmbeddings, w.positionEmbeddings)
        norm(layout.embeddingNorm, w.embeddingNorm)
        if let types = w.tokenTypeEmbeddings, let name = layout.tokenTypeEmbeddings {
            let width = w.embeddingNorm.gamma.count
            writer.add(name, floats: types, shape: [types.count / width, width])
        }
        for (l, names) in zip(w.layers, layout.layers) {
            linear(names.query, l.query)
            linear(names.key, l.key)
            linear(names.value, l.value)
            linear(names.attentionOutput, l.attentionOutput)
            norm(names.attentionNorm, l.attentionNorm)
            linear(names.intermediate, l.intermediate)
            linear(names.output, l.output)
            norm(names.outputNorm, l.outputNorm)
        }
        if let bias = w.relativeAttentionBias, let name = layout.relativeAttentionBias {
            writer.add(name, floats: bias.table, shape: [bias.buckets, bias.heads])
        }
        if let pooler = w.pooler, let names = layout.pooler { linear(names, pooler) }
        if let head = w.head, let names = layout.head {
            // A pooler that feeds the head is already written under its own key.
            if names.first != layout.pooler { linear(names.first, head.first) }
            linear(names.classifier, head.classifier)
        }
        return writer
    }
}
