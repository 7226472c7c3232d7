import BertCheckpoint
import EncoderWeights
import Foundation

/// One way to compress a checkpoint, with its parameters (Codable: plans name it as data).
public enum CompressionMethod: Sendable, Equatable, Codable {
    /// W8A8: int8 weights per output channel; activations quantized per token at run time.
    case int8
    /// int8 weights per output channel, widened inside the GEMM; fp32 activations.
    case int8WeightOnly
    /// Magnitude pruning of the encoder's Linear weights to `sparsity`, over all of them at once
    /// (`global`) or each matrix separately.
    case pruneUnstructured(sparsity: Double, global: Bool)
    /// Removes this fraction of attention heads in every layer, lowest weight-norm score first.
    case pruneHeads(fraction: Double)
    /// Removes this fraction of FFN neurons in every layer, lowest weight-norm score first.
    case pruneFFN(fraction: Double)
    /// Keeps these teacher layers, in order (DistilBERT-style initialisation, not trained).
    case dropLayers(keep: [Int])

    public var name: String {
        switch self {
        case .int8: return "int8"
        case .int8WeightOnly: return "int8-weight-only"
        case .pruneUnstructured: return "prune-unstructured"
        case .pruneHeads: return "prune-heads"
        case .pruneFFN: return "prune-ffn"
        case .dropLayers: return "drop-layers"
        }
    }

    /// The parameters as recorded in config.json's `compression` entry.
    var parameters: [String: JSONValue] {
        switch self {
        case .int8, .int8WeightOnly:
            return ["weights": .string("int8 symmetric per output channel, scale = absmax/127"),
                    "embeddings": .string("int8 per row"),
                    "activations": .string(self == .int8 ? "int8 per token, dynamic" : "fp32")]
        case .pruneUnstructured(let s, let global):
            return ["sparsity": .number(s), "scope": .string(global ? "global" : "layer"), "criterion": .string("weight magnitude")]
        case .pruneHeads(let f):
            return ["fraction": .number(f), "importance": .string("L2 norm of the head's query, key, value rows and output columns")]
        case .pruneFFN(let f):
            return ["fraction": .number(f), "importance": .string("L2 norm of the neuron's input row times its output column")]
        case .dropLayers(let keep):
            return ["kept_layers": .array(keep.map { .number(Double($0)) }), "note": .string("layer-dropped, not trained")]
        }
    }
}

/// What a compression did, for the command's report and tests.
public struct CompressionSummary: Sendable {
    public let method: String
    public let lines: [String]
}
