/// One-work-item-per-element variants in Kernels/portable/ (gathers, pooling, epilogues).
public enum PortableElementwise {
    /// Problem m = tokens, n = hidden width.
    public static let embeddings = KernelVariant(
        name: "portable-embeddings", operation: .embeddings, source: "portable/embeddings.cl",
        entryPoints: ["embed_sum", "embed_sum_int8"]
    ) { _, p, _ in
        LaunchGeometry(global: [p.n, p.m])
    }

    /// Problem m = batch, n = width.
    public static let pooling = KernelVariant(
        name: "portable-pooling", operation: .pooling, source: "portable/pooling.cl", entryPoints: ["mean_pool", "cls_pool"]
    ) { _, p, _ in
        LaunchGeometry(global: [p.n, p.m])
    }

    /// Problem m = rows, n = output columns; OV consecutive outputs per work-item.
    public static let outlierColumns = KernelVariant(
        name: "portable-outlier-columns", operation: .outlierColumns, source: "portable/outlier_columns.cl",
        entryPoints: ["add_outlier_columns"],
        parameters: [KernelParameter("OV", default: 1, allowed: [1, 4, 8, 16], meaning: "consecutive outputs per work-item (vector width)")]
    ) { _, p, v in
        LaunchGeometry(global: [(p.n + v["OV"]! - 1) / v["OV"]!, p.m])
    }

    /// Problem m = rows, n = columns.
    public static let biasActivation = KernelVariant(
        name: "portable-bias-activation", operation: .biasActivation, source: "portable/activation.cl",
        entryPoints: ["bias_activation"]
    ) { _, p, _ in
        LaunchGeometry(global: [p.m * p.n])
    }
}
