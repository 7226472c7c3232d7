/// The NVIDIA family's attention (Kernels/nvidia/attention_mma.cl): chosen by
/// profiles/nvidia-sm80.json, tested on PoCL through the warp emulation.
public enum NvidiaAttention {
    /// Flash attention on mma.sync (FlashAttention-2 structure): one work-group of WARPS warps per
    /// (16·WARPS query rows, head, sequence), keys KB at a time through local memory, fp16 Q, K, V
    /// and P, fp32 scores, softmax statistics and output. Head widths 1...128 (padded to 16),
    /// with or without MPNet's relative-position bias. Problem m = tokens, n = heads, k = head
    /// width, batch = sequences.
    public static let mma = KernelVariant(
        name: "nvidia-attention-mma", operation: .attentionF16, alsoServes: [.attention], source: "nvidia/attention_mma.cl", entryPoints: ["attention"],
        parameters: [
            KernelParameter("WARPS", default: 4, allowed: [1, 2, 4, 8], meaning: "warps per work-group, 16 query rows each"),
            KernelParameter("KB", default: 64, allowed: [16, 32, 64], meaning: "keys per block"),
            NvidiaGEMM.warpPTX,
        ],
        shapeDefines: attentionDefines,
        summary: { v in
            let ptx = v["WARP_PTX"]! == 1 ? "mma.sync" : "emulated mma"
            return "flash, \(v["WARPS"]! * 16) queries x \(v["KB"]!) keys per block, \(v["WARPS"]!) warps, \(ptx)"
        }
    ) { _, p, v in
        let threads = v["WARPS"]! * 32
        let sequenceLength = p.m / p.batch
        return LaunchGeometry(global: [tiles(sequenceLength, v["WARPS"]! * 16) * threads, p.n, p.batch], local: [threads, 1, 1])
    }
}
