/// Hugging Face's DistilBERT: `transformer.layer.N.attention.q_lin` keys, no token types and no
/// pooler, and DistilBertForSequenceClassification's head classifier(relu(pre_classifier([CLS]))).
public struct DistilBertArchitecture: EncoderArchitecture {
    /// The family has no settings: one value describes every DistilBERT checkpoint.
    public init() {}

    public var name: String { "distilbert" }
    public var displayName: String { "DistilBERT" }
    public var modelTypes: [String] { ["distilbert"] }
    public var taskPrefix: String { "distilbert." }
    public var configFields: ConfigFields {
        ConfigFields(hiddenSize: "dim", layerCount: "n_layers", headCount: "n_heads", intermediateSize: "hidden_dim",
                     activation: "activation", typeVocabSize: nil)
    }

    /// DistilBERT has no pooler, so `pooler` changes nothing.
    public func layout(layers count: Int, prefix: String, pooler: Bool, head: Bool) -> TensorLayout {
        let layers = (0..<count).map { i -> LayerNames in
            let l = "\(prefix)transformer.layer.\(i)."
            return LayerNames(query: LinearNames(l + "attention.q_lin"), key: LinearNames(l + "attention.k_lin"),
                              value: LinearNames(l + "attention.v_lin"), attentionOutput: LinearNames(l + "attention.out_lin"),
                              attentionNorm: NormNames(l + "sa_layer_norm"), intermediate: LinearNames(l + "ffn.lin1"),
                              output: LinearNames(l + "ffn.lin2"), outputNorm: NormNames(l + "output_layer_norm"))
        }
        let headNames = HeadNames(first: LinearNames("pre_classifier"), activation: .relu, classifier: LinearNames("classifier"))
        return TensorLayout(wordEmbeddings: prefix + "embeddings.word_embeddings.weight",
                            positionEmbeddings: prefix + "embeddings.position_embeddings.weight", tokenTypeEmbeddings: nil,
                            embeddingNorm: NormNames(prefix + "embeddings.LayerNorm"), layers: layers, pooler: nil,
                            head: head ? headNames : nil)
    }

    public func syntheticConfig(hidden: Int, layers: Int, heads: Int, intermediate: Int) -> [String: Any] {
        ["architectures": ["DistilBertModel"], "dim": hidden, "n_layers": layers, "n_heads": heads,
         "hidden_dim": intermediate, "activation": "gelu", "pad_token_id": 0]
    }
}
