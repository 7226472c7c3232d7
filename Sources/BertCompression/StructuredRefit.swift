import BertCheckpoint
import EncoderWeights

/// Head or FFN pruning followed by the least-squares refit of the Linear that reads the removed
/// channels, block by block: block l's inputs are measured with blocks < l already pruned and
/// refitted and block l still whole, so each refit targets what the unpruned block would output.
enum StructuredRefit {
    /// Which Linear of a block reads the pruned channels.
    enum Reader {
        /// Pruned heads: the attention output projection reads the context.
        case attentionOutput
        /// Pruned neurons: the FFN down projection reads GELU(intermediate).
        case ffnOutput

        var point: LinearInputPoint { self == .attentionOutput ? .context : .ffnActivation }
    }

    /// `pruned` (from `original` by removing channels, `keptColumns[l]` of block l's reader input
    /// kept) with each reader refitted on `calibration`; returns the weights and report lines.
    static func apply(original: HostEncoderWeights, pruned: HostEncoderWeights, keptColumns: [[Int]], reader: Reader,
                      calibration: any CalibrationSource) throws -> (HostEncoderWeights, [String]) {
        var current = original
        var lines: [String] = []
        for l in original.layers.indices {
            let stats = try calibration.statistics(layer: l, weights: current)
            let full = reader == .attentionOutput ? original.layers[l].attentionOutput : original.layers[l].output
            guard let input = stats[reader.point], input.width == full.inFeatures else {
                throw CheckpointError("calibration gave no \(reader.point.rawValue) gram of width \(full.inFeatures) for layer \(l)")
            }
            var layer = pruned.layers[l]
            let refitted = try LeastSquaresRefit.refit(full, kept: keptColumns[l], gram: input.gram, sum: input.sum, tokens: input.tokens)
            let before = relativeError(full, Pruning.selectColumns(full, keptColumns[l]), kept: keptColumns[l], input: input)
            let after = relativeError(full, refitted, kept: keptColumns[l], input: input)
            if reader == .attentionOutput { layer.attentionOutput = refitted } else { layer.output = refitted }
            current.layers[l] = layer
            lines.append(String(format: "layer %d: relative output error of the %@ on %d calibration tokens %.4f without refit, %.4f with",
                                l, reader == .attentionOutput ? "attention output" : "FFN output", input.tokens, before, after))
        }
        return (current, lines)
    }

    /// ||X_k W'ᵀ + b' - X Wᵀ - b||² / ||X Wᵀ + b||² over the calibration tokens, from the gram and
    /// sums of X (without sums, the bias terms are left out).
    static func relativeError(_ full: HostLinear, _ reduced: HostLinear, kept: [Int], input: LinearInputStatistics) -> Double {
        // Embed the reduced weight in the full width (zeros in removed columns), then use the gram.
        let n = full.inFeatures, w = reduced.floatWeight, out = full.outFeatures
        var embedded = [Float](repeating: 0, count: out * n)
        for o in 0..<out { for (a, j) in kept.enumerated() { embedded[o * n + j] = w[o * kept.count + a] } }
        let original = full.floatWeight
        let zero = [Float](repeating: 0, count: original.count)
        var error = SparseGPT.outputError(original: original, pruned: embedded, rows: out, cols: n, gram: input.gram)
        var norm = SparseGPT.outputError(original: zero, pruned: original, rows: out, cols: n, gram: input.gram)
        if let sum = input.sum {
            // + 2 Δbᵀ ΔW s + N |Δb|², and likewise for the norm with W and b.
            for o in 0..<out {
                let db = Double(reduced.bias[o]) - Double(full.bias[o]), b = Double(full.bias[o])
                var dws = 0.0, ws = 0.0
                for j in 0..<n {
                    dws += (Double(embedded[o * n + j]) - Double(original[o * n + j])) * sum[j]
                    ws += Double(original[o * n + j]) * sum[j]
                }
                error += 2 * db * dws + Double(input.tokens) * db * db
                norm += 2 * b * ws + Double(input.tokens) * b * b
            }
        }
        return norm > 0 ? error / norm : 0
    }
}
