import BertCheckpoint

/// Removes a fraction of the attention heads in every layer, lowest importance first (the L2
/// norm of the head's query, key and value rows and output columns); the matrices shrink. With
/// `refit least-squares` the attention output projection is refitted on a calibration set.
public struct HeadPruning: CompressionTechnique {
    public static let name = "prune-heads"
    public var name: String { Self.name }
    public var summary: String {
        "remove the least important heads per layer: --fraction F in [0, 1), --refit (least-squares refit of the output projection, "
            + "needs --calibration)"
    }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["fraction", "refit"])
        let fraction = try parameters.number("fraction", in: 0..<1)
        let refit = try Refit.choice(parameters)
        try job.requireFloat()
        if job.weights.relativeAttentionBias != nil {
            // One bias table serves every layer's heads; layers keeping different heads cannot share it.
            throw CheckpointError("\(job.path): \(job.config.architecture.displayName) shares one relative-position bias across "
                                  + "every layer's heads, so heads cannot be pruned per layer")
        }
        let calibration = refit ? try job.requireCalibration(for: "\(name) --refit") : nil
        let original = job.weights, d = job.config.headDim
        let kept: [[Int]]
        (job.weights, kept) = Pruning.heads(original, headDim: d, fraction: fraction)
        var lines: [String] = []
        if let calibration {
            let columns = kept.map { heads in heads.flatMap { h in (h * d)..<((h + 1) * d) } }
            (job.weights, lines) = try StructuredRefit.apply(original: original, pruned: job.weights, keptColumns: columns,
                                                             reader: .attentionOutput, calibration: calibration)
        }
        job.changes["heads_per_layer"] = .array(kept.map { .number(Double($0.count)) })
        job.changes["kept_heads"] = .array(kept.map { .array($0.map { .number(Double($0)) }) })
        return ["heads kept per layer: \(kept.map(\.count))"] + lines
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["fraction": .number(try parameters.number("fraction", in: 0..<1)),
         "importance": .string("L2 norm of the head's query, key, value rows and output columns"),
         "refit": .string(try Refit.choice(parameters) ? Refit.attentionDescription : "none"), "recovery": .string("none (one-shot)")]
    }
}

/// The `refit` parameter shared by the structured pruning techniques.
enum Refit {
    static let attentionDescription = "least-squares refit of the attention output projection on the calibration gram"
    static let ffnDescription = "least-squares refit of the FFN output projection on the calibration gram"

    /// True for `least-squares`, false for `none` or absent.
    static func choice(_ parameters: Parameters) throws -> Bool {
        try parameters.choice("refit", ["none", "least-squares"], default: "none") == "least-squares"
    }
}
