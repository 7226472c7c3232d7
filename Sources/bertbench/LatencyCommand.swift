import ArgumentParser
import BertCheckpoint
import BertCompression
import BertKernels
import BertMeasure
import BertModel
import Foundation

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
        let batches = try Self.parseList(batch, "--batch"), lengths = try Self.parseList(seq, "--seq")
        let settings = LatencySettings(warmup: warmup, iterations: iterations, minTime: minTime)
        let kernels = try deviceOptions.kernels()
        let device = kernels.context.device
        let environment = RunEnvironment.capture(device: device)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
        let runID = runName ?? stamp
        let target = URL(fileURLWithPath: out).appendingPathComponent(environment.deviceSlug).appendingPathComponent(runID)
        var results = LatencyResults(runID: runID, environment: environment, settings: settings, batches: batches, sequenceLengths: lengths)
        let progress = Progress("latency", total: models.count * batches.count * lengths.count, quiet: quiet)
        var done = 0
        for path in models {
            let directory = URL(fileURLWithPath: path)
            let loaded = try ModelLoader.load(directory, kernels: kernels)
            let config = loaded.checkpoint.config
            let sourceBytes: Int? = { if case .object(let c)? = config.json["compression"] { return c["source_bytes"]?.intValue }; return nil }()
            results.models.append(ModelRecord(
                name: loaded.name, path: directory.standardizedFileURL.path, synthetic: config.json["synthetic"] != nil,
                compression: config.compressionMethod ?? config.quantizationMethod.map { "\($0) (external)" },
                linearMode: loaded.encoder.linearMode.rawValue, linearModeReason: loaded.modeReason,
                layers: config.layerCount, hiddenSize: config.hiddenSize,
                weightBytesStored: try fileSize(loaded.checkpoint.file.url), weightBytesDevice: loaded.encoder.weightBytes, sourceBytes: sourceBytes))
            for b in batches {
                for s in lengths {
                    done += 1
                    guard s <= loaded.encoder.shape.maxPositions else {
                        results.notes.append("\(loaded.name): sequence length \(s) skipped (the model has \(loaded.encoder.shape.maxPositions) positions)")
                        continue
                    }
                    progress.update(done - 1, detail: "\(loaded.name) batch \(b) seq \(s)")
                    let measurement = try LatencyRunner.measure(loaded.encoder, model: loaded.name, batch: b, sequenceLength: s, settings: settings)
                    results.measurements.append(measurement)
                    if peers, let onnx = Peers.onnxName(config) {
                        switch Peers.onnxruntime(model: loaded.name, onnxName: onnx, batch: b, sequenceLength: s,
                                                 threads: device.isGPU ? ProcessInfo.processInfo.activeProcessorCount : device.computeUnits,
                                                 settings: settings) {
                        case .success(let p): results.peers.append(p)
                        case .failure(let e): results.notes.append(e.message)
                        }
                    }
                    progress.update(done, detail: "\(loaded.name) batch \(b) seq \(s): p50 \(String(format: "%.1f", measurement.host.p50)) ms")
                }
            }
            if peers, let first = batches.first, let s = lengths.first {
                try gemmPeers(loaded.encoder, tokens: first * s, kernels: kernels, into: &results)
            }
        }
        results.peakHostResidentBytes = peakResidentBytes()
        try LatencyReport.write(results, to: target, plots: Plots.render)
        if json {
            print(String(decoding: try results.encoded(), as: UTF8.self))
        } else {
            for m in results.measurements {
                print(String(format: "%@ batch %d seq %d: p50 %.2f ms (device %.2f ms), %.1f seq/s, %.1f GFLOP/s", m.model, m.batch, m.sequenceLength,
                             m.host.p50, m.device.p50, m.sequencesPerSecond, m.gflopsPerSecond))
            }
            print("wrote \(target.path)/{results.json,results.csv,report.md}")
        }
    }

    /// The model's three GEMM shapes at `tokens` rows, timed with BertBench's kernel and CLBlast.
    func gemmPeers(_ encoder: BertEncoder, tokens: Int, kernels: EncoderKernels, into results: inout LatencyResults) throws {
        guard let widths = encoder.layerWidths.first else { return }
        let h = encoder.shape.hiddenSize
        for (n, k) in [(3 * widths.attention, h), (widths.intermediate, h), (h, widths.intermediate)]
        where !results.gemm.contains(where: { $0.m == tokens && $0.n == n && $0.k == k }) {
            results.gemm.append(try GEMMTiming.bertbench(kernels: kernels, m: tokens, n: n, k: k))
            switch Peers.clblast(m: tokens, n: n, k: k, deviceIndex: kernels.context.device.index) {
            case .success(let g): results.gemm.append(g)
            case .failure(let e): if !results.notes.contains(e.message) { results.notes.append(e.message) }
            }
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
        try LatencyReport.write(results, to: url, plots: Plots.render)
        print("re-rendered \(url.path)/{results.csv,report.md}")
    }
}
