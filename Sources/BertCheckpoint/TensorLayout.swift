/// The file keys of one Linear layer (weight [out, in], bias [out], and for int8 its scales).
public struct LinearNames: Sendable, Equatable {
    public let weight: String
    public let bias: String
    public var scale: String { weight + "_scale" }
    /// SmoothQuant's per-input-channel factors of an int8 weight (absent elsewhere).
    public var smoothing: String { weight + "_smoothing" }
    /// The input channels an int8 weight computes in fp32 (I32 [n]; absent elsewhere).
    public var outlierColumns: String { weight + "_outlier_columns" }
    /// Those channels' weight columns (F32 [out, n]).
    public var outlierWeight: String { weight + "_outlier_weight" }
    /// The keys of the Linear module `module` (e.g. "encoder.layer.0.attention.self.query").
    public init(_ module: String) {
        weight = module + ".weight"
        bias = module + ".bias"
    }
}

/// The file keys of one LayerNorm.
public struct NormNames: Sendable, Equatable {
    public let weight: String
    public let bias: String
    /// The keys of the LayerNorm module `module`.
    public init(_ module: String) {
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

    /// Names every role of a block.
    public init(query: LinearNames, key: LinearNames, value: LinearNames, attentionOutput: LinearNames, attentionNorm: NormNames,
                intermediate: LinearNames, output: LinearNames, outputNorm: NormNames) {
        self.query = query
        self.key = key
        self.value = value
        self.attentionOutput = attentionOutput
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
    }
}

/// The nonlinearity between a classifier head's two Linear layers.
public enum HeadActivation: String, Sendable, Equatable {
    /// BERT's pooler.
    case tanh
    /// DistilBERT's pre-classifier.
    case relu
}

/// The keys of a sequence-classification head: logits = classifier(activation(first([CLS]))).
public struct HeadNames: Sendable, Equatable {
    /// The first Linear (hidden -> hidden); in families whose pooler feeds the head it is the pooler.
    public let first: LinearNames
    public let activation: HeadActivation
    public let classifier: LinearNames

    /// Names a head's two Linear layers and the activation between them.
    public init(first: LinearNames, activation: HeadActivation, classifier: LinearNames) {
        self.first = first
        self.activation = activation
        self.classifier = classifier
    }
}

/// Where each of the engine's weights lives in a checkpoint file, mapped to one set of roles
/// whatever the family (the family's `EncoderArchitecture` supplies the names).
public struct TensorLayout: Sendable, Equatable {
    public let wordEmbeddings: String
    public let positionEmbeddings: String
    /// Nil for families without token types.
    public let tokenTypeEmbeddings: String?
    public let embeddingNorm: NormNames
    public let layers: [LayerNames]
    /// The pooler (dense + tanh over [CLS]) of families that have one, when the file keeps it.
    public let pooler: LinearNames?
    /// The classifier head, when the file has one.
    public let head: HeadNames?
    /// The relative-position bias table [buckets, heads] shared by every layer (MPNet), or nil.
    public let relativeAttentionBias: String?

    /// Names every role; an architecture builds its layout with this.
    public init(wordEmbeddings: String, positionEmbeddings: String, tokenTypeEmbeddings: String?, embeddingNorm: NormNames,
                layers: [LayerNames], pooler: LinearNames?, head: HeadNames?, relativeAttentionBias: String? = nil) {
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingNorm = embeddingNorm
        self.layers = layers
        self.pooler = pooler
        self.head = head
        self.relativeAttentionBias = relativeAttentionBias
    }

    /// The layout of a file whose keys are `keys`, for `config`: the encoder's keys with or without
    /// the family's task prefix; pooler and head when present. Errors name what is missing.
    public static func detect(keys: Set<String>, config: BertConfig, path: String) throws -> TensorLayout {
        let architecture = config.architecture, count = config.layerCount
        let candidates = ["", architecture.taskPrefix].map { architecture.layout(layers: count, prefix: $0, pooler: true, head: true) }
        guard let full = candidates.first(where: { keys.contains($0.wordEmbeddings) }) else {
            throw CheckpointError("\(path): no \(candidates[0].wordEmbeddings) (with or without the \(architecture.taskPrefix) prefix): "
                                  + "not a \(architecture.displayName) checkpoint")
        }
        let pooler = full.pooler.flatMap { keys.contains($0.weight) ? $0 : nil }
        var head: HeadNames? = nil
        if let names = full.head, keys.contains(names.classifier.weight) {
            guard keys.contains(names.first.weight) else {
                throw CheckpointError("\(path): has \(names.classifier.weight) but no \(names.first.weight) to feed it")
            }
            head = names
        }
        return TensorLayout(wordEmbeddings: full.wordEmbeddings, positionEmbeddings: full.positionEmbeddings,
                            tokenTypeEmbeddings: full.tokenTypeEmbeddings, embeddingNorm: full.embeddingNorm, layers: full.layers,
                            pooler: pooler, head: head, relativeAttentionBias: full.relativeAttentionBias)
    }
}
