import ArgumentParser
import Foundation
import Support

/// The command-line tool: one subcommand per job.
@main
struct BertBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bertbench",
        abstract: "BERT-family encoders on BertBench's own OpenCL kernels: embeddings, latency, and how compressed models diverge from the large "
                + "one.",
        subcommands: [DevicesCommand.self, TuneCommand.self, EmbedCommand.self, CompressCommand.self, LatencyCommand.self,
                      DivergeCommand.self, RunCommand.self, ReportCommand.self, SynthCommand.self, BenchGEMMCommand.self,
                      KernelSourceCommand.self, CheckMMACommand.self, CheckAttentionCommand.self,
                      PlanCommand.self, WorkCommand.self, MergeCommand.self])

    /// Runs the tool; every failure, argument errors included, is one line on stderr with a
    /// non-zero exit status (64 for bad arguments, 1 otherwise).
    static func main() {
        // Piped to a file or a Slurm log, fully buffered output appeared only at exit (a calibrated
        // `compress` of MPNet printed nothing for minutes).
        lineBufferStandardOutput()
        Interrupts.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            let message = (isArgumentError(error) ? message(for: error) : describe(error))
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            FileHandle.standardError.write(Data("bertbench: error: \(message)\n".utf8))
            Foundation.exit(isArgumentError(error) ? code.rawValue : 1)
        }
    }

    /// BertBench's own errors say what and where already; a Foundation error is reduced to its
    /// file and reason instead of its debug description.
    private static func describe(_ error: Error) -> String {
        if let cocoa = error as? CocoaError {
            let path = cocoa.filePath ?? cocoa.url?.path
            return (path.map { "\($0): " } ?? "") + (cocoa.underlying.map { "\($0.localizedDescription)" } ?? cocoa.localizedDescription)
        }
        if let posix = error as? POSIXError { return "system error: \(posix.localizedDescription)" }
        return String(describing: error)
    }

    private static func isArgumentError(_ error: Error) -> Bool {
        error is ValidationError || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}
