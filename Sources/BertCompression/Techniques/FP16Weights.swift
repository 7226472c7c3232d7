import BertCheckpoint
import EncoderWeights

/// Every Linear weight of the encoder (and the pooler and head) rounded to fp16 and stored as
/// F16: half the bytes; the engine keeps them fp16 on the device (LinearMode.fp16), with fp32
/// activations and accumulation on the portable path and the tensor cores on NVIDIA.
public struct FP16Weights: CompressionTechnique {
    public let name = "fp16"
    public let summary = "Linear weights stored as fp16 (F16), activations and accumulation fp32 or on tensor cores"

    /// A technique with no parameters.
    public init() {}

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only([])
        if let existing = job.config.quantizationMethod {
            throw CheckpointError("\(job.path): already quantized (\(existing)); compress the fp32 checkpoint instead")
        }
        // Rounded here too, so the host weights are exactly what the file stores.
        func round(_ l: inout HostLinear) {
            if case .float(let v) = l.weight { l.weight = .float(v.map { Float(Float16($0)) }) }
        }
        var count = 0
        for i in job.weights.layers.indices {
            round(&job.weights.layers[i].query)
            round(&job.weights.layers[i].key)
            round(&job.weights.layers[i].value)
            round(&job.weights.layers[i].attentionOutput)
            round(&job.weights.layers[i].intermediate)
            round(&job.weights.layers[i].output)
            count += 6
        }
        if job.weights.pooler != nil { round(&job.weights.pooler!); count += 1 }
        if job.weights.head != nil {
            round(&job.weights.head!.first)
            round(&job.weights.head!.classifier)
            count += 2
        }
        job.linearWeightDType = .f16
        return ["stored \(count) Linear weights as fp16 (biases, norms and embeddings stay fp32)"]
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["weights": .string("fp16 (round to nearest even) for every Linear; biases, norms, embeddings fp32")]
    }
}
