import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    @Suite struct GEMM {
        /// Odd sizes around the tile edges (TM rows x 16 columns) and K not a multiple of 8.
        static let shapes: [(m: Int, n: Int, k: Int)] = [
            (1, 1, 1), (3, 17, 5), (7, 33, 13), (4, 16, 8), (13, 15, 31), (37, 61, 29), (65, 130, 67), (129, 48, 383),
        ]

        func reference(a: [Float], b: [Float], layout: MatrixLayout, bias: [Float]?, m: Int, n: Int, k: Int,
                       activation: Activation) -> [Double] {
            var c = [Double](repeating: 0, count: m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k {
                        let bv = layout == .kByN ? b[p * n + j] : b[j * k + p]
                        s += Double(a[i * k + p]) * Double(bv)
                    }
                    s += Double(bias?[j] ?? 0)
                    switch activation {
                    case .none: break
                    case .gelu: s = geluReference(s)
                    case .tanh: s = Foundation.tanh(s)
                    case .relu: s = max(s, 0)
                    }
                    c[i * n + j] = s
                }
            }
            return c
        }

        @Test(arguments: [MatrixLayout.kByN, .nByK], [Activation.none, .gelu, .tanh, .relu])
        func matchesCPUReference(layout: MatrixLayout, activation: Activation) throws {
            for rows in [1, 3, 4, 8] { try check(layout: layout, activation: activation, rowsPerItem: rows) }
        }

        func check(layout: MatrixLayout, activation: Activation, rowsPerItem: Int) throws {
            var rng = SeededGenerator(seed: 42)
            let kernels = try TestDevice.kernels(.gemm, ["TM": rowsPerItem], variant: PortableGEMM.fp32)
            for (index, shape) in Self.shapes.enumerated() {
                let (m, n, k) = shape
                let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng), bias = randomFloats(n, &rng)
                let useBias = index % 2 == 0
                let c = try poisoned(m * n)
                try kernels.gemm(a: try TestDevice.context.upload(a), b: try TestDevice.context.upload(b), layout: layout,
                                 bias: useBias ? try TestDevice.context.upload(bias) : nil, c: c,
                                 m: m, n: n, k: k, activation: activation)
                let expected = reference(a: a, b: b, layout: layout, bias: useBias ? bias : nil, m: m, n: n, k: k, activation: activation)
                let error = maxRelativeError(try c.read(), expected)
                #expect(error < 1e-5, "gemm TM=\(rowsPerItem) \(layout) \(activation) \(m)x\(n)x\(k) bias=\(useBias): max rel error \(error)")
            }
        }

        @Test func writesOnlyItsOutputRegion() throws {
            // A GEMM into the front of a larger buffer must leave the rest untouched.
            var rng = SeededGenerator(seed: 7)
            let (m, n, k) = (5, 19, 11)
            let c = try poisoned(m * n + 23)
            try TestDevice.kernels.gemm(a: try TestDevice.context.upload(randomFloats(m * k, &rng)),
                                        b: try TestDevice.context.upload(randomFloats(k * n, &rng)), layout: .kByN,
                                        bias: nil, c: c, m: m, n: n, k: k)
            let out = try c.read()
            #expect(out[..<(m * n)].allSatisfy { $0.isFinite })
            #expect(out[(m * n)...].allSatisfy { $0.isNaN })
        }
    }
}
