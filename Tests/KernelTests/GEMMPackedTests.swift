import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// The packed CPU GEMM (portable-gemm-packed) against the float64 reference: every M residue
    /// of the micro-tile height, every N residue of the panel width, K around the unroll factor,
    /// in all three layouts, at several parameter settings (work-groups of 1 to 64 row tiles, so rows
    /// are padded past M), into NaN-poisoned outputs.
    @Suite struct GEMMPacked {
        static let settings: [[String: Int]] = [
            ["MR": 6, "VW": 16, "NV": 2, "KU": 4], ["MR": 1, "VW": 4, "NV": 1, "KU": 1, "WG": 1],
            ["MR": 5, "VW": 8, "NV": 3, "KU": 8, "WG": 64], ["MR": 4, "VW": 4, "NV": 4, "KU": 2, "WG": 2],
            ["MR": 12, "VW": 16, "NV": 1, "KU": 2],
        ]

        /// Sizes that walk every edge: m over 1...13 (each residue of MR <= 12), n over 1...49
        /// (each residue of panels up to 48 wide), k over 1...9 around KU, plus odd larger shapes.
        static let shapes: [(m: Int, n: Int, k: Int)] =
            (1...13).map { ($0, 37, 11) } + (1...49).map { (7, $0, 9) } + (1...9).map { (13, 35, $0) }
            + [(37, 61, 29), (65, 130, 67), (129, 48, 383), (3, 97, 130)]

        func kernels(_ values: [String: Int]) throws -> EncoderKernels {
            let selection = try TestDevice.kernels.selection.replacing(.gemm, variant: PortableGEMMPacked.fp32, overrides: values, by: "test")
            return try EncoderKernels(context: TestDevice.context, selection: selection)
        }

        @Test(arguments: settings)
        func matchesReferenceInEveryLayout(values: [String: Int]) throws {
            let kernels = try kernels(values)
            let width = try #require(kernels.selection[.gemm].panelWidth)
            #expect(width == values["VW"]! * values["NV"]!)
            var rng = SeededGenerator(seed: 11)
            // The full edge sweep at two settings, the larger odd shapes at every one: each new launch
            // size costs PoCL a kernel compile, and the residues are what the sweep is for.
            let sweep = values == Self.settings[0] || values == Self.settings[2]
            for (index, (m, n, k)) in Self.shapes.enumerated() where sweep || index >= Self.shapes.count - 4 || index % 5 == 0 {
                let a = randomFloats(m * k, &rng), weight = randomFloats(n * k, &rng), bias = randomFloats(n, &rng)
                let activation: Activation = [.none, .gelu, .tanh, .relu][index % 4]
                let useBias = index % 3 != 0
                let expected = GEMM().reference(a: a, b: weight, layout: .nByK, bias: useBias ? bias : nil, m: m, n: n, k: k,
                                                activation: activation)
                let inputs: [(MatrixLayout, [Float])] = [
                    (.panels(width: width), WeightPacking.panels(weight, n: n, k: k, width: width, zero: 0)),
                    (.kByN, transposedForTest(weight, rows: n, cols: k)), (.nByK, weight),
                ]
                for (layout, b) in inputs {
                    let c = try poisoned(m * n + 5)
                    try kernels.gemm(a: try TestDevice.context.upload(a), b: try TestDevice.context.upload(b), layout: layout,
                                     bias: useBias ? try TestDevice.context.upload(bias) : nil, c: c, m: m, n: n, k: k,
                                     activation: activation)
                    let out = try c.read()
                    let error = maxRelativeError(Array(out[..<(m * n)]), expected)
                    #expect(error < 1e-5, "\(values) \(layout) \(m)x\(n)x\(k) \(activation) bias=\(useBias): max rel error \(error)")
                    #expect(out[(m * n)...].allSatisfy { $0.isNaN }, "\(values) \(layout) \(m)x\(n)x\(k) wrote past C")
                }
            }
        }

        /// The vector epilogue's GELU uses common.cl's rational erf, not erf(): a 1 x 4001 x 1 product
        /// puts every x in [-8, 8] in steps of 1/250 through it (the clamp at |x/√2| = 4 included).
        @Test func geluEpilogueMatchesExactGELUOverItsRange() throws {
            let kernels = try kernels(Self.settings[0])
            let width = try #require(kernels.selection[.gemm].panelWidth)
            let n = 4001
            let xs = (0..<n).map { Float(-8 + Double($0) / 250) }
            let c = try poisoned(n + 3)
            try kernels.gemm(a: try TestDevice.context.upload([1]),
                             b: try TestDevice.context.upload(WeightPacking.panels(xs, n: n, k: 1, width: width, zero: 0)),
                             layout: .panels(width: width), bias: nil, c: c, m: 1, n: n, k: 1, activation: .gelu)
            let out = try c.read()
            let error = maxRelativeError(Array(out[..<n]), xs.map { geluReference(Double($0)) })
            // scripts/kernels/fit_erf.py: 7.5e-7 in float arithmetic.
            #expect(error < 2e-6, "GELU epilogue: max error \(error)")
            #expect(out[n...].allSatisfy { $0.isNaN })
        }

        @Test func packingPlacesEveryElementAndPadsWithZero() {
            // [N=3, K=2] weight, panels 2 wide: panel 0 = outputs 0,1; panel 1 = output 2 and padding.
            let weight: [Float] = [1, 2, 3, 4, 5, 6]
            let packed = WeightPacking.panels(weight, n: 3, k: 2, width: 2, zero: 0)
            #expect(packed == [1, 3, 2, 4, 5, 0, 6, 0])
            #expect(WeightPacking.packedCount(n: 3, k: 2, width: 2) == 8)
        }
    }
}

/// [rows, cols] to [cols, rows], written out here so the tests do not share the engine's code.
func transposedForTest(_ values: [Float], rows: Int, cols: Int) -> [Float] {
    (0..<(rows * cols)).map { i in values[(i % rows) * cols + i / rows] }
}
