import BertCheckpoint

/// Removes a fraction of the FFN neurons in every layer, lowest importance first (the product of
/// the neuron's input-row and output-column norms); the matrices shrink. With `refit
/// least-squares` the FFN output projection is refitted on a calibration set.
public struct FFNPruning: CompressionTechnique {
    public static let name = "prune-ffn"
    public var name: String { Self.name }
    public var summary: String {
        "remove the least important FFN neurons per layer: --fraction F in [0, 1), --refit (least-squares refit of the FFN output, "
            + "needs --calibration)"
    }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["fraction", "refit"])
        let fraction = try parameters.number("fraction", in: 0..<1)
        let refit = try Refit.choice(parameters)
        try job.requireFloat()
        let calibration = refit ? try job.requireCalibration(for: "\(name) --refit") : nil
        let original = job.weights
        let kept: [[Int]]
        (job.weights, kept) = Pruning.ffnKept(original, fraction: fraction)
        var lines: [String] = []
        if let calibration {
            (job.weights, lines) = try StructuredRefit.apply(original: original, pruned: job.weights, keptColumns: kept,
                                                             reader: .ffnOutput, calibration: calibration)
        }
        job.changes["intermediate_sizes"] = .array(job.weights.layers.map { .number(Double($0.intermediate.outFeatures)) })
        return ["FFN neurons kept per layer: \(job.weights.layers.map(\.intermediate.outFeatures))"] + lines
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["fraction": .number(try parameters.number("fraction", in: 0..<1)),
         "importance": .string("L2 norm of the neuron's input row times its output column"),
         "refit": .string(try Refit.choice(parameters) ? Refit.ffnDescription : "none"), "recovery": .string("none (one-shot)")]
    }
}
