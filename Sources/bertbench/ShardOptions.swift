import ArgumentParser
import BertExperiments
import BertKernels
import Foundation
import OpenCLRuntime

/// How a run meets its folder: `--shard` runs part of a plan into a shared run folder
/// (`bertbench report` merges the parts); `--resume` finishes an interrupted run; `--overwrite`
/// runs it again. Without them an existing run folder is refused.
struct ShardOptions: ParsableArguments {
    @Option(help: "Run only part of the plan: I/N (every N-th cell from the I-th, 0-based) or cell ids separated by commas.")
    var shard: String?
    @Flag(help: "The run folder exists from an interrupted run: keep its finished cells, run the missing ones.")
    var resume = false
    @Flag(help: "The run folder exists: run every cell again, replacing only the files BertBench wrote there.")
    var overwrite = false

    /// Shards meet in one folder, so its name cannot come from each shard's clock; a run name is
    /// one folder name, never a path that could reach outside --out.
    func validate(runName: String?) throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if let runName {
            guard !runName.isEmpty, runName != ".", runName != "..", !runName.contains("/"), !runName.hasPrefix(".") else {
                throw ValidationError("--run-name '\(runName)' must be one folder name (not empty, no '/', not starting with '.')")
            }
        }
        guard let shard else {
            if resume && runName == nil { throw ValidationError("--resume needs --run-name: the run folder to finish") }
            return
        }
        _ = try parsed(shard)
        guard runName != nil else { throw ValidationError("--shard needs --run-name, so every shard writes into the same run folder") }
    }

    /// What may be done with a run folder that exists.
    var existing: ExistingFolder { resume ? .resume : overwrite ? .overwrite : .refuse }

    /// The selected shard (all cells without --shard).
    func selected() throws -> Shard { try shard.map(parsed) ?? .all }

    private func parsed(_ text: String) throws -> Shard {
        do { return try Shard.parse(text) } catch let error as ExperimentError { throw ValidationError("--shard: \(error.message)") }
    }
}

extension StandardPlans.DeviceFacts {
    /// The facts of the kernels' device; onnxruntime gets the host's cores beside a GPU.
    static func of(_ kernels: EncoderKernels) -> StandardPlans.DeviceFacts {
        let device = kernels.context.device
        return .init(name: device.name, index: device.index,
                     peerThreads: device.isGPU ? ProcessInfo.processInfo.activeProcessorCount : device.computeUnits,
                     kernels: kernels.selection.lines.joined(separator: "; "), ceilingSize: device.isGPU ? 4096 : 1024)
    }
}
