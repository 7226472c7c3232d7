import EncoderWeights
import Foundation

/// Pruning of an encoder's weights: unstructured magnitude pruning (zeros in dense shapes), and
/// structured removal of attention heads and FFN neurons (matrices physically shrunk).
enum Pruning {
    /// Zeros exactly floor(sparsity · n) of the smallest-magnitude weights, over all encoder
    /// Linear weights at once or per matrix; ties broken by position so the result is exact.
    static func unstructured(_ w: HostEncoderWeights, sparsity: Double, global: Bool) -> (HostEncoderWeights, [String]) {
        var out = w
        var report: [String] = []
        if global {
            var magnitudes: [Float] = []
            for layer in w.layers { for (_, l) in layer.linears { magnitudes += l.floatWeight.map(abs) } }
            let cut = Int(sparsity * Double(magnitudes.count))
            // Threshold = the cut-th smallest magnitude; entries below it go, and entries equal to
            // it go in order until exactly `cut` are gone.
            let sorted = magnitudes.sorted()
            let threshold = cut > 0 ? sorted[cut - 1] : -1
            var equalBudget = cut - (cut > 0 ? sorted.prefix(cut).filter { $0 < threshold }.count : 0)
            out.layers = w.layers.map { layer in
                layer.mapLinears { l in
                    prune(l) { v in
                        let m = abs(v)
                        if m < threshold { return true }
                        if m == threshold && equalBudget > 0 { equalBudget -= 1; return true }
                        return false
                    }
                }
            }
        } else {
            out.layers = w.layers.map { layer in
                layer.mapLinears { l in
                    let values = l.floatWeight
                    let cut = Int(sparsity * Double(values.count))
                    let order = values.indices.sorted { (abs(values[$0]), $0) < (abs(values[$1]), $1) }
                    var drop = [Bool](repeating: false, count: values.count)
                    for i in order.prefix(cut) { drop[i] = true }
                    var index = 0
                    return prune(l) { _ in defer { index += 1 }; return drop[index] }
                }
            }
        }
        var zeros = 0, total = 0
        for (i, layer) in out.layers.enumerated() {
            let counts = layer.linears.map { (name, l) -> (String, Int, Int) in
                let v = l.floatWeight
                return (name, v.filter { $0 == 0 }.count, v.count)
            }
            zeros += counts.map(\.1).reduce(0, +)
            total += counts.map(\.2).reduce(0, +)
            let perMatrix = counts.map { String(format: "%@ %.4f", $0.0, Double($0.1) / Double($0.2)) }
            report.append("layer \(i) sparsity: " + perMatrix.joined(separator: ", "))
        }
        report.append(String(format: "overall sparsity of the encoder's Linear weights: %.4f (%d of %d zero)",
                             Double(zeros) / Double(total), zeros, total))
        return (out, report)
    }

    private static func prune(_ l: HostLinear, _ drop: (Float) -> Bool) -> HostLinear {
        HostLinear(weight: l.floatWeight.map { drop($0) ? 0 : $0 }, bias: l.bias, outFeatures: l.outFeatures, inFeatures: l.inFeatures)
    }

    /// Removes round(fraction · heads) heads per layer, lowest importance first; importance is
    /// the L2 norm of the head's query, key and value rows and its attention-output columns.
    static func heads(_ w: HostEncoderWeights, headDim d: Int, fraction: Double) -> (HostEncoderWeights, [[Int]]) {
        var out = w
        var keptPerLayer: [[Int]] = []
        out.layers = w.layers.map { layer in
            let heads = layer.heads
            let remove = min(heads - 1, Int((fraction * Double(heads)).rounded()))
            let q = layer.query.floatWeight, k = layer.key.floatWeight, v = layer.value.floatWeight, o = layer.attentionOutput.floatWeight
            let hidden = layer.query.inFeatures, outWidth = layer.attentionOutput.outFeatures, inWidth = layer.attentionOutput.inFeatures
            let scores = (0..<heads).map { h -> Double in
                var s = 0.0
                for m in [q, k, v] { for i in (h * d * hidden)..<((h + 1) * d * hidden) { s += Double(m[i] * m[i]) } }
                for r in 0..<outWidth { for c in (h * d)..<((h + 1) * d) { s += Double(o[r * inWidth + c] * o[r * inWidth + c]) } }
                return s.squareRoot()
            }
            let kept = (0..<heads).sorted { (scores[$0], $0) > (scores[$1], $1) }.prefix(heads - remove).sorted()
            keptPerLayer.append(Array(kept))
            let rows = kept.flatMap { h in (h * d)..<((h + 1) * d) }
            return HostLayer(query: selectRows(layer.query, rows), key: selectRows(layer.key, rows), value: selectRows(layer.value, rows),
                             attentionOutput: selectColumns(layer.attentionOutput, rows), attentionNorm: layer.attentionNorm,
                             intermediate: layer.intermediate, output: layer.output, outputNorm: layer.outputNorm, heads: kept.count)
        }
        return (out, keptPerLayer)
    }

    /// Removes round(fraction · width) FFN neurons per layer, lowest ||input row|| · ||output column|| first.
    static func ffn(_ w: HostEncoderWeights, fraction: Double) -> HostEncoderWeights { ffnKept(w, fraction: fraction).0 }

    /// `ffn`, with the neurons kept in each layer.
    static func ffnKept(_ w: HostEncoderWeights, fraction: Double) -> (HostEncoderWeights, [[Int]]) {
        var out = w
        var keptPerLayer: [[Int]] = []
        out.layers = w.layers.map { layer in
            let width = layer.intermediate.outFeatures
            let remove = min(width - 1, Int((fraction * Double(width)).rounded()))
            let a = layer.intermediate.floatWeight, b = layer.output.floatWeight
            let hidden = layer.intermediate.inFeatures
            let scores = (0..<width).map { j -> Double in
                let rowNorm = (0..<hidden).map { Double(a[j * hidden + $0] * a[j * hidden + $0]) }.reduce(0, +).squareRoot()
                let colNorm = (0..<layer.output.outFeatures).map { Double(b[$0 * width + j] * b[$0 * width + j]) }.reduce(0, +).squareRoot()
                return rowNorm * colNorm
            }
            let kept = (0..<width).sorted { (scores[$0], $0) > (scores[$1], $1) }.prefix(width - remove).sorted()
            keptPerLayer.append(Array(kept))
            return HostLayer(query: layer.query, key: layer.key, value: layer.value, attentionOutput: layer.attentionOutput,
                             attentionNorm: layer.attentionNorm, intermediate: selectRows(layer.intermediate, Array(kept)),
                             output: selectColumns(layer.output, Array(kept)), outputNorm: layer.outputNorm, heads: layer.heads)
        }
        return (out, keptPerLayer)
    }

    /// The Linear restricted to output rows `rows` (and their biases).
    static func selectRows(_ l: HostLinear, _ rows: [Int]) -> HostLinear {
        let w = l.floatWeight
        return HostLinear(weight: rows.flatMap { w[($0 * l.inFeatures)..<(($0 + 1) * l.inFeatures)] }, bias: rows.map { l.bias[$0] },
                          outFeatures: rows.count, inFeatures: l.inFeatures)
    }

    /// The Linear restricted to input columns `columns`.
    static func selectColumns(_ l: HostLinear, _ columns: [Int]) -> HostLinear {
        let w = l.floatWeight
        return HostLinear(weight: (0..<l.outFeatures).flatMap { r in columns.map { w[r * l.inFeatures + $0] } }, bias: l.bias,
                          outFeatures: l.outFeatures, inFeatures: columns.count)
    }
}
