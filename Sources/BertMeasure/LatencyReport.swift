import Foundation
import Support

/// Renders results.json's content as results.csv (one row per measurement) and report.md (the
/// tables a person reads), so `bertbench report` can re-render from the JSON alone.
public enum LatencyReport {
    public static func csv(_ r: LatencyResults) -> String {
        var lines = [[
            "engine", "model", "batch", "sequence_length", "host_p50_ms", "host_p90_ms", "host_p99_ms", "host_mean_ms", "host_std_ms",
            "host_min_ms", "host_max_ms", "device_p50_ms", "device_p90_ms", "device_p99_ms", "sequences_per_second", "gflops_per_second",
            "weight_bytes_device", "activation_bytes", "iterations", "device_name",
        ].joined(separator: ",")]
        for m in r.measurements {
            let h = m.host, d = m.device
            lines.append(["bertbench-opencl", m.model, "\(m.batch)", "\(m.sequenceLength)"].joined(separator: ",") + ","
                + [h.p50, h.p90, h.p99, h.mean, h.standardDeviation, h.min, h.max, d.p50, d.p90, d.p99, m.sequencesPerSecond, m.gflopsPerSecond]
                .map { String(format: "%.4f", $0) }.joined(separator: ",")
                + ",\(m.weightBytes),\(m.activationBytes),\(h.count),\(csvField(m.deviceName ?? ""))")
        }
        for p in r.peers {
            let percentiles = [p.p50, p.p90, p.p99].map { String(format: "%.4f", $0) }.joined(separator: ",")
            lines.append("\(p.peer),\(p.model),\(p.batch),\(p.sequenceLength)," + percentiles
                + ",,,,,,,,," + String(format: "%.4f", Double(p.batch) / (p.p50 / 1000)) + ",,,,\(p.milliseconds.count),")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field: quoted when it holds a comma, quote or line break (device names can).
    static func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    public static func markdown(_ r: LatencyResults, plots: [String] = []) -> String {
        let e = r.environment
        var md = "# BertBench latency report\n\n"
        md += "Run `\(r.runID)`, \(e.created). Command: `\(e.commandLine)`\n\n"
        md += "| | |\n| --- | --- |\n"
        md += "| device | \(e.device.name) (\(e.device.type), \(e.device.computeUnits) compute units at \(e.device.clockMHz) MHz) |\n"
        md += "| OpenCL | \(e.device.platform) — \(e.device.version); driver \(e.device.driver); \(e.device.openCLC) |\n"
        md += "| host | \(e.hostCPU), \(e.hostCores) cores, \(formatBytes(e.hostMemoryBytes)); \(e.os) |\n"
        md += "| software | bertbench at \(e.gitCommit.prefix(12))\(e.gitDirty ? " (uncommitted changes)" : ""), built with \(e.swiftVersion) |\n"
        let iterations = r.settings.iterations.map { "\($0) timed passes" } ?? "timed passes for at least \(r.settings.minTime) s (at least "
                + "\(r.settings.minIterations))"
        md += "| settings | \(r.settings.warmup) warm-up passes, then \(iterations); inputs: random token ids, every token real |\n"
        if let kernels = e.kernels {
            let profiles = e.kernelProfiles.map { " (profile \($0.joined(separator: " over ")))" } ?? ""
            md += "| kernels\(profiles) | \(kernels.map(\.description).joined(separator: "; ")) |\n"
        }
        if let peak = r.peakHostResidentBytes { md += "| peak host memory | \(formatBytes(UInt64(peak))) resident (VmHWM) |\n" }
        md += "\nPercentiles are from an HdrHistogram (3 significant digits); host time is a whole forward pass (upload, kernels, wait) with "
                + "no profiling events, device time spans the first kernel's start to the last one's end in an interleaved pass that records an "
                + "OpenCL profiling event per launch (its host time is the last column of \"Where the device time goes\"). GFLOP/s counts "
                + "matrix products only, at the device p50.\n\n"

        md += "## Models\n\n| model | kind | layers x hidden | Linear mode | weights on disk | on device | vs fp32 source |\n| --- | --- | --- | "
                + "--- | --- | --- | --- |\n"
        for m in r.models {
            let kind = (m.synthetic ? "synthetic (random weights)" : "real") + (m.compression.map { ", \($0)" } ?? "")
            let ratio = m.sourceBytes.map { String(format: "%.2fx smaller", Double($0) / Double(max(m.weightBytesStored, 1))) } ?? "—"
            md += "| \(m.name) | \(kind) | \(m.layers) x \(m.hiddenSize) | \(m.linearMode) | \(formatBytes(UInt64(m.weightBytesStored))) | "
                    + "\(formatBytes(UInt64(m.weightBytesDevice))) | \(ratio) |\n"
        }
        // Older files carry the CSR-vs-dense measurement only as a sentence.
        let reasons = r.models.filter { $0.sparseChoice != nil || $0.linearModeReason.contains("ms") }
        if !reasons.isEmpty {
            md += "\n" + reasons.map { "- \($0.name): \($0.sparseChoice?.sentence ?? $0.linearModeReason)" }.joined(separator: "\n") + "\n"
        }

        md += "\n## Latency\n\n| model | batch | seq | host p50 ms | p90 | p99 | device p50 ms | seq/s | GFLOP/s | activations |\n| --- | ---: | "
                + "---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        // An int8 row slower than its fp32 source in this run says so beside its name (the note has the figures).
        let slower = Set(LatencyResults.int8SlowerThanSource(models: r.models, measurements: r.measurements)
            .map { "\($0.model)|\($0.batch)|\($0.sequenceLength)" })
        for m in r.measurements {
            let name = slower.contains("\(m.model)|\(m.batch)|\(m.sequenceLength)") ? m.model + " (slower than fp32, see Notes)" : m.model
            md += String(format: "| %@ | %d | %d | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %@ |\n", name, m.batch, m.sequenceLength,
                         m.host.p50, m.host.p90, m.host.p99, m.device.p50, m.sequencesPerSecond, m.gflopsPerSecond,
                         formatBytes(UInt64(m.activationBytes)))
        }

        md += "\n## Where the device time goes\n\nMean milliseconds per pass and share of kernel time; launches per pass, and the "
                + "time the device sat idle between kernels (launch overhead and host gaps: what fusing kernels would save) with its "
                + "share of the device span; and the host p50 of those instrumented passes, beside the plain one above.\n\n| model | batch | seq | "
                + "" + categories(r).joined(separator: " | ") + " | launches | idle between kernels | host p50 with events |\n| --- | ---: | ---: |"
                + categories(r).map { _ in " ---: |" }.joined() + " ---: | ---: | ---: |\n"
        // Once, not per row: it scans every measurement, so per row a 10,000-unit sweep took minutes.
        let columns = categories(r)
        for m in r.measurements {
            let cells = columns.map { c -> String in
                guard let k = m.kernels.first(where: { $0.category == c }) else { return "—" }
                return String(format: "%.2f (%.0f%%)", k.milliseconds, k.share * 100)
            }
            let launches = m.launchesPerPass.map(String.init) ?? "—"
            let meanSpan = m.deviceMilliseconds.reduce(0, +) / Double(max(m.deviceMilliseconds.count, 1))
            let idle = m.idleMilliseconds.map { String(format: "%.2f (%.0f%%)", $0, meanSpan > 0 ? 100 * $0 / meanSpan : 0) } ?? "—"
            let instrumented = m.instrumentedHost.map { String(format: "%.2f", $0.p50) } ?? "—"
            md += "| \(m.model) | \(m.batch) | \(m.sequenceLength) | " + cells.joined(separator: " | ") + " | \(launches) | \(idle) | \(instrumented) |\n"
        }

        if !r.peers.isEmpty {
            md += "\n## Peers in the same run\n\nRatio = BertBench host p50 / peer p50 (below 1: BertBench is faster).\n\n| model | batch | seq | "
                    + "peer | peer p50 ms | BertBench p50 ms | ratio |\n| --- | ---: | ---: | --- | ---: | ---: | ---: |\n"
            for p in r.peers {
                let ours = r.measurements.first { $0.model == p.model && $0.batch == p.batch && $0.sequenceLength == p.sequenceLength }
                md += String(format: "| %@ | %d | %d | %@ | %.2f | %@ | %@ |\n", p.model, p.batch, p.sequenceLength, "\(p.peer) \(p.version) "
                        + "(\(p.detail))",
                             p.p50, ours.map { String(format: "%.2f", $0.host.p50) } ?? "—",
                             ours.map { String(format: "%.2f", $0.host.p50 / p.p50) } ?? "—")
            }
        }
        if !r.gemm.isEmpty {
            md += "\n## GEMM on the same device\n\n| M x N x K | engine | median ms | GFLOP/s | BertBench / peer time |\n| --- | --- | ---: | ---: "
                    + "| ---: |\n"
            for g in r.gemm {
                let ours = r.gemm.first { $0.engine == "bertbench" && $0.m == g.m && $0.n == g.n && $0.k == g.k }
                let ratio = g.engine == "bertbench" ? "" : ours.map { String(format: "%.2f", $0.medianMilliseconds / g.medianMilliseconds) } ?? "—"
                let engine = g.kernel.map { "\(g.engine) (\($0))" } ?? g.engine
                md += String(format: "| %d x %d x %d | %@ | %.3f | %.1f | %@ "
                        + "|\n", g.m, g.n, g.k, engine, g.medianMilliseconds, g.gflopsPerSecond, ratio)
            }
        }
        md += CeilingReport.section(r)
        if !plots.isEmpty {
            md += "\n## Plots\n\n" + plots.map { "![\($0)](\($0))" }.joined(separator: "\n\n") + "\n"
        }
        if !r.notes.isEmpty { md += "\n## Notes\n\n" + r.notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return md
    }

    static func categories(_ r: LatencyResults) -> [String] {
        let order = ["gemm", "attention", "layernorm", "gelu", "quantize", "other"]
        let present = Set(r.measurements.flatMap { $0.kernels.map(\.category) })
        return order.filter(present.contains) + present.subtracting(order).sorted()
    }
}
