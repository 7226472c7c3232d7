import BertKernels
import BertModel
import BertTokens
import EncoderWeights
import Foundation
import OpenCLRuntime
import Testing

/// Maps every Linear of the encoder layers through `transform`.
func mapLayers(_ w: HostEncoderWeights, _ transform: (HostLinear) -> HostLinear) -> HostEncoderWeights {
    var copy = w
    copy.layers = w.layers.map { l in
        HostLayer(query: transform(l.query), key: transform(l.key), value: transform(l.value),
                  attentionOutput: transform(l.attentionOutput), attentionNorm: l.attentionNorm,
                  intermediate: transform(l.intermediate), output: transform(l.output), outputNorm: l.outputNorm, heads: l.heads)
    }
    return copy
}

/// Maps every Linear of the encoder layers through a throwing `transform`.
func mapLayersThrowing(_ w: HostEncoderWeights, _ transform: (HostLinear) throws -> HostLinear) throws -> HostEncoderWeights {
    var copy = w
    copy.layers = try w.layers.map { l in
        HostLayer(query: try transform(l.query), key: try transform(l.key), value: try transform(l.value),
                  attentionOutput: try transform(l.attentionOutput), attentionNorm: l.attentionNorm,
                  intermediate: try transform(l.intermediate), output: try transform(l.output), outputNorm: l.outputNorm, heads: l.heads)
    }
    return copy
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    let dot = zip(a, b).map { Double($0) * Double($1) }.reduce(0, +)
    let na = a.map { Double($0) * Double($0) }.reduce(0, +).squareRoot(), nb = b.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
    return dot / (na * nb)
}

extension OnDevice {
    @Suite struct LinearModes {
        let input = TokenBatch(ids: [2, 7, 11, 4, 9, 1, 3, 3, 0, 0], attentionMask: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
                                 batchSize: 2, sequenceLength: 5)

        @Test func int8WeightOnlyMatchesTheDequantizedModel() throws {
            let (weights, shape) = randomTinyWeights(seed: 31)
            let quantized = mapLayers(weights) { $0.quantizedPerOutputChannel() }
            // The same int8 weights, dequantized on the host and run dense: the only difference
            // is where the scale is applied, so results agree to fp32 rounding.
            let int8 = try BertEncoder(weights: quantized, shape: shape, kernels: TestDevice.kernels, linearMode: .int8WeightOnly)
            let dense = try BertEncoder(weights: quantized, shape: shape, kernels: TestDevice.kernels, linearMode: .dense)
            let a = try int8.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            let b = try dense.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-4)
            #expect(int8.weightBytes < dense.weightBytes)
        }

        @Test func w8a8StaysCloseToFP32() throws {
            let (weights, shape) = randomTinyWeights(seed: 32)
            let fp32 = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels)
            let w8a8 = try BertEncoder(weights: mapLayers(weights) { $0.quantizedPerOutputChannel() }, shape: shape,
                                       kernels: TestDevice.kernels, linearMode: .int8)
            let a = try fp32.forward(input).meanPooled!, b = try w8a8.forward(input).meanPooled!
            for row in 0..<2 {
                let c = cosine(Array(EncoderOutput.row(a, row, width: shape.hiddenSize)), Array(EncoderOutput.row(b, row, width: shape.hiddenSize)))
                #expect(c > 0.995, "row \(row): cosine \(c)")
                #expect(c < 1 - 1e-9, "W8A8 output identical to fp32: the int8 path did not run")
            }
        }

        @Test func sparseCSRMatchesDenseOnThePrunedWeights() throws {
            let (weights, shape) = randomTinyWeights(seed: 33)
            var counter = 0
            let pruned = mapLayers(weights) { l in
                // Zero about two thirds of each weight, in a pattern that leaves some rows empty.
                let w = l.floatWeight.enumerated().map { i, v -> Float in counter += 1; return (i / l.inFeatures) % 5 == 0 || counter % 3 != 0 ? 0 : v }
                return HostLinear(weight: w, bias: l.bias, outFeatures: l.outFeatures, inFeatures: l.inFeatures)
            }
            let sparse = try BertEncoder(weights: pruned, shape: shape, kernels: TestDevice.kernels, linearMode: .sparseCSR)
            let dense = try BertEncoder(weights: pruned, shape: shape, kernels: TestDevice.kernels, linearMode: .dense)
            let a = try sparse.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            let b = try dense.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-4)
        }

        @Test(arguments: [UInt64(35), 36])
        func int4MatchesTheDequantizedModelAndTheFloat64Reference(seed: UInt64) throws {
            let (weights, shape) = randomTinyWeights(int8Embeddings: true, seed: seed)
            // Groups of 8: K = 24 has 3, K = 29 and 40 end in a short group; fused QKV stacks three int4 parts.
            let quantized = try mapLayersThrowing(weights) { try $0.quantizedInt4(groupSize: 8) }
            let int4 = try BertEncoder(weights: quantized, shape: shape, kernels: TestDevice.kernels, linearMode: .int4)
            let dense = try BertEncoder(weights: quantized, shape: shape, kernels: TestDevice.kernels, linearMode: .dense)
            let a = try int4.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            let b = try dense.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max()!
            #expect(worst < 1e-4, "int4 engine vs fp32 engine on the dequantized weights: max relative difference \(worst)")
            // The float64 host forward of the dequantized weights, on the first (unpadded) sequence.
            let h = shape.hiddenSize
            let reference = ReferenceEncoder.hiddenStates(quantized, shape: shape, ids: Array(input.ids[0..<5]), types: [0, 0, 0, 0, 0]).last!
            for t in 0..<5 {
                let diff = zip(a[(t * h)..<((t + 1) * h)], reference[t]).map { abs(Double($0) - $1) }.max()!
                #expect(diff < 2e-4, "token \(t): int4 engine vs float64 reference differ by \(diff)")
            }
            #expect(int4.weightBytes < dense.weightBytes)
            guard case .int4 = quantized.layers[0].query.weight else { Issue.record("weights not int4"); return }
        }

        @Test func int4ModeRefusesFloatWeights() throws {
            let (weights, shape) = randomTinyWeights(seed: 37)
            let error = #expect(throws: EncoderLoadError.self) {
                _ = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels, linearMode: .int4)
            }
            #expect(error?.description.contains("needs 4-bit weights") == true)
        }

        @Test func int8ModeRefusesFloatWeights() throws {
            let (weights, shape) = randomTinyWeights(seed: 34)
            let error = #expect(throws: EncoderLoadError.self) {
                _ = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels, linearMode: .int8WeightOnly)
            }
            #expect(error?.description.contains("needs int8 weights") == true)
        }

        @Test func quantizerIsSymmetricAbsmaxPerRow() {
            let (codes, scales) = Int8Quantizer.quantizeRows([0.5, -1.27, 0.01, 0, 0, 0], rows: 2, cols: 3)
            #expect(scales[0] == Float(1.27) / 127 && scales[1] == 1)
            #expect(codes == [50, -127, 1, 0, 0, 0])
        }
    }
}
