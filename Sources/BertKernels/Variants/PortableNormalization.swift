/// Row-reduction variants in Kernels/portable/: one work-group per row sharing a reduction, or
/// (for CPUs) one work-item per row.
public enum PortableNormalization {
    /// Layer norm: problem m = rows, n = hidden width.
    public static let layerNorm = KernelVariant(
        name: "portable-layer-norm", operation: .layerNorm, source: "portable/layernorm.cl",
        entryPoints: ["layer_norm", "layer_norm_quantize"],
        parameters: [KernelParameter("LN_GROUP", default: 64, allowed: powersOfTwo(1, through: 256),
                                     meaning: "work-items per row")]
    ) { _, p, v in
        LaunchGeometry(global: [p.m * v["LN_GROUP"]!], local: [v["LN_GROUP"]!])
    }

    /// Layer norm for CPUs, one work-item per row in vectors (Kernels/portable/layernorm_rows.cl).
    public static let layerNormRows = perRow("portable-layer-norm-rows", .layerNorm, source: "portable/layernorm_rows.cl",
                                             entryPoints: ["layer_norm", "layer_norm_quantize"], vector: "LN_VW", group: "LN_ROWS")

    /// Row quantization for CPUs, one work-item per row in vectors (Kernels/portable/quantize_vec.cl).
    public static let quantizeVector = perRow("portable-quantize-rows-vec", .quantize, source: "portable/quantize_vec.cl",
                                              entryPoints: ["quantize_rows", "quantize_rows_smoothed"], vector: "QV", group: "QR")

    /// A CPU variant whose work-item owns a row and reads it in vectors of the `vector` parameter's
    /// floats, at most `group` rows per work-group.
    private static func perRow(_ name: String, _ operation: KernelOperation, source: String, entryPoints: [String],
                               vector: String, group: String) -> KernelVariant {
        KernelVariant(
            name: name, operation: operation, source: source, entryPoints: entryPoints,
            parameters: [KernelParameter(vector, default: 16, allowed: [4, 8, 16], meaning: "floats per vector"),
                         KernelParameter(group, default: 8, allowed: powersOfTwo(1, through: 64),
                                         meaning: "rows per work-group at most (a divisor of the row count)")]
        ) { _, p, v in
            rowPerItem(rows: p.m, atMost: v[group]!)
        }
    }

    /// One item per row, in work-groups of the largest power of two up to `atMost` that divides the
    /// rows: set, since PoCL left to choose may put every row in one group and so on one thread.
    static func rowPerItem(rows: Int, atMost: Int) -> LaunchGeometry {
        var group = atMost
        while rows % group != 0 { group /= 2 }
        return LaunchGeometry(global: [rows], local: [group])
    }

    /// Per-row int8 quantization: problem m = rows, k = row width.
    public static let quantize = KernelVariant(
        name: "portable-quantize-rows", operation: .quantize, source: "portable/quantize.cl",
        entryPoints: ["quantize_rows", "quantize_rows_smoothed"],
        parameters: [KernelParameter("QG", default: 64, allowed: powersOfTwo(1, through: 256), meaning: "work-items per row")]
    ) { _, p, v in
        LaunchGeometry(global: [p.m * v["QG"]!], local: [v["QG"]!])
    }
}
