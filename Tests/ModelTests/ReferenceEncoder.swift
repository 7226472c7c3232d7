import BertModel
import EncoderWeights
import Foundation

/// A plain float64 BERT forward pass on the host, one sequence at a time (no padding at all),
/// to check the device's batched, padded, fused computation against.
enum ReferenceEncoder {
    static func linear(_ x: [[Double]], _ l: HostLinear) -> [[Double]] {
        let w = l.floatWeight
        return x.map { row in
            (0..<l.outFeatures).map { o in
                var s = Double(l.bias[o])
                for i in 0..<l.inFeatures { s += row[i] * Double(w[o * l.inFeatures + i]) }
                return s
            }
        }
    }

    static func norm(_ x: [[Double]], _ n: HostNorm, eps: Double) -> [[Double]] {
        x.map { row in
            let mean = row.reduce(0, +) / Double(row.count)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(row.count)
            return row.indices.map { (row[$0] - mean) / (variance + eps).squareRoot() * Double(n.gamma[$0]) + Double(n.beta[$0]) }
        }
    }

    static func table(_ t: HostTable, row: Int) -> [Double] {
        switch t {
        case .float(let v, _, let w): return (0..<w).map { Double(v[row * w + $0]) }
        case .int8(let v, let s, _, let w): return (0..<w).map { Double(v[row * w + $0]) * Double(s[row]) }
        }
    }

    /// Hidden states after every layer (embeddings first) for one unpadded sequence.
    static func hiddenStates(_ w: HostEncoderWeights, shape: EncoderShape, ids: [Int32], types: [Int32]) -> [[[Double]]] {
        let eps = Double(shape.layerNormEps)
        var x = ids.indices.map { t -> [Double] in
            var e = zip(table(w.wordEmbeddings, row: Int(ids[t])), table(w.positionEmbeddings, row: t)).map(+)
            if let tt = w.tokenTypeEmbeddings {
                let h = shape.hiddenSize
                e = e.indices.map { e[$0] + Double(tt[Int(types[t]) * h + $0]) }
            }
            return e
        }
        x = norm(x, w.embeddingNorm, eps: eps)
        var states = [x]
        let d = shape.headDim
        for layer in w.layers {
            let q = linear(x, layer.query), k = linear(x, layer.key), v = linear(x, layer.value)
            var context = [[Double]](repeating: [Double](repeating: 0, count: layer.heads * d), count: x.count)
            for h in 0..<layer.heads {
                for i in x.indices {
                    let scores = x.indices.map { j in (0..<d).map { q[i][h * d + $0] * k[j][h * d + $0] }.reduce(0, +) / Double(d).squareRoot() }
                    let top = scores.max()!
                    let e = scores.map { exp($0 - top) }
                    let total = e.reduce(0, +)
                    for c in 0..<d { context[i][h * d + c] = x.indices.map { e[$0] * v[$0][h * d + c] }.reduce(0, +) / total }
                }
            }
            let attended = norm(zip(linear(context, layer.attentionOutput), x).map { zip($0, $1).map(+) }, layer.attentionNorm, eps: eps)
            let inter = linear(attended, layer.intermediate).map { $0.map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) } }
            x = norm(zip(linear(inter, layer.output), attended).map { zip($0, $1).map(+) }, layer.outputNorm, eps: eps)
            states.append(x)
        }
        return states
    }
}
