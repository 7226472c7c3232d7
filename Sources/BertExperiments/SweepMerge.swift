import Foundation

/// Merges a sweep's plan folder: every finished unit is checked against the plan (its id names
/// its inputs; its stamp must carry the plan's commit), missing units are listed with the
/// command that reruns them, and the run's usual files are rendered into another folder.
public enum SweepMerge {
    /// A checked plan folder.
    public struct Collected: Sendable {
        public let plan: Plan
        public let sweep: Sweep
        public let merged: MergedRun
        public let cells: [FinishedCell]
        /// Planned units with no cell file yet, in plan order.
        public let missing: [Sweep.Unit]
    }

    /// Reads and checks `folder`; a unit file that is damaged, edited or from another commit is
    /// an error naming the file and the unit.
    public static func collect(folder: URL) throws -> Collected {
        let (plan, sweep) = try Plan.readSweep(from: folder)
        let cells = try CellFiles.readAll(run: folder)
        let units = Dictionary(sweep.units.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for cell in cells {
            guard let unit = units[cell.id] else { continue }
            guard let commit = cell.stamp?.commit, commit == sweep.commit else {
                let file = CellFiles.folder(folder).appendingPathComponent("\(cell.id).json").path
                throw ExperimentError("\(file): unit \(unit.index) ran at commit \(cell.stamp?.commit ?? "(none recorded)"), the plan is at "
                                      + "\(sweep.commit); rerun it: \(unit.command) --force")
            }
        }
        let merged = MergedRun.merge(plan: plan, cells: cells)
        let missing = merged.missing.compactMap { units[$0] }
        return Collected(plan: plan, sweep: sweep, merged: merged, cells: cells, missing: missing)
    }

    /// Writes the merged report into `out` (report.md, or divergence.md for a study alone) and
    /// returns its name. Missing units are an error unless `partial`, and then the report says
    /// it is partial and lists them; nothing is written when it fails.
    public static func write(_ collected: Collected, to out: URL, partial: Bool, plots: (URL) -> [String] = Plots.render) throws -> String {
        let total = collected.sweep.units.count
        if !collected.missing.isEmpty && !partial {
            throw ExperimentError("\(collected.missing.count) of \(total) units have not finished (listed above); "
                                  + "rerun them, or give --partial for a report that says it is partial")
        }
        var appendix = UnitTable.markdown(plan: collected.plan, cells: collected.cells)
        if !collected.missing.isEmpty {
            appendix += "\n## Partial report\n\nThis report is partial: \(collected.missing.count) of \(total) planned units have not finished. "
                + "Rerun them and merge again:\n\n" + collected.missing.map { "- unit \($0.index) `\($0.id)`: `\($0.command)`\n" }.joined()
        }
        let extra = ["units.csv": Data(UnitTable.csv(plan: collected.plan, cells: collected.cells).utf8)]
        if let results = collected.merged.latencyResults {
            try RunFolder.writeRun(results, divergence: collected.merged.divergence, otherStudies: collected.merged.otherStudies, to: out,
                                   appendix: appendix, extraFiles: extra, plots: plots)
            return "report.md"
        }
        if let divergence = collected.merged.divergence {
            try RunFolder.writeStudy(divergence, otherStudies: collected.merged.otherStudies, to: out, appendix: appendix, extraFiles: extra)
            return "divergence.md"
        }
        throw ExperimentError("no unit of \(total) has finished: nothing to report")
    }
}
