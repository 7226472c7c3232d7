import BertCheckpoint
import EncoderWeights

/// Symmetric int8 quantization of every encoder Linear (per output channel) and the word and
/// position embeddings (per row); `quantizeActivations` marks W8A8 (activations quantized per
/// token at run time) against weight-only (fp32 activations).
public struct Int8Quantization: CompressionTechnique {
    public let name: String
    public let quantizeActivations: Bool

    /// W8A8: int8 weights and per-token int8 activations, int32 sums.
    public static let w8a8 = Int8Quantization(name: "int8", quantizeActivations: true)
    /// int8 weights widened inside the GEMM; fp32 activations.
    public static let weightOnly = Int8Quantization(name: "int8-weight-only", quantizeActivations: false)

    public var summary: String {
        quantizeActivations ? "int8 weights per output channel, activations int8 per token at run time (W8A8)"
            : "int8 weights per output channel, fp32 activations"
    }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only([])
        if let existing = job.config.quantizationMethod {
            throw CheckpointError("\(job.path): already quantized (\(existing)); compress the fp32 checkpoint instead")
        }
        job.weights = Quantization.quantize(job.weights)
        job.changes["quantization"] = .object(["method": .string(name),
                                               "weights": .string("int8 symmetric, zero point 0, scale = absmax/127"),
                                               "linear_granularity": .string("per-output-channel"),
                                               "embedding_granularity": .string("per-row")])
        return ["quantized \(job.weights.layers.count * 6) Linear weights per output channel and the word/position embeddings per row"]
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["weights": .string("int8 symmetric per output channel, scale = absmax/127"), "embeddings": .string("int8 per row"),
         "activations": .string(quantizeActivations ? "int8 per token, dynamic" : "fp32")]
    }
}
