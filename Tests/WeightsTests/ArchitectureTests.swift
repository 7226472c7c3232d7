import BertCheckpoint
import BertCompression
import EncoderWeights
import Foundation
import Support
import Testing

/// BERT's key for each ToyBERT key, written out by hand so a wrong ToyBERT layout cannot pass.
func toyKey(_ bertKey: String) -> String {
    let fixed = ["embeddings.word_embeddings.weight": "tok_embed.weight", "embeddings.position_embeddings.weight": "pos_embed.weight",
                 "embeddings.token_type_embeddings.weight": "seg_embed.weight", "embeddings.LayerNorm.weight": "embed_norm.weight",
                 "embeddings.LayerNorm.bias": "embed_norm.bias", "pooler.dense.weight": "pool.proj.weight", "pooler.dense.bias": "pool.proj.bias",
                 "classifier.weight": "cls_head.weight", "classifier.bias": "cls_head.bias"]
    if let key = fixed[bertKey] { return key }
    let modules = ["attention.self.query": "attn.q", "attention.self.key": "attn.k", "attention.self.value": "attn.v",
                   "attention.output.dense": "attn.o", "attention.output.LayerNorm": "attn_norm", "intermediate.dense": "mlp.up",
                   "output.dense": "mlp.down", "output.LayerNorm": "mlp_norm"]
    let parts = bertKey.split(separator: ".").map(String.init)  // encoder.layer.N.<module...>.<weight|bias>
    precondition(parts.count > 4 && parts[0] == "encoder" && parts[1] == "layer", "unexpected key \(bertKey)")
    let module = parts[3..<(parts.count - 1)].joined(separator: ".")
    return "blocks.\(parts[2]).\(modules[module]!).\(parts.last!)"
}

/// BERT's config.json fields under ToyBERT's names.
func toyConfig(_ json: [String: JSONValue]) -> [String: JSONValue] {
    let names = ["hidden_size": "width", "num_hidden_layers": "depth", "num_attention_heads": "n_attn_heads",
                 "intermediate_size": "ffn_width", "hidden_act": "act", "type_vocab_size": "n_segments"]
    var out: [String: JSONValue] = [:]
    for (key, value) in json { out[names[key] ?? key] = value }
    out["model_type"] = .string("toybert")
    return out
}

@Suite struct Architectures {
    /// A BERT checkpoint with a 3-class head, and the same tensors under ToyBERT's keys and fields.
    func bertAndToy() throws -> (bert: URL, toy: URL) {
        ArchitectureRegistry.register(ToyBertArchitecture())
        let base = try scratch()
        let plain = try synthetic("tiny", seed: 31, in: base)
        let bert = base.appendingPathComponent("bert"), toy = base.appendingPathComponent("toy")
        var rng = SeededRandom(seed: 32)
        let w = rng.normals(3 * 32, standardDeviation: 0.5), b = rng.normals(3, standardDeviation: 0.5)
        func head(_ rename: @escaping (String) -> String) -> (inout SafeTensorsWriter) -> Void {
            { writer in
                writer.add(rename("classifier.weight"), floats: w, shape: [3, 32])
                writer.add(rename("classifier.bias"), floats: b, shape: [3])
            }
        }
        try rewrite(plain, to: bert, key: { $0 }, config: { $0 }, extra: head { $0 })
        try rewrite(plain, to: toy, key: toyKey, config: toyConfig, extra: head(toyKey))
        return (bert, toy)
    }

    @Test func registeredFamilyLoadsRenamedKeysAsTheSameWeights() throws {
        let (bertURL, toyURL) = try bertAndToy()
        let bert = try Checkpoint(directory: bertURL), toy = try Checkpoint(directory: toyURL)
        #expect(toy.config.architecture.name == "toybert" && bert.config.architecture.name == "bert")
        #expect(toy.layout.layers[1].query.weight == "blocks.1.attn.q.weight")
        #expect(toy.layout.head?.classifier.weight == "cls_head.weight")
        for (a, b) in [(toy.config.hiddenSize, bert.config.hiddenSize), (toy.config.layerCount, bert.config.layerCount),
                       (toy.config.headCount, bert.config.headCount), (toy.config.intermediateSize, bert.config.intermediateSize),
                       (toy.config.typeVocabSize, bert.config.typeVocabSize)] {
            #expect(a == b)
        }
        let toyWeights = try HostEncoderWeights(checkpoint: toy), bertWeights = try HostEncoderWeights(checkpoint: bert)
        #expect(toyWeights.head?.classifier.outFeatures == 3 && toyWeights.head?.activation == .tanh)
        #expect(toyWeights == bertWeights)
    }

    @Test func compressingARegisteredFamilyKeepsItsKeysAndFields() throws {
        let (bertURL, toyURL) = try bertAndToy()
        let out = try scratch()
        let toyDropped = out.appendingPathComponent("toy"), bertDropped = out.appendingPathComponent("bert")
        try Compressor.compress(source: toyURL, target: toyDropped, method: .dropLayers(keep: [1]))
        try Compressor.compress(source: bertURL, target: bertDropped, method: .dropLayers(keep: [1]))
        let json = try configJSON(toyDropped)
        #expect(json["depth"] == .number(1) && json["num_hidden_layers"] == nil)
        let file = try SafeTensorsFile(url: toyDropped.appendingPathComponent("model.safetensors"))
        #expect(file.tensorNames.contains("blocks.0.attn.q.weight") && !file.tensorNames.contains("blocks.1.attn.q.weight"))
        #expect(file.tensorNames.contains("pool.proj.weight") && file.tensorNames.contains("cls_head.weight"))
        let toy = try HostEncoderWeights(checkpoint: try Checkpoint(directory: toyDropped))
        #expect(toy == (try HostEncoderWeights(checkpoint: try Checkpoint(directory: bertDropped))))
    }

    @Test func unknownModelTypeNamesEveryRegisteredFamily() throws {
        ArchitectureRegistry.register(ToyBertArchitecture())
        let json: [String: JSONValue] = ["model_type": .string("gpt2"), "vocab_size": .number(10)]
        let error = #expect(throws: CheckpointError.self) { _ = try BertConfig(json: json, path: "x/config.json") }
        #expect(error?.description == "x/config.json: unknown model_type 'gpt2' (BertBench runs bert, distilbert, mpnet and toybert)")
    }

    @Test func classifierWithoutItsFirstLayerIsRefused() throws {
        let base = try scratch()
        let plain = try synthetic("distilbert-tiny", seed: 33, in: base), broken = base.appendingPathComponent("broken")
        try rewrite(plain, to: broken, key: { $0 }, config: { $0 }) { writer in
            writer.add("classifier.weight", floats: [Float](repeating: 0.1, count: 2 * 32), shape: [2, 32])
            writer.add("classifier.bias", floats: [0, 0], shape: [2])
        }
        let error = #expect(throws: CheckpointError.self) { _ = try Checkpoint(directory: broken) }
        #expect(error?.description.contains("has classifier.weight but no pre_classifier.weight to feed it") == true)
    }
}
