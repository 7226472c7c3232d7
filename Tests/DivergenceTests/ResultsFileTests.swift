import BertDivergence
import Foundation
import Testing

/// The committed runs under bench-results/ still read and re-render; the metric list is consistent.
@Suite struct ResultsFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func committedRuns() throws -> [URL] {
        let results = root.appendingPathComponent("bench-results")
        let files = FileManager.default.enumerator(at: results, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return files.filter { $0.lastPathComponent == "divergence.json" }.sorted { $0.path < $1.path }
    }

    @Test func everyCommittedRunDecodesAndRenders() throws {
        let runs = try Self.committedRuns()
        #expect(runs.count >= 2)
        for url in runs {
            let d = try DivergenceResults.decode(from: url)
            #expect(!d.variants.isEmpty)
            for v in d.variants {
                #expect(v[AgreementMetric.self] != nil && v[CKAMetric.self] != nil && v[PIEMetric.self] != nil, "\(url.path): \(v.name)")
                // Written before cross-fitting: the newer metrics read back absent, not as zeros.
                if d.probe == nil {
                    #expect(v[KappaMetric.self] == nil && v[ExcessDisagreementMetric.self] == nil && v[DebiasedCKAMetric.self] == nil)
                }
            }
            let md = DivergenceReport.markdown(d)
            for v in d.variants { #expect(md.contains("| \(v.name) | "), "\(url.path): \(v.name) missing from the report") }
        }
    }

    /// The second CPU run was rendered by the code before the metric list: its report.md must be
    /// what the list renders now, byte for byte, and re-encoding gives back its divergence.json.
    @Test func theSecondCPURunRendersAsCommitted() throws {
        let folder = Self.root.appendingPathComponent("bench-results/pthread-haswell-amd-epyc/cpu-full-2")
        let file = folder.appendingPathComponent("divergence.json")
        let d = try DivergenceResults.decode(from: file)
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        let rendered = DivergenceReport.markdown(d, plots: ["tradeoff.png", "cka_heatmaps.png"])
        // One deliberate change since: the head-population PIE table got its own name (issue 15: PIEs over
        // populations of compressed models are a separate table), with a sentence saying what it is.
        let table = ReportTable.pies
        let renamed = report.replacingOccurrences(
            of: "## Pruning Identified Exemplars (modal label of the variant's head population differs from the large model's)\n\n",
            with: "\(table.heading!)\n\n\(table.intro!)\n\n")
        #expect(renamed != report, "the committed report no longer has the old PIE heading")
        #expect(renamed.hasSuffix(rendered))
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? NSDictionary
        let again = try JSONSerialization.jsonObject(with: d.encoded()) as? NSDictionary
        #expect(original != nil && original == again)
    }

    @Test func registeredMetricsWriteDistinctFields() {
        #expect(DivergenceMetrics.collisions(DivergenceMetrics.all).isEmpty)
        #expect(DivergenceMetrics.collisions(DivergenceMetrics.all + [AgreementMetric()]) == ["agreement"])
        #expect(DivergenceMetrics.collisions([MeanCosineMetric(), AgreementMetric()]).isEmpty)
    }
}
