import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    @Suite struct Attention {
        /// Scaled dot-product attention per head with masked keys excluded, in float64.
        func reference(qkv: [Float], mask: [Int32], batch: Int, seq: Int, heads: Int, headDim: Int) -> [Double] {
            let hidden = heads * headDim, stride = 3 * hidden
            let scale = 1.0 / Double(headDim).squareRoot()
            var out = [Double](repeating: 0, count: batch * seq * hidden)
            for b in 0..<batch {
                for h in 0..<heads {
                    for i in 0..<seq {
                        let q = b * seq + i
                        var scores = [Double](repeating: -.infinity, count: seq)
                        for j in 0..<seq where mask[b * seq + j] != 0 {
                            var s = 0.0
                            for d in 0..<headDim {
                                s += Double(qkv[q * stride + h * headDim + d]) * Double(qkv[(b * seq + j) * stride + hidden + h * headDim + d])
                            }
                            scores[j] = s * scale
                        }
                        let top = scores.max()!
                        let weights = scores.map { $0 == -.infinity ? 0 : exp($0 - top) }
                        let total = weights.reduce(0, +)
                        for d in 0..<headDim {
                            var v = 0.0
                            for j in 0..<seq { v += weights[j] * Double(qkv[(b * seq + j) * stride + 2 * hidden + h * headDim + d]) }
                            out[q * hidden + h * headDim + d] = v / total
                        }
                    }
                }
            }
            return out
        }

        @Test(arguments: [(batch: 1, seq: 1, heads: 1, headDim: 4), (batch: 3, seq: 7, heads: 2, headDim: 12),
                          (batch: 2, seq: 33, heads: 3, headDim: 32), (batch: 2, seq: 19, heads: 4, headDim: 64)])
        func matchesCPUReference(shape: (batch: Int, seq: Int, heads: Int, headDim: Int)) throws {
            var rng = SeededGenerator(seed: UInt64(shape.seq * 31 + shape.headDim))
            let (batch, seq, heads, headDim) = shape
            let hidden = heads * headDim
            // Large-ish logits exercise the running-maximum rescaling.
            let qkv = randomFloats(batch * seq * 3 * hidden, &rng, range: -3...3)
            let lengths = (0..<batch).map { b in b == 0 ? seq : max(1, seq - 2 * b - 1) }
            let mask = (0..<batch).flatMap { b in (0..<seq).map { Int32($0 < lengths[b] ? 1 : 0) } }
            let out = try poisoned(batch * seq * hidden)
            try TestDevice.kernels.attention(qkv: try TestDevice.context.upload(qkv), mask: try TestDevice.context.upload(mask),
                                             out: out, batch: batch, sequenceLength: seq, heads: heads, headDim: headDim,
                                             scale: 1 / Float(headDim).squareRoot())
            let expected = reference(qkv: qkv, mask: mask, batch: batch, seq: seq, heads: heads, headDim: headDim)
            let error = maxRelativeError(try out.read(), expected)
            #expect(error < 1e-5, "attention \(shape): max rel error \(error)")
        }
    }
}
