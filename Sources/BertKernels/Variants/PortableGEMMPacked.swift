/// The CPU GEMM variants that read weights packed into K-contiguous panels at load time
/// (Kernels/portable/gemm_packed.cl): register-blocked micro-tiles, the layout MLAS and OpenBLAS use.
public enum PortableGEMMPacked {
    /// fp32: MR x (VW*NV) micro-tiles; gemm_packed and gemm_nn walk row tiles in dimension 0.
    public static let fp32 = KernelVariant(
        name: "portable-gemm-packed", operation: .gemm, source: "portable/gemm_packed.cl",
        entryPoints: ["gemm_packed", "gemm_nn", "gemm_nt"],
        parameters: [
            KernelParameter("MR", default: 6, allowed: Array(1...12), meaning: "rows of C per micro-tile"),
            KernelParameter("VW", default: 16, allowed: [4, 8, 16], meaning: "floats per vector register"),
            KernelParameter("NV", default: 2, allowed: [1, 2, 3, 4], meaning: "vectors per row of a micro-tile"),
            KernelParameter("KU", default: 4, allowed: [1, 2, 4, 8], meaning: "K steps unrolled"),
            rowTilesPerGroup,
        ],
        panelWidth: { v in v["VW"]! * v["NV"]! }
    ) { entry, p, v in
        entry == "gemm_nt" ? LaunchGeometry(global: [p.m, p.n]) : panelGrid(p, v)
    }

    /// WG: the work-group size the packed CPU GEMMs set, not leave to the implementation.
    static let rowTilesPerGroup = KernelParameter("WG", default: 8, allowed: [1, 2, 4, 8, 16, 32, 64],
                                                  meaning: "row tiles per work-group")

    /// Row tiles in dimension 0, padded to whole groups of WG (the kernels skip rows past M), panels in
    /// dimension 1. Left to choose, PoCL made a few large groups at some shapes (one group of 32 x 24
    /// items at 128 x 384 x 1536 ran on one of two threads: half speed), or one group of the whole
    /// grid (107 x 36 items at 640 x 1152 in the int4 GEMM, which overflowed its thread stack).
    static func panelGrid(_ p: KernelProblem, _ v: [String: Int]) -> LaunchGeometry {
        let wg = v["WG"]!
        return LaunchGeometry(global: [tiles(tiles(p.m, v["MR"]!), wg) * wg, tiles(p.n, v["VW"]! * v["NV"]!)], local: [wg, 1])
    }
}
