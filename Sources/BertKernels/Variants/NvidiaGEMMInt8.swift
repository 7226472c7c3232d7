/// The NVIDIA family's int8 GEMM (Kernels/nvidia/gemm_mma_s8.cl): W8A8 on the tensor cores.
extension NvidiaGEMM {
    /// W8A8 through mma.sync m16n8k32 (s8 operands, exact int32 sums), scales, bias and
    /// activation in the epilogue. It reads the weight as stored, [N, K]: through the engine's
    /// packing that is panels one column wide (`panelWidth` 1), so no engine code knows about it.
    public static let mmaW8A8 = KernelVariant(
        name: "nvidia-mma-w8a8", operation: .gemmW8A8, source: "nvidia/gemm_mma_s8.cl", entryPoints: ["gemm_w8a8_packed"],
        parameters: [
            KernelParameter("WM", default: 2, allowed: [1, 2, 4], meaning: "warps along M"),
            KernelParameter("WN", default: 4, allowed: [1, 2, 4], meaning: "warps along N"),
            KernelParameter("MI", default: 4, allowed: [1, 2, 4], meaning: "16-row fragments per warp"),
            KernelParameter("NI", default: 4, allowed: [1, 2, 4, 8], meaning: "8-column fragments per warp"),
            warpPTX,
        ],
        fixedDefines: [("BK", 64)],
        panelWidth: { _ in 1 },
        summary: { v in
            let ptx = v["WARP_PTX"]! == 1 ? "mma.sync s8" : "emulated mma"
            return "\(v["WM"]! * v["MI"]! * 16)x\(v["WN"]! * v["NI"]! * 8)x\(v["BK"]!) blocks, 2 stages, \(v["WM"]! * v["WN"]!) warps, \(ptx)"
        }
    ) { _, p, v in
        let threads = v["WM"]! * v["WN"]! * 32
        let (bm, bn) = (v["WM"]! * v["MI"]! * 16, v["WN"]! * v["NI"]! * 8)
        return LaunchGeometry(global: [tiles(p.n, bn) * threads, tiles(p.m, bm)], local: [threads, 1])
    }
}
