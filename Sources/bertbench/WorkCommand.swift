import ArgumentParser
import BertExperiments
import Foundation

/// `bertbench work`: runs one unit of a plan folder, as one task of a Slurm job array or a
/// Kubernetes Indexed Job; the unit's index comes from the scheduler when not given.
struct WorkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Run one unit of a plan folder (default: unit $SLURM_ARRAY_TASK_ID, else $JOB_COMPLETION_INDEX) into PLAN_DIR/cells/.")

    @Argument(help: "The plan folder (from `bertbench plan`).") var planDirectory: String
    @Option(help: "The unit's index in the plan (0-based).") var unit: Int?
    @Flag(help: "Run the unit even when it is already done at this commit.") var force = false
    @Flag(help: "Run nothing: print the indices of the units not yet done, comma-separated (for submit.sh --resume).") var missing = false
    @OptionGroup var deviceOptions: DeviceOptions
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let folder = URL(fileURLWithPath: planDirectory).standardizedFileURL
        if missing {
            print(try SweepMerge.collect(folder: folder).missing.map { "\($0.index)" }.joined(separator: ","))
            return
        }
        let index = try unitIndex()
        let (unit, outcome) = try SweepWork.run(folder: folder, unit: index, force: force,
                                                context: CellContext(quiet: quiet) { try deviceOptions.kernels() })
        switch outcome {
        case .ran: print("unit \(unit.index) \(unit.id): done, wrote \(folder.path)/cells/\(unit.id).json")
        case .skipped(let host): print("unit \(unit.index) \(unit.id): already done on \(host) at this commit; --force runs it again")
        }
    }

    /// --unit, else the scheduler's task index.
    func unitIndex() throws -> Int {
        if let unit { return unit }
        let environment = ProcessInfo.processInfo.environment
        for name in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
            guard let text = environment[name] else { continue }
            guard let value = Int(text) else { throw ValidationError("$\(name) '\(text)' is not a unit index") }
            return value
        }
        throw ValidationError("give --unit K (or run as a Slurm array task or a Kubernetes Indexed Job, which set the index)")
    }
}
