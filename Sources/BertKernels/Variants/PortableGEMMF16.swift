/// The fp16-weight GEMM for every OpenCL device (Kernels/portable/gemm_f16.cl): weights widened
/// with vload_half, fp32 activations and accumulation.
public enum PortableGEMMF16 {
    /// MR x NC outputs per work-item, each a dot product 8 lanes wide along K.
    public static let f16 = KernelVariant(
        name: "portable-gemm-f16", operation: .gemmF16, source: "portable/gemm_f16.cl", entryPoints: ["gemm_f16_nt"],
        parameters: [
            KernelParameter("MR", default: 4, allowed: Array(1...8), meaning: "rows of C per work-item"),
            KernelParameter("NC", default: 2, allowed: [1, 2, 3, 4], meaning: "columns of C per work-item"),
        ]
    ) { _, p, v in LaunchGeometry(global: [tiles(p.m, v["MR"]!), tiles(p.n, v["NC"]!)]) }
}
