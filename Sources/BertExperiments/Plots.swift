import BertDivergence
import Foundation

/// Runs scripts/plot_results.py on a run folder (matplotlib, PNG and SVG) and returns the PNG
/// names it wrote, for report.md to embed; none when the script or the venv is missing.
public enum Plots {
    /// The PNG names scripts/plot_results.py wrote into `folder`.
    public static func render(_ folder: URL) -> [String] {
        let python = Peers.root.appendingPathComponent(".venv/bin/python"), script = Peers.root.appendingPathComponent("scripts/plot_results.py")
        // The divergence metrics' own figures, as specs the script interprets.
        let specs = (try? JSONEncoder().encode(DivergenceMetrics.all.compactMap(\.plot))).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        guard FileManager.default.fileExists(atPath: python.path), FileManager.default.fileExists(atPath: script.path),
              let output = Peers.run(python, [script.path, folder.path, "--metric-plots", specs]) else { return [] }
        return output.split(separator: "\n").map(String.init).filter { $0.hasSuffix(".png") }
    }
}
