import Foundation

/// The report's ceilings section: the device's GEMM peak (the largest square GEMM of the run, by
/// BertBench's kernel and each peer) and copy bandwidth, and for each latency row the floor those
/// allow and how far above it the pass is.
public enum CeilingReport {
    /// Markdown for the section of results.json's content; empty when the run measured no ceiling.
    public static func section(_ r: LatencyResults) -> String {
        section(gemm: r.gemm, bandwidth: r.bandwidth ?? [], measurements: r.measurements)
    }

    /// Markdown for the section; the ceiling is the largest square GEMM timed (m = n = k).
    static func section(gemm: [GEMMMeasurement], bandwidth measured: [BandwidthMeasurement], measurements: [LatencyMeasurement]) -> String {
        guard let side = gemm.filter({ $0.m == $0.n && $0.n == $0.k }).map(\.m).max() else { return "" }
        let square = gemm.filter { $0.m == side && $0.n == side && $0.k == side }
        guard let peak = square.map(\.gflopsPerSecond).max(), peak > 0 else { return "" }
        let bandwidth = measured.map(\.gigabytesPerSecond).max()
        var md = "\n## Ceilings of this device\n\nMeasured in the same run: the fp32 GEMM at \(side) x \(side) x \(side) by each engine, "
            + "and the memory bandwidth of a copy kernel (bytes read + written per second).\n\n"
            + "| ceiling | value | measured by |\n| --- | ---: | --- |\n"
        for g in square.sorted(by: { $0.gflopsPerSecond > $1.gflopsPerSecond }) {
            md += String(format: "| fp32 GEMM | %.1f GFLOP/s | %@ |\n", g.gflopsPerSecond, g.kernel.map { "\(g.engine) (\($0))" } ?? g.engine)
        }
        for b in measured {
            md += String(format: "| memory bandwidth | %.1f GB/s | copy kernel, %@ per pass |\n", b.gigabytesPerSecond,
                         formatMiB(b.bytes))
        }
        md += "\nFloor of a pass: its matrix-product FLOPs at the best GEMM ceiling above (\(String(format: "%.1f", peak)) GFLOP/s), "
        md += bandwidth.map { String(format: "or its weights read once at %.1f GB/s, whichever is longer", $0) } ?? "(no bandwidth measured)"
        md += "; the least time this device could take. Above 1, the pass is that many times slower than the floor.\n\n"
        md += "| model | batch | seq | compute floor ms | weight-read floor ms | device p50 ms | p50 / floor | GFLOP/s share of ceiling |\n"
        md += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        for m in measurements {
            let compute = m.flopsPerPass / (peak * 1e6)
            let memory = bandwidth.map { Double(m.weightBytes) / ($0 * 1e6) }
            let floor = max(compute, memory ?? 0)
            md += String(format: "| %@ | %d | %d | %.3f | %@ | %.2f | %.1f | %.0f%% |\n", m.model, m.batch, m.sequenceLength, compute,
                         memory.map { String(format: "%.3f", $0) } ?? "—", m.device.p50, m.device.p50 / floor,
                         m.gflopsPerSecond / peak * 100)
        }
        return md
    }

    static func formatMiB(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
}
