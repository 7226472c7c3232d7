import ArgumentParser
import BertCheckpoint
import BertCompression
import Foundation
import Support

/// `bertbench compress`: a checkpoint in, a compressed checkpoint out, one method per run.
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Write a compressed copy of a checkpoint: int8, int8-weight-only, prune-unstructured, prune-heads, prune-ffn or drop-layers.")

    @Option(help: "Source model directory.") var model: String
    @Option(help: "Output directory (must not exist).") var out: String
    @Option(help: "int8 | int8-weight-only | prune-unstructured | prune-heads | prune-ffn | drop-layers") var method: String
    @Option(help: "prune-unstructured: share of weights set to zero, in [0, 1).") var sparsity: Double?
    @Option(help: "prune-unstructured: one threshold over all layers (global) or per matrix (layer).") var scope: String = "global"
    @Option(help: "prune-heads / prune-ffn: share of heads or neurons removed per layer, in [0, 1).") var fraction: Double?
    @Option(help: "drop-layers: teacher layers to keep, e.g. 0,2,4.") var keep: String?
    @Option(help: "drop-layers: keep every N-th layer starting at 0 (instead of --keep).") var every: Int?

    func compressionMethod(layerCount: () throws -> Int) throws -> CompressionMethod {
        switch method {
        case "int8": return .int8
        case "int8-weight-only": return .int8WeightOnly
        case "prune-unstructured":
            guard let sparsity else { throw ValidationError("prune-unstructured needs --sparsity") }
            guard (0..<1).contains(sparsity) else { throw ValidationError("--sparsity \(sparsity) must be in [0, 1)") }
            guard ["global", "layer"].contains(scope) else { throw ValidationError("--scope must be global or layer, not '\(scope)'") }
            return .pruneUnstructured(sparsity: sparsity, global: scope == "global")
        case "prune-heads", "prune-ffn":
            guard let fraction else { throw ValidationError("\(method) needs --fraction") }
            guard (0..<1).contains(fraction) else { throw ValidationError("--fraction \(fraction) must be in [0, 1)") }
            return method == "prune-heads" ? .pruneHeads(fraction: fraction) : .pruneFFN(fraction: fraction)
        case "drop-layers":
            if let keep {
                let parts = keep.split(separator: ",", omittingEmptySubsequences: false)
                let layers = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard layers.count == parts.count, !layers.isEmpty else { throw ValidationError("--keep '\(keep)' is not a comma-separated list of layer numbers") }
                return .dropLayers(keep: layers)
            }
            guard let every, every >= 1 else { throw ValidationError("drop-layers needs --keep 0,2,4 or --every N (N >= 1)") }
            return .dropLayers(keep: Array(stride(from: 0, to: try layerCount(), by: every)))
        default:
            throw ValidationError("unknown method '\(method)' (int8, int8-weight-only, prune-unstructured, prune-heads, prune-ffn, drop-layers)")
        }
    }

    func run() throws {
        let source = URL(fileURLWithPath: model), target = URL(fileURLWithPath: out)
        let chosen = try compressionMethod { try BertConfig(contentsOf: source.appendingPathComponent("config.json")).layerCount }
        let started = Date()
        let summary = try Compressor.compress(source: source, target: target, method: chosen)
        for line in summary.lines { print(line) }
        let sizes = (source: try fileSize(source.appendingPathComponent("model.safetensors")), target: try fileSize(target.appendingPathComponent("model.safetensors")))
        print(String(format: "wrote %@ (%@) in %@: weights %@ on disk vs %@ for the source (%.2fx)", out, summary.method,
                     formatSeconds(Date().timeIntervalSince(started)), formatBytes(sizes.target), formatBytes(sizes.source),
                     Double(sizes.source) / Double(max(sizes.target, 1))))
    }
}

