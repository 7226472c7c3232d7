import Foundation

/// What a front end may do with a run folder that already exists.
public enum ExistingFolder: Sendable {
    /// Refuse it: a run never mixes into an earlier one by accident.
    case refuse
    /// Keep its finished cells and run only the missing ones (after an interrupted run).
    case resume
    /// Run every cell again, replacing the files BertBench wrote there (and nothing else).
    case overwrite
}

/// The front ends' one call: record the plan in the run folder, run the chosen cells, merge
/// everything the folder now holds.
public enum Experiment {
    /// Writes plan.json into `folder` (a shard must find the same plan there, if any), runs the
    /// cells `shard` selects, and returns the merge of all finished cells in the folder.
    /// Shards of one plan meet in one folder, so a shard treats an existing folder of the same
    /// plan as its own; otherwise an existing folder is handled per `existing`.
    public static func run(_ plan: Plan, shard: Shard, folder: URL, context: CellContext,
                           existing: ExistingFolder = .refuse) throws -> MergedRun {
        let earlier = try Plan.read(from: folder)
        if shard != .all, let earlier, earlier.cells.map(\.id) != plan.cells.map(\.id) {
            throw ExperimentError("\(folder.path)/plan.json lists other cells than this shard's plan: give the same options to every shard")
        }
        let occupied = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).contains { !$0.hasPrefix(".") }
        if occupied, shard == .all, existing == .refuse {
            throw ExperimentError("\(folder.path): already exists; give --resume to run only its missing cells, "
                                  + "--overwrite to run it again, or another --run-name")
        }
        if occupied, earlier == nil, existing != .overwrite {
            throw ExperimentError("\(folder.path): exists and holds no plan.json, so it is not a run folder to resume")
        }
        try plan.write(to: folder)
        try PlanRunner.run(plan, shard: shard, folder: folder, context: context, skipFinished: existing == .resume)
        let merged = MergedRun.merge(plan: plan, cells: try CellFiles.readAll(run: folder))
        if !merged.ignored.isEmpty {
            context.say("merge", "\(merged.ignored.count) cell files in \(folder.path)/cells are not in plan.json and were left out")
        }
        return merged
    }
}
