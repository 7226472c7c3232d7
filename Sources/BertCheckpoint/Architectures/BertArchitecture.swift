/// Google's BERT as Hugging Face writes it: BertModel keys (`encoder.layer.N.attention.self.query`, ...),
/// a pooler, and BertForSequenceClassification's head classifier(tanh(pooler([CLS]))).
public struct BertArchitecture: EncoderArchitecture {
    /// The family has no settings: one value describes every BERT checkpoint.
    public init() {}

    public var name: String { "bert" }
    public var displayName: String { "BERT" }
    public var modelTypes: [String] { ["bert"] }
    public var taskPrefix: String { "bert." }
    public var configFields: ConfigFields {
        ConfigFields(hiddenSize: "hidden_size", layerCount: "num_hidden_layers", headCount: "num_attention_heads",
                     intermediateSize: "intermediate_size", activation: "hidden_act", typeVocabSize: "type_vocab_size")
    }

    public func layout(layers count: Int, prefix: String, pooler: Bool, head: Bool) -> TensorLayout {
        let layers = (0..<count).map { i -> LayerNames in
            let l = "\(prefix)encoder.layer.\(i)."
            return LayerNames(query: LinearNames(l + "attention.self.query"), key: LinearNames(l + "attention.self.key"),
                              value: LinearNames(l + "attention.self.value"), attentionOutput: LinearNames(l + "attention.output.dense"),
                              attentionNorm: NormNames(l + "attention.output.LayerNorm"), intermediate: LinearNames(l + "intermediate.dense"),
                              output: LinearNames(l + "output.dense"), outputNorm: NormNames(l + "output.LayerNorm"))
        }
        let poolerNames = LinearNames(prefix + "pooler.dense")
        return TensorLayout(wordEmbeddings: prefix + "embeddings.word_embeddings.weight",
                            positionEmbeddings: prefix + "embeddings.position_embeddings.weight",
                            tokenTypeEmbeddings: prefix + "embeddings.token_type_embeddings.weight",
                            embeddingNorm: NormNames(prefix + "embeddings.LayerNorm"), layers: layers,
                            pooler: pooler ? poolerNames : nil,
                            head: head ? HeadNames(first: poolerNames, activation: .tanh, classifier: LinearNames("classifier")) : nil)
    }

    public func syntheticConfig(hidden: Int, layers: Int, heads: Int, intermediate: Int) -> [String: Any] {
        ["architectures": ["BertModel"], "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
         "intermediate_size": intermediate, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu", "pad_token_id": 0]
    }
}
