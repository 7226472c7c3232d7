import Foundation

/// What plan.json adds for a sweep that a scheduler runs one unit per task: the commit every
/// unit must run at, and per unit (a cell, by its index in the plan) the command that runs it
/// and the hashes of the files it reads.
public struct Sweep: Codable, Sendable {
    /// The bertbench commit the plan was made with; `work` and `merge` refuse any other.
    public let commit: String
    /// The units, in plan order: unit K is cell K.
    public let units: [Unit]

    /// One unit of the sweep.
    public struct Unit: Codable, Sendable {
        public let index: Int
        public let id: String
        /// The exact command that runs it (and reruns it after a failure).
        public let command: String
        /// The files it reads and their hashes at planning time.
        public let inputs: [InputFile]
        /// Runs after every unit of a lower stage (nil: stage 0); see `CellKind.stage`.
        public let stage: Int?
    }

    /// The sweep of `plan` in `folder`: unit K runs as `<executable> work <folder> --unit K`,
    /// with `workOptions` (a device choice) appended.
    public init(plan: Plan, folder: URL, executable: String, workOptions: [String] = [], commit: String = UnitStamp.currentCommit) {
        self.commit = commit
        let base = [executable, "work", folder.standardizedFileURL.path]
        units = plan.cells.enumerated().map { index, cell in
            let words = base + ["--unit", "\(index)"] + workOptions
            let stage = cell.cell.stage
            return Unit(index: index, id: cell.id, command: words.map(Sweep.quoted).joined(separator: " "), inputs: cell.cell.inputFiles,
                        stage: stage == 0 ? nil : stage)
        }
    }

    /// A word as a POSIX shell reads it back unchanged.
    static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension Plan {
    /// The plan in `folder` as `bertbench plan` wrote it, with its sweep; an error naming
    /// plan.json when the folder holds none or a run folder's plan.
    public static func readSweep(from folder: URL) throws -> (Plan, Sweep) {
        let file = folder.appendingPathComponent("plan.json").path
        guard let plan = try Plan.read(from: folder) else { throw ExperimentError("\(file): no such file (make one with `bertbench plan`)") }
        guard let sweep = plan.sweep else { throw ExperimentError("\(file): a run folder's plan, not a sweep (make one with `bertbench plan`)") }
        guard sweep.units.map(\.id) == plan.cells.map(\.id), sweep.units.map(\.index) == Array(plan.cells.indices) else {
            throw ExperimentError("\(file): its units do not match its cells (edited?)")
        }
        return (plan, sweep)
    }

    /// Refuses a plan made at another commit than the bertbench now running.
    public func requireCommit(_ sweep: Sweep, folder: URL, current: String = UnitStamp.currentCommit) throws {
        guard sweep.commit == current else {
            throw ExperimentError("\(folder.appendingPathComponent("plan.json").path): planned at commit \(sweep.commit), "
                                  + "this bertbench is at \(current); plan again with this build")
        }
    }
}
