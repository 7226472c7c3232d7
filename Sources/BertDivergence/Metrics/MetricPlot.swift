import Foundation

/// A figure scripts/plot_results.py draws from a metric's fields; the script knows each `Kind`,
/// so a metric whose data fits a kind gets its plot without touching Python.
public struct MetricPlot: Codable, Sendable, Equatable {
    /// The kinds of figure the plot script draws.
    public enum Kind: String, Codable, Sendable {
        /// One heatmap per variant of a [large layer][variant layer] matrix field.
        case layerHeatmaps
        /// Per variant, a seeded estimate (the field a dotted path) with its interval and each seed's value.
        case seededIntervals
    }

    public let kind: Kind
    /// The file name without extension (PNG and SVG are written).
    public let file: String
    /// The variant field the figure reads.
    public let field: String
    /// What the colour scale (or axis) measures.
    public let label: String
    /// The range of the colour scale.
    public let minimum: Double
    public let maximum: Double

    public init(kind: Kind, file: String, field: String, label: String, minimum: Double, maximum: Double) {
        (self.kind, self.file, self.field, self.label, self.minimum, self.maximum) = (kind, file, field, label, minimum, maximum)
    }
}
