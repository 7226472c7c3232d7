import Foundation

/// Runs cells of a plan and records each finished one as `<run folder>/cells/<id>.json`.
public enum PlanRunner {
    /// Runs the cells of `plan` that `shard` selects, in plan order, writing each result as soon
    /// as it finishes; with `skipFinished`, a cell whose file already exists (same id, so same
    /// inputs) is not run again. Returns the ids it ran.
    @discardableResult
    public static func run(_ plan: Plan, shard: Shard = .all, folder: URL, context: CellContext, skipFinished: Bool = false) throws -> [String] {
        let selected = try plan.cells(in: shard).filter { !(skipFinished && CellFiles.exists($0.id, run: folder)) }
        let progress = ProgressLine("cells", total: selected.count, quiet: context.quiet)
        var ran: [String] = []
        for (index, cell) in selected.enumerated() {
            progress.update(index, detail: cell.cell.slug)
            try runOne(cell.cell, folder: folder, context: context)
            ran.append(cell.id)
        }
        progress.update(selected.count)
        return ran
    }

    private static func runOne<K: CellKind>(_ cell: K, folder: URL, context: CellContext) throws {
        let output = try cell.run(context)
        try CellFiles.write(cell, output: output, run: folder, stamp: context.stamp)
    }
}
