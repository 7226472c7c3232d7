import BertCheckpoint

extension HostEncoderWeights {
    /// Every weight of `checkpoint` on the host in the engine's naming (int8 stays int8).
    public init(checkpoint: Checkpoint) throws {
        let c = checkpoint.config, layout = checkpoint.layout
        func linear(_ names: LinearNames) throws -> HostLinear {
            let bias = try checkpoint.floats(names.bias)
            let stored = try checkpoint.weight(names.weight)
            let inFeatures: Int
            switch stored {
            case .float(let w): inFeatures = w.count / bias.count
            case .int8(let q, _): inFeatures = q.count / bias.count
            case .int4(let q): inFeatures = q.cols
            }
            var linear = HostLinear(stored: stored, bias: bias, outFeatures: bias.count, inFeatures: inFeatures)
            linear.inputSmoothing = try checkpoint.smoothing(names.weight)
            linear.outliers = try checkpoint.outliers(names.weight, rows: bias.count, width: inFeatures)
            return linear
        }
        func norm(_ names: NormNames) throws -> HostNorm {
            HostNorm(gamma: try checkpoint.floats(names.weight), beta: try checkpoint.floats(names.bias))
        }
        func table(_ name: String, rows: Int) throws -> HostTable {
            switch try checkpoint.weight(name) {
            case .float(let v): return .float(v, rows: rows, width: c.hiddenSize)
            case .int8(let q, let s): return .int8(q, scales: s, rows: rows, width: c.hiddenSize)
            case .int4: throw CheckpointError("\(checkpoint.directory.path): \(name) is 4-bit, but embedding tables are fp32 or int8")
            }
        }
        let layers = try layout.layers.enumerated().map { i, names in
            HostLayer(query: try linear(names.query), key: try linear(names.key), value: try linear(names.value),
                      attentionOutput: try linear(names.attentionOutput), attentionNorm: try norm(names.attentionNorm),
                      intermediate: try linear(names.intermediate), output: try linear(names.output),
                      outputNorm: try norm(names.outputNorm), heads: c.heads(layer: i))
        }
        let pooler = try layout.pooler.map(linear)
        let head = try layout.head.map { names in
            // Where the pooler feeds the head, it is read once and shared.
            let first = try pooler.flatMap { names.first == layout.pooler ? $0 : nil } ?? linear(names.first)
            return HostClassifierHead(first: first, activation: names.activation, classifier: try linear(names.classifier))
        }
        var relative: HostRelativeBias? = nil
        if let name = layout.relativeAttentionBias, let settings = c.relativeAttention {
            relative = HostRelativeBias(table: try checkpoint.floats(name), buckets: settings.buckets, heads: c.headCount,
                                        maxDistance: settings.maxDistance)
        }
        self.init(
            wordEmbeddings: try table(layout.wordEmbeddings, rows: c.vocabSize),
            positionEmbeddings: try table(layout.positionEmbeddings, rows: c.maxPositions),
            tokenTypeEmbeddings: try layout.tokenTypeEmbeddings.map { try checkpoint.floats($0) },
            embeddingNorm: try norm(layout.embeddingNorm), layers: layers, pooler: pooler, head: head,
            relativeAttentionBias: relative)
    }
}
