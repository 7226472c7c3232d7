/// The attention variant in Kernels/portable/: one work-item per (query token, head).
public enum PortableAttention {
    /// Problem m = tokens (batch x sequence), n = heads, k = head width (the HEAD_DIM define).
    public static let attention = KernelVariant(
        name: "portable-attention", operation: .attention, source: "portable/attention.cl", entryPoints: ["attention"],
        shapeDefines: { p in [("HEAD_DIM", p.k)] }
    ) { _, p, _ in
        LaunchGeometry(global: [p.m, p.n])
    }
}
