import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// The packed CPU int8 GEMMs (portable-gemm-w8a8-packed, portable-gemm-w8-packed) over int8
    /// weights packed by `WeightPacking.panels`: every M residue of the micro-tile height, every
    /// N residue of the panel width, K around the unroll factor, at several parameter settings,
    /// into NaN-poisoned outputs. W8A8 with unit scales is compared bit for bit with the integer
    /// sums; W8 against float64.
    @Suite struct GEMMInt8Packed {
        static let settings: [[String: Int]] = [
            ["MR": 6, "VW": 16, "NV": 2, "KU": 4], ["MR": 1, "VW": 4, "NV": 1, "KU": 1, "WG": 1],
            ["MR": 5, "VW": 8, "NV": 3, "KU": 8, "WG": 64], ["MR": 12, "VW": 16, "NV": 1, "KU": 2, "WG": 2],
        ]

        static let shapes: [(m: Int, n: Int, k: Int)] =
            (1...13).map { ($0, 37, 11) } + (1...49).map { (7, $0, 9) } + (1...9).map { (13, 35, $0) }
            + [(37, 61, 29), (65, 130, 67), (3, 97, 130), (29, 48, 383)]

        /// The full edge sweep at two settings, the larger odd shapes and every fifth at the others.
        static func cases(_ values: [String: Int]) -> [(index: Int, m: Int, n: Int, k: Int)] {
            let sweep = values == settings[0] || values == settings[2]
            return shapes.enumerated().filter { sweep || $0.offset >= shapes.count - 4 || $0.offset % 5 == 0 }
                .map { ($0.offset, $0.element.m, $0.element.n, $0.element.k) }
        }

        static func randomInt8(_ count: Int, _ rng: inout SeededGenerator) -> [Int8] {
            (0..<count).map { _ in Int8.random(in: -127...127, using: &rng) }
        }

        @Test(arguments: settings)
        func w8a8IsBitExactAgainstIntegerSums(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.gemmW8A8, values, variant: PortableGEMMInt8Packed.w8a8)
            #expect(kernels.selection[.gemmW8A8].panelWidth == values["VW"]! * values["NV"]!)
            try Self.checkBitExact(kernels, cases: Self.cases(values).map { ($0.m, $0.n, $0.k) }, label: "w8a8 packed \(values)")
        }

        @Test(arguments: settings)
        func w8a8FoldsScalesBiasAndActivation(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.gemmW8A8, values, variant: PortableGEMMInt8Packed.w8a8)
            let cases = Self.cases(values).filter { $0.index % 3 == 0 || $0.index >= Self.shapes.count - 4 }
            try Self.checkFolds(kernels, cases: cases.map { ($0.index, $0.m, $0.n, $0.k) }, label: "w8a8 packed \(values)")
        }

        /// A W8A8 selection with unit scales against the exact integer sums, bit for bit, weights
        /// packed as the selection reads them, outputs poisoned.
        static func checkBitExact(_ kernels: EncoderKernels, cases: [(m: Int, n: Int, k: Int)], label: String) throws {
            let ctx = TestDevice.context
            let width = try #require(kernels.selection[.gemmW8A8].panelWidth)
            var rng = SeededGenerator(seed: 31)
            for (m, n, k) in cases {
                // Extreme codes too: |sum| <= 383·127·128 < 2²⁴, so the float result is the sum exactly.
                var a = randomInt8(m * k, &rng), w = randomInt8(n * k, &rng)  // w is [N, K]
                a[0] = -127; w[0] = -128  // B may hold -128 (an external checkpoint); A never does
                if k > 1 { a[1] = -127; w[1] = -128 }
                let c = try poisoned(m * n + 5)
                try kernels.gemmW8A8(a: try ctx.upload(a), aScale: try ctx.upload([Float](repeating: 1, count: m)),
                                     b: try ctx.upload(WeightPacking.panels(w, n: n, k: k, width: width, zero: Int8(0))),
                                     bScale: try ctx.upload([Float](repeating: 1, count: n)), bias: nil, c: c, m: m, n: n, k: k,
                                     layout: .panels(width: width))
                var expected = [Float]()
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Int32 = 0
                        for p in 0..<k { s += Int32(a[i * k + p]) * Int32(w[j * k + p]) }
                        expected.append(Float(s))
                    }
                }
                let out = try c.read()
                #expect(Array(out[..<(m * n)]) == expected, "\(label) \(m)x\(n)x\(k) differs from the integer sums")
                #expect(out[(m * n)...].allSatisfy { $0.isNaN }, "\(label) \(m)x\(n)x\(k) wrote past C")
            }
        }

        /// A W8A8 selection with random per-row and per-column scales, bias on every other case and
        /// each activation in turn, against float64 (relative 1e-5: only the float epilogue rounds).
        static func checkFolds(_ kernels: EncoderKernels, cases: [(index: Int, m: Int, n: Int, k: Int)], label: String) throws {
            let ctx = TestDevice.context
            let width = try #require(kernels.selection[.gemmW8A8].panelWidth)
            var rng = SeededGenerator(seed: 32)
            for (index, m, n, k) in cases {
                let a = randomInt8(m * k, &rng), w = randomInt8(n * k, &rng)
                let aScale = randomFloats(m, &rng, range: 0.001...0.05), bScale = randomFloats(n, &rng, range: 0.001...0.05)
                let bias = randomFloats(n, &rng)
                let activation: Activation = [.none, .gelu, .tanh, .relu][index % 4]
                let useBias = index % 2 == 0
                let c = try poisoned(m * n + 5)
                try kernels.gemmW8A8(a: try ctx.upload(a), aScale: try ctx.upload(aScale),
                                     b: try ctx.upload(WeightPacking.panels(w, n: n, k: k, width: width, zero: Int8(0))),
                                     bScale: try ctx.upload(bScale), bias: useBias ? try ctx.upload(bias) : nil, c: c,
                                     m: m, n: n, k: k, activation: activation, layout: .panels(width: width))
                var expected = [Double]()
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0
                        for p in 0..<k { s += Int(a[i * k + p]) * Int(w[j * k + p]) }
                        let x = Double(s) * Double(aScale[i]) * Double(bScale[j]) + (useBias ? Double(bias[j]) : 0)
                        switch activation {
                        case .none: expected.append(x)
                        case .gelu: expected.append(geluReference(x))
                        case .tanh: expected.append(Foundation.tanh(x))
                        case .relu: expected.append(max(0, x))
                        }
                    }
                }
                let out = try c.read()
                let error = maxRelativeError(Array(out[..<(m * n)]), expected)
                #expect(error < 1e-5, "\(label) \(m)x\(n)x\(k) \(activation) bias=\(useBias): max rel error \(error)")
                #expect(out[(m * n)...].allSatisfy { $0.isNaN }, "\(label) \(m)x\(n)x\(k) wrote past C")
            }
        }

        @Test(arguments: settings)
        func w8MatchesDequantizedReference(values: [String: Int]) throws {
            let ctx = TestDevice.context
            let kernels = try TestDevice.kernels(.gemmW8, values, variant: PortableGEMMInt8Packed.w8)
            let width = try #require(kernels.selection[.gemmW8].panelWidth)
            var rng = SeededGenerator(seed: 33)
            for (index, m, n, k) in Self.cases(values) {
                let a = randomFloats(m * k, &rng), w = Self.randomInt8(n * k, &rng)
                let scale = randomFloats(n, &rng, range: 0.001...0.02), bias = randomFloats(n, &rng)
                let activation: Activation = [.none, .gelu, .tanh, .relu][index % 4]
                let useBias = index % 3 != 0
                let c = try poisoned(m * n + 5)
                try kernels.gemmW8(a: try ctx.upload(a), b: try ctx.upload(WeightPacking.panels(w, n: n, k: k, width: width, zero: Int8(0))),
                                   bScale: try ctx.upload(scale), bias: useBias ? try ctx.upload(bias) : nil, c: c, m: m, n: n, k: k,
                                   activation: activation, layout: .panels(width: width))
                // fp32 rounding of products up to 127x the result is judged against the sum of the
                // terms' magnitudes; the activations are 1-Lipschitz, so the bound carries through.
                let out = try c.read()
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0, magnitude = 0.0
                        for p in 0..<k {
                            let term = Double(a[i * k + p]) * Double(w[j * k + p]) * Double(scale[j])
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
                #expect(worst < 1e-5, "w8 packed \(values) \(m)x\(n)x\(k) \(activation) bias=\(useBias): worst error \(worst)")
                #expect(out[(m * n)...].allSatisfy { $0.isNaN }, "w8 packed \(values) \(m)x\(n)x\(k) wrote past C")
            }
        }
    }
}
