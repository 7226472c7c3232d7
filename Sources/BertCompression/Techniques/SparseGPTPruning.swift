import BertCheckpoint
import EncoderWeights
import Foundation

/// SparseGPT one-shot pruning with reconstruction: every encoder Linear pruned to a sparsity
/// (unstructured, per Linear) or an n:m pattern, its remaining weights updated from a calibration
/// set's input grams. Blocks go in order: block l is measured with blocks < l already pruned; the
/// four inputs of one block are measured together before it is pruned.
public struct SparseGPTPruning: CompressionTechnique {
    public static let name = "prune-sparsegpt"
    public var name: String { Self.name }
    public var summary: String {
        "OBS pruning with reconstruction from calibration grams (needs --calibration): --sparsity S in [0, 1) or --pattern N:M"
    }

    /// The pattern the parameters ask for: exactly one of sparsity and pattern.
    static func pattern(_ parameters: Parameters) throws -> SparseGPT.Pattern {
        switch (parameters.values["sparsity"], parameters.values["pattern"]) {
        case (nil, nil), (.some, .some): throw CheckpointError("\(name) needs exactly one of --sparsity S and --pattern N:M")
        case (.some, nil): return .unstructured(sparsity: try parameters.number("sparsity", in: 0..<1))
        case (nil, .some(let value)):
            let parts = (value.stringValue ?? "").split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 2, parts[1] <= 64, (1..<parts[1]).contains(parts[0]) else {
                throw CheckpointError("--pattern must be N:M with 0 < N < M <= 64 (e.g. 2:4), not \(value)")
            }
            return .nOfM(n: parts[0], m: parts[1])
        }
    }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["sparsity", "pattern", "dampening"])
        let pattern = try Self.pattern(parameters)
        let dampening = parameters.values["dampening"] == nil ? 0.01 : try parameters.number("dampening", in: 1e-6..<10)
        try job.requireFloat()
        let calibration = try job.requireCalibration(for: name)
        var lines: [String] = []
        for l in job.weights.layers.indices {
            let stats = try calibration.statistics(layer: l, weights: job.weights)
            func pruned(_ linear: HostLinear, _ point: LinearInputPoint) throws -> HostLinear {
                guard let input = stats[point], input.width == linear.inFeatures else {
                    throw CheckpointError("calibration gave no \(point.rawValue) statistics of width \(linear.inFeatures) for layer \(l)")
                }
                let w = try SparseGPT.prune(weight: linear.floatWeight, rows: linear.outFeatures, cols: linear.inFeatures,
                                            gram: input.gram, pattern: pattern, dampening: dampening)
                return HostLinear(weight: w, bias: linear.bias, outFeatures: linear.outFeatures, inFeatures: linear.inFeatures)
            }
            var layer = job.weights.layers[l]
            layer.query = try pruned(layer.query, .attentionInput)
            layer.key = try pruned(layer.key, .attentionInput)
            layer.value = try pruned(layer.value, .attentionInput)
            layer.attentionOutput = try pruned(layer.attentionOutput, .context)
            layer.intermediate = try pruned(layer.intermediate, .ffnInput)
            layer.output = try pruned(layer.output, .ffnActivation)
            job.weights.layers[l] = layer
            let zeros = layer.linears.map { $0.linear.floatWeight.filter { $0 == 0 }.count }.reduce(0, +)
            let total = layer.linears.map { $0.linear.outFeatures * $0.linear.inFeatures }.reduce(0, +)
            let tokens = stats[.attentionInput]?.tokens ?? 0
            lines.append(String(format: "layer %d: sparsity %.4f of its Linear weights (calibrated on %d tokens)", l,
                                Double(zeros) / Double(total), tokens))
        }
        return lines
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        var record: [String: JSONValue] = [
            "criterion": .string("OBS saliency w^2/[H^-1]_jj with row-wise reconstruction (SparseGPT), H = calibration gram + damping"),
            "dampening": parameters.values["dampening"] ?? .number(0.01), "block_size": .number(128),
            "sequential": .string("block l calibrated with blocks < l pruned"), "recovery": .string("none (one-shot)"),
        ]
        switch try Self.pattern(parameters) {
        case .unstructured(let sparsity):
            record["sparsity"] = .number(sparsity)
            record["scope"] = .string("layer")
        case .nOfM(let n, let m):
            record["pattern"] = .string("\(n):\(m)")
            record["sparsity"] = .number(Double(n) / Double(m))
        }
        return record
    }
}
