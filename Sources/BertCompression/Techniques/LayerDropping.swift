import BertCheckpoint

/// Keeps the listed teacher layers, in order: a DistilBERT-style initialisation (not trained).
public struct LayerDropping: CompressionTechnique {
    public static let name = "drop-layers"
    public var name: String { Self.name }
    public var summary: String { "keep the listed teacher layers: --keep 0,2,4 (or --every N)" }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["keep"])
        let keep = try parameters.integers("keep")
        let config = job.config
        guard !keep.isEmpty else { throw CheckpointError("--keep names no layers") }
        if let bad = keep.first(where: { !(0..<config.layerCount).contains($0) }) {
            throw CheckpointError("--keep names layer \(bad), but \(job.path) has layers 0...\(config.layerCount - 1)")
        }
        guard Set(keep).count == keep.count else { throw CheckpointError("--keep lists a layer twice: \(keep)") }
        job.weights.layers = keep.map { job.weights.layers[$0] }
        job.changes[config.architecture.configFields.layerCount] = .number(Double(keep.count))
        if let heads = config.headsPerLayer { job.changes["heads_per_layer"] = .array(keep.map { .number(Double(heads[$0])) }) }
        if let widths = config.intermediateSizes { job.changes["intermediate_sizes"] = .array(keep.map { .number(Double(widths[$0])) }) }
        return ["kept teacher layers \(keep) of \(config.layerCount) (layer-dropped, not trained)"]
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["kept_layers": .array(try parameters.integers("keep").map { .number(Double($0)) }), "note": .string("layer-dropped, not trained")]
    }
}
