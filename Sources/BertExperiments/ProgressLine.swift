import Foundation
import Support

/// Progress of long work on stderr: what is running, done of total, elapsed and estimated time.
/// On a terminal one line is rewritten in place; otherwise a line is printed every few seconds.
public final class ProgressLine {
    private let label: String
    private let total: Int
    private let quiet: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let interactive = isatty(STDERR_FILENO) != 0

    /// A bar for `total` steps of `label`; silent when `quiet`.
    public init(_ label: String, total: Int, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.quiet = quiet
    }

    /// Reports `done` of `total`; cheap to call often.
    public func update(_ done: Int, detail: String = "") {
        guard !quiet else { return }
        let now = Date()
        let interval = interactive ? 0.2 : 5.0
        guard now.timeIntervalSince(lastPrint) >= interval || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        var line = "\(label): \(done)/\(total), \(formatSeconds(elapsed)) elapsed"
        if done > 0 && done < total { line += ", ~\(formatSeconds(elapsed / Double(done) * Double(total - done))) left" }
        if !detail.isEmpty { line += " — \(detail)" }
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(done == total ? "\n" : "")".utf8))
        } else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }
}
