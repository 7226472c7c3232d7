import BertCheckpoint

/// Removes a fraction of the attention heads in every layer, lowest importance first (the L2
/// norm of the head's query, key and value rows and output columns); the matrices shrink.
public struct HeadPruning: CompressionTechnique {
    public static let name = "prune-heads"
    public var name: String { Self.name }
    public var summary: String { "remove the least important heads per layer: --fraction F in [0, 1)" }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["fraction"])
        let fraction = try parameters.number("fraction", in: 0..<1)
        try job.requireFloat()
        if job.weights.relativeAttentionBias != nil {
            // One bias table serves every layer's heads; layers keeping different heads cannot share it.
            throw CheckpointError("\(job.path): \(job.config.architecture.displayName) shares one relative-position bias across "
                                  + "every layer's heads, so heads cannot be pruned per layer")
        }
        let kept: [[Int]]
        (job.weights, kept) = Pruning.heads(job.weights, headDim: job.config.headDim, fraction: fraction)
        job.changes["heads_per_layer"] = .array(kept.map { .number(Double($0.count)) })
        job.changes["kept_heads"] = .array(kept.map { .array($0.map { .number(Double($0)) }) })
        return ["heads kept per layer: \(kept.map(\.count))"]
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["fraction": .number(try parameters.number("fraction", in: 0..<1)),
         "importance": .string("L2 norm of the head's query, key, value rows and output columns")]
    }
}
