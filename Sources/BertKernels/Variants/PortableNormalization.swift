/// Row-reduction variants in Kernels/portable/: one work-group per row sharing a reduction, or
/// (for CPUs) one work-item per row.
public enum PortableNormalization {
    /// Layer norm: problem m = rows, n = hidden width.
    public static let layerNorm = KernelVariant(
        name: "portable-layer-norm", operation: .layerNorm, source: "portable/layernorm.cl", entryPoints: ["layer_norm"],
        parameters: [KernelParameter("LN_GROUP", default: 64, allowed: powersOfTwo(1, through: 256),
                                     meaning: "work-items per row")]
    ) { _, p, v in
        LaunchGeometry(global: [p.m * v["LN_GROUP"]!], local: [v["LN_GROUP"]!])
    }

    /// Layer norm for CPUs, one work-item per row in vectors (Kernels/portable/layernorm_rows.cl).
    public static let layerNormRows = KernelVariant(
        name: "portable-layer-norm-rows", operation: .layerNorm, source: "portable/layernorm_rows.cl", entryPoints: ["layer_norm"],
        parameters: [KernelParameter("LN_VW", default: 16, allowed: [4, 8, 16], meaning: "floats per vector"),
                     KernelParameter("LN_ROWS", default: 8, allowed: powersOfTwo(1, through: 64),
                                     meaning: "rows per work-group at most (a divisor of the row count)")]
    ) { _, p, v in
        var group = v["LN_ROWS"]!
        while p.m % group != 0 { group /= 2 }
        return LaunchGeometry(global: [p.m], local: [group])
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
