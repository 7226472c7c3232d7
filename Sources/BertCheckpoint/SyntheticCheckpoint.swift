import Foundation
import Support

/// Random-initialised checkpoints with the shapes of well-known models, written in the same
/// format the loader reads, for latency work where the real weights are not at hand.
/// Weights are normal(0, 0.02) as in BERT's initialisation, LayerNorm weight 1 and bias 0,
/// biases normal(0, 0.02) so tests see them; all drawn from SeededRandom (SplitMix64) seeded by `seed`.
public enum SyntheticCheckpoint {
    /// A named shape.
    public struct Preset: Sendable {
        public let name: String
        public let modelType: BertConfig.ModelType
        public let layers, hidden, heads, intermediate, vocab, positions: Int
    }

    public static let presets: [Preset] = [
        Preset(name: "bert-large", modelType: .bert, layers: 24, hidden: 1024, heads: 16, intermediate: 4096, vocab: 30522, positions: 512),
        Preset(name: "bert-base", modelType: .bert, layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocab: 30522, positions: 512),
        Preset(name: "tiny", modelType: .bert, layers: 2, hidden: 32, heads: 4, intermediate: 64, vocab: 1000, positions: 64),
        Preset(name: "distilbert-base", modelType: .distilbert, layers: 6, hidden: 768, heads: 12, intermediate: 3072, vocab: 30522, positions: 512),
        Preset(name: "distilbert-tiny", modelType: .distilbert, layers: 2, hidden: 32, heads: 4, intermediate: 64, vocab: 1000, positions: 64),
    ]

    public static func preset(named name: String) throws -> Preset {
        guard let preset = presets.first(where: { $0.name == name }) else {
            throw CheckpointError("unknown preset '\(name)' (have: \(presets.map(\.name).joined(separator: ", ")))")
        }
        return preset
    }

    /// Writes the checkpoint directory `directory`, which must not exist or be empty; it is
    /// built beside the target and renamed into place, so a failure leaves nothing behind.
    /// `vocabulary` replaces the generated word list (e.g. a real vocab.txt for tokenizing text).
    public static func write(_ preset: Preset, seed: UInt64, to directory: URL, vocabulary: [String]? = nil,
                             progress: ((String) -> Void)? = nil) throws {
        try writeDirectoryAtomically(directory) { staging in
            let vocab = vocabulary ?? generatedVocabulary(size: preset.vocab)
            guard vocab.count == preset.vocab else {
                throw CheckpointError("vocabulary has \(vocab.count) entries, preset \(preset.name) needs \(preset.vocab)")
            }
            try (vocab.joined(separator: "\n") + "\n").write(to: staging.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
            try #"{"do_lower_case": true, "tokenize_chinese_chars": true, "strip_accents": null}"#
                .write(to: staging.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
            try config(preset, seed: seed).write(to: staging.appendingPathComponent("config.json"))
            progress?("generating \(parameterCount(preset)) parameters")
            try tensors(preset, seed: seed).write(to: staging.appendingPathComponent("model.safetensors"))
        }
    }

    /// Parameters in the preset (embeddings, layers, pooler).
    public static func parameterCount(_ p: Preset) -> Int {
        let h = p.hidden, i = p.intermediate
        let embeddings = (p.vocab + p.positions + (p.modelType == .bert ? 2 : 0)) * h + 2 * h
        let layer = 4 * (h * h + h) + 2 * h * i + i + h + 4 * h
        return embeddings + p.layers * layer + (p.modelType == .bert ? h * h + h : 0)
    }

    static func config(_ p: Preset, seed: UInt64) throws -> Data {
        var json: [String: Any] = ["vocab_size": p.vocab, "max_position_embeddings": p.positions, "model_type": p.modelType.rawValue,
                                   "synthetic": ["preset": p.name, "seed": seed, "note": "random weights: for latency, not accuracy"]]
        switch p.modelType {
        case .bert:
            json.merge(["architectures": ["BertModel"], "hidden_size": p.hidden, "num_hidden_layers": p.layers,
                        "num_attention_heads": p.heads, "intermediate_size": p.intermediate, "type_vocab_size": 2,
                        "layer_norm_eps": 1e-12, "hidden_act": "gelu", "pad_token_id": 0]) { $1 }
        case .distilbert:
            json.merge(["architectures": ["DistilBertModel"], "dim": p.hidden, "n_layers": p.layers, "n_heads": p.heads,
                        "hidden_dim": p.intermediate, "activation": "gelu", "pad_token_id": 0]) { $1 }
        }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }

    static func tensors(_ p: Preset, seed: UInt64) -> SafeTensorsWriter {
        var rng = SeededRandom(seed: seed)
        var writer = SafeTensorsWriter()
        let h = p.hidden
        func normal(_ n: Int) -> [Float] { rng.normals(n, standardDeviation: 0.02) }
        func linear(_ name: String, out: Int, in inFeatures: Int) {
            writer.add(name + ".weight", floats: normal(out * inFeatures), shape: [out, inFeatures])
            writer.add(name + ".bias", floats: normal(out), shape: [out])
        }
        func norm(_ name: String) {
            writer.add(name + ".weight", floats: [Float](repeating: 1, count: h), shape: [h])
            writer.add(name + ".bias", floats: [Float](repeating: 0, count: h), shape: [h])
        }
        writer.add("embeddings.word_embeddings.weight", floats: normal(p.vocab * h), shape: [p.vocab, h])
        writer.add("embeddings.position_embeddings.weight", floats: normal(p.positions * h), shape: [p.positions, h])
        norm("embeddings.LayerNorm")
        switch p.modelType {
        case .bert:
            writer.add("embeddings.token_type_embeddings.weight", floats: normal(2 * h), shape: [2, h])
            for l in 0..<p.layers {
                let prefix = "encoder.layer.\(l)."
                for part in ["query", "key", "value"] { linear(prefix + "attention.self." + part, out: h, in: h) }
                linear(prefix + "attention.output.dense", out: h, in: h)
                norm(prefix + "attention.output.LayerNorm")
                linear(prefix + "intermediate.dense", out: p.intermediate, in: h)
                linear(prefix + "output.dense", out: h, in: p.intermediate)
                norm(prefix + "output.LayerNorm")
            }
            linear("pooler.dense", out: h, in: h)
        case .distilbert:
            for l in 0..<p.layers {
                let prefix = "transformer.layer.\(l)."
                for part in ["q_lin", "k_lin", "v_lin", "out_lin"] { linear(prefix + "attention." + part, out: h, in: h) }
                norm(prefix + "sa_layer_norm")
                linear(prefix + "ffn.lin1", out: p.intermediate, in: h)
                linear(prefix + "ffn.lin2", out: h, in: p.intermediate)
                norm(prefix + "output_layer_norm")
            }
        }
        writer.metadata = ["format": "pt", "synthetic": "bertbench synth --preset \(p.name) --seed \(seed)"]
        return writer
    }

    /// [PAD], [unused0..99], [UNK], [CLS], [SEP], [MASK] as in BERT, then printable ASCII and
    /// their ## forms, then filler entries up to `size`.
    public static func generatedVocabulary(size: Int) -> [String] {
        var v = ["[PAD]"] + (0..<99).map { "[unused\($0)]" } + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        let ascii = (33...126).map { String(UnicodeScalar(UInt8($0))) }
        v += ascii + ascii.map { "##" + $0 }
        var n = 0
        while v.count < size { v.append("[filler\(n)]"); n += 1 }
        return Array(v.prefix(size))
    }
}
