import BertModel

/// int8 quantization of a whole encoder: every Linear of every layer per output channel, word
/// and position embeddings per row; biases, LayerNorm, token types, pooler and classifier stay fp32.
enum Quantization {
    static func quantize(_ w: HostEncoderWeights) -> HostEncoderWeights {
        var q = w
        q.wordEmbeddings = w.wordEmbeddings.quantizedPerRow()
        q.positionEmbeddings = w.positionEmbeddings.quantizedPerRow()
        q.layers = w.layers.map { $0.mapLinears { $0.quantizedPerOutputChannel() } }
        return q
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
