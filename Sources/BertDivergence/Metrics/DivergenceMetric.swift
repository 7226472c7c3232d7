import Foundation

/// One measure of how a variant behaves differently from the large model: it computes its result,
/// names the fields that result writes into the variant's object in divergence.json, renders its
/// columns of report.md and may declare a plot. The study and the report iterate over a list of
/// these (`DivergenceMetrics.all`), so a new measure is a new type plus one line there.
public protocol DivergenceMetric: Sendable {
    /// The metric's part of a variant's object in divergence.json: its coding keys are the field
    /// names, merged flat into the object beside the other metrics' fields.
    associatedtype Result: Codable & Sendable

    /// The keys `Result` writes. They must not collide with another metric's; a file that has
    /// none of them was written without this metric, and reads back without it.
    var fields: [String] { get }

    /// The variant `context.runs[variant]` (1 or more) against the large model, `context.runs[0]`.
    func measure(_ variant: Int, in context: StudyContext) throws -> Result

    /// The columns this metric adds to report.md's tables, for these results.
    func columns(in results: DivergenceResults) -> [ReportColumn]

    /// Markdown placed after the plots (details a reader opens on demand); empty for none.
    func details(in results: DivergenceResults) -> String

    /// A figure scripts/plot_results.py draws from this metric's fields, if it has one.
    var plot: MetricPlot? { get }
}

extension DivergenceMetric {
    /// The key under which a variant holds this metric's result (the type's name).
    public static var id: String { String(describing: Self.self) }

    /// No details unless the metric has some.
    public func details(in results: DivergenceResults) -> String { "" }

    /// No plot unless the metric declares one.
    public var plot: MetricPlot? { nil }

    /// `measure` with its result type erased, for the study's heterogeneous list.
    func erasedMeasure(_ variant: Int, in context: StudyContext) throws -> any Codable & Sendable {
        try measure(variant, in: context)
    }

    /// This metric's result read from a variant's object in divergence.json.
    func decodeResult(from decoder: Decoder) throws -> any Codable & Sendable {
        try Result(from: decoder)
    }
}
