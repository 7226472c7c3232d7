import BertCheckpoint

/// The stored form of a Linear weight, in Hugging Face's [outFeatures, inFeatures] order;
/// int8 carries one scale per output row: w[o, i] = q[o, i] * scales[o]; int4 a scale and zero
/// point per output row and group of input columns (`Int4Weight`).
public typealias LinearWeight = StoredWeight

/// A Linear layer on the host in Hugging Face's layout: weight [outFeatures, inFeatures].
public struct HostLinear: Sendable, Equatable {
    public var weight: LinearWeight
    public var bias: [Float]
    public let outFeatures: Int
    public let inFeatures: Int
    /// SmoothQuant's per-input-channel factors s [inFeatures], or nil: the stored weight's columns
    /// carry s and the input is divided by s before it is quantized, so the Linear computes
    /// x · (stored / s)ᵀ; `floatWeight` returns that effective weight.
    public var inputSmoothing: [Float]? {
        didSet { precondition(inputSmoothing.map { $0.count == inFeatures } ?? true, "smoothing needs \(inFeatures) factors") }
    }

    /// Input channels computed in fp32 beside the int8 weight (mixed precision), or nil; their
    /// columns of the stored weight and of `inputSmoothing` are ignored, and `floatWeight` takes
    /// them from here.
    public var outliers: OutlierColumns? {
        didSet { precondition(outliers.map { $0.weight.count == outFeatures * $0.columns.count } ?? true, "outliers need \(outFeatures) rows") }
    }

    public init(weight: [Float], bias: [Float], outFeatures: Int, inFeatures: Int) {
        self.init(stored: .float(weight), bias: bias, outFeatures: outFeatures, inFeatures: inFeatures)
    }

    public init(stored weight: LinearWeight, bias: [Float], outFeatures: Int, inFeatures: Int) {
        switch weight {
        case .float(let w): precondition(w.count == outFeatures * inFeatures)
        case .int8(let q, let s): precondition(q.count == outFeatures * inFeatures && s.count == outFeatures)
        case .int4(let q): precondition(q.rows == outFeatures && q.cols == inFeatures)
        }
        precondition(bias.count == outFeatures)
        self.weight = weight
        self.bias = bias
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
    }

    /// The weight as fp32 [outFeatures, inFeatures], dequantizing int8 and int4.
    public var floatWeight: [Float] {
        var w: [Float]
        switch weight {
        case .float(let values): w = values
        case .int8(let q, let s): w = q.indices.map { Float(q[$0]) * s[$0 / inFeatures] }
        case .int4(let q): w = q.dequantized
        }
        if let smoothing = inputSmoothing {
            for i in w.indices { w[i] /= smoothing[i % inFeatures] }
        }
        outliers?.replace(in: &w, inFeatures: inFeatures)
        return w
    }
}

extension StoredWeight {
    /// "fp32", "int8" or "int4": for messages.
    public var kindName: String {
        switch self {
        case .float: return "fp32"
        case .int8: return "int8"
        case .int4: return "int4"
        }
    }
}

/// LayerNorm parameters.
public struct HostNorm: Sendable, Equatable {
    public var gamma: [Float]
    public var beta: [Float]
    public init(gamma: [Float], beta: [Float]) {
        precondition(gamma.count == beta.count)
        self.gamma = gamma
        self.beta = beta
    }
}

/// An embedding table [rows, width], fp32 or int8 with one scale per row.
public enum HostTable: Sendable, Equatable {
    case float([Float], rows: Int, width: Int)
    case int8([Int8], scales: [Float], rows: Int, width: Int)

    public var rows: Int {
        switch self { case .float(_, let r, _), .int8(_, _, let r, _): return r }
    }
}

/// One transformer block's weights; `heads` may be fewer than the config's after head pruning.
public struct HostLayer: Sendable, Equatable {
    public var query: HostLinear
    public var key: HostLinear
    public var value: HostLinear
    public var attentionOutput: HostLinear
    public var attentionNorm: HostNorm
    public var intermediate: HostLinear
    public var output: HostLinear
    public var outputNorm: HostNorm
    public let heads: Int

    public init(query: HostLinear, key: HostLinear, value: HostLinear, attentionOutput: HostLinear,
                attentionNorm: HostNorm, intermediate: HostLinear, output: HostLinear, outputNorm: HostNorm, heads: Int) {
        self.query = query
        self.key = key
        self.value = value
        self.attentionOutput = attentionOutput
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
        self.heads = heads
    }
}

/// A sequence-classification head on top of the encoder, in every family's shape:
/// logits = classifier(activation(first([CLS]))).
public struct HostClassifierHead: Sendable, Equatable {
    /// hidden -> hidden (BERT's pooler, DistilBERT's pre_classifier).
    public var first: HostLinear
    /// tanh after BERT's pooler, relu after DistilBERT's pre_classifier.
    public var activation: HeadActivation
    /// hidden -> classes.
    public var classifier: HostLinear

    /// A head from its two Linear layers and the activation between them.
    public init(first: HostLinear, activation: HeadActivation, classifier: HostLinear) {
        self.first = first
        self.activation = activation
        self.classifier = classifier
    }
}

/// Every weight of an encoder on the host, in the engine's own naming, whatever the checkpoint's.
public struct HostEncoderWeights: Sendable, Equatable {
    public var wordEmbeddings: HostTable
    public var positionEmbeddings: HostTable
    public var tokenTypeEmbeddings: [Float]?
    public var embeddingNorm: HostNorm
    public var layers: [HostLayer]
    /// The pooler (dense + tanh over [CLS]) of families that have one, when the checkpoint keeps it;
    /// where it feeds the classifier head, `head.first` holds the same weights.
    public var pooler: HostLinear?
    public var head: HostClassifierHead?
    /// The relative-position bias every layer's attention adds (MPNet), or nil.
    public var relativeAttentionBias: HostRelativeBias?

    /// Every weight; the relative bias defaults to BERT's (none).
    public init(wordEmbeddings: HostTable, positionEmbeddings: HostTable, tokenTypeEmbeddings: [Float]?,
                embeddingNorm: HostNorm, layers: [HostLayer], pooler: HostLinear?, head: HostClassifierHead?,
                relativeAttentionBias: HostRelativeBias? = nil) {
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingNorm = embeddingNorm
        self.layers = layers
        self.pooler = pooler
        self.head = head
        self.relativeAttentionBias = relativeAttentionBias
    }
}

extension HostLayer {
    /// This layer with `transform` applied to each of its six Linear layers.
    public func mapLinears(_ transform: (HostLinear) -> HostLinear) -> HostLayer {
        HostLayer(query: transform(query), key: transform(key), value: transform(value),
                  attentionOutput: transform(attentionOutput), attentionNorm: attentionNorm,
                  intermediate: transform(intermediate), output: transform(output), outputNorm: outputNorm, heads: heads)
    }

    /// The six Linear layers, for statistics.
    public var linears: [(name: String, linear: HostLinear)] {
        [("query", query), ("key", key), ("value", value), ("attention.output", attentionOutput),
         ("intermediate", intermediate), ("output", output)]
    }
}
