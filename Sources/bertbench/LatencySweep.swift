import BertCheckpoint
import BertCompression
import BertKernels
import BertMeasure
import BertModel
import Foundation
import Support

/// Models x batch sizes x sequence lengths on one device, peers alongside, written as a run
/// folder under `<out>/<device-slug>/<run>/`. Shared by `latency` and `run`.
struct LatencySweep {
    let models: [URL]
    let batches: [Int]
    let sequenceLengths: [Int]
    let settings: LatencySettings
    let peers: Bool
    let quiet: Bool

    /// Measures everything and writes the run folder; returns the results and the folder.
    func run(kernels: EncoderKernels, out: URL, runName: String?) throws -> (LatencyResults, URL) {
        let results = try measure(kernels: kernels, runID: Self.runID(runName))
        let target = Self.folder(out: out, results: results)
        try LatencyReport.write(results, to: target, plots: Plots.render)
        return (results, target)
    }

    static func runID(_ name: String?) -> String {
        name ?? ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
    }

    static func folder(out: URL, results: LatencyResults) -> URL {
        out.appendingPathComponent(results.environment.deviceSlug).appendingPathComponent(results.runID)
    }

    /// Measures every model and shape (and the peers) without writing anything.
    func measure(kernels: EncoderKernels, runID: String) throws -> LatencyResults {
        let device = kernels.context.device
        let environment = RunEnvironment.capture(device: device, kernels: kernels.selection)
        var results = LatencyResults(runID: runID, environment: environment, settings: settings, batches: batches, sequenceLengths: sequenceLengths)
        let progress = Progress("latency", total: models.count * batches.count * sequenceLengths.count, quiet: quiet)
        var done = 0
        for directory in models {
            let loaded = try ModelLoader.load(directory, kernels: kernels)
            results.models.append(try record(loaded))
            for b in batches {
                for s in sequenceLengths {
                    done += 1
                    guard s <= loaded.encoder.shape.maxPositions else {
                        results.notes.append("\(loaded.name): sequence length \(s) skipped (the model has \(loaded.encoder.shape.maxPositions) positions)")
                        continue
                    }
                    progress.update(done - 1, detail: "\(loaded.name) batch \(b) seq \(s)")
                    let measurement = try LatencyRunner.measure(loaded.encoder, model: loaded.name, batch: b, sequenceLength: s, settings: settings)
                    results.measurements.append(measurement)
                    if peers, let onnx = Peers.onnxName(loaded.checkpoint.config) {
                        let threads = device.isGPU ? ProcessInfo.processInfo.activeProcessorCount : device.computeUnits
                        switch Peers.onnxruntime(model: loaded.name, onnxName: onnx, batch: b, sequenceLength: s, threads: threads, settings: settings) {
                        case .success(let p): results.peers.append(p)
                        case .failure(let e): note(e.message, &results)
                        }
                    }
                    progress.update(done, detail: "\(loaded.name) batch \(b) seq \(s): p50 \(String(format: "%.1f", measurement.host.p50)) ms")
                }
            }
            if peers, let first = batches.first, let s = sequenceLengths.first {
                try gemmPeers(loaded.encoder, tokens: first * s, kernels: kernels, into: &results)
            }
        }
        results.peakHostResidentBytes = peakResidentBytes()
        return results
    }

    private func note(_ message: String, _ results: inout LatencyResults) {
        if !results.notes.contains(message) { results.notes.append(message) }
    }

    /// What the report says about a model: kind, how it runs, what it weighs.
    func record(_ loaded: LoadedModel) throws -> ModelRecord {
        let config = loaded.checkpoint.config
        let sourceBytes: Int? = { if case .object(let c)? = config.json["compression"] { return c["source_bytes"]?.intValue }; return nil }()
        return ModelRecord(
            name: loaded.name, path: loaded.directory.standardizedFileURL.path, synthetic: config.json["synthetic"] != nil,
            compression: config.compressionMethod ?? config.quantizationMethod.map { "\($0) (external)" },
            linearMode: loaded.encoder.linearMode.rawValue, linearModeReason: loaded.modeReason,
            layers: config.layerCount, hiddenSize: config.hiddenSize,
            weightBytesStored: try fileSize(loaded.checkpoint.file.url), weightBytesDevice: loaded.encoder.weightBytes, sourceBytes: sourceBytes,
            sparseChoice: loaded.sparseChoice)
    }

    /// The model's three GEMM shapes at `tokens` rows, timed with BertBench's kernel, CLBlast on
    /// the same device, and numpy (OpenBLAS) on the CPU.
    func gemmPeers(_ encoder: BertEncoder, tokens: Int, kernels: EncoderKernels, into results: inout LatencyResults) throws {
        guard let widths = encoder.layerWidths.first else { return }
        let h = encoder.shape.hiddenSize
        for (n, k) in [(3 * widths.attention, h), (widths.intermediate, h), (h, widths.intermediate)]
        where !results.gemm.contains(where: { $0.m == tokens && $0.n == n && $0.k == k }) {
            results.gemm.append(try GEMMTiming.bertbench(kernels: kernels, m: tokens, n: n, k: k))
            for peer in [Peers.clblast(m: tokens, n: n, k: k, deviceIndex: kernels.context.device.index), Peers.numpy(m: tokens, n: n, k: k)] {
                switch peer {
                case .success(let g): results.gemm.append(g)
                case .failure(let e): note(e.message, &results)
                }
            }
        }
    }

    static func printSummary(_ results: LatencyResults, folder: URL) {
        for m in results.measurements {
            print(String(format: "%@ batch %d seq %d: p50 %.2f ms (device %.2f ms), %.1f seq/s, %.1f GFLOP/s", m.model, m.batch, m.sequenceLength,
                         m.host.p50, m.device.p50, m.sequencesPerSecond, m.gflopsPerSecond))
        }
        print("wrote \(folder.path)/{results.json,results.csv,report.md}")
    }
}
