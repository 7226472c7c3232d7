import BertDivergence
import BertMeasure
import Foundation
import Support

/// Renders merged cells into a run folder with the files the report writers have always made:
/// results.json, results.csv, divergence.json, plots and report.md for a run; divergence.json
/// and divergence.md for a study alone. Each file is written atomically; plan.json and cells/
/// beside them are never touched, so a folder can be merged again as more cells arrive.
public enum RunFolder {
    /// `<out>/<device slug>/<runID>`: where `run` and `latency` put a run.
    public static func path(out: URL, deviceSlug: String, runID: String) -> URL {
        out.appendingPathComponent(deviceSlug).appendingPathComponent(runID)
    }

    /// A run name from the date and time, for runs not given one.
    public static func runID(_ name: String?) -> String {
        name ?? ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
    }

    /// Reads plan.json and cells/ of `folder` and merges them; nil when the folder has no plan.
    public static func merge(_ folder: URL) throws -> MergedRun? {
        guard let plan = try Plan.read(from: folder) else { return nil }
        return MergedRun.merge(plan: plan, cells: try CellFiles.readAll(run: folder))
    }

    /// Writes the report files of a run with latency cells (and perhaps a study) into `folder`.
    public static func writeRun(_ latency: LatencyResults, divergence: DivergenceResults?, to folder: URL,
                                plots: (URL) -> [String] = Plots.render) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try write(try latency.encoded(), "results.json", folder)
        try write(Data(LatencyReport.csv(latency).utf8), "results.csv", folder)
        if let divergence { try write(try divergence.encoded(), "divergence.json", folder) }
        // The plot script reads the JSON files just written and adds its images beside them.
        let images = plots(folder)
        let divergenceImages = images.filter { $0.hasPrefix("cka_") || $0.hasPrefix("tradeoff") }
        let latencyImages = images.filter { !divergenceImages.contains($0) }
        let study = divergence.map { DivergenceReport.markdown($0, plots: divergenceImages) } ?? ""
        let markdown = LatencyReport.markdown(latency, plots: latencyImages) + study
        try write(Data(markdown.utf8), "report.md", folder)
    }

    /// Writes divergence.json and divergence.md of a study alone into `folder`.
    public static func writeStudy(_ divergence: DivergenceResults, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try write(try divergence.encoded(), "divergence.json", folder)
        try write(Data(DivergenceReport.markdown(divergence).utf8), "divergence.md", folder)
    }

    private static func write(_ data: Data, _ name: String, _ folder: URL) throws {
        try writeAtomically(data, to: folder.appendingPathComponent(name).path)
    }
}
