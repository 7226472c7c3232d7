import EncoderWeights

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
