import BertCheckpoint
import EncoderWeights
import Foundation

/// One way to compress a checkpoint, with its parameters, as data: the technique's name (its
/// `compression.method` in config.json) and named parameters. Plans store it; the technique
/// registered under the name checks the parameters and does the work.
public struct CompressionMethod: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The registered technique's name ("int8", "prune-heads", ...).
    public let name: String
    /// Parameters by name, as the technique reads them (numbers, strings, lists of numbers).
    public let parameters: [String: JSONValue]

    /// A method by technique name and parameters (checked when it is applied).
    public init(name: String, parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    /// "prune-unstructured sparsity=0.5 scope=global": for messages and progress.
    public var description: String {
        ([name] + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }).joined(separator: " ")
    }

    /// W8A8: int8 weights per output channel; activations quantized per token at run time.
    public static let int8 = CompressionMethod(name: Int8Quantization.w8a8.name)
    /// int8 weights per output channel, widened inside the GEMM; fp32 activations.
    public static let int8WeightOnly = CompressionMethod(name: Int8Quantization.weightOnly.name)
    /// Linear weights stored as fp16.
    public static let fp16 = CompressionMethod(name: FP16Weights().name)

    /// 4-bit weights per (output row, group of `groupSize` inputs), rounded to nearest.
    public static func int4RTN(groupSize: Int = 128) -> CompressionMethod {
        CompressionMethod(name: Int4Quantization.rtn.name, parameters: ["group_size": .number(Double(groupSize))])
    }

    /// 4-bit weights rounded by GPTQ (error feedback from the calibration set's input grams), with act-order.
    public static func int4GPTQ(groupSize: Int = 128, actOrder: Bool = true) -> CompressionMethod {
        CompressionMethod(name: Int4Quantization.gptq.name,
                          parameters: ["group_size": .number(Double(groupSize)), "act_order": .bool(actOrder)])
    }

    /// Magnitude pruning of the encoder's Linear weights to `sparsity`, over all of them at once
    /// (`global`) or each matrix separately.
    public static func pruneUnstructured(sparsity: Double, global: Bool) -> CompressionMethod {
        CompressionMethod(name: UnstructuredPruning.name, parameters: ["sparsity": .number(sparsity), "scope": .string(global ? "global" : "layer")])
    }

    /// Removes this fraction of attention heads in every layer, lowest weight-norm score first;
    /// with `refit`, the attention output projection is refitted on a calibration set.
    public static func pruneHeads(fraction: Double, refit: Bool = false) -> CompressionMethod {
        CompressionMethod(name: HeadPruning.name, parameters: structured(fraction: fraction, refit: refit))
    }

    /// Removes this fraction of FFN neurons in every layer, lowest weight-norm score first; with
    /// `refit`, the FFN output projection is refitted on a calibration set.
    public static func pruneFFN(fraction: Double, refit: Bool = false) -> CompressionMethod {
        CompressionMethod(name: FFNPruning.name, parameters: structured(fraction: fraction, refit: refit))
    }

    /// The parameters of head and FFN pruning; `refit` appears only when asked for, so the
    /// methods (and the ids of cells naming them) of unrefitted variants stay as they were.
    private static func structured(fraction: Double, refit: Bool) -> [String: JSONValue] {
        refit ? ["fraction": .number(fraction), "refit": .string("least-squares")] : ["fraction": .number(fraction)]
    }

    /// W8A8 with SmoothQuant (alpha 0.75), calibrated.
    public static let int8SmoothQuant = CompressionMethod(name: SmoothQuant.name)

    /// W8A8 with SmoothQuant (alpha 0.75) and the `outlierChannels` widest calibrated input channels
    /// of each Linear in fp32 beside the int8 GEMM.
    public static func int8SmoothQuant(outlierChannels: Int) -> CompressionMethod {
        CompressionMethod(name: SmoothQuant.name, parameters: ["outlier-channels": .number(Double(outlierChannels))])
    }

    /// SparseGPT to an unstructured sparsity per Linear, calibrated.
    public static func sparseGPT(sparsity: Double) -> CompressionMethod {
        CompressionMethod(name: SparseGPTPruning.name, parameters: ["sparsity": .number(sparsity)])
    }

    /// SparseGPT to an n:m pattern ("2:4"), calibrated.
    public static func sparseGPT(pattern: String) -> CompressionMethod {
        CompressionMethod(name: SparseGPTPruning.name, parameters: ["pattern": .string(pattern)])
    }

    /// Keeps these teacher layers, in order (DistilBERT-style initialisation, not trained).
    public static func dropLayers(keep: [Int]) -> CompressionMethod {
        CompressionMethod(name: LayerDropping.name, parameters: ["keep": .array(keep.map { .number(Double($0)) })])
    }
}

/// What a compression did, for the command's report and tests.
public struct CompressionSummary: Sendable {
    public let method: String
    public let lines: [String]
}
