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
        let family = config.modelType == .bert ? "bert." : "distilbert."
        guard let prefix = ["", family].first(where: { keys.contains($0 + "embeddings.word_embeddings.weight") }) else {
            throw CheckpointError("\(path): no embeddings.word_embeddings.weight (with or without the \(family) prefix): not a \(config.modelType == .bert ? "BERT" : "DistilBERT") checkpoint")
        }
        let full = standard(config.modelType, layers: config.layerCount, prefix: prefix, pooler: true, head: true)
        let pooler = full.pooler.flatMap { keys.contains($0.weight) ? $0 : nil }
        let hasHead = keys.contains(full.classifier!.weight) && (full.preClassifier.map { keys.contains($0.weight) } ?? true)
        return TensorLayout(wordEmbeddings: full.wordEmbeddings, positionEmbeddings: full.positionEmbeddings,
                            tokenTypeEmbeddings: full.tokenTypeEmbeddings, embeddingNorm: full.embeddingNorm, layers: full.layers,
                            pooler: pooler, preClassifier: hasHead ? full.preClassifier : nil, classifier: hasHead ? full.classifier : nil)
    }

    /// Hugging Face's key names for a model type, with `prefix` (e.g. "bert.") on the encoder's
    /// keys; the pooler (BERT only) and the classifier head are included when asked for.
    public static func standard(_ modelType: BertConfig.ModelType, layers count: Int, prefix: String = "",
                                pooler: Bool, head: Bool) -> TensorLayout {
        switch modelType {
        case .bert:
            let layers = (0..<count).map { i -> LayerNames in
                let l = "\(prefix)encoder.layer.\(i)."
                return LayerNames(query: LinearNames(l + "attention.self.query"), key: LinearNames(l + "attention.self.key"),
                                  value: LinearNames(l + "attention.self.value"), attentionOutput: LinearNames(l + "attention.output.dense"),
                                  attentionNorm: NormNames(l + "attention.output.LayerNorm"), intermediate: LinearNames(l + "intermediate.dense"),
                                  output: LinearNames(l + "output.dense"), outputNorm: NormNames(l + "output.LayerNorm"))
            }
            return TensorLayout(wordEmbeddings: prefix + "embeddings.word_embeddings.weight",
                                positionEmbeddings: prefix + "embeddings.position_embeddings.weight",
                                tokenTypeEmbeddings: prefix + "embeddings.token_type_embeddings.weight",
                                embeddingNorm: NormNames(prefix + "embeddings.LayerNorm"), layers: layers,
                                pooler: pooler ? LinearNames(prefix + "pooler.dense") : nil, preClassifier: nil,
                                classifier: head ? LinearNames("classifier") : nil)
        case .distilbert:
            let layers = (0..<count).map { i -> LayerNames in
                let l = "\(prefix)transformer.layer.\(i)."
                return LayerNames(query: LinearNames(l + "attention.q_lin"), key: LinearNames(l + "attention.k_lin"),
                                  value: LinearNames(l + "attention.v_lin"), attentionOutput: LinearNames(l + "attention.out_lin"),
                                  attentionNorm: NormNames(l + "sa_layer_norm"), intermediate: LinearNames(l + "ffn.lin1"),
                                  output: LinearNames(l + "ffn.lin2"), outputNorm: NormNames(l + "output_layer_norm"))
            }
            return TensorLayout(wordEmbeddings: prefix + "embeddings.word_embeddings.weight",
                                positionEmbeddings: prefix + "embeddings.position_embeddings.weight", tokenTypeEmbeddings: nil,
                                embeddingNorm: NormNames(prefix + "embeddings.LayerNorm"), layers: layers, pooler: nil,
                                preClassifier: head ? LinearNames("pre_classifier") : nil, classifier: head ? LinearNames("classifier") : nil)
        }
    }
}
