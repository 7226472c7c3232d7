import Foundation

/// The front ends' one call: record the plan in the run folder, run the chosen cells, merge
/// everything the folder now holds.
public enum Experiment {
    /// Writes plan.json into `folder` (a shard must find the same plan there, if any), runs the
    /// cells `shard` selects, and returns the merge of all finished cells in the folder.
    public static func run(_ plan: Plan, shard: Shard, folder: URL, context: CellContext) throws -> MergedRun {
        if shard != .all, let existing = try Plan.read(from: folder), existing.cells.map(\.id) != plan.cells.map(\.id) {
            throw ExperimentError("\(folder.path)/plan.json lists other cells than this shard's plan: give the same options to every shard")
        }
        try plan.write(to: folder)
        try PlanRunner.run(plan, shard: shard, folder: folder, context: context)
        let merged = MergedRun.merge(plan: plan, cells: try CellFiles.readAll(run: folder))
        if !merged.ignored.isEmpty {
            context.say("merge", "\(merged.ignored.count) cell files in \(folder.path)/cells are not in plan.json and were left out")
        }
        return merged
    }
}
