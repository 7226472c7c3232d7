/// The 4-bit weight-only GEMM (Kernels/portable/gemm_int4_packed.cl): codes packed at load time
/// into K-pair-interleaved panels (`WeightPacking.int4Panels`), dequantized per group inside the
/// K loop, fp32 MR x (VW*NV) register tiles. Portable OpenCL C 1.2, so it is the int4 GEMM of
/// every device; profiles choose its tile. Row tiles walk dimension 0, panels dimension 1.
public enum PortableGEMMInt4Packed {
    /// fp32 activations x 4-bit weights (entry gemm_w4_packed).
    public static let w4 = KernelVariant(
        name: "portable-gemm-w4-packed", operation: .gemmW4, source: "portable/gemm_int4_packed.cl", entryPoints: ["gemm_w4_packed"],
        parameters: [
            KernelParameter("MR", default: 6, allowed: Array(1...12), meaning: "rows of C per micro-tile"),
            KernelParameter("VW", default: 16, allowed: [4, 8, 16], meaning: "floats per vector register"),
            KernelParameter("NV", default: 2, allowed: [1, 2, 3, 4], meaning: "vectors per row of a micro-tile"),
            KernelParameter("KU", default: 4, allowed: [2, 4, 8], meaning: "K steps unrolled (pairs of nibbles)"),
            KernelParameter("WG", default: 1, allowed: [1, 2, 4, 8, 16, 32, 64], meaning: "row tiles per work-group"),
        ],
        panelWidth: { v in v["VW"]! * v["NV"]! }
    ) { _, p, v in
        // The packed GEMMs' grid, work-groups set (PoCL's own choice overflowed its stack here); WG = 1 on CPUs.
        PortableGEMMPacked.panelGrid(p, v)
    }
}
