/// The file keys of one Linear layer (weight [out, in], bias [out], and for int8 its scales).
public struct LinearNames: Sendable, Equatable {
    public let weight: String
    public let bias: String
    public var scale: String { weight + "_scale" }
    init(_ module: String) {
        weight = module + ".weight"
        bias = module + ".bias"
    }
}

/// The file keys of one LayerNorm.
public struct NormNames: Sendable, Equatable {
    public let weight: String
    public let bias: String
    init(_ module: String) {
        weight = module + ".weight"
        bias = module + ".bias"
    }
}

/// One transformer block's keys.
public struct LayerNames: Sendable, Equatable {
    public let query, key, value, attentionOutput: LinearNames
    public let attentionNorm: NormNames
    public let intermediate, output: LinearNames
    public let outputNorm: NormNames
}

/// Where each of the engine's weights lives in a checkpoint file: Hugging Face's BertModel and
/// BertForSequenceClassification (keys with or without `bert.`), and DistilBERT (with or
/// without `distilbert.`), mapped to one set of roles.
public struct TensorLayout: Sendable, Equatable {
    public let wordEmbeddings: String
    public let positionEmbeddings: String
    public let tokenTypeEmbeddings: String?
    public let embeddingNorm: NormNames
    public let layers: [LayerNames]
    public let pooler: LinearNames?
    public let preClassifier: LinearNames?
    public let classifier: LinearNames?

    /// The layout of a file whose keys are `keys`, for `config`; errors name what is missing.
    public static func detect(keys: Set<String>, config: BertConfig, path: String) throws -> TensorLayout {
        switch config.modelType {
        case .bert:
            guard let prefix = ["", "bert."].first(where: { keys.contains($0 + "embeddings.word_embeddings.weight") }) else {
                throw CheckpointError("\(path): no embeddings.word_embeddings.weight (with or without the bert. prefix): not a BERT checkpoint")
            }
            let layers = (0..<config.layerCount).map { i -> LayerNames in
                let l = "\(prefix)encoder.layer.\(i)."
                return LayerNames(query: LinearNames(l + "attention.self.query"), key: LinearNames(l + "attention.self.key"),
                                  value: LinearNames(l + "attention.self.value"), attentionOutput: LinearNames(l + "attention.output.dense"),
                                  attentionNorm: NormNames(l + "attention.output.LayerNorm"), intermediate: LinearNames(l + "intermediate.dense"),
                                  output: LinearNames(l + "output.dense"), outputNorm: NormNames(l + "output.LayerNorm"))
            }
            let pooler = LinearNames(prefix + "pooler.dense")
            let classifier = LinearNames("classifier")
            return TensorLayout(wordEmbeddings: prefix + "embeddings.word_embeddings.weight",
                                positionEmbeddings: prefix + "embeddings.position_embeddings.weight",
                                tokenTypeEmbeddings: prefix + "embeddings.token_type_embeddings.weight",
                                embeddingNorm: NormNames(prefix + "embeddings.LayerNorm"), layers: layers,
                                pooler: keys.contains(pooler.weight) ? pooler : nil, preClassifier: nil,
                                classifier: keys.contains(classifier.weight) ? classifier : nil)
        case .distilbert:
            guard let prefix = ["", "distilbert."].first(where: { keys.contains($0 + "embeddings.word_embeddings.weight") }) else {
                throw CheckpointError("\(path): no embeddings.word_embeddings.weight (with or without the distilbert. prefix): not a DistilBERT checkpoint")
            }
            let layers = (0..<config.layerCount).map { i -> LayerNames in
                let l = "\(prefix)transformer.layer.\(i)."
                return LayerNames(query: LinearNames(l + "attention.q_lin"), key: LinearNames(l + "attention.k_lin"),
                                  value: LinearNames(l + "attention.v_lin"), attentionOutput: LinearNames(l + "attention.out_lin"),
                                  attentionNorm: NormNames(l + "sa_layer_norm"), intermediate: LinearNames(l + "ffn.lin1"),
                                  output: LinearNames(l + "ffn.lin2"), outputNorm: NormNames(l + "output_layer_norm"))
            }
            let pre = LinearNames("pre_classifier"), classifier = LinearNames("classifier")
            let hasHead = keys.contains(pre.weight) && keys.contains(classifier.weight)
            return TensorLayout(wordEmbeddings: prefix + "embeddings.word_embeddings.weight",
                                positionEmbeddings: prefix + "embeddings.position_embeddings.weight", tokenTypeEmbeddings: nil,
                                embeddingNorm: NormNames(prefix + "embeddings.LayerNorm"), layers: layers, pooler: nil,
                                preClassifier: hasHead ? pre : nil, classifier: hasHead ? classifier : nil)
        }
    }
}
