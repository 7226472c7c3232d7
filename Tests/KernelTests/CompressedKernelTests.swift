import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    @Suite struct Compressed {
        static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (3, 9, 5), (7, 17, 13), (13, 33, 31), (37, 61, 383)]

        func randomInt8(_ count: Int, _ rng: inout SeededGenerator) -> [Int8] {
            (0..<count).map { _ in Int8.random(in: -127...127, using: &rng) }
        }

        @Test(arguments: [1, 3, 4, 8])
        func w8a8AccumulatesExactlyInInt32(rowsPerItem: Int) throws {
            // With unit scales and no bias the output is the int32 sum itself, which fits a
            // float exactly (|sum| <= 383·127² < 2²⁴), so the comparison is bit-exact.
            var rng = SeededGenerator(seed: 21)
            let ctx = TestDevice.context
            let kernels = try TestDevice.kernels(.gemmW8A8, ["TM": rowsPerItem], variant: PortableGEMM.w8a8)
            for (m, n, k) in Self.shapes {
                let a = randomInt8(m * k, &rng), b = randomInt8(k * n, &rng)
                let c = try poisoned(m * n)
                try kernels.gemmW8A8(a: try ctx.upload(a), aScale: try ctx.upload([Float](repeating: 1, count: m)),
                                                b: try ctx.upload(b), bScale: try ctx.upload([Float](repeating: 1, count: n)),
                                                bias: nil, c: c, m: m, n: n, k: k)
                var expected = [Float]()
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Int32 = 0
                        for p in 0..<k { s += Int32(a[i * k + p]) * Int32(b[p * n + j]) }
                        expected.append(Float(s))
                    }
                }
                #expect(try c.read() == expected, "w8a8 TM=\(rowsPerItem) \(m)x\(n)x\(k) differs from the integer reference")
            }
        }

        @Test func w8a8AppliesScalesBiasAndActivation() throws {
            var rng = SeededGenerator(seed: 22)
            let ctx = TestDevice.context
            let (m, n, k) = (11, 19, 29)
            let a = randomInt8(m * k, &rng), b = randomInt8(k * n, &rng)
            let aScale = randomFloats(m, &rng, range: 0.001...0.05), bScale = randomFloats(n, &rng, range: 0.001...0.05)
            let bias = randomFloats(n, &rng)
            let c = try poisoned(m * n)
            try TestDevice.kernels(.gemmW8A8, [:], variant: PortableGEMM.w8a8).gemmW8A8(a: try ctx.upload(a), aScale: try ctx.upload(aScale), b: try ctx.upload(b),
                                            bScale: try ctx.upload(bScale), bias: try ctx.upload(bias), c: c, m: m, n: n, k: k,
                                            activation: .gelu)
            var expected = [Double]()
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0
                    for p in 0..<k { s += Int(a[i * k + p]) * Int(b[p * n + j]) }
                    expected.append(geluReference(Double(s) * Double(aScale[i]) * Double(bScale[j]) + Double(bias[j])))
                }
            }
            #expect(try maxRelativeError(c.read(), expected) < 1e-5)
        }

        /// Both entry points: plain rows, and SmoothQuant rows divided per channel first (the reference
        /// quantizes x · inv_s computed here).
        /// The work-group variant at several group sizes and the one-row-per-item CPU variant at each
        /// vector width (24 rows take groups of 8; k 7, 61 and 385 leave scalar tails).
        static let quantizeSettings: [(KernelVariant, [String: Int])] =
            [1, 16, 64, 256].map { (PortableNormalization.quantize, ["QG": $0]) }
            + [4, 8, 16].map { (PortableNormalization.quantizeVector, ["QV": $0, "QR": 8]) }

        @Test(arguments: [(rows: 1, k: 1), (rows: 5, k: 7), (rows: 9, k: 385), (rows: 24, k: 61)], quantizeSettings.indices)
        func quantizeRowsMatchesSymmetricAbsmax(shape: (rows: Int, k: Int), setting: Int) throws {
            for smoothed in [false, true] {
                try checkQuantizeRows(shape: shape, setting: Self.quantizeSettings[setting], smoothed: smoothed)
            }
        }

        func checkQuantizeRows(shape: (rows: Int, k: Int), setting: (KernelVariant, [String: Int]), smoothed: Bool) throws {
            var rng = SeededGenerator(seed: UInt64(shape.k))
            let ctx = TestDevice.context
            let kernels = try TestDevice.kernels(.quantize, setting.1, variant: setting.0)
            var x = randomFloats(shape.rows * shape.k, &rng, range: -4...4)
            if shape.rows > 2 { for i in 0..<shape.k { x[shape.k + i] = 0 } }  // an all-zero row
            let inverse = smoothed ? randomFloats(shape.k, &rng, range: 0.05...3) : nil
            let q = try ctx.buffer(Int8.self, count: x.count)
            let scales = try poisoned(shape.rows)
            try kernels.quantizeRows(try ctx.upload(x), into: q, scales: scales, m: shape.rows, k: shape.k,
                                     inverseSmoothing: try inverse.map { try ctx.upload($0) })
            if let inverse { x = x.indices.map { x[$0] * inverse[$0 % shape.k] } }
            let codes = try q.read(), s = try scales.read()
            for r in 0..<shape.rows {
                let row = x[(r * shape.k)..<((r + 1) * shape.k)]
                let absmax = row.map(abs).max()!
                let expectedScale: Float = absmax > 0 ? absmax / 127 : 1
                #expect(abs(s[r] - expectedScale) <= expectedScale * 1e-6)
                for (i, v) in row.enumerated() {
                    let expected = Int8(max(-127, min(127, (v / expectedScale).rounded(.toNearestOrEven))))
                    // A value exactly between two codes may round either way after 1/scale.
                    #expect(abs(Int(codes[r * shape.k + i]) - Int(expected)) <= 1)
                }
                #expect(codes[(r * shape.k)..<((r + 1) * shape.k)].map { abs(Int($0)) }.max() == (absmax > 0 ? 127 : 0))
            }
        }

        @Test(arguments: [1, 3, 4, 8])
        func weightOnlyInt8MatchesDequantizedReference(rowsPerItem: Int) throws {
            var rng = SeededGenerator(seed: 23)
            let ctx = TestDevice.context
            let kernels = try TestDevice.kernels(.gemmW8, ["TM": rowsPerItem], variant: PortableGEMM.w8)
            for (m, n, k) in Self.shapes {
                let a = randomFloats(m * k, &rng), b = randomInt8(k * n, &rng)
                let scale = randomFloats(n, &rng, range: 0.001...0.02), bias = randomFloats(n, &rng)
                let c = try poisoned(m * n)
                try kernels.gemmW8(a: try ctx.upload(a), b: try ctx.upload(b), bScale: try ctx.upload(scale),
                                              bias: try ctx.upload(bias), c: c, m: m, n: n, k: k)
                // Products of int8 codes are up to 127x the result's size, so fp32 rounding is
                // judged against the sum of the terms' magnitudes, not against the result alone.
                let out = try c.read()
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0, magnitude = 0.0
                        for p in 0..<k {
                            let term = Double(a[i * k + p]) * Double(b[p * n + j]) * Double(scale[j])
                            s += term
                            magnitude += abs(term)
                        }
                        let error = abs(Double(out[i * n + j]) - s - Double(bias[j])) / max(1, magnitude)
                        worst = out[i * n + j].isFinite ? max(worst, error) : .infinity
                    }
                }
                #expect(worst < 1e-6, "w8 TM=\(rowsPerItem) \(m)x\(n)x\(k): error \(worst) of the terms' magnitude")
            }
        }

        @Test(arguments: [0.0, 0.5, 0.9, 1.0], [1, 3, 4, 8])
        func csrMatchesDenseOnTheSamePrunedWeights(sparsity: Double, rowsPerItem: Int) throws {
            var rng = SeededGenerator(seed: 24)
            let ctx = TestDevice.context
            let kernels = try TestDevice.kernels(.gemmCSR, ["TM": rowsPerItem])
            for (m, n, k) in Self.shapes {
                // W [N, K] with a `sparsity` share of zeros.
                let w = (0..<(n * k)).map { _ in Double.random(in: 0..<1, using: &rng) < sparsity ? 0 : Float.random(in: -1...1, using: &rng) }
                var rowStart: [Int32] = [0], column: [Int32] = [], value: [Float] = []
                for j in 0..<n {
                    for p in 0..<k where w[j * k + p] != 0 { column.append(Int32(p)); value.append(w[j * k + p]) }
                    rowStart.append(Int32(column.count))
                }
                let a = randomFloats(m * k, &rng), bias = randomFloats(n, &rng)
                let sparse = try poisoned(m * n), dense = try poisoned(m * n)
                let aBuffer = try ctx.upload(a), biasBuffer = try ctx.upload(bias)
                try kernels.gemmCSR(a: aBuffer, rowStart: try ctx.upload(rowStart), column: try ctx.upload(column.isEmpty ? [0] : column),
                                               value: try ctx.upload(value.isEmpty ? [0] : value), bias: biasBuffer, c: sparse,
                                               m: m, n: n, k: k, activation: .relu)
                try TestDevice.kernels.gemm(a: aBuffer, b: try ctx.upload(w), layout: .nByK, bias: biasBuffer, c: dense,
                                            m: m, n: n, k: k, activation: .relu)
                let error = try maxRelativeError(sparse.read(), dense.read().map(Double.init))
                #expect(error < 1e-5, "csr TM=\(rowsPerItem) vs dense \(m)x\(n)x\(k) at sparsity \(sparsity): \(error)")
            }
        }
    }
}
