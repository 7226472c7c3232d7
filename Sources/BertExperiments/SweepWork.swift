import BertDivergence
import Foundation

/// Runs one unit of a sweep, as a scheduler's array task does: checks the plan's commit and the
/// unit's input files, skips a unit already done at this commit, and writes the cell file.
public enum SweepWork {
    /// What happened to the unit.
    public enum Outcome: Sendable, Equatable {
        case ran
        /// Done before at the plan's commit, on that host.
        case skipped(host: String)
    }

    /// Runs unit `index` of the sweep in `folder` (again with `force`), writing
    /// `cells/<id>.json` atomically with host, device, driver and commit.
    public static func run(folder: URL, unit index: Int, force: Bool, context: CellContext) throws -> (Sweep.Unit, Outcome) {
        let (plan, sweep) = try Plan.readSweep(from: folder)
        try plan.requireCommit(sweep, folder: folder)
        let unit = try sweep.unit(index, folder: folder)
        let file = CellFiles.folder(folder).appendingPathComponent("\(unit.id).json")
        if !force, FileManager.default.fileExists(atPath: file.path) {
            let done = try CellFiles.read(file)
            if done.stamp?.commit == sweep.commit { return (unit, .skipped(host: done.host)) }
        }
        for input in unit.inputs {
            let now = try input.currentHash()
            guard now == input.hash else {
                throw ExperimentError("\(input.path): unit \(unit.index) (\(unit.id)) planned it with hash \(input.hash), it is now \(now); "
                                      + "the checkpoint or data changed since planning, so plan again")
            }
        }
        context.embeddingCache = EmbeddingCache(folder: folder.appendingPathComponent("embeddings"))
        // Open the device first so that the cell file records it, even for a cell that never asks.
        _ = try context.kernels()
        try PlanRunner.run(plan, shard: .ids([unit.id]), folder: folder, context: context)
        return (unit, .ran)
    }
}

extension Sweep {
    /// Unit `index`, or an error saying the plan's range.
    public func unit(_ index: Int, folder: URL) throws -> Unit {
        guard units.indices.contains(index) else {
            throw ExperimentError("\(folder.appendingPathComponent("plan.json").path): unit \(index) is outside the plan "
                                  + "(it has units 0 to \(units.count - 1))")
        }
        return units[index]
    }
}
