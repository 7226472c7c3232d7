import Foundation

/// A table of report.md that metrics add columns to: one row per variant (and one for the large
/// model when a column fills it), placed among the report's sections by `order`.
public struct ReportTable: Hashable, Sendable {
    /// Position in report.md: sanity checks are 10, the fixed sections after these tables 50
    /// (out-of-distribution) and 70-100 (attack, agreement matrix, plots, details, notes).
    public let order: Int
    /// The section heading ("## ..."), or nil for a table that continues the section before it.
    public let heading: String?
    /// A sentence before the table, ahead of its columns' notes.
    public let intro: String?

    /// A table a metric declares for a section of its own.
    public init(order: Int, heading: String?, intro: String? = nil) {
        (self.order, self.heading, self.intro) = (order, heading, intro)
    }

    // The built-in tables, in the order report.md shows them.
    /// The headline: cross-fitted agreement and kappa against the large model's own probe noise.
    public static let null = ReportTable(
        order: 15, heading: "## Against the null: cross-fitted probes beyond the large model's own probe noise")
    /// Each model with its own head: accuracy, agreement, flips, error overlap, McNemar, KL/JS.
    public static let errorsAndOutputs = ReportTable(order: 20, heading: "## Prediction errors and outputs (each model with its own head)")
    /// The large model's head on the variant's embeddings.
    public static let deployed = ReportTable(
        order: 30, heading: "## As deployed: the large model's head on the compressed model's embeddings")
    /// kNN overlap and CKA.
    public static let representations = ReportTable(order: 40, heading: "## Representations")
    /// Overlap of the flagged out-of-domain items, under the out-of-distribution section.
    public static let outOfDomainOverlap = ReportTable(
        order: 51, heading: nil, intro: "Jaccard of the flagged sets with the large model's (random baseline in brackets):")
    /// Pruning Identified Exemplars.
    public static let pies = ReportTable(
        order: 60,
        heading: "## Head-population PIEs (modal label of the variant's bootstrap-probe population differs from the large model's)",
        intro: "Populations of probes refit on bootstrap resamples of one model's embeddings each: a probe-noise proxy, not Hooker "
            + "et al.'s populations of compressed models (those are in the next section when the run has populations).")
}

/// One column a metric adds to a `ReportTable`.
public struct ReportColumn: Sendable {
    public let table: ReportTable
    public let header: String
    /// Numbers align right; text (an estimate with its interval) aligns left.
    public let rightAligned: Bool
    /// The large model's cell; the table has a large-model row when any column gives one.
    public let large: String?
    /// How the metric is defined, for the paragraph above the table.
    public let note: String?
    /// The variant's cell, or nil when it has no value (a row with no value at all is left out).
    public let cell: @Sendable (VariantComparison) -> String?

    /// A column of `table` headed `header`, whose cells `cell` renders from each variant.
    public init(_ table: ReportTable, _ header: String, rightAligned: Bool = true, large: String? = nil, note: String? = nil,
                cell: @escaping @Sendable (VariantComparison) -> String?) {
        (self.table, self.header, self.rightAligned, self.large, self.note, self.cell) = (table, header, rightAligned, large, note, cell)
    }
}

extension ReportTable {
    /// The table's markdown from its columns, or "" when no variant has a value in it.
    func markdown(_ columns: [ReportColumn], results d: DivergenceResults) -> String {
        let rows = d.variants.compactMap { v -> String? in
            let cells = columns.map { $0.cell(v) }
            guard cells.contains(where: { $0 != nil }) else { return nil }
            return "| \(v.name) | " + cells.map { $0 ?? "—" }.joined(separator: " | ") + " |\n"
        }
        guard !rows.isEmpty else { return "" }
        var md = "\n" + (heading.map { "\($0)\n\n" } ?? "")
        let paragraph = ([intro] + columns.map(\.note)).compactMap { $0 }
        if !paragraph.isEmpty { md += paragraph.joined(separator: " ") + "\n\n" }
        md += "| model | " + columns.map(\.header).joined(separator: " | ") + " |\n"
        md += "| --- |" + columns.map { $0.rightAligned ? " ---: |" : " --- |" }.joined() + "\n"
        if columns.contains(where: { $0.large != nil }) {
            md += "| \(d.large) (large) | " + columns.map { $0.large ?? "—" }.joined(separator: " | ") + " |\n"
        }
        return md + rows.joined()
    }
}

/// The number formats of report.md's cells.
public enum ReportCell {
    /// A share as a percentage with one decimal ("97.3%").
    public static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
    /// A share that may be undefined (no items to count it over): "—" then.
    public static func percent(_ x: Double?) -> String { x.map { percent($0) } ?? "—" }
    /// A statistic with three decimals, "—" when undefined.
    public static func number(_ x: Double) -> String { x.isNaN ? "—" : String(format: "%.3f", x) }
    /// A number in its shortest form ("0.3", "1000").
    public static func compact(_ x: Double) -> String { String(format: "%g", x) }
    /// A seeded estimate: "80.7% [79.9%, 81.5%] (80.1–81.0%)", the range across seeds in brackets.
    public static func seeded(_ e: SeededEstimate, percent asPercent: Bool) -> String {
        let f: (Double) -> String = asPercent ? { percent($0) } : { number($0) }
        let i = e.interval
        let range = e.bySeed.count > 1 ? " (\(f(e.bySeed.min()!))–\(f(e.bySeed.max()!)))" : ""
        return "\(f(i.estimate)) [\(f(i.lower)), \(f(i.upper))]" + range
    }
}
