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

    /// The files a run folder's renderings may replace in folders from before manifests.
    public static let renderings: @Sendable (String) -> Bool = { name in
        ["results.json", "results.csv", "divergence.json", "divergence.md", "report.md"].contains(name)
            || name.hasSuffix(".png") || name.hasSuffix(".svg")
    }

    /// Writes the report files of a run with latency cells (and perhaps a study) into `folder`,
    /// replacing only files BertBench wrote there.
    /// With `keepData`, results.json and divergence.json are left as they are (a folder from before
    /// plans has no cells to render them from, and nothing edits a results file after it is
    /// written): only the renderings are replaced.
    /// `appendix` ends report.md and `extraFiles` (name: bytes) join the folder: a sweep's merge adds its units there.
    /// `otherStudies` (a second family's) are written beside the first study (`OtherStudies`).
    public static func writeRun(_ latency: LatencyResults, divergence: DivergenceResults?, otherStudies: [DivergenceResults] = [],
                                to folder: URL, keepData: Bool = false, appendix: String = "", extraFiles: [String: Data] = [:],
                                plots: (URL) -> [String] = Plots.render) throws {
        let appendix = OtherStudies.section(otherStudies) + appendix
        let extraFiles = try OtherStudies.files(otherStudies).merging(extraFiles) { study, _ in study }
        try OutputFolder.write(folder, mode: .updateOwnFiles(legacyOwnFile: renderings)) { staging in
            for (name, data) in extraFiles { try data.write(to: staging.appendingPathComponent(name)) }
            try latency.encoded().write(to: staging.appendingPathComponent("results.json"))
            try Data(LatencyReport.csv(latency).utf8).write(to: staging.appendingPathComponent("results.csv"))
            if let divergence { try divergence.encoded().write(to: staging.appendingPathComponent("divergence.json")) }
            // The plot script reads the JSON files just staged and adds its images beside them.
            let images = plots(staging)
            let latencyImages = images.filter { ["latency_vs_batch.png", "kernel_breakdown.png"].contains($0) }
            let divergenceImages = images.filter { !latencyImages.contains($0) }
            let study = divergence.map { DivergenceReport.markdown($0, plots: divergenceImages) } ?? ""
            let markdown = LatencyReport.markdown(latency, plots: latencyImages) + study + appendix
            try Data(markdown.utf8).write(to: staging.appendingPathComponent("report.md"))
            if keepData {
                for name in ["results.json", "divergence.json"] {
                    let staged = staging.appendingPathComponent(name)
                    if FileManager.default.fileExists(atPath: staged.path) { try FileManager.default.removeItem(at: staged) }
                }
            }
        }
    }

    /// Writes divergence.json and divergence.md of a study alone into `folder`, replacing only
    /// files BertBench wrote there.
    public static func writeStudy(_ divergence: DivergenceResults, otherStudies: [DivergenceResults] = [], to folder: URL,
                                  appendix: String = "", extraFiles: [String: Data] = [:]) throws {
        let appendix = OtherStudies.section(otherStudies) + appendix
        let extraFiles = try OtherStudies.files(otherStudies).merging(extraFiles) { study, _ in study }
        try OutputFolder.write(folder, mode: .updateOwnFiles(legacyOwnFile: renderings)) { staging in
            for (name, data) in extraFiles { try data.write(to: staging.appendingPathComponent(name)) }
            try divergence.encoded().write(to: staging.appendingPathComponent("divergence.json"))
            try Data((DivergenceReport.markdown(divergence) + appendix).utf8).write(to: staging.appendingPathComponent("divergence.md"))
        }
    }
}
