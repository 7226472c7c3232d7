import BertCheckpoint

/// Magnitude pruning of the encoder's Linear weights to a sparsity, over all of them at once
/// (scope global) or each matrix separately (scope layer); shapes stay dense.
public struct UnstructuredPruning: CompressionTechnique {
    public static let name = "prune-unstructured"
    public var name: String { Self.name }
    public var summary: String { "zero the smallest weights: --sparsity S in [0, 1), --scope global|layer" }

    public func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String] {
        try parameters.only(["sparsity", "scope"])
        let sparsity = try parameters.number("sparsity", in: 0..<1)
        let global = try parameters.choice("scope", ["global", "layer"], default: "global") == "global"
        try job.requireFloat()
        let report: [String]
        (job.weights, report) = Pruning.unstructured(job.weights, sparsity: sparsity, global: global)
        return report
    }

    public func record(_ parameters: Parameters) throws -> [String: JSONValue] {
        ["sparsity": .number(try parameters.number("sparsity", in: 0..<1)),
         "scope": .string(try parameters.choice("scope", ["global", "layer"], default: "global")), "criterion": .string("weight magnitude")]
    }
}
