import BertMetrics
import Foundation

/// The divergence half of report.md: tables a person reads, from divergence.json's content.
/// The fixed sections (settings, sanity checks, out-of-distribution behaviour, the attack, the
/// agreement matrix) are written here; each metric adds its own columns and details.
public enum DivergenceReport {
    /// The markdown, with `plots` (image file names) embedded after the tables.
    public static func markdown(_ d: DivergenceResults, plots: [String] = [],
                                metrics: [any DivergenceMetric] = DivergenceMetrics.all) -> String {
        let columns = metrics.flatMap { $0.columns(in: d) }
        var tables: [ReportTable] = []
        for column in columns where !tables.contains(column.table) { tables.append(column.table) }
        var sections: [(order: Int, text: String)] = tables.map { table in
            (table.order, table.markdown(columns.filter { $0.table == table }, results: d))
        }
        sections += [
            (10, "## Sanity checks\n\n" + d.sanity.map { "- \($0)" }.joined(separator: "\n") + "\n"),
            (16, DivergenceReportSections.tests(d)),
            (50, outOfDistribution(d)),
            (70, DivergenceReportSections.attack(d)),
            (80, DivergenceReportSections.agreement(d)),
            (90, plots.isEmpty ? "" : "\n" + plots.map { "![\($0)](\($0))" }.joined(separator: "\n\n") + "\n"),
            (95, metrics.map { $0.details(in: d) }.joined()),
            (100, d.notes.isEmpty ? "" : "\n" + d.notes.map { "- \($0)" }.joined(separator: "\n") + "\n"),
        ]
        // A stable sort keeps metric tables that share an order in registry order.
        let ordered = sections.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }
        return header(d) + ordered.map(\.element.text).joined()
    }

    /// The miniature index table alone (with its "how made" column), its heading one level down:
    /// what report.md shows of a run's other studies.
    public static func miniatureIndexTable(_ d: DivergenceResults, metrics: [any DivergenceMetric] = DivergenceMetrics.all) -> String {
        let columns = metrics.flatMap { $0.columns(in: d) }.filter { $0.table == MiniatureIndexMetric.table }
        guard !columns.isEmpty else { return "" }
        let table = MiniatureIndexMetric.table.markdown(columns, results: d)
        return table.hasPrefix("\n## ") ? "\n#### " + table.dropFirst(4) : table
    }

    /// The title and the paragraph that states the task, the probes, the data and the settings.
    static func header(_ d: DivergenceResults) -> String {
        if let probe = d.probe { return crossFittedHeader(d, probe) }
        let s = d.settings
        var md = "\n# Is a compressed model a miniature of the large one?\n\n"
        md += "Large model: **\(d.large)**. Task: binary sentiment of movie snippets (mean rating > 0 positive, < 0 negative, 0 dropped), "
        md += "linear probes (L2 logistic regression, C = \(s.regularisation), standardised features) on each model's mean-pooled embedding. "
        md += "Data: " + d.data.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        md += String(format: "; split seed %llu; %d heads per population (bootstrap resamples of the training set); k = %d neighbours; ",
                     s.splitSeed, s.headPopulation, s.neighbours)
        md += String(format: "%d bootstrap resamples for intervals; CKA on %d test items. Device: %@.\n\n",
                     s.bootstrapResamples, s.ckaItems, d.device)
        return md
    }

    /// The header of a cross-fitted study: the probe, its chosen C, the folds and seeds.
    static func crossFittedHeader(_ d: DivergenceResults, _ p: ProbeSummary) -> String {
        let s = d.settings, r = p.regularisation
        var md = "\n# Is a compressed model a miniature of the large one?\n\n"
        md += "Large model: **\(d.large)**. Task: binary sentiment of movie snippets (mean rating > 0 positive, < 0 negative, 0 dropped). "
        md += "Probe: L2 logistic regression on each model's L2-normalised mean-pooled embedding, C = \(ReportCell.compact(r.c)) chosen once "
        md += "by cross-validation (held-out log-loss) on the large model's training folds among \(r.grid.map(ReportCell.compact)) "
        md += "and shared by every model; \(p.folds)-fold cross-fitting over all \(p.items) labelled items (each predicted once by a "
        md += "probe that did not see it), repeated over \(p.seeds) fold partitions (seeds \(s.splitSeed)...). "
        if r.c == r.grid.first || r.c == r.grid.last { md += "**C is at the edge of the grid.** " }
        md += "Data: " + d.data.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        md += String(format: "; %d heads per PIE population (bootstrap resamples of the training set); k = %d neighbours; ",
                     s.headPopulation, s.neighbours)
        md += String(format: "%d paired bootstrap resamples for intervals; CKA on %d test items. Device: %@.\n\n",
                     s.bootstrapResamples, s.ckaItems, d.device)
        return md
    }

    /// Each model's own Deep-kNN detection per out-of-domain set (a model-level result, not a
    /// comparison; the overlap with the large model's flags is a metric's table after it).
    static func outOfDistribution(_ d: DivergenceResults) -> String {
        let sets = d.models[0].outOfDistribution.keys.sorted()
        guard !sets.isEmpty else { return "" }
        var md = "\n## Out-of-distribution behaviour (Deep Nearest Neighbours, threshold at 95% in-domain TPR)\n\n"
        md += "| model | " + sets.map { "\($0) AUROC / flagged" }.joined(separator: " | ") + " |\n| --- |"
        md += sets.map { _ in " ---: |" }.joined() + "\n"
        for m in d.models {
            let cells = sets.map { s in
                m.outOfDistribution[s].map { String(format: "%.3f / %@", $0.auroc, ReportCell.percent($0.detectionRate)) } ?? "—"
            }
            md += "| \(m.name) | " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }
}
