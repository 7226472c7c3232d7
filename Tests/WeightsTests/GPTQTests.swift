import BertCheckpoint
@testable import BertCompression
import EncoderWeights
import Foundation
import Support
import Testing

/// Calibration-like activations: `tokens` rows of `width` channels, mixed so channels correlate,
/// with a few channels much louder than the rest (as LayerNorm outputs of BERT have).
func correlatedActivations(tokens: Int, width: Int, rng: inout SeededRandom) -> [Double] {
    let latent = max(2, width / 4)
    let mix = (0..<(latent * width)).map { _ in Double.random(in: -1...1, using: &rng) }
    let loud = Set((0..<3).map { _ in Int.random(in: 0..<width, using: &rng) })
    var x = [Double](repeating: 0, count: tokens * width)
    for t in 0..<tokens {
        let z = (0..<latent).map { _ in Double.random(in: -1...1, using: &rng) }
        for c in 0..<width {
            var v = 0.1 * Double.random(in: -1...1, using: &rng)
            for l in 0..<latent { v += z[l] * mix[l * width + c] }
            x[t * width + c] = loud.contains(c) ? 8 * v : v
        }
    }
    return x
}

/// Σ x xᵀ of row-major activations [tokens, width].
func gram(_ x: [Double], width: Int) -> [Double] {
    let tokens = x.count / width
    var g = [Double](repeating: 0, count: width * width)
    for t in 0..<tokens {
        for a in 0..<width where x[t * width + a] != 0 {
            for b in 0..<width { g[a * width + b] += x[t * width + a] * x[t * width + b] }
        }
    }
    return g
}

/// A test-only calibration source: random correlated activations of the right width for each
/// input point (not the model's), and a record of which layers were already 4-bit when asked.
final class RandomCalibration: CalibrationSource, @unchecked Sendable {
    let seed: UInt64
    private(set) var calls: [(layer: Int, int4Layers: [Int])] = []
    init(seed: UInt64) { self.seed = seed }

    var record: [String: JSONValue] { ["name": .string("random correlated activations (test)"), "seed": .number(Double(seed))] }

    func statistics(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: LinearInputStatistics] {
        calls.append((layer, weights.layers.indices.filter { if case .int4 = weights.layers[$0].query.weight { return true }; return false }))
        var rng = SeededRandom(seed: seed &+ UInt64(layer))
        let l = weights.layers[layer]
        let widths: [LinearInputPoint: Int] = [.attentionInput: l.query.inFeatures, .context: l.attentionOutput.inFeatures,
                                               .ffnInput: l.intermediate.inFeatures, .ffnActivation: l.output.inFeatures]
        var out: [LinearInputPoint: LinearInputStatistics] = [:]
        for point in LinearInputPoint.allCases {
            let width = widths[point]!, x = correlatedActivations(tokens: 200, width: width, rng: &rng)
            out[point] = LinearInputStatistics(width: width, tokens: 200, gram: gram(x, width: width),
                                               absMax: (0..<width).map { c in Float((0..<200).map { abs(x[$0 * width + c]) }.max()!) })
        }
        return out
    }
}

/// GPTQ against an independent float64 formulation and against round-to-nearest.
@Suite struct GPTQMath {
    /// GPTQ as Frantar et al. first state it (OBQ's update with the inverse Hessian shrunk by one
    /// column per step, Gauss-Jordan inverse, no Cholesky, no blocks): the same codes in exact arithmetic.
    func referenceGPTQ(_ weight: [Float], rows: Int, cols: Int, gram: [Double], groupSize: Int, damp: Double) -> [UInt8] {
        var w = weight.map(Double.init)
        var h = gram
        let mean = (0..<cols).map { h[$0 * cols + $0] }.reduce(0, +) / Double(cols)
        for i in 0..<cols { h[i * cols + i] += damp * mean }
        // Gauss-Jordan inverse.
        var inv = [Double](repeating: 0, count: cols * cols)
        for i in 0..<cols { inv[i * cols + i] = 1 }
        for p in 0..<cols {
            let pivot = h[p * cols + p]
            for j in 0..<cols { h[p * cols + j] /= pivot; inv[p * cols + j] /= pivot }
            for i in 0..<cols where i != p {
                let f = h[i * cols + p]
                if f == 0 { continue }
                for j in 0..<cols { h[i * cols + j] -= f * h[p * cols + j]; inv[i * cols + j] -= f * inv[p * cols + j] }
            }
        }
        var codes = [UInt8](repeating: 0, count: rows * cols)
        var params: [Int4GroupQuantizer] = []
        for i in 0..<cols {
            if i % groupSize == 0 {
                params = (0..<rows).map { r in Int4GroupQuantizer((i..<min(cols, i + groupSize)).map { w[r * cols + $0] }) }
            }
            let d = inv[i * cols + i]
            for r in 0..<rows {
                let code = params[r].code(w[r * cols + i])
                codes[r * cols + i] = code
                let error = (w[r * cols + i] - params[r].value(code)) / d
                for j in (i + 1)..<max(i + 1, cols) { w[r * cols + j] -= error * inv[i * cols + j] }
            }
            // Remove column i from the inverse of the remaining columns' Hessian.
            for a in (i + 1)..<max(i + 1, cols) {
                for b in (i + 1)..<max(i + 1, cols) { inv[a * cols + b] -= inv[a * cols + i] * inv[i * cols + b] / d }
            }
        }
        return codes
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func matchesTheIndependentFloat64Formulation(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let rows = 6, cols = 45, group = 10  // groups of 10 with a short last one (5)
        let g = gram(correlatedActivations(tokens: 120, width: cols, rng: &rng), width: cols)
        let w = (0..<(rows * cols)).map { _ in Float.random(in: -1...1, using: &rng) }
        let mine = try GPTQ.quantize(w, rows: rows, cols: cols, gram: g, options: GPTQ.Options(groupSize: group, damp: 0.01), label: "test")
        let reference = referenceGPTQ(w, rows: rows, cols: cols, gram: g, groupSize: group, damp: 0.01)
        let same = zip(mine.codes, reference).filter { $0 == $1 }.count
        #expect(same == reference.count, "seed \(seed): \(reference.count - same) of \(reference.count) codes differ from the reference")
    }

    @Test func upperCholeskyFactorsTheInverse() throws {
        var rng = SeededRandom(seed: 9)
        let n = 23
        var h = gram(correlatedActivations(tokens: 60, width: n, rng: &rng), width: n)
        for i in 0..<n { h[i * n + i] += 0.01 }
        let u = try GPTQ.upperCholeskyOfInverse(h, n: n, label: "test")
        // H · (Uᵀ U) = I, and U is upper triangular with a positive diagonal.
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n {
                    var inv = 0.0
                    for m in 0..<n { inv += u[m * n + k] * u[m * n + j] }
                    s += h[i * n + k] * inv
                }
                worst = max(worst, abs(s - (i == j ? 1 : 0)))
            }
            #expect(u[i * n + i] > 0 && (0..<i).allSatisfy { u[i * n + $0] == 0 })
        }
        #expect(worst < 1e-8, "H (UᵀU) differs from I by \(worst)")
        var singular = [Double](repeating: 0, count: 4)
        singular[0] = 1
        #expect(throws: CheckpointError.self) { _ = try GPTQ.upperCholeskyOfInverse(singular, n: 2, label: "layer 3.query") }
    }

    @Test(arguments: [(UInt64(11), false), (12, false), (13, true)])
    func lowersTheLayerOutputErrorBelowRoundToNearest(seed: UInt64, actOrder: Bool) throws {
        var rng = SeededRandom(seed: seed)
        let rows = 24, cols = 300  // groups of 128, 128 and a short 44
        let g = gram(correlatedActivations(tokens: 400, width: cols, rng: &rng), width: cols)
        let w = (0..<(rows * cols)).map { _ in Float.random(in: -0.2...0.2, using: &rng) }
        let gptq = try GPTQ.quantize(w, rows: rows, cols: cols, gram: g, options: GPTQ.Options(actOrder: actOrder), label: "test")
        let rtn = try Int4Quantizer.roundToNearest(w, rows: rows, cols: cols, groupSize: 128)
        #expect(gptq.groups == 3)
        let e = GPTQ.outputError(w, gptq.dequantized, rows: rows, cols: cols, gram: g)
        let r = GPTQ.outputError(w, rtn.dequantized, rows: rows, cols: cols, gram: g)
        #expect(e < 0.5 * r, "seed \(seed) act-order \(actOrder): GPTQ error \(e), round-to-nearest \(r)")
    }

    @Test func techniqueQuantizesBlockByBlockOnRemeasuredInputs() throws {
        let source = try synthetic("tiny", seed: 45, in: try scratch())
        let calibration = RandomCalibration(seed: 7)
        let target = try scratch().appendingPathComponent("gptq")
        let summary = try Compressor.compress(source: source, target: target,
                                              method: CompressionMethod(name: "int4-gptq", parameters: ["group_size": .number(16)]),
                                              calibration: calibration)
        // Block l was measured with blocks < l already 4-bit and none after.
        #expect(calibration.calls.map(\.layer) == [0, 1])
        #expect(calibration.calls.map(\.int4Layers) == [[], [0]])
        let checkpoint = try Checkpoint(directory: target)
        #expect(checkpoint.config.quantizationBits == 4 && checkpoint.config.quantizationGroupSize == 16)
        let weights = try HostEncoderWeights(checkpoint: checkpoint)
        for layer in weights.layers { for (name, l) in layer.linears { if case .int4 = l.weight {} else { Issue.record("\(name) not int4") } } }
        #expect(summary.lines.contains { $0.contains("GPTQ vs round-to-nearest") })
        let config = try configJSON(target)
        guard case .object(let record)? = config["compression"], case .object(let data)? = record["calibration"] else {
            Issue.record("config.json does not record the calibration set"); return
        }
        #expect(data["seed"] == .number(7))
    }

    @Test func gptqWithoutCalibrationSaysWhatItNeeds() throws {
        let source = try synthetic("tiny", seed: 46, in: try scratch())
        let error = #expect(throws: CheckpointError.self) {
            try Compressor.compress(source: source, target: try scratch().appendingPathComponent("x"),
                                    method: CompressionMethod(name: "int4-gptq"))
        }
        #expect(error?.message.contains("calibration") == true)
        #expect(throws: CheckpointError.self) {
            try Compressor.compress(source: source, target: try scratch().appendingPathComponent("y"),
                                    method: CompressionMethod(name: "int4-rtn", parameters: ["group_size": .number(7)]))
        }
    }
}
