import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C and SIGTERM end the process cleanly: the temporary files and folders it has open are
/// removed, and it exits 130 (SIGINT) or 143 (SIGTERM) as a shell would report the signal.
public enum Interrupts {
    private static let queue = DispatchQueue(label: "bertbench.signals")
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Installs the handlers once, at start.
    public static func install() {
        for (signalNumber, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(signalNumber, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                for path in TemporaryFiles.shared.current { try? FileManager.default.removeItem(atPath: path) }
                FileHandle.standardError.write(Data("bertbench: interrupted; removed this run's temporary files\n".utf8))
                exit(status)
            }
            source.resume()
            sources.append(source)
        }
    }
}

extension TemporaryFiles {
    /// Removes `.NAME.partial-PID...` entries in `folder` left by processes that no longer exist
    /// (killed before their cleanup ran); entries of live processes and all other files stay.
    public static func sweepStale(in folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".partial-", options: .backwards) else { continue }
            let digits = name[marker.upperBound...].prefix { $0.isNumber }
            guard let pid = Int32(digits), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }
}
