/// An operation the engine launches; a device profile picks one `KernelVariant` for each.
/// Every variant of an operation implements the same entry points with the same arguments,
/// so the launchers in `EncoderKernels` work with any of them.
public enum KernelOperation: String, CaseIterable, Codable, Sendable {
    /// fp32 GEMM with fused bias and activation (entry points gemm_nn, gemm_nt).
    case gemm
    /// int8 x int8 GEMM with int32 sums (gemm_w8a8).
    case gemmW8A8 = "gemm-w8a8"
    /// fp32 x int8-weight GEMM (gemm_w8).
    case gemmW8 = "gemm-w8"
    /// fp32 x 4-bit-weight GEMM with per-group scales, weights packed at load (gemm_w4_packed).
    case gemmW4 = "gemm-w4"
    /// fp32 x CSR-weight GEMM (gemm_csr).
    case gemmCSR = "gemm-csr"
    /// fp32 x fp16-weight GEMM with fused bias, activation and residual (gemm_f16_nt).
    case gemmF16 = "gemm-f16"
    /// Per-row dynamic int8 quantization of activations (quantize_rows).
    case quantize
    /// Layer norm with an optional residual (layer_norm).
    case layerNorm = "layer-norm"
    /// Fused scaled dot-product attention with the padding mask (attention).
    case attention
    /// The same attention in a model whose Linear layers are fp16: a variant may compute it in
    /// fp16 (the tensor cores), which an fp32 model's attention must not.
    case attentionF16 = "attention-f16"
    /// Embedding gather and sum (embed_sum, embed_sum_int8).
    case embeddings
    /// Mean and [CLS] pooling (mean_pool, cls_pool).
    case pooling
    /// In-place bias and activation (bias_activation).
    case biasActivation = "bias-activation"
    /// The fp32 outlier channels of a mixed-precision W8A8 Linear, added in place, then its
    /// activation (add_outlier_columns).
    case outlierColumns = "outlier-columns"
}
