import BertCheckpoint

/// Removes a fraction of the FFN neurons in every layer, lowest importance first (the product of
/// the neuron's input-row and output-column norms); the matrices shrink.
public struct FFNPruning: CompressionTechnique {
    public static let name = "prune-ffn"
    public var name: String { Self.name }
    public var summary: String { "remove the least important FFN neurons per layer: --fraction F in [0, 1)" }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["fraction"])
        let fraction = try parameters.number("fraction", in: 0..<1)
        try job.requireFloat()
        job.weights = Pruning.ffn(job.weights, fraction: fraction)
        job.changes["intermediate_sizes"] = .array(job.weights.layers.map { .number(Double($0.intermediate.outFeatures)) })
        return ["FFN neurons kept per layer: \(job.weights.layers.map(\.intermediate.outFeatures))"]
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["fraction": .number(try parameters.number("fraction", in: 0..<1)),
         "importance": .string("L2 norm of the neuron's input row times its output column")]
    }
}
