import ArgumentParser
import BertCheckpoint
import BertCompression
import BertDivergence
import BertKernels
import BertMeasure
import BertModel
import Foundation
import Support

/// `bertbench latency`: every model x batch x sequence length, with peers, into bench-results/.
struct LatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Measure forward-pass latency and memory of models over batch sizes and sequence lengths; write results.json, results.csv and report.md.")

    @Option(name: .customLong("model"), help: "Model directory (repeat for several).") var models: [String]
    @Option(help: "Batch sizes, comma-separated.") var batch: String = "1,8,32"
    @Option(help: "Sequence lengths, comma-separated.") var seq: String = "128,384"
    @Option(help: "Warm-up passes per shape (not timed).") var warmup: Int = 3
    @Option(help: "Timed passes per shape (default: as many as fit --min-time, at least 10).") var iterations: Int?
    @Option(help: "Seconds of timed passes per shape when --iterations is not given.") var minTime: Double = 2
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Directory for results: a run folder is made under <out>/<device>/.") var out: String = "bench-results"
    @Option(help: "Name of the run folder (default: date and time).") var runName: String?
    @Flag(help: "Also time peers in the same run: onnxruntime on models with their own ONNX file, CLBlast on the models' GEMM shapes.") var peers = false
    @Flag(help: "No progress on stderr.") var quiet = false
    @Flag(help: "Print results.json to stdout instead of a summary.") var json = false

    static func parseList(_ text: String, _ name: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("\(name) '\(text)' must be positive integers separated by commas") }
        return values.map { $0! }
    }

    func validate() throws {
        _ = try Self.parseList(batch, "--batch")
        _ = try Self.parseList(seq, "--seq")
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        guard minTime > 0 else { throw ValidationError("--min-time must be positive") }
    }

    func run() throws {
        let sweep = LatencySweep(models: models.map { URL(fileURLWithPath: $0) }, batches: try Self.parseList(batch, "--batch"),
                                 sequenceLengths: try Self.parseList(seq, "--seq"),
                                 settings: LatencySettings(warmup: warmup, iterations: iterations, minTime: minTime),
                                 peers: peers, quiet: quiet)
        let kernels = try deviceOptions.kernels()
        let (results, folder) = try sweep.run(kernels: kernels, out: URL(fileURLWithPath: out), runName: runName)
        if json {
            print(String(decoding: try results.encoded(), as: UTF8.self))
        } else {
            LatencySweep.printSummary(results, folder: folder)
        }
    }
}

/// `bertbench report`: re-renders report.md, results.csv and the plots from a run's results.json.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Re-render report.md, results.csv and plots from a run folder's results.json.")

    @Argument(help: "A run folder (holding results.json).") var directory: String

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        let json = url.appendingPathComponent("results.json")
        guard FileManager.default.fileExists(atPath: json.path) else { throw ResultsError("\(json.path): no such file") }
        let results: LatencyResults
        do { results = try LatencyResults.decode(from: json) } catch let error as ResultsError { throw error } catch {
            throw ResultsError("\(json.path): not a BertBench results file (\(error))")
        }
        let divergenceURL = url.appendingPathComponent("divergence.json")
        let divergence = FileManager.default.fileExists(atPath: divergenceURL.path) ? try DivergenceResults.decode(from: divergenceURL) : nil
        // Only BertBench's renderings are replaced: README.md and other files a person added stay.
        let rendering: @Sendable (String) -> Bool = { name in ["report.md", "results.csv"].contains(name) || name.hasSuffix(".png") || name.hasSuffix(".svg") }
        try LatencyReport.write(results, to: url, mode: .updateOwnFiles(legacyOwnFile: rendering), rerender: true,
                                extraFiles: try divergence.map { ["divergence.json": try $0.encoded()] } ?? [:], plots: Plots.render) { images in divergence.map { DivergenceReport.markdown($0, plots: images) } ?? "" }
        print("re-rendered \(url.path)/{results.csv,report.md}")
    }
}
