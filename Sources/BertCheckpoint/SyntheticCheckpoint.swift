import Foundation
import Support

/// Random-initialised checkpoints with the shapes of well-known models, written in the same
/// format the loader reads, for latency work where the real weights are not at hand.
/// Weights are normal(0, 0.02) as in BERT's initialisation, LayerNorm weight 1 and bias 0,
/// biases normal(0, 0.02) so tests see them; all drawn from SeededRandom (SplitMix64) seeded by `seed`.
public enum SyntheticCheckpoint {
    /// A named shape of one family.
    public struct Preset: Sendable {
        public let name: String
        public let architecture: any EncoderArchitecture
        public let layers, hidden, heads, intermediate, vocab, positions: Int
    }

    /// The shapes `bertbench synth` knows, by name.
    public static let presets: [Preset] = [
        Preset(name: "bert-large", architecture: BertArchitecture(), layers: 24, hidden: 1024, heads: 16, intermediate: 4096,
               vocab: 30522, positions: 512),
        Preset(name: "bert-base", architecture: BertArchitecture(), layers: 12, hidden: 768, heads: 12, intermediate: 3072,
               vocab: 30522, positions: 512),
        Preset(name: "tiny", architecture: BertArchitecture(), layers: 2, hidden: 32, heads: 4, intermediate: 64, vocab: 1000, positions: 64),
        Preset(name: "distilbert-base", architecture: DistilBertArchitecture(), layers: 6, hidden: 768, heads: 12, intermediate: 3072,
               vocab: 30522, positions: 512),
        Preset(name: "distilbert-tiny", architecture: DistilBertArchitecture(), layers: 2, hidden: 32, heads: 4, intermediate: 64,
               vocab: 1000, positions: 64),
        Preset(name: "mpnet-base", architecture: MPNetArchitecture(), layers: 12, hidden: 768, heads: 12, intermediate: 3072,
               vocab: 30527, positions: 514),
        Preset(name: "mpnet-tiny", architecture: MPNetArchitecture(), layers: 2, hidden: 32, heads: 4, intermediate: 64,
               vocab: 1000, positions: 66),
    ]

    /// The preset called `name`; the error lists the presets there are.
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

    /// Parameters in the preset (embeddings, layers, pooler where the family has one).
    public static func parameterCount(_ p: Preset) -> Int {
        let layout = p.architecture.layout(layers: p.layers, prefix: "", pooler: true, head: false)
        let h = p.hidden, i = p.intermediate
        let embeddings = (p.vocab + p.positions + typeRows(p)) * h + 2 * h
        let layer = 4 * (h * h + h) + 2 * h * i + i + h + 4 * h
        return embeddings + p.layers * layer + (layout.pooler == nil ? 0 : h * h + h) + relativeBuckets(p) * p.heads
    }

    /// Buckets of the family's relative-position bias table (0 for absolute positions only).
    private static func relativeBuckets(_ p: Preset) -> Int {
        guard let fields = p.architecture.relativeAttention else { return 0 }
        let config = p.architecture.syntheticConfig(hidden: p.hidden, layers: p.layers, heads: p.heads, intermediate: p.intermediate)
        return config[fields.bucketCount] as? Int ?? fields.defaultBucketCount
    }

    static func config(_ p: Preset, seed: UInt64) throws -> Data {
        var json: [String: Any] = ["vocab_size": p.vocab, "max_position_embeddings": p.positions, "model_type": p.architecture.name,
                                   "synthetic": ["preset": p.name, "seed": seed, "note": "random weights: for latency, not accuracy"]]
        json.merge(p.architecture.syntheticConfig(hidden: p.hidden, layers: p.layers, heads: p.heads, intermediate: p.intermediate)) { $1 }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }

    /// Token-type rows the preset's config declares (0 for families without token types; the
    /// loader's default of 2 when the config names none).
    private static func typeRows(_ p: Preset) -> Int {
        guard let key = p.architecture.configFields.typeVocabSize else { return 0 }
        return p.architecture.syntheticConfig(hidden: p.hidden, layers: p.layers, heads: p.heads, intermediate: p.intermediate)[key] as? Int ?? 2
    }

    /// Every tensor in file order: embeddings, token types, blocks, relative bias, pooler. The random draws
    /// follow that order, so a seed gives the same bytes on every run.
    static func tensors(_ p: Preset, seed: UInt64) -> SafeTensorsWriter {
        var rng = SeededRandom(seed: seed)
        var writer = SafeTensorsWriter()
        let h = p.hidden
        let layout = p.architecture.layout(layers: p.layers, prefix: "", pooler: true, head: false)
        func normal(_ n: Int) -> [Float] { rng.normals(n, standardDeviation: 0.02) }
        func linear(_ names: LinearNames, out: Int, in inFeatures: Int) {
            writer.add(names.weight, floats: normal(out * inFeatures), shape: [out, inFeatures])
            writer.add(names.bias, floats: normal(out), shape: [out])
        }
        func norm(_ names: NormNames) {
            writer.add(names.weight, floats: [Float](repeating: 1, count: h), shape: [h])
            writer.add(names.bias, floats: [Float](repeating: 0, count: h), shape: [h])
        }
        writer.add(layout.wordEmbeddings, floats: normal(p.vocab * h), shape: [p.vocab, h])
        writer.add(layout.positionEmbeddings, floats: normal(p.positions * h), shape: [p.positions, h])
        norm(layout.embeddingNorm)
        if let name = layout.tokenTypeEmbeddings {
            writer.add(name, floats: normal(typeRows(p) * h), shape: [typeRows(p), h])
        }
        for names in layout.layers {
            for attention in [names.query, names.key, names.value, names.attentionOutput] { linear(attention, out: h, in: h) }
            norm(names.attentionNorm)
            linear(names.intermediate, out: p.intermediate, in: h)
            linear(names.output, out: h, in: p.intermediate)
            norm(names.outputNorm)
        }
        if let name = layout.relativeAttentionBias, relativeBuckets(p) > 0 {
            writer.add(name, floats: normal(relativeBuckets(p) * p.heads), shape: [relativeBuckets(p), p.heads])
        }
        if let pooler = layout.pooler { linear(pooler, out: h, in: h) }
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
