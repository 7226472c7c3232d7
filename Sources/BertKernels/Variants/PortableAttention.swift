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
        // One work-group per (sequence, head): left to choose, PoCL once made groups of thousands of
        // items for an attention kernel and overflowed its thread stack.
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
