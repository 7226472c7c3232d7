import ArgumentParser
import BertExperiments
import BertMeasure
import Foundation

/// `bertbench latency`: every model x batch x sequence length, with peers, into bench-results/.
struct LatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Measure forward-pass latency and memory of models over batch sizes and sequence lengths; "
            + "write results.json, results.csv and report.md.")

    @Option(name: .customLong("model"), help: "Model directory (repeat for several).") var models: [String]
    @Option(help: "Batch sizes, comma-separated.") var batch: String = "1,8,32"
    @Option(help: "Sequence lengths, comma-separated.") var seq: String = "128,384"
    @Option(help: "Warm-up passes per shape (not timed; with any, at least 0.3 s of them).") var warmup: Int = 3
    @Option(help: "Timed passes per shape (default: as many as fit --min-time, at least 10).") var iterations: Int?
    @Option(help: "Seconds of timed passes per shape (default 2); not with --iterations.") var minTime: Double?
    @OptionGroup var deviceOptions: DeviceOptions
    @Option(help: "Directory for results: a run folder is made under <out>/<device>/.") var out: String = "bench-results"
    @Option(help: "Name of the run folder (default: date and time).") var runName: String?
    @Flag(help: "Also time peers in the same run: onnxruntime on models with their own ONNX file, CLBlast on the models' GEMM shapes.")
    var peers = false
    @OptionGroup var shardOptions: ShardOptions
    @Flag(help: "No progress on stderr.") var quiet = false
    @Flag(help: "Print results.json to stdout instead of a summary.") var json = false

    static func parseList(_ text: String, _ name: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("\(name) '\(text)' must be positive integers separated by commas")
        }
        return values.map { $0! }
    }

    func validate() throws {
        _ = try Self.parseList(batch, "--batch")
        _ = try Self.parseList(seq, "--seq")
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let iterations, iterations > 1_000_000 { throw ValidationError("--iterations \(iterations) is more than 1000000") }
        if let minTime {
            guard iterations == nil else { throw ValidationError("--min-time and --iterations exclude each other (one decides when timing stops)") }
            guard minTime > 0, minTime <= 3600 else { throw ValidationError("--min-time \(minTime) must be more than 0 and at most 3600 seconds") }
        }
        for value in try Self.parseList(batch, "--batch") + Self.parseList(seq, "--seq") where value > 65536 {
            throw ValidationError("--batch and --seq values must be at most 65536, not \(value)")
        }
        try shardOptions.validate(runName: runName)
    }

    func run() throws {
        let kernels = try deviceOptions.kernels()
        let device = kernels.context.device
        let batches = try Self.parseList(batch, "--batch"), lengths = try Self.parseList(seq, "--seq")
        let settings = LatencySettings(warmup: warmup, iterations: iterations, minTime: minTime ?? 2)
        let cells = try StandardPlans.latencySweep(models: try models.map { try ModelRef.at(URL(fileURLWithPath: $0)) }, batches: batches,
                                                   sequenceLengths: lengths, settings: settings, peers: peers, device: .of(kernels))
        let plan = Plan(runID: RunFolder.runID(runName), latency: .init(settings: settings, batches: batches, sequenceLengths: lengths), cells: cells)
        let folder = RunFolder.path(out: URL(fileURLWithPath: out), deviceSlug: RunEnvironment.capture(device: device).deviceSlug, runID: plan.runID)
        let merged = try Experiment.run(plan, shard: try shardOptions.selected(), folder: folder,
                                        context: CellContext(quiet: quiet) { kernels }, existing: shardOptions.existing)
        guard let results = merged.latencyResults else { throw ValidationError("no latency cell has finished in \(folder.path)") }
        try RunFolder.writeRun(results, divergence: nil, to: folder)
        if json {
            print(String(decoding: try results.encoded(), as: UTF8.self))
        } else {
            Self.printSummary(results, folder: folder)
        }
    }

    /// One line per measurement, then where the files are.
    static func printSummary(_ results: LatencyResults, folder: URL) {
        for m in results.measurements {
            print(String(format: "%@ batch %d seq %d: p50 %.2f ms (device %.2f ms), %.1f seq/s, %.1f GFLOP/s", m.model, m.batch, m.sequenceLength,
                         m.host.p50, m.device.p50, m.sequencesPerSecond, m.gflopsPerSecond))
        }
        print("wrote \(folder.path)/{results.json,results.csv,report.md}")
    }
}
