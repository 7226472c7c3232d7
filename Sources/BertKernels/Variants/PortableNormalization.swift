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
    public static let layerNormRows = KernelVariant(
        name: "portable-layer-norm-rows", operation: .layerNorm, source: "portable/layernorm_rows.cl",
        entryPoints: ["layer_norm", "layer_norm_quantize"],
        parameters: [KernelParameter("LN_VW", default: 16, allowed: [4, 8, 16], meaning: "floats per vector"),
                     KernelParameter("LN_ROWS", default: 8, allowed: powersOfTwo(1, through: 64),
                                     meaning: "rows per work-group at most (a divisor of the row count)")]
    ) { _, p, v in
        rowPerItem(rows: p.m, atMost: v["LN_ROWS"]!)
    }

    /// Row quantization for CPUs, one work-item per row in vectors (Kernels/portable/quantize_vec.cl).
    public static let quantizeVector = KernelVariant(
        name: "portable-quantize-rows-vec", operation: .quantize, source: "portable/quantize_vec.cl",
        entryPoints: ["quantize_rows", "quantize_rows_smoothed"],
        parameters: [KernelParameter("QV", default: 16, allowed: [4, 8, 16], meaning: "floats per vector"),
                     KernelParameter("QR", default: 8, allowed: powersOfTwo(1, through: 64),
                                     meaning: "rows per work-group at most (a divisor of the row count)")]
    ) { _, p, v in
        rowPerItem(rows: p.m, atMost: v["QR"]!)
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
