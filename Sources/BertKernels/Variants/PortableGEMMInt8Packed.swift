/// The CPU int8 GEMM variants that read int8 weights packed into the panels of
/// `PortableGEMMPacked` at load time (Kernels/portable/gemm_int8_packed.cl): MR x (VW*NV)
/// micro-tiles of int32 (W8A8) or float (W8) accumulators, per-column scales folded into the
/// epilogue. Row tiles walk dimension 0, panels dimension 1.
public enum PortableGEMMInt8Packed {
    /// int8 x int8 with exact int32 sums (entry gemm_w8a8_packed).
    public static let w8a8 = packed("portable-gemm-w8a8-packed", operation: .gemmW8A8, entry: "gemm_w8a8_packed")

    /// fp32 activations x int8 weights widened to float (entry gemm_w8_packed).
    public static let w8 = packed("portable-gemm-w8-packed", operation: .gemmW8, entry: "gemm_w8_packed")

    private static func packed(_ name: String, operation: KernelOperation, entry: String) -> KernelVariant {
        KernelVariant(
            name: name, operation: operation, source: "portable/gemm_int8_packed.cl", entryPoints: [entry],
            parameters: [
                KernelParameter("MR", default: 6, allowed: Array(1...12), meaning: "rows of C per micro-tile"),
                KernelParameter("VW", default: 16, allowed: [4, 8, 16], meaning: "lanes per vector register"),
                KernelParameter("NV", default: 2, allowed: [1, 2, 3, 4], meaning: "vectors per row of a micro-tile"),
                KernelParameter("KU", default: 4, allowed: [1, 2, 4, 8], meaning: "K steps unrolled"),
                PortableGEMMPacked.rowTilesPerGroup,
            ],
            panelWidth: { v in v["VW"]! * v["NV"]! }
        ) { _, p, v in
            PortableGEMMPacked.panelGrid(p, v)
        }
    }
}
