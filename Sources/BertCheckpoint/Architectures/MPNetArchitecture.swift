/// Microsoft's MPNet as Hugging Face writes it (all-mpnet-base-v2): `encoder.layer.N.attention.attn.{q,k,v,o}`
/// keys, no token types, RoBERTa-style positions (the index after the padding id), one bucketed
/// relative-position bias shared by every layer, and MPNetForSequenceClassification's head
/// out_proj(tanh(dense(<s>))).
public struct MPNetArchitecture: EncoderArchitecture {
    /// The family has no settings: one value describes every MPNet checkpoint.
    public init() {}

    public var name: String { "mpnet" }
    public var displayName: String { "MPNet" }
    public var modelTypes: [String] { ["mpnet"] }
    public var taskPrefix: String { "mpnet." }
    public var configFields: ConfigFields {
        ConfigFields(hiddenSize: "hidden_size", layerCount: "num_hidden_layers", headCount: "num_attention_heads",
                     intermediateSize: "intermediate_size", activation: "hidden_act", typeVocabSize: nil)
    }

    /// Hugging Face's MPNetAttention buckets relative distances with max_distance 128 (fixed in its code).
    public var relativeAttention: RelativeAttentionFields? {
        RelativeAttentionFields(bucketCount: "relative_attention_num_buckets", defaultBucketCount: 32, maxDistance: 128)
    }

    /// MPNetEmbeddings numbers real tokens from pad_token_id + 1 (create_position_ids_from_input_ids).
    public func positionOffset(padTokenID: Int?) -> Int { (padTokenID ?? 1) + 1 }

    public func layout(layers count: Int, prefix: String, pooler: Bool, head: Bool) -> TensorLayout {
        let layers = (0..<count).map { i -> LayerNames in
            let l = "\(prefix)encoder.layer.\(i)."
            return LayerNames(query: LinearNames(l + "attention.attn.q"), key: LinearNames(l + "attention.attn.k"),
                              value: LinearNames(l + "attention.attn.v"), attentionOutput: LinearNames(l + "attention.attn.o"),
                              attentionNorm: NormNames(l + "attention.LayerNorm"), intermediate: LinearNames(l + "intermediate.dense"),
                              output: LinearNames(l + "output.dense"), outputNorm: NormNames(l + "output.LayerNorm"))
        }
        let headNames = HeadNames(first: LinearNames("classifier.dense"), activation: .tanh, classifier: LinearNames("classifier.out_proj"))
        return TensorLayout(wordEmbeddings: prefix + "embeddings.word_embeddings.weight",
                            positionEmbeddings: prefix + "embeddings.position_embeddings.weight", tokenTypeEmbeddings: nil,
                            embeddingNorm: NormNames(prefix + "embeddings.LayerNorm"), layers: layers,
                            pooler: pooler ? LinearNames(prefix + "pooler.dense") : nil, head: head ? headNames : nil,
                            relativeAttentionBias: prefix + "encoder.relative_attention_bias.weight")
    }

    public func syntheticConfig(hidden: Int, layers: Int, heads: Int, intermediate: Int) -> [String: Any] {
        ["architectures": ["MPNetModel"], "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
         "intermediate_size": intermediate, "layer_norm_eps": 1e-5, "hidden_act": "gelu", "pad_token_id": 1,
         "relative_attention_num_buckets": 32]
    }
}
