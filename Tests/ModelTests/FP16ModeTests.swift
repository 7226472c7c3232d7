import BertKernels
import BertModel
import BertTokens
import EncoderWeights
import Foundation
import OpenCLRuntime
import Testing

extension OnDevice {
    /// LinearMode.fp16: weights kept as fp16 on the device and run by the gemm-f16 operation.
    @Suite struct FP16Mode {
        let input = TokenBatch(ids: [2, 7, 11, 4, 9, 1, 3, 3, 0, 0], attentionMask: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
                               batchSize: 2, sequenceLength: 5)

        @Test func fp16MatchesFP32OnTheRoundedWeightsAndHalvesTheBytes() throws {
            let (weights, shape) = randomTinyWeights(seed: 35)
            let rounded = mapLayers(weights) { l in
                guard case .float(let v) = l.weight else { return l }
                return HostLinear(weight: v.map { Float(Float16($0)) }, bias: l.bias, outFeatures: l.outFeatures, inFeatures: l.inFeatures)
            }
            let fp16 = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels, linearMode: .fp16)
            let dense = try BertEncoder(weights: rounded, shape: shape, kernels: TestDevice.kernels, linearMode: .dense)
            let exact = try BertEncoder(weights: weights, shape: shape, kernels: TestDevice.kernels, linearMode: .dense)
            let a = try fp16.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            let b = try dense.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            let c = try exact.forward(input, outputs: [.lastHiddenState]).lastHiddenState!
            // The portable gemm-f16 widens the weights exactly and accumulates in fp32: the same
            // result as fp32 on the rounded weights, up to summation order.
            #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-4)
            #expect(zip(a, c).contains { $0 != $1 }, "fp16 output identical to fp32: the weights were not rounded")
            #expect(cosine(a, c) > 0.9999)
            #expect(fp16.weightBytes < dense.weightBytes)
        }
    }
}
