import ArgumentParser
import BertDivergence
import BertExperiments
import BertMeasure
import Foundation

/// `bertbench report`: merges a run folder's cells (plan.json and cells/, including cells that
/// peer scripts dropped there) and renders report.md, results.csv, results.json and the plots.
/// A folder from before plans is re-rendered from its results.json.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Merge a run folder's cells and re-render report.md, results.json, results.csv and plots.")

    @Argument(help: "A run folder (holding plan.json and cells/, or results.json).") var directory: String

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        if let merged = try RunFolder.merge(url) {
            let report: String
            if let results = merged.latencyResults {
                try RunFolder.writeRun(results, divergence: merged.divergence, otherStudies: merged.otherStudies, to: url)
                report = "report.md"
            } else if let divergence = merged.divergence {
                try RunFolder.writeStudy(divergence, otherStudies: merged.otherStudies, to: url)
                report = "divergence.md"
            } else {
                throw ResultsError("\(url.path): no finished cells to report (\(merged.missing.count) planned cells missing)")
            }
            let partial = merged.missing.isEmpty ? "" : "; partial: \(merged.missing.count) planned cells missing"
            print("merged \(url.path)/cells into \(url.path)/\(report)\(partial)")
            return
        }
        let json = url.appendingPathComponent("results.json")
        guard FileManager.default.fileExists(atPath: json.path) else { throw ResultsError("\(json.path): no such file (and no plan.json)") }
        let results: LatencyResults
        do { results = try LatencyResults.decode(from: json) } catch let error as ResultsError { throw error } catch {
            throw ResultsError("\(json.path): not a BertBench results file (\(error))")
        }
        let divergenceURL = url.appendingPathComponent("divergence.json")
        let divergence = FileManager.default.fileExists(atPath: divergenceURL.path) ? try DivergenceResults.decode(from: divergenceURL) : nil
        try RunFolder.writeRun(results, divergence: divergence, to: url, keepData: true)
        print("re-rendered \(url.path)/{results.csv,report.md}")
    }
}
