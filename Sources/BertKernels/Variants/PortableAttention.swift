/// The attention variants in Kernels/portable/.
public enum PortableAttention {
    /// One work-item per (query token, head), keys one at a time. Problem m = tokens (batch x
    /// sequence), n = heads, k = head width (the HEAD_DIM define).
    public static let attention = KernelVariant(
        name: "portable-attention", operation: .attention, alsoServes: [.attentionF16], source: "portable/attention.cl", entryPoints: ["attention"],
        shapeDefines: attentionDefines
    ) { _, p, _ in
        LaunchGeometry(global: [p.m, p.n])
    }
}

extension PortableAttention {
    /// Blocked products for CPUs: one work-group per (sequence, head) transposes its keys into
    /// local memory once; one work-item per QB queries then walks them KB at a time.
    public static let blocked = KernelVariant(
        name: "portable-attention-blocked", operation: .attention, alsoServes: [.attentionF16], source: "portable/attention_blocked.cl", entryPoints: ["attention"],
        parameters: [
            KernelParameter("QB", default: 4, allowed: [1, 2, 4, 8, 16], meaning: "queries per work-item"),
            KernelParameter("KB", default: 16, allowed: [8, 16], meaning: "keys per block (one score vector)"),
            // 512 covers every sequence the models take; tests set 16 to reach the gathering path.
            KernelParameter("KT_CAP", default: 512, allowed: [16, 512], meaning: "longest sequence whose keys are staged in local memory",
                            tunable: false),
        ],
        shapeDefines: attentionDefines
    ) { _, p, v in
        // One work-group per (sequence, head): left to itself, PoCL picked groups of thousands of
        // work-items for this kernel and overflowed its thread stack (a crash in the model tests).
        let blocks = tiles(p.m / p.batch, v["QB"]!)
        return LaunchGeometry(global: [p.batch * blocks, p.n], local: [blocks, 1])
    }
}

extension PortableAttention {
    /// Queries in vector lanes, for CPUs: a work-item's QL queries share every key and value row as
    /// stored (broadcast scalars), so nothing is transposed per (sequence, head) and the softmax
    /// needs no horizontal step. HEAD_DIM FMAs per key for the scores and as many for P x V.
    public static let lanes = KernelVariant(
        name: "portable-attention-lanes", operation: .attention, alsoServes: [.attentionF16], source: "portable/attention_lanes.cl",
        entryPoints: ["attention"],
        parameters: [
            KernelParameter("QL", default: 16, allowed: [8, 16], meaning: "queries per work-item (the vector width)"),
            KernelParameter("KC", default: 128, allowed: [16, 32, 64, 128, 256, 512], meaning: "keys per chunk (one softmax pass)"),
            KernelParameter("DB", default: 16, allowed: [4, 8, 16], meaning: "output dimensions in registers per pass over a chunk"),
        ],
        shapeDefines: attentionDefines
    ) { _, p, v in
        // One work-group per (sequence, head), as the blocked variant (PoCL's own choice overflowed its stack there).
        let blocks = tiles(p.m / p.batch, v["QL"]!)
        return LaunchGeometry(global: [p.batch * blocks, p.n], local: [blocks, 1])
    }
}

/// HEAD_DIM, and REL_BIAS only where the scores get a relative-position bias, so that BERT's
/// kernels build exactly as before.
@Sendable func attentionDefines(_ p: KernelProblem, _ values: [String: Int]) -> [(name: String, value: Int)] {
    [("HEAD_DIM", p.k)] + (p.relativeBias ? [("REL_BIAS", 1)] : [])
}

extension PortableAttention {
    /// fp32 attention shaped for GPUs: a work-group per WG queries of one (sequence, head), keys
    /// and values staged in local memory KB at a time, the softmax rescaled once per key block.
    /// Head widths must be multiples of 4.
    public static let tiled = KernelVariant(
        name: "portable-attention-tiled", operation: .attention, alsoServes: [.attentionF16], source: "portable/attention_tiled.cl",
        entryPoints: ["attention"],
        parameters: [
            KernelParameter("WG", default: 64, allowed: [32, 64, 128], meaning: "queries per work-group, one per work-item"),
            KernelParameter("KB", default: 32, allowed: [16, 32], meaning: "keys per local-memory block"),
        ],
        shapeDefines: attentionDefines
    ) { _, p, v in
        let wg = v["WG"]!
        return LaunchGeometry(global: [p.batch * tiles(p.m / p.batch, wg) * wg, p.n], local: [wg, 1])
    }
}
