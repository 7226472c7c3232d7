/// The NVIDIA family's GEMMs (Kernels/nvidia/): chosen by profiles/nvidia-sm80.json on NVIDIA
/// devices of compute capability 8.0 and up, and tested on PoCL through the warp emulation.
public enum NvidiaGEMM {
    /// 0 = emulate the warp-level steps through local memory (any device), 1 = inline PTX (sm_80+).
    static let warpPTX = KernelParameter("WARP_PTX", default: 0, allowed: [0, 1],
                                         meaning: "1: inline PTX mma.sync (NVIDIA sm_80+); 0: the local-memory emulation",
                                         tunable: false)

    /// Tensor-core GEMM (mma.sync m16n8k16, fp16 operands, fp32 accumulation): work-groups of
    /// WM x WN warps, each warp MI x NI m16n8 fragments, K tiles of BK in two local stages staged
    /// through registers, or (ASYNC=1, where K % 8 == 0) a ring of STAGES filled by cp.async; at
    /// small M half-size blocks and split-K (NvidiaGEMMSmallM.swift).
    public static let mmaF16 = KernelVariant(
        name: "nvidia-mma-f16", operation: .gemmF16, source: "nvidia/gemm_mma.cl",
        entryPoints: ["gemm_f16_nt", "gemm_f16_nt_partial", "gemm_f16_nt_reduce", "gemm_f16_nt_splitk"],
        parameters: mmaTiling + [KernelParameter("BK", default: 32, allowed: [16, 32, 64], meaning: "K per local tile (fp16 halves)")]
            + asyncParameters,
        shapeDefines: { p, v in [("KALIGN8", p.k % 8 == 0 ? 1 : 0)] + mmaShapeDefines(p, v) },
        summary: { mmaSummary($0, instruction: "mma.sync") }, kSlices: mmaKSlices, reducesInKernel: { $0["SPLITK_REDUCE"] == 1 },
        geometry: mmaGeometry)

    /// cp.async stages for the mma GEMMs: off until a GPU run has measured them (docs/perf-notes.md).
    static let asyncParameters = [
        KernelParameter("ASYNC", default: 0, allowed: [0, 1],
                        meaning: "1: K tiles copied by cp.async into STAGES local stages (where K allows 16-byte chunks); 0: staged through registers"),
        KernelParameter("STAGES", default: 3, allowed: [2, 3, 4], meaning: "local stages in flight with ASYNC=1"),
    ]

    // No rule refuses large blocks: CL_DEVICE_LOCAL_MEM_SIZE says 48 KiB on the H100, and ptxas
    // (clang-14 offline) refuses static shared memory past it, yet NVIDIA's own OpenCL built and ran
    // 61,440- and 81,920-byte blocks in the fourth session's tune, and the first passed the tuner's
    // output check. A setting the device cannot build is skipped by `tune` and named by `--param`.

    /// Fragments read by ldmatrix (1) or by 32-bit local loads (0); the result is the same. Off by
    /// default; the NVIDIA profiles turn it on where a GPU run measured it.
    static let ldmatrix = KernelParameter("LDMATRIX", default: 0, allowed: [0, 1],
                                          meaning: "1: fragments by ldmatrix (emulated where WARP_PTX=0); 0: 32-bit local loads")

    /// The block shape of the mma.sync kernels: WM x WN warps, each MI x NI m16n8 fragments; then
    /// how fragments are read, and the small-M rule's parameters.
    static let mmaTiling = [
        KernelParameter("WM", default: 2, allowed: [1, 2, 4], meaning: "warps along M"),
        KernelParameter("WN", default: 4, allowed: [1, 2, 4], meaning: "warps along N"),
        KernelParameter("MI", default: 4, allowed: [1, 2, 4], meaning: "16-row fragments per warp"),
        KernelParameter("NI", default: 4, allowed: [1, 2, 4, 8], meaning: "8-column fragments per warp"),
        warpPTX,
        ldmatrix,
    ] + smallMParameters

    /// Problems with at most this many rows (batch 1 x 128 tokens) run sgemmTiled with half the
    /// register block, so that 4x as many work-groups fill the GPU.
    static let smallM = 256

    /// Whether `problem` runs sgemmTiled's half-size blocks.
    static func halfTile(_ problem: KernelProblem) -> Bool { problem.m <= smallM }

    /// fp32 SGEMM: local-memory tiles in two stages, each thread an RM x RN register block (half of
    /// each when M <= 256), float4 global loads; work-groups of TX x TY threads.
    public static let sgemmTiled = KernelVariant(
        name: "nvidia-sgemm-tiled", operation: .gemm, source: "nvidia/sgemm.cl", entryPoints: ["gemm_nn", "gemm_nt"],
        parameters: [
            KernelParameter("TX", default: 16, allowed: [4, 8, 16, 32], meaning: "threads along N"),
            KernelParameter("TY", default: 16, allowed: [4, 8, 16, 32], meaning: "threads along M"),
            KernelParameter("RM", default: 8, allowed: [1, 2, 4, 8], meaning: "rows of C per thread"),
            KernelParameter("RN", default: 8, allowed: [1, 2, 4, 8], meaning: "columns of C per thread"),
            KernelParameter("BK", default: 16, allowed: [4, 8, 16, 32], meaning: "K per local tile"),
        ],
        shapeDefines: { p, _ in [("HALF_TILE", halfTile(p) ? 1 : 0)] },
        summary: { v in
            let (rm, rn) = (max(1, v["RM"]! / 2), max(1, v["RN"]! / 2))
            return "\(v["TY"]! * v["RM"]!)x\(v["TX"]! * v["RN"]!)x\(v["BK"]!) blocks (\(v["TY"]! * rm)x\(v["TX"]! * rn) at M <= \(smallM)), 2 stages"
        }
    ) { _, p, v in
        let (tx, ty) = (v["TX"]!, v["TY"]!)
        let (rm, rn) = halfTile(p) ? (max(1, v["RM"]! / 2), max(1, v["RN"]! / 2)) : (v["RM"]!, v["RN"]!)
        return LaunchGeometry(global: [tiles(p.n, tx * rn) * tx, tiles(p.m, ty * rm) * ty], local: [tx, ty])
    }
}
