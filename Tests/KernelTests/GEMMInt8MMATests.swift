import BertKernels
import Foundation
import OpenCLRuntime
import Testing

extension Kernels {
    /// nvidia-mma-w8a8 through the warp emulation (WARP_PTX=0, the per-lane fragment layout of
    /// mma.sync m16n8k32 .s8), with the same checks as the packed CPU kernels: bit for bit against
    /// the integer sums, and the scales, bias and activation folded in the epilogue. Shapes cut
    /// the 16 x 8 fragments, the blocks and the 64-wide K tiles, K not a multiple of 16 included
    /// (the byte-wise tail loads).
    @Suite struct GEMMInt8MMA {
        static let settings: [[String: Int]] = [
            ["WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 0],  // the profile's blocks, 128 x 128
            ["WM": 1, "WN": 2, "MI": 1, "NI": 2, "WARP_PTX": 0],  // 16 x 32 blocks: many tiles on small shapes
            // The emulated ldmatrix (16-byte rows of int8): x4 pairs of B fragments, and x2 alone (NI=1).
            ["WM": 2, "WN": 4, "MI": 4, "NI": 4, "WARP_PTX": 0, "LDMATRIX": 1],
            ["WM": 2, "WN": 1, "MI": 2, "NI": 1, "WARP_PTX": 0, "LDMATRIX": 1],
        ]

        static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (5, 7, 3), (17, 9, 15), (16, 8, 32), (33, 41, 64),
                                                         (31, 65, 65), (70, 37, 130), (129, 130, 96), (3, 257, 200)]

        @Test(arguments: settings)
        func isBitExactAgainstIntegerSums(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.gemmW8A8, values, variant: NvidiaGEMM.mmaW8A8)
            #expect(kernels.selection[.gemmW8A8].panelWidth == 1)
            try GEMMInt8Packed.checkBitExact(kernels, cases: Self.shapes, label: "nvidia-mma-w8a8 \(values)")
        }

        /// cp.async stages (ASYNC=1) where K % 16 == 0: K of one chunk, of one and several 64-wide
        /// tiles, more tiles than stages, M and N cut at every edge, split-K (2,112 at M = 383 splits
        /// in 4); and K = 130 on the register path in the same build.
        static let asyncShapes: [(m: Int, n: Int, k: Int)] = [(5, 7, 16), (16, 8, 64), (33, 41, 80), (70, 37, 272), (129, 130, 96),
                                                              (383, 33, 2112), (3, 20, 130)]

        @Test(arguments: [
            ["WM": 2, "WN": 2, "MI": 2, "NI": 2, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 2],
            ["WM": 2, "WN": 1, "MI": 1, "NI": 2, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 3, "LDMATRIX": 1],
            ["WM": 1, "WN": 2, "MI": 2, "NI": 1, "WARP_PTX": 0, "ASYNC": 1, "STAGES": 4, "SPLITK_REDUCE": 1],
        ])
        func asyncStagesAreBitExact(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.gemmW8A8, values, variant: NvidiaGEMM.mmaW8A8)
            try GEMMInt8Packed.checkBitExact(kernels, cases: Self.asyncShapes, label: "nvidia-mma-w8a8 \(values)")
            try GEMMInt8Packed.checkFolds(kernels, cases: Self.asyncShapes.enumerated().map { ($0.offset, $0.element.m, $0.element.n, $0.element.k) },
                                          label: "nvidia-mma-w8a8 \(values)")
        }

        @Test(arguments: settings)
        func foldsScalesBiasAndActivation(values: [String: Int]) throws {
            let kernels = try TestDevice.kernels(.gemmW8A8, values, variant: NvidiaGEMM.mmaW8A8)
            try GEMMInt8Packed.checkFolds(kernels, cases: Self.shapes.enumerated().map { ($0.offset, $0.element.m, $0.element.n, $0.element.k) },
                                          label: "nvidia-mma-w8a8 \(values)")
        }
    }
}
