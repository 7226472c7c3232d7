/// The GEMM variants in Kernels/portable/ (register-blocked, float8-wide: fast on PoCL CPUs).
public enum PortableGEMM {
    private static let rowsPerItem = KernelParameter("TM", default: 4, allowed: Array(1...16),
                                                     meaning: "rows of C per work-item")

    /// fp32 GEMM: gemm_nn tiles TM x TN, gemm_nt one column by TM rows.
    public static let fp32 = KernelVariant(
        name: "portable-gemm", operation: .gemm, source: "portable/gemm.cl", entryPoints: ["gemm_nn", "gemm_nt"],
        parameters: [rowsPerItem], fixedDefines: [("TN", 16)]
    ) { entry, p, v in
        LaunchGeometry(global: [entry == "gemm_nn" ? tiles(p.n, v["TN"]!) : p.n, tiles(p.m, v["TM"]!)])
    }

    /// W8A8 GEMM: TM x TN tiles of int32 sums.
    public static let w8a8 = int8("portable-gemm-w8a8", operation: .gemmW8A8, entry: "gemm_w8a8")

    /// fp32 x int8-weight GEMM: TM x TN tiles.
    public static let w8 = int8("portable-gemm-w8", operation: .gemmW8, entry: "gemm_w8")

    /// CSR GEMM: one output column by TM rows per work-item.
    public static let csr = KernelVariant(
        name: "portable-gemm-csr", operation: .gemmCSR, source: "portable/gemm_sparse.cl", entryPoints: ["gemm_csr"],
        parameters: [rowsPerItem]
    ) { _, p, v in
        LaunchGeometry(global: [p.n, tiles(p.m, v["TM"]!)])
    }

    private static func int8(_ name: String, operation: KernelOperation, entry: String) -> KernelVariant {
        KernelVariant(name: name, operation: operation, source: "portable/gemm_int8.cl", entryPoints: [entry],
                      parameters: [rowsPerItem], fixedDefines: [("TN", 8)]) { _, p, v in
            LaunchGeometry(global: [tiles(p.n, v["TN"]!), tiles(p.m, v["TM"]!)])
        }
    }
}
