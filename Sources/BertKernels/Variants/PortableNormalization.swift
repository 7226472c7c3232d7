/// Row-reduction variants in Kernels/portable/: one work-group per row sharing a reduction.
public enum PortableNormalization {
    /// Layer norm: problem m = rows, n = hidden width.
    public static let layerNorm = KernelVariant(
        name: "portable-layer-norm", operation: .layerNorm, source: "portable/layernorm.cl", entryPoints: ["layer_norm"],
        parameters: [KernelParameter("LN_GROUP", default: 64, allowed: powersOfTwo(1, through: 256),
                                     meaning: "work-items per row")]
    ) { _, p, v in
        LaunchGeometry(global: [p.m * v["LN_GROUP"]!], local: [v["LN_GROUP"]!])
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
