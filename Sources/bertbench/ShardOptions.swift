import ArgumentParser
import BertExperiments
import Foundation
import OpenCLRuntime

/// `--shard`: run part of a plan into a shared run folder; `bertbench report` merges the parts.
struct ShardOptions: ParsableArguments {
    @Option(help: "Run only part of the plan: I/N (every N-th cell from the I-th, 0-based) or cell ids separated by commas.")
    var shard: String?

    /// Shards meet in one folder, so its name cannot come from each shard's clock.
    func validate(runName: String?) throws {
        guard let shard else { return }
        _ = try parsed(shard)
        guard runName != nil else { throw ValidationError("--shard needs --run-name, so every shard writes into the same run folder") }
    }

    /// The selected shard (all cells without --shard).
    func selected() throws -> Shard { try shard.map(parsed) ?? .all }

    private func parsed(_ text: String) throws -> Shard {
        do { return try Shard.parse(text) } catch let error as ExperimentError { throw ValidationError("--shard: \(error.message)") }
    }
}

extension StandardPlans.DeviceFacts {
    /// The facts of an OpenCL device; onnxruntime gets the host's cores beside a GPU.
    static func of(_ device: Device) -> StandardPlans.DeviceFacts {
        .init(name: device.name, index: device.index,
              peerThreads: device.isGPU ? ProcessInfo.processInfo.activeProcessorCount : device.computeUnits)
    }
}
