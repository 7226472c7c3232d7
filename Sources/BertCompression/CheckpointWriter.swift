import BertCheckpoint
import BertModel
import Foundation

/// Writes host weights as a checkpoint directory in the source checkpoint's key layout
/// (BERT without prefix, or DistilBERT), with config.json and the tokenizer files, atomically:
/// built beside the target and renamed into place, so a failure leaves no directory behind.
public enum CheckpointWriter {
    public static func write(_ weights: HostEncoderWeights, config: Data, modelType: BertConfig.ModelType,
                             tokenizerFrom source: URL, to directory: URL) throws {
        if FileManager.default.fileExists(atPath: directory.path) {
            throw CheckpointError("\(directory.path): already exists (refusing to overwrite)")
        }
        try writeDirectoryAtomically(directory) { staging in
            try config.write(to: staging.appendingPathComponent("config.json"))
            for name in ["vocab.txt", "tokenizer_config.json", "tokenizer.json", "special_tokens_map.json"]
            where FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path) {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: staging.appendingPathComponent(name))
            }
            try tensors(weights, modelType: modelType).write(to: staging.appendingPathComponent("model.safetensors"))
        }
    }

    static func tensors(_ w: HostEncoderWeights, modelType: BertConfig.ModelType) -> SafeTensorsWriter {
        var writer = SafeTensorsWriter()
        writer.metadata = ["format": "pt", "writer": "bertbench compress"]
        func matrix(_ name: String, _ stored: StoredWeight, rows: Int, cols: Int) {
            switch stored {
            case .float(let v): writer.add(name, floats: v, shape: [rows, cols])
            case .int8(let q, let s):
                writer.add(name, int8s: q, shape: [rows, cols])
                writer.add(name + "_scale", floats: s, shape: [rows])
            }
        }
        func linear(_ module: String, _ l: HostLinear) {
            matrix(module + ".weight", l.weight, rows: l.outFeatures, cols: l.inFeatures)
            writer.add(module + ".bias", floats: l.bias, shape: [l.outFeatures])
        }
        func norm(_ module: String, _ n: HostNorm) {
            writer.add(module + ".weight", floats: n.gamma, shape: [n.gamma.count])
            writer.add(module + ".bias", floats: n.beta, shape: [n.beta.count])
        }
        func table(_ name: String, _ t: HostTable) {
            switch t {
            case .float(let v, let rows, let width): matrix(name, .float(v), rows: rows, cols: width)
            case .int8(let q, let s, let rows, let width): matrix(name, .int8(q, scales: s), rows: rows, cols: width)
            }
        }
        table("embeddings.word_embeddings.weight", w.wordEmbeddings)
        table("embeddings.position_embeddings.weight", w.positionEmbeddings)
        norm("embeddings.LayerNorm", w.embeddingNorm)
        if let types = w.tokenTypeEmbeddings {
            writer.add("embeddings.token_type_embeddings.weight", floats: types, shape: [types.count / w.embeddingNorm.gamma.count, w.embeddingNorm.gamma.count])
        }
        for (i, l) in w.layers.enumerated() {
            switch modelType {
            case .bert:
                let p = "encoder.layer.\(i)."
                linear(p + "attention.self.query", l.query)
                linear(p + "attention.self.key", l.key)
                linear(p + "attention.self.value", l.value)
                linear(p + "attention.output.dense", l.attentionOutput)
                norm(p + "attention.output.LayerNorm", l.attentionNorm)
                linear(p + "intermediate.dense", l.intermediate)
                linear(p + "output.dense", l.output)
                norm(p + "output.LayerNorm", l.outputNorm)
            case .distilbert:
                let p = "transformer.layer.\(i)."
                linear(p + "attention.q_lin", l.query)
                linear(p + "attention.k_lin", l.key)
                linear(p + "attention.v_lin", l.value)
                linear(p + "attention.out_lin", l.attentionOutput)
                norm(p + "sa_layer_norm", l.attentionNorm)
                linear(p + "ffn.lin1", l.intermediate)
                linear(p + "ffn.lin2", l.output)
                norm(p + "output_layer_norm", l.outputNorm)
            }
        }
        if let pooler = w.pooler { linear("pooler.dense", pooler) }
        switch w.head {
        case .bertPooled(_, let classifier)?: linear("classifier", classifier)
        case .distilBert(let pre, let classifier)?:
            linear("pre_classifier", pre)
            linear("classifier", classifier)
        case nil: break
        }
        return writer
    }
}
