import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// The 4-bit GEMM (portable-gemm-w4-packed) against a float64 product with the dequantized
    /// weights scale · (code - zero): M and N odd and around the tile sizes, K odd, not a multiple
    /// of the group size nor of the unroll, groups of 8 to 128, several parameter settings and
    /// seeds, into NaN-poisoned outputs.
    @Suite struct GEMMInt4Packed {
        static let settings: [[String: Int]] = [
            ["MR": 6, "VW": 16, "NV": 2, "KU": 4], ["MR": 1, "VW": 4, "NV": 1, "KU": 2],
            ["MR": 5, "VW": 8, "NV": 3, "KU": 8], ["MR": 4, "VW": 4, "NV": 1, "KU": 2, "WG": 8],
        ]

        static let shapes: [(m: Int, n: Int, k: Int, group: Int)] = [
            (1, 1, 1, 2), (7, 37, 9, 8), (13, 33, 29, 8), (5, 31, 30, 16), (37, 61, 130, 128), (3, 97, 383, 128),
            (29, 48, 257, 64), (65, 130, 67, 16), (11, 17, 384, 128), (6, 32, 131, 2),
        ]

        /// Random codes, scales and zero points of an [N, K] weight and its float64 dequantization.
        func randomWeight(n: Int, k: Int, group: Int, _ rng: inout SeededGenerator)
            -> (codes: [UInt8], scales: [Float], offsets: [Float], dequantized: [Double]) {
            let groups = (k + group - 1) / group
            let codes = (0..<(n * k)).map { _ in UInt8.random(in: 0...15, using: &rng) }
            let scales = (0..<(n * groups)).map { _ in Float.random(in: 0.001...0.05, using: &rng) }
            let zeros = (0..<(n * groups)).map { _ in UInt8.random(in: 0...15, using: &rng) }
            let offsets = scales.indices.map { -Float(zeros[$0]) * scales[$0] }
            let w = (0..<(n * k)).map { i -> Double in
                let g = (i / k) * groups + (i % k) / group
                return Double(scales[g]) * (Double(codes[i]) - Double(zeros[g]))
            }
            return (codes, scales, offsets, w)
        }

        @Test(arguments: settings)
        func matchesTheDequantizedFloat64Product(values: [String: Int]) throws {
            let ctx = TestDevice.context
            let kernels = try TestDevice.kernels(.gemmW4, values, variant: PortableGEMMInt4Packed.w4)
            let width = try #require(kernels.selection[.gemmW4].panelWidth)
            #expect(width == values["VW"]! * values["NV"]!)
            for seed in [UInt64(41), 42, 43] {
                var rng = SeededGenerator(seed: seed)
                for (index, (m, n, k, group)) in Self.shapes.enumerated() {
                    let weight = randomWeight(n: n, k: k, group: group, &rng)
                    let a = randomFloats(m * k, &rng), bias = randomFloats(n, &rng)
                    let activation: Activation = [.none, .gelu, .tanh, .relu][(index + Int(seed)) % 4]
                    let useBias = (index + Int(seed)) % 3 != 0
                    let groups = (k + group - 1) / group
                    let c = try poisoned(m * n + 5)
                    try kernels.gemmW4(a: try ctx.upload(a), b: try ctx.upload(WeightPacking.int4Panels(weight.codes, n: n, k: k, width: width)),
                                       groupParams: try ctx.upload(WeightPacking.groupPanels(scales: weight.scales, offsets: weight.offsets,
                                                                                             n: n, groups: groups, width: width)),
                                       groupSize: group, bias: useBias ? try ctx.upload(bias) : nil, c: c, m: m, n: n, k: k, width: width,
                                       activation: activation)
                    // fp32 rounding is judged against the sum of the terms' magnitudes; the
                    // activations are 1-Lipschitz, so the bound carries through them.
                    let out = try c.read()
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var s = 0.0, magnitude = 0.0
                            for p in 0..<k {
                                let term = Double(a[i * k + p]) * weight.dequantized[j * k + p]
                                s += term
                                magnitude += abs(term)
                            }
                            var x = s + (useBias ? Double(bias[j]) : 0)
                            switch activation {
                            case .none: break
                            case .gelu: x = geluReference(x)
                            case .tanh: x = Foundation.tanh(x)
                            case .relu: x = max(0, x)
                            }
                            let value = out[i * n + j]
                            worst = value.isFinite ? max(worst, abs(Double(value) - x) / max(1, magnitude)) : .infinity
                        }
                    }
                    #expect(worst < 1e-5, "w4 \(values) seed \(seed) \(m)x\(n)x\(k) group \(group) \(activation): worst error \(worst)")
                    #expect(out[(m * n)...].allSatisfy { $0.isNaN }, "w4 \(values) \(m)x\(n)x\(k) wrote past C")
                }
            }
        }

        /// The grid of an embed batch (640 x 1152 x 384: 107 x 36 work-items) on which PoCL, left to
        /// pick the work-group size, overflowed its thread stack; sampled outputs against float64.
        @Test func largeGridRunsWithTheProfileSettings() throws {
            let ctx = TestDevice.context
            let kernels = try TestDevice.kernels(.gemmW4, [:], variant: PortableGEMMInt4Packed.w4)
            let width = try #require(kernels.selection[.gemmW4].panelWidth)
            let (m, n, k, group) = (640, 1152, 384, 128)
            var rng = SeededGenerator(seed: 44)
            let weight = randomWeight(n: n, k: k, group: group, &rng)
            let a = randomFloats(m * k, &rng)
            let c = try poisoned(m * n)
            try kernels.gemmW4(a: try ctx.upload(a), b: try ctx.upload(WeightPacking.int4Panels(weight.codes, n: n, k: k, width: width)),
                               groupParams: try ctx.upload(WeightPacking.groupPanels(scales: weight.scales, offsets: weight.offsets, n: n,
                                                                                     groups: 3, width: width)),
                               groupSize: group, bias: nil, c: c, m: m, n: n, k: k, width: width)
            let out = try c.read()
            #expect(out.allSatisfy { $0.isFinite }, "some outputs were not written")
            for _ in 0..<300 {
                let i = Int.random(in: 0..<m, using: &rng), j = Int.random(in: 0..<n, using: &rng)
                var s = 0.0, magnitude = 0.0
                for p in 0..<k {
                    s += Double(a[i * k + p]) * weight.dequantized[j * k + p]
                    magnitude += abs(Double(a[i * k + p]) * weight.dequantized[j * k + p])
                }
                #expect(abs(Double(out[i * n + j]) - s) / max(1, magnitude) < 1e-5, "C[\(i), \(j)]")
            }
        }

        @Test func packingPutsEvenKInTheLowNibbleAndPadsWithZero() {
            // [N = 3, K = 3] codes, panels 2 wide: panel 0 = columns 0, 1; panel 1 = column 2 and padding.
            let codes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
            let packed = WeightPacking.int4Panels(codes, n: 3, k: 3, width: 2)
            #expect(packed == [0x21, 0x54, 0x03, 0x06, 0x87, 0x00, 0x09, 0x00])
            let params = WeightPacking.groupPanels(scales: [1, 2, 3], offsets: [-1, -2, -3], n: 3, groups: 1, width: 2)
            #expect(params == [1, 2, -1, -2, 3, 0, -3, 0])
        }
    }
}
