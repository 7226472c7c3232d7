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
        ],
        panelWidth: { v in v["VW"]! * v["NV"]! }
    ) { entry, p, v in
        let width = v["VW"]! * v["NV"]!
        return entry == "gemm_nt" ? LaunchGeometry(global: [p.m, p.n])
                                  : LaunchGeometry(global: [tiles(p.m, v["MR"]!), tiles(p.n, width)])
    }
}
