import BertModel

/// Floating-point operations of one forward pass, counting the matrix products only (one
/// multiply-add = 2 operations): QKV, attention scores and context, attention output, the two
/// FFN products, and the pooler/classifier when present. Layer norms, GELU, softmax and
/// embeddings are left out; for BERT shapes they are well under 1% of the total.
public struct FLOPCount: Sendable {
    /// Per-layer widths: attention width (heads x head dim) and FFN width, after any pruning.
    public let layers: [(attention: Int, intermediate: Int)]
    public let hidden: Int
    /// Output widths of the head's two products (pooler/pre-classifier, classifier), if any.
    public let head: (first: Int, classes: Int)?

    public init(layers: [(attention: Int, intermediate: Int)], hidden: Int, head: (first: Int, classes: Int)?) {
        self.layers = layers
        self.hidden = hidden
        self.head = head
    }

    /// Operations for `batch` sequences of `sequenceLength` tokens, every token real.
    public func forward(batch: Int, sequenceLength: Int) -> Double {
        let t = Double(batch * sequenceLength), h = Double(hidden), s = Double(sequenceLength), b = Double(batch)
        var total = 0.0
        for layer in layers {
            let a = Double(layer.attention), i = Double(layer.intermediate)
            total += 2 * t * h * 3 * a        // query, key, value
            total += 2 * 2 * b * s * s * a    // scores QKᵀ and context PV, over all heads
            total += 2 * t * a * h            // attention output
            total += 2 * 2 * t * h * i        // FFN in and out
        }
        if let head {
            total += 2 * b * h * Double(head.first) + 2 * b * Double(head.first) * Double(head.classes)
        }
        return total
    }
}

extension BertEncoder {
    /// The FLOP model of this encoder as loaded (pruned widths included).
    public var flopCount: FLOPCount {
        FLOPCount(layers: layerWidths, hidden: shape.hiddenSize, head: headWidths)
    }
}
