import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    @Suite struct Elementwise {
        static let layerNormShapes = [(rows: 1, h: 1), (rows: 3, h: 7), (rows: 17, h: 129), (rows: 5, h: 384), (rows: 2, h: 1023),
                                      (rows: 24, h: 61)]

        /// The work-group variant at several group sizes and the one-row-per-item CPU variant at every
        /// vector width (rows 24 takes groups of 8, 17 falls back to groups of 1; h 7, 61 and 1023 leave tails).
        static let layerNormSettings: [(KernelVariant, [String: Int])] =
            [1, 32, 64, 256].map { (PortableNormalization.layerNorm, ["LN_GROUP": $0]) }
            + [4, 8, 16].map { (PortableNormalization.layerNormRows, ["LN_VW": $0, "LN_ROWS": 8]) }

        @Test(arguments: layerNormShapes, layerNormSettings.indices)
        func layerNormMatchesCPU(shape: (rows: Int, h: Int), setting: Int) throws {
            let (variant, values) = Self.layerNormSettings[setting]
            let kernels = try TestDevice.kernels(.layerNorm, values, variant: variant)
            var rng = SeededGenerator(seed: UInt64(shape.rows * 1000 + shape.h))
            let (rows, h) = shape
            // An offset mean checks that the variance is taken around the mean.
            let x = randomFloats(rows * h, &rng, range: 2...6), residual = randomFloats(rows * h, &rng)
            let gamma = randomFloats(h, &rng), beta = randomFloats(h, &rng)
            let eps: Float = 1e-12
            for useResidual in [false, true] {
                let out = try poisoned(rows * h)
                let ctx = TestDevice.context
                try kernels.layerNorm(try ctx.upload(x), residual: useResidual ? try ctx.upload(residual) : nil,
                                                 gamma: try ctx.upload(gamma), beta: try ctx.upload(beta), out: out,
                                                 rows: rows, h: h, eps: eps)
                var expected = [Double](repeating: 0, count: rows * h)
                for r in 0..<rows {
                    let v = (0..<h).map { Double(x[r * h + $0]) + (useResidual ? Double(residual[r * h + $0]) : 0) }
                    let mean = v.reduce(0, +) / Double(h)
                    let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(h)
                    for i in 0..<h {
                        expected[r * h + i] = (v[i] - mean) / (variance + Double(eps)).squareRoot() * Double(gamma[i]) + Double(beta[i])
                    }
                }
                let error = maxRelativeError(try out.read(), expected)
                // A one-element row normalises to 0 exactly; rounding in (v - mean) dominates elsewhere.
                #expect(error < 5e-5, "layer norm \(variant.name) \(values) \(rows)x\(h) residual=\(useResidual): max rel error \(error)")
            }
        }

        /// layer_norm_quantize writes exactly what layer_norm then quantize_rows write apart (out, codes
        /// and scales bit for bit), plain and with SmoothQuant factors, with and without a residual, in
        /// both layer-norm variants; a zero row (x = -residual, beta = 0) gets scale 1 and zero codes.
        @Test(arguments: layerNormShapes, layerNormSettings.indices)
        func fusedQuantizationEqualsTheTwoKernels(shape: (rows: Int, h: Int), setting: Int) throws {
            let (variant, values) = Self.layerNormSettings[setting]
            let kernels = try TestDevice.kernels(.layerNorm, values, variant: variant)
            let ctx = TestDevice.context
            var rng = SeededGenerator(seed: UInt64(shape.rows * 7 + shape.h))
            let (rows, h) = shape
            var x = randomFloats(rows * h, &rng, range: -3...3)
            let residual = randomFloats(rows * h, &rng)
            let gamma = randomFloats(h, &rng)
            let zeroBeta = [Float](repeating: 0, count: h), beta = randomFloats(h, &rng)
            if rows > 2 { for i in 0..<h { x[h + i] = -residual[h + i] } }  // row 1 sums to zero with the residual
            let inverse = randomFloats(h, &rng, range: 0.05...3)
            for (useResidual, smoothed, useBeta) in [(false, false, true), (true, false, true), (true, true, true), (true, true, false)] {
                let xs = try ctx.upload(x), res = useResidual ? try ctx.upload(residual) : nil
                let g = try ctx.upload(gamma), b = try ctx.upload(useBeta ? beta : zeroBeta)
                let inv = smoothed ? try ctx.upload(inverse) : nil
                let apartOut = try poisoned(rows * h), fusedOut = try poisoned(rows * h)
                let apartCodes = try ctx.buffer(Int8.self, count: rows * h), fusedCodes = try ctx.buffer(Int8.self, count: rows * h)
                let apartScales = try poisoned(rows), fusedScales = try poisoned(rows)
                try kernels.layerNorm(xs, residual: res, gamma: g, beta: b, out: apartOut, rows: rows, h: h, eps: 1e-12)
                try kernels.quantizeRows(apartOut, into: apartCodes, scales: apartScales, m: rows, k: h, inverseSmoothing: inv)
                try kernels.layerNorm(xs, residual: res, gamma: g, beta: b, out: fusedOut, rows: rows, h: h, eps: 1e-12,
                                      quantizeInto: RowQuantization(codes: fusedCodes, scales: fusedScales, inverseSmoothing: inv))
                let label = "\(variant.name) \(values) \(rows)x\(h) residual=\(useResidual) smoothed=\(smoothed) beta=\(useBeta)"
                #expect(try fusedOut.read() == apartOut.read(), "out differs: \(label)")
                #expect(try fusedCodes.read() == apartCodes.read(), "codes differ: \(label)")
                #expect(try fusedScales.read() == apartScales.read(), "scales differ: \(label)")
                #expect(try apartScales.read().allSatisfy { $0.isFinite && $0 > 0 }, "scales: \(label)")
            }
            #expect(kernels.ran[.layerNorm]?.variant.name == variant.name)
        }

        @Test(arguments: [Activation.gelu, .tanh, .none, .relu])
        func biasActivationMatchesCPU(activation: Activation) throws {
            var rng = SeededGenerator(seed: 3)
            let (rows, n) = (13, 37)
            let x = randomFloats(rows * n, &rng, range: -5...5), bias = randomFloats(n, &rng)
            let buffer = try TestDevice.context.upload(x)
            try TestDevice.kernels.biasActivation(buffer, bias: try TestDevice.context.upload(bias), rows: rows, n: n, activation: activation)
            let expected = (0..<(rows * n)).map { i -> Double in
                let v = Double(x[i]) + Double(bias[i % n])
                switch activation {
                case .none: return v
                case .gelu: return geluReference(v)
                case .tanh: return Foundation.tanh(v)
                case .relu: return max(v, 0)
                }
            }
            let error = maxRelativeError(try buffer.read(), expected)
            #expect(error < 1e-6, "bias+\(activation): max rel error \(error)")
        }

        /// The fp32 part of a mixed-precision Linear: odd sizes, channels out of order, and a NaN tail
        /// past rows x n that must stay untouched (the kernel adds in place, so the region itself starts filled).
        @Test(arguments: [Activation.none, .gelu], [1, 4, 8, 16])
        func outlierColumnsAddThenActivate(activation: Activation, outputsPerItem: Int) throws {
            let kernels = try TestDevice.kernels(.outlierColumns, ["OV": outputsPerItem])
            var rng = SeededGenerator(seed: 29)
            let (rows, k, n) = (11, 45, 37)
            let columns: [Int32] = [44, 3, 17, 0, 29]
            let x = randomFloats(rows * k, &rng, range: -3...3), w = randomFloats(columns.count * n, &rng)
            let y = randomFloats(rows * n, &rng, range: -2...2)
            let ctx = TestDevice.context
            let out = try ctx.upload(y + [Float](repeating: .nan, count: 7))
            try kernels.addOutlierColumns(try ctx.upload(x), k: k, columns: try ctx.upload(columns), count: columns.count,
                                          weight: try ctx.upload(w), into: out, rows: rows, n: n, activation: activation)
            let expected = (0..<(rows * n)).map { e -> Double in
                let (m, o) = (e / n, e % n)
                var v = Double(y[e])
                for (i, c) in columns.enumerated() { v += Double(x[m * k + Int(c)]) * Double(w[i * n + o]) }
                return activation == .gelu ? geluReference(v) : v
            }
            let result = try out.read()
            let worst = maxRelativeError(Array(result[..<(rows * n)]), expected)
            #expect(worst < 1e-6, "outlier columns, \(activation), OV \(outputsPerItem): max rel error \(worst)")
            #expect(kernels.ran[.outlierColumns]?.values["OV"] == outputsPerItem)
            let tailUntouched = result[(rows * n)...].allSatisfy { $0.isNaN }
            #expect(tailUntouched, "wrote past rows x n")
        }

        @Test func embeddingsGatherAndAdd() throws {
            var rng = SeededGenerator(seed: 11)
            let (vocab, positions, types, hidden, batch, seq) = (53, 19, 2, 37, 3, 7)
            let word = randomFloats(vocab * hidden, &rng), position = randomFloats(positions * hidden, &rng)
            let typeTable = randomFloats(types * hidden, &rng)
            let ids = (0..<(batch * seq)).map { _ in Int32.random(in: 0..<Int32(vocab), using: &rng) }
            let tokenTypes = (0..<(batch * seq)).map { _ in Int32.random(in: 0..<Int32(types), using: &rng) }
            let ctx = TestDevice.context
            let out = try poisoned(batch * seq * hidden)
            try TestDevice.kernels.embed(ids: try ctx.upload(ids), tokenTypes: try ctx.upload(tokenTypes),
                                         word: try ctx.upload(word), position: try ctx.upload(position),
                                         tokenType: try ctx.upload(typeTable), out: out,
                                         tokens: batch * seq, sequenceLength: seq, hidden: hidden)
            var expected = [Double]()
            for t in 0..<(batch * seq) {
                for h in 0..<hidden {
                    expected.append(Double(word[Int(ids[t]) * hidden + h]) + Double(position[(t % seq) * hidden + h])
                                    + Double(typeTable[Int(tokenTypes[t]) * hidden + h]))
                }
            }
            #expect(try maxRelativeError(try out.read(), expected) < 1e-6)

            // int8 tables with one scale per row.
            let word8 = (0..<(vocab * hidden)).map { _ in Int8.random(in: -127...127, using: &rng) }
            let pos8 = (0..<(positions * hidden)).map { _ in Int8.random(in: -127...127, using: &rng) }
            let wordScale = randomFloats(vocab, &rng, range: 0.001...0.02), posScale = randomFloats(positions, &rng, range: 0.001...0.02)
            let out8 = try poisoned(batch * seq * hidden)
            try TestDevice.kernels.embedInt8(ids: try ctx.upload(ids), tokenTypes: nil, word: try ctx.upload(word8),
                                             wordScale: try ctx.upload(wordScale), position: try ctx.upload(pos8),
                                             positionScale: try ctx.upload(posScale), tokenType: nil, out: out8,
                                             tokens: batch * seq, sequenceLength: seq, hidden: hidden)
            var expected8 = [Double]()
            for t in 0..<(batch * seq) {
                for h in 0..<hidden {
                    let id = Int(ids[t]), p = t % seq
                    expected8.append(Double(word8[id * hidden + h]) * Double(wordScale[id]) + Double(pos8[p * hidden + h]) * Double(posScale[p]))
                }
            }
            #expect(try maxRelativeError(try out8.read(), expected8) < 1e-6)
        }

        @Test func poolingMeanOverMaskAndCLS() throws {
            var rng = SeededGenerator(seed: 5)
            let (batch, seq, width) = (4, 9, 23)
            let hidden = randomFloats(batch * seq * width, &rng)
            let lengths = [9, 1, 5, 3]
            let mask = (0..<batch).flatMap { b in (0..<seq).map { Int32($0 < lengths[b] ? 1 : 0) } }
            let ctx = TestDevice.context
            let hiddenBuffer = try ctx.upload(hidden), maskBuffer = try ctx.upload(mask)
            let mean = try poisoned(batch * width), cls = try poisoned(batch * width)
            try TestDevice.kernels.meanPool(hidden: hiddenBuffer, mask: maskBuffer, out: mean, batch: batch, sequenceLength: seq, width: width)
            try TestDevice.kernels.clsPool(hidden: hiddenBuffer, out: cls, batch: batch, sequenceLength: seq, width: width)
            var expectedMean = [Double](), expectedCLS = [Double]()
            for b in 0..<batch {
                for h in 0..<width {
                    let values = (0..<lengths[b]).map { Double(hidden[(b * seq + $0) * width + h]) }
                    expectedMean.append(values.reduce(0, +) / Double(values.count))
                    expectedCLS.append(Double(hidden[b * seq * width + h]))
                }
            }
            #expect(try maxRelativeError(try mean.read(), expectedMean) < 1e-6)
            #expect(try maxRelativeError(try cls.read(), expectedCLS) < 1e-7)
        }
    }
}
