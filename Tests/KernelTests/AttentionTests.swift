import BertKernels
import BertMeasure
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    @Suite struct Attention {
        /// The float64 reference (BertMeasure's, which `check-attention` uses on a GPU too).
        func reference(qkv: [Float], mask: [Int32], batch: Int, seq: Int, heads: Int, headDim: Int, bias: [Float]? = nil) -> [Double] {
            AttentionCheck.reference(qkv: qkv, mask: mask, batch: batch, seq: seq, heads: heads, headDim: headDim, bias: bias)
        }

        @Test(arguments: [(batch: 1, seq: 1, heads: 1, headDim: 4), (batch: 3, seq: 7, heads: 2, headDim: 12),
                          (batch: 2, seq: 33, heads: 3, headDim: 32), (batch: 2, seq: 19, heads: 4, headDim: 64)])
        func matchesCPUReference(shape: (batch: Int, seq: Int, heads: Int, headDim: Int)) throws {
            try check(shape, kernels: TestDevice.kernels)
        }

        /// The lanes variant at both vector widths and several chunk and register-block sizes, on shapes
        /// around its lanes and chunks (1, 5, 7, 16, 17, 19, 33, 65, 130 tokens), head widths 4, 8, 12 and
        /// 20 (a partial register block at DB 16), a fully masked row, with and without MPNet's bias.
        @Test(arguments: [["QL": 16, "KC": 128, "DB": 16], ["QL": 8, "KC": 16, "DB": 4], ["QL": 16, "KC": 32, "DB": 8],
                          ["QL": 8, "KC": 512, "DB": 16]])
        func lanesMatchCPUReference(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.attention, values, variant: PortableAttention.lanes)
            for shape in [(1, 1, 1, 4), (3, 7, 2, 12), (2, 33, 3, 32), (2, 19, 4, 64), (3, 17, 2, 32), (2, 5, 1, 20), (4, 16, 2, 8),
                          (2, 65, 2, 64), (2, 130, 1, 32)] {
                for bias in [false, true] {
                    try check((batch: shape.0, seq: shape.1, heads: shape.2, headDim: shape.3), kernels: kernels, maskAll: shape.0 == 4,
                              relativeBias: bias)
                }
            }
            #expect(kernels.ran[.attention]?.variant.name == "portable-attention-lanes")
        }

        /// With a relative-position bias (MPNet) on odd shapes, one work-item per query.
        @Test(arguments: [(batch: 1, seq: 1, heads: 1, headDim: 4), (batch: 3, seq: 7, heads: 2, headDim: 12),
                          (batch: 2, seq: 33, heads: 3, headDim: 32), (batch: 2, seq: 19, heads: 4, headDim: 64)])
        func relativeBiasMatchesCPUReference(shape: (batch: Int, seq: Int, heads: Int, headDim: Int)) throws {
            try check(shape, kernels: TestDevice.kernels, relativeBias: true)
        }

        /// The GPU-shaped fp32 variant at every block setting, on shapes around its query and key
        /// blocks (1, 5, 7, 16, 17, 19, 33, 65, 130 tokens), padded keys, a fully masked row, and
        /// with MPNet's relative bias.
        @Test(arguments: [["WG": 64, "KB": 32], ["WG": 32, "KB": 16], ["WG": 128, "KB": 32], ["WG": 32, "KB": 32]])
        func tiledMatchesCPUReference(values: [String: Int]) throws {
            let selection = try TestDevice.kernels.selection.replacing(.attention, variant: PortableAttention.tiled, overrides: values,
                                                                       by: "test")
            let kernels = try EncoderKernels(context: TestDevice.context, selection: selection)
            for shape in [(1, 1, 1, 4), (3, 7, 2, 12), (2, 33, 3, 32), (2, 19, 4, 64), (3, 17, 2, 32), (2, 5, 1, 20), (4, 16, 2, 8),
                          (2, 65, 2, 64), (2, 130, 1, 32)] {
                for bias in [false, true] {
                    try check((batch: shape.0, seq: shape.1, heads: shape.2, headDim: shape.3), kernels: kernels, maskAll: shape.0 == 4,
                              relativeBias: bias)
                }
            }
        }

        /// Shapes for the tensor-core variant: lengths 1, 17, 63, 65, 130 around its 16-row
        /// fragments and 16..64-key blocks, batch 3 with padded keys in sequences 1 and 2, head
        /// widths 64 and 32 (the models'), 12 and 8 (padded to one 16-wide step), 6 (not a
        /// multiple of 4: scalar loads), 128 (the widest), and a sequence with every key masked.
        static let mmaShapes: [(batch: Int, seq: Int, heads: Int, headDim: Int, maskAll: Bool)] = [
            (3, 1, 2, 64, false), (3, 17, 3, 64, false), (3, 63, 2, 32, false), (3, 65, 2, 64, false), (3, 130, 2, 64, false),
            (2, 33, 3, 12, false), (2, 19, 2, 6, false), (4, 16, 2, 8, true), (2, 40, 1, 128, false),
        ]

        /// Flash attention on the tensor cores (nvidia-attention-mma) through the warp emulation
        /// (WARP_PTX=0), whose per-lane fragment layout is the one mma.sync uses on the GPU. The
        /// reference takes Q, K and V rounded to fp16 as the kernel feeds them to the mma; what is
        /// left is the fp16 rounding of P (relative 2^-11 per weight, so at most 2^-11 · max|v| =
        /// 1.5e-3 on an output, as the weights sum to one) and fp32 summation order: 2e-3.
        @Test(arguments: [["WARPS": 4, "KB": 64, "WARP_PTX": 0], ["WARPS": 1, "KB": 16, "WARP_PTX": 0],
                          ["WARPS": 2, "KB": 32, "WARP_PTX": 0]])
        func tensorCoreEmulationMatchesReference(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.attention, values, variant: NvidiaAttention.mma)
            // Every shape at the profile's blocks; the smaller blocks on a subset (the emulation is slow).
            let shapes = values["WARPS"] == 4 ? Self.mmaShapes : Self.mmaShapes.filter { [17, 65, 19, 16].contains($0.seq) }
            for s in shapes {
                try check((batch: s.batch, seq: s.seq, heads: s.heads, headDim: s.headDim), kernels: kernels, maskAll: s.maskAll,
                          roundHalf: true, tolerance: 2e-3)
            }
            #expect(kernels.ran[.attention]?.variant.name == "nvidia-attention-mma")
        }

        /// The tensor-core variant with MPNet's relative-position bias.
        @Test func tensorCoreEmulationWithRelativeBiasMatchesReference() throws {
            let kernels = try TestDevice.kernels(.attention, ["WARP_PTX": 0], variant: NvidiaAttention.mma)
            for shape in [(1, 1, 1, 64), (3, 65, 2, 64), (2, 17, 3, 32), (4, 16, 2, 8)] {
                try check((batch: shape.0, seq: shape.1, heads: shape.2, headDim: shape.3), kernels: kernels, maskAll: shape.0 == 4,
                          relativeBias: true, roundHalf: true, tolerance: 2e-3)
            }
        }

        /// `roundHalf`: the reference takes Q, K and V rounded to fp16 (what a tensor-core variant
        /// multiplies); `tolerance` bounds the max relative error.
        func check(_ shape: (batch: Int, seq: Int, heads: Int, headDim: Int), kernels: EncoderKernels, maskAll: Bool = false,
                   relativeBias: Bool = false, roundHalf: Bool = false, tolerance: Double = 1e-5) throws {
            var rng = SeededGenerator(seed: UInt64(shape.seq * 31 + shape.headDim))
            let (batch, seq, heads, headDim) = shape
            let hidden = heads * headDim
            // Large-ish logits exercise the running-maximum rescaling.
            let qkv = randomFloats(batch * seq * 3 * hidden, &rng, range: -3...3)
            let lengths = (0..<batch).map { b in b == 0 ? seq : max(1, seq - 2 * b - 1) }
            // With maskAll, the last sequence has no real token: its outputs must be zeros.
            let mask = (0..<batch).flatMap { b in (0..<seq).map { Int32($0 < lengths[b] && !(maskAll && b == batch - 1) ? 1 : 0) } }
            let inputs = roundHalf ? qkv.map { Float(Float16($0)) } : qkv
            let out = try poisoned(batch * seq * hidden + 3)
            // Biases as large as the scores, different per head and distance, so a wrong index shows.
            let bias = relativeBias ? randomFloats(heads * (2 * seq - 1), &rng, range: -4...4) : nil
            try kernels.attention(qkv: try TestDevice.context.upload(qkv), mask: try TestDevice.context.upload(mask),
                                             out: out, batch: batch, sequenceLength: seq, heads: heads, headDim: headDim,
                                             scale: 1 / Float(headDim).squareRoot(),
                                             relativeBias: try bias.map { try TestDevice.context.upload($0) })
            let expected = self.reference(qkv: inputs, mask: mask, batch: batch, seq: seq, heads: heads, headDim: headDim, bias: bias)
            if relativeBias {
                // The bias must matter: without it the reference differs from what ran.
                let unbiased = self.reference(qkv: inputs, mask: mask, batch: batch, seq: seq, heads: heads, headDim: headDim)
                let ran = Array(try out.read().prefix(batch * seq * hidden))
                #expect(seq == 1 || maxRelativeError(ran, unbiased) > 1e-3, "the bias changed nothing at \(shape)")
            }
            let result = try out.read()
            let error = maxRelativeError(Array(result[..<(batch * seq * hidden)]), expected)
            #expect(error < tolerance, "attention \(kernels.selection[.attention]) \(shape): max rel error \(error)")
            #expect(result[(batch * seq * hidden)...].allSatisfy { $0.isNaN }, "attention wrote past its output")
        }
    }
}
