/// The tensor element types a safetensors file may hold that BertBench reads.
public enum DType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", i8 = "I8", u8 = "U8", i32 = "I32", i64 = "I64"

    public var byteSize: Int {
        switch self {
        case .i8, .u8: return 1
        case .f16, .bf16: return 2
        case .f32, .i32: return 4
        case .i64: return 8
        }
    }

    public var isFloatingPoint: Bool { self == .f32 || self == .f16 || self == .bf16 }
}
