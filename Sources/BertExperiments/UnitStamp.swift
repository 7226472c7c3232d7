import BertMeasure
import Foundation

/// What a cell file records about the code and hardware that produced it, so a merge of cells
/// from many hosts can refuse a cell from another commit and show which device ran which cell.
public struct UnitStamp: Codable, Sendable, Equatable {
    /// The bertbench commit (see `current`), "+dirty" when tracked files were edited.
    public let commit: String
    /// The OpenCL device's name and driver version.
    public let device: String
    public let driver: String

    /// A stamp of this process's commit on `device` with `driver`.
    public init(device: String, driver: String, commit: String = UnitStamp.currentCommit) {
        self.commit = commit
        self.device = device
        self.driver = driver
    }

    /// The commit of the bertbench that runs: BERTBENCH_COMMIT when set (a cluster copy without
    /// .git), else git's HEAD of the checkout holding the executable, not of the working
    /// directory, which on a cluster is wherever the scheduler started the job.
    public static let currentCommit: String = {
        if let given = ProcessInfo.processInfo.environment["BERTBENCH_COMMIT"], !given.isEmpty { return given }
        let folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent().path
        let git = URL(fileURLWithPath: "/usr/bin/env")
        guard let head = commandOutput(git, ["git", "-C", folder, "rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines),
              !head.isEmpty else { return "unknown" }
        let dirty = commandOutput(git, ["git", "-C", folder, "status", "--porcelain", "--untracked-files=no"]) ?? ""
        return dirty.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? head : head + "+dirty"
    }()
}
