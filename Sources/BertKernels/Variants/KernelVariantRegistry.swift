import Foundation

/// Every kernel variant the engine knows, by name: what profiles refer to. A new variant is one
/// line in `builtIn` (or one `register` call, for tests and experiments).
public enum KernelVariantRegistry {
    /// The variants shipped with BertBench.
    public static let builtIn: [KernelVariant] = [
        PortableGEMM.fp32, PortableGEMMPacked.fp32, PortableGEMM.w8a8, PortableGEMM.w8, PortableGEMM.csr,
        PortableGEMMInt8Packed.w8a8, PortableGEMMInt8Packed.w8, PortableGEMMInt4Packed.w4, PortableGEMMF16.f16,
        NvidiaGEMM.mmaF16, NvidiaGEMM.sgemmTiled, NvidiaGEMM.mmaW8A8,
        PortableNormalization.layerNorm, PortableNormalization.layerNormRows, PortableNormalization.quantize,
        PortableNormalization.quantizeVector,
        PortableAttention.attention, PortableAttention.lanes, PortableAttention.tiled, NvidiaAttention.mma,
        PortableElementwise.embeddings, PortableElementwise.pooling, PortableElementwise.biasActivation,
        PortableElementwise.outlierColumns,
    ]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var extra: [KernelVariant] = []

    /// Adds a variant (replacing one of the same name added before); built-in names are refused.
    public static func register(_ variant: KernelVariant) {
        precondition(!builtIn.contains { $0.name == variant.name }, "\(variant.name) is a built-in variant")
        lock.withLock {
            extra.removeAll { $0.name == variant.name }
            extra.append(variant)
        }
    }

    /// Built-in then registered variants.
    public static var all: [KernelVariant] { builtIn + lock.withLock { extra } }

    /// The variant called `name`, if any.
    public static func variant(named name: String) -> KernelVariant? { all.first { $0.name == name } }
}
