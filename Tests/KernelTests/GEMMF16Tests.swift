import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// The fp16-weight GEMM variants against a float64 reference on odd sizes, into NaN-poisoned
    /// outputs: portable-gemm-f16 (fp32 activations), and nvidia-mma-f16 through the warp
    /// emulation (WARP_PTX=0), whose per-lane fragment layout is the one mma.sync uses on the GPU.
    @Suite struct GEMMF16 {
        /// Shapes that cut every tile edge: m and n past one and several blocks, k around 8, 16, 32.
        static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (5, 7, 3), (17, 9, 15), (33, 41, 31), (31, 65, 33),
                                                         (70, 37, 67), (129, 130, 95)]

        /// C = act(A Wᵀ + bias) + R in float64, with W as its fp16 values and A rounded to fp16
        /// when `roundA` (what the tensor-core variant feeds the tensor cores).
        func reference(a: [Float], w: [Float], bias: [Float]?, residual: [Float]?, m: Int, n: Int, k: Int,
                       activation: Activation, roundA: Bool) -> [Double] {
            var c = [Double](repeating: 0, count: m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k {
                        let av = roundA ? Double(Float(Float16(a[i * k + p]))) : Double(a[i * k + p])
                        s += av * Double(Float(Float16(w[j * k + p])))
                    }
                    s += Double(bias?[j] ?? 0)
                    switch activation {
                    case .none: break
                    case .gelu: s = geluReference(s)
                    case .tanh: s = Foundation.tanh(s)
                    case .relu: s = max(s, 0)
                    }
                    c[i * n + j] = s + Double(residual?[i * n + j] ?? 0)
                }
            }
            return c
        }

        /// Runs `variant` with `values` on every shape and checks it against the reference within
        /// `tolerance` (A exact, or A rounded to fp16 when `roundA`), and that nothing past C is written.
        func check(_ variant: KernelVariant, _ values: [String: Int], roundA: Bool, tolerance: Double,
                   shapes: [(m: Int, n: Int, k: Int)] = Self.shapes) throws {
            let selection = try TestDevice.kernels.selection.replacing(.gemmF16, variant: variant, overrides: values, by: "test")
            let kernels = try EncoderKernels(context: TestDevice.context, selection: selection)
            var rng = SeededGenerator(seed: 29)
            for (index, (m, n, k)) in shapes.enumerated() {
                let a = randomFloats(m * k, &rng), w = randomFloats(n * k, &rng)
                let bias = randomFloats(n, &rng), residual = randomFloats(m * n, &rng)
                let activation: Activation = [.none, .gelu, .tanh, .relu][index % 4]
                let useBias = index % 3 != 1, useResidual = index % 2 == 1
                let expected = reference(a: a, w: w, bias: useBias ? bias : nil, residual: useResidual ? residual : nil,
                                         m: m, n: n, k: k, activation: activation, roundA: roundA)
                let c = try poisoned(m * n + 5)
                let context = TestDevice.context
                try kernels.gemmF16(a: try context.upload(a), weight: try context.upload(w.map { Float16($0).bitPattern }),
                                    bias: useBias ? try context.upload(bias) : nil,
                                    residual: useResidual ? try context.upload(residual) : nil,
                                    c: c, m: m, n: n, k: k, activation: activation)
                let out = try c.read()
                let error = maxRelativeError(Array(out[..<(m * n)]), expected)
                let label = "\(variant.name) \(values) \(m)x\(n)x\(k) \(activation) bias=\(useBias) residual=\(useResidual)"
                #expect(error < tolerance, "\(label): max rel error \(error)")
                #expect(out[(m * n)...].allSatisfy { $0.isNaN }, "\(label) wrote past C")
            }
            #expect(kernels.ran[.gemmF16]?.variant.name == variant.name)
        }

        @Test(arguments: [["MR": 4, "NC": 2], ["MR": 1, "NC": 1], ["MR": 3, "NC": 3]])
        func portableMatchesReference(values: [String: Int]) throws {
            // Only the weights are fp16, and the reference uses the same fp16 values: fp32 accuracy.
            try check(PortableGEMMF16.f16, values, roundA: false, tolerance: 1e-5)
        }

        @Test(arguments: [
            ["WM": 1, "WN": 1, "MI": 1, "NI": 1, "WARP_PTX": 0], ["WM": 2, "WN": 1, "MI": 1, "NI": 2, "WARP_PTX": 0],
            ["WM": 1, "WN": 2, "MI": 2, "NI": 1, "WARP_PTX": 0], ["WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 0],
        ])
        func tensorCoreEmulationMatchesReference(values: [String: Int]) throws {
            // Against A rounded to fp16 as the kernel rounds it: only the fp32 summation order differs.
            try check(NvidiaGEMM.mmaF16, values, roundA: true, tolerance: 1e-5)
        }

        @Test(arguments: [
            // 8-column fragments per warp: 2 (one x4 pair), 1 (x2 alone), 4 x 4 (the profile's 128 x 128 blocks).
            ["WM": 2, "WN": 1, "MI": 1, "NI": 2, "WARP_PTX": 0, "LDMATRIX": 1], ["WM": 1, "WN": 2, "MI": 2, "NI": 1, "WARP_PTX": 0, "LDMATRIX": 1],
            ["WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 0, "LDMATRIX": 1],
        ])
        func ldmatrixEmulationMatchesReference(values: [String: Int]) throws {
            // The emulated ldmatrix reads each lane's words from the row addresses the lanes publish,
            // so a wrong lane-to-row map fails here as it would on the GPU.
            try check(NvidiaGEMM.mmaF16, values, roundA: true, tolerance: 1e-5)
        }

        @Test(arguments: [
            // BK = 64 (K tiles of 64; the shapes' K of 1..95 leave ragged and single tiles): a 64 x 64
            // full block (two stages in 36,864 bytes), a small one, and each with ldmatrix.
            ["WM": 2, "WN": 2, "MI": 2, "NI": 4, "WARP_PTX": 0, "BK": 64], ["WM": 1, "WN": 2, "MI": 2, "NI": 1, "WARP_PTX": 0, "BK": 64],
            ["WM": 2, "WN": 2, "MI": 2, "NI": 4, "WARP_PTX": 0, "BK": 64, "LDMATRIX": 1],
            ["WM": 1, "WN": 2, "MI": 2, "NI": 1, "WARP_PTX": 0, "BK": 64, "LDMATRIX": 1],
        ])
        func bk64EmulationMatchesReference(values: [String: Int]) throws {
            try check(NvidiaGEMM.mmaF16, values, roundA: true, tolerance: 1e-5)
        }

        /// Shapes for the cp.async stages (ASYNC=1), which run where K % 8 == 0: K of one chunk, of
        /// tiles and a ragged last tile at BK 16/32/64, more tiles than stages, M and N cut at every
        /// edge; and one K = 45 shape that takes the register path in the same build.
        static let asyncShapes: [(m: Int, n: Int, k: Int)] = [(5, 7, 8), (17, 9, 16), (33, 41, 40), (31, 65, 96), (70, 37, 264),
                                                              (129, 130, 136), (3, 20, 45)]

        @Test(arguments: [
            // The ring at each depth; BK 16, 32 and 64; ldmatrix for W; a 4-warp 64 x 64 warp-tile block.
            ["WM": 2, "WN": 2, "MI": 2, "NI": 2, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 2],
            ["WM": 2, "WN": 1, "MI": 1, "NI": 2, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 3, "BK": 16],
            ["WM": 1, "WN": 2, "MI": 2, "NI": 1, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 4, "LDMATRIX": 1],
            ["WM": 2, "WN": 2, "MI": 1, "NI": 2, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 3, "BK": 64, "LDMATRIX": 1],
            ["WM": 2, "WN": 2, "MI": 4, "NI": 8, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 3, "LDMATRIX": 1],
        ])
        func asyncStagesEmulationMatchesReference(values: [String: Int]) throws {
            // The emulated cp.async lands a tile only at the wait that must see it, so a stage read
            // before that wait holds an older tile here.
            try check(NvidiaGEMM.mmaF16, values, roundA: true, tolerance: 1e-5, shapes: Self.asyncShapes)
        }

        @Test func tensorCoreEmulationIsWithinFP16ErrorOfExactInputs() throws {
            // Against the fp32 activations themselves: the error fp16 operands cost (1e-3..1e-2 expected).
            try check(NvidiaGEMM.mmaF16, ["WM": 2, "WN": 2, "MI": 2, "NI": 2, "WARP_PTX": 0], roundA: false, tolerance: 1e-2)
        }
    }

    /// The NVIDIA family's tiled SGEMM (local-memory tiles in two stages, register blocks), run on
    /// this device as a plain OpenCL kernel: both B layouts, odd sizes, poisoned outputs.
    @Suite struct NvidiaSGEMM {
        @Test(arguments: [
            ["TX": 16, "TY": 16, "RM": 8, "RN": 8, "BK": 16], ["TX": 4, "TY": 8, "RM": 1, "RN": 1, "BK": 4],
            ["TX": 8, "TY": 4, "RM": 2, "RN": 4, "BK": 8], ["TX": 16, "TY": 16, "RM": 4, "RN": 4, "BK": 32],
        ])
        func matchesReferenceInBothLayouts(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.gemm, values, variant: NvidiaGEMM.sgemmTiled)
            var rng = SeededGenerator(seed: 31)
            // Up to 256 rows run half-size register blocks (HALF_TILE), past that full ones: both here.
            let shapes = [(1, 1, 1), (7, 5, 3), (33, 17, 9), (65, 130, 67), (129, 63, 130), (257, 37, 19), (300, 70, 33)]
            for (index, (m, n, k)) in shapes.enumerated() {
                let a = randomFloats(m * k, &rng), weight = randomFloats(n * k, &rng), bias = randomFloats(n, &rng)
                let activation: Activation = [.none, .gelu, .tanh, .relu][index % 4]
                let useBias = index % 2 == 0
                let expected = GEMM().reference(a: a, b: weight, layout: .nByK, bias: useBias ? bias : nil, m: m, n: n, k: k,
                                                activation: activation)
                for (layout, b) in [(MatrixLayout.kByN, transposedForTest(weight, rows: n, cols: k)), (.nByK, weight)] {
                    let c = try poisoned(m * n + 5)
                    try kernels.gemm(a: try TestDevice.context.upload(a), b: try TestDevice.context.upload(b), layout: layout,
                                     bias: useBias ? try TestDevice.context.upload(bias) : nil, c: c, m: m, n: n, k: k,
                                     activation: activation)
                    let out = try c.read()
                    let error = maxRelativeError(Array(out[..<(m * n)]), expected)
                    #expect(error < 1e-5, "\(values) \(layout) \(m)x\(n)x\(k) \(activation): max rel error \(error)")
                    #expect(out[(m * n)...].allSatisfy { $0.isNaN }, "\(values) \(layout) \(m)x\(n)x\(k) wrote past C")
                }
            }
            #expect(kernels.ran[.gemm]?.variant.name == "nvidia-sgemm-tiled")
        }
    }
}
