import BertCheckpoint

/// A test-only family: BERT's computation under other config fields and keys
/// (`blocks.N.attn.q.weight`, ...), to prove that a new family is one type plus one registration.
struct ToyBertArchitecture: EncoderArchitecture {
    var name: String { "toybert" }
    var displayName: String { "ToyBERT" }
    var modelTypes: [String] { ["toybert"] }
    var taskPrefix: String { "toy." }
    var configFields: ConfigFields {
        ConfigFields(hiddenSize: "width", layerCount: "depth", headCount: "n_attn_heads", intermediateSize: "ffn_width",
                     activation: "act", typeVocabSize: "n_segments")
    }

    func layout(layers count: Int, prefix: String, pooler: Bool, head: Bool) -> TensorLayout {
        let layers = (0..<count).map { i -> LayerNames in
            let b = "\(prefix)blocks.\(i)."
            return LayerNames(query: LinearNames(b + "attn.q"), key: LinearNames(b + "attn.k"), value: LinearNames(b + "attn.v"),
                              attentionOutput: LinearNames(b + "attn.o"), attentionNorm: NormNames(b + "attn_norm"),
                              intermediate: LinearNames(b + "mlp.up"), output: LinearNames(b + "mlp.down"), outputNorm: NormNames(b + "mlp_norm"))
        }
        let poolerNames = LinearNames(prefix + "pool.proj")
        return TensorLayout(wordEmbeddings: prefix + "tok_embed.weight", positionEmbeddings: prefix + "pos_embed.weight",
                            tokenTypeEmbeddings: prefix + "seg_embed.weight", embeddingNorm: NormNames(prefix + "embed_norm"),
                            layers: layers, pooler: pooler ? poolerNames : nil,
                            head: head ? HeadNames(first: poolerNames, activation: .tanh, classifier: LinearNames("cls_head")) : nil)
    }

    func syntheticConfig(hidden: Int, layers: Int, heads: Int, intermediate: Int) -> [String: Any] {
        ["width": hidden, "depth": layers, "n_attn_heads": heads, "ffn_width": intermediate, "n_segments": 2, "act": "gelu"]
    }
}
