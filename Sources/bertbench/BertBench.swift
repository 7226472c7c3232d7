import ArgumentParser
import Foundation

/// The command-line tool: one subcommand per job.
@main
struct BertBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bertbench",
        abstract: "BERT-family encoders on BertBench's own OpenCL kernels: embeddings, latency, and how compressed models diverge from the large one.",
        subcommands: [DevicesCommand.self, EmbedCommand.self, SynthCommand.self, BenchGEMMCommand.self])

    /// Runs the tool, turning any error into one line on stderr and exit status 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CleanExit {
            exit(withError: error)
        } catch let error where isArgumentParserError(error) {
            exit(withError: error)
        } catch {
            let message = String(describing: error).replacingOccurrences(of: "\n", with: " ")
            FileHandle.standardError.write(Data("bertbench: error: \(message)\n".utf8))
            Foundation.exit(1)
        }
    }

    private static func isArgumentParserError(_ error: Error) -> Bool {
        error is ValidationError || error is ExitCode || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}
