import BertMetrics
import Foundation

/// kNN Jaccard over a range of k, each beside its random baseline and its null (the near copy that
/// NeighbourOverlapMetric uses at the study's k): one k hides how the overlap depends on the
/// neighbourhood's size (local order can differ where coarse clusters agree).
public struct NeighbourCurveMetric: DivergenceMetric {
    /// The Jaccard at one k.
    public struct Point: Codable, Sendable {
        public let k: Int
        public let jaccard: Double
        public let randomBaseline: Double
        /// The near copy's Jaccard at this k (nil without a near copy, and in older files).
        public var null: Double? = nil
    }

    public struct Result: Codable, Sendable {
        /// Ascending k; the pool is the test set (`knnPool` of NeighbourOverlapMetric).
        public let knnCurve: [Point]
        /// The near copy whose Jaccards are the curve's nulls (nil without one, and in older files).
        public var knnCurveNull: String? = nil

        private enum CodingKeys: String, CodingKey { case knnCurve, knnCurveNull }

        /// Writes the null as JSON null when absent: every metric writes each field it declares.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(knnCurve, forKey: .knnCurve)
            try container.encode(knnCurveNull, forKey: .knnCurveNull)
        }
    }

    /// The k of the curve (capped at the pool size minus one).
    static let ks = [1, 5, 10, 20, 50, 100]

    public init() {}

    public var fields: [String] { ["knnCurve", "knnCurveNull"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let pool = context.large.test.pooled.rows
        let ks = Array(Set(Self.ks.map { min($0, pool - 1) })).sorted()
        // The same near copy at every k: the one that is the null at the study's k.
        let null = JaccardNulls.nearCopyNull(variant: variant, nearCopies: context.nearCopies) {
            context.neighbourJaccards($0, k: context.settings.neighbours)
        }
        let points = ks.map { k in
            var point = Point(k: k, jaccard: SampleStatistics.mean(context.neighbourJaccards(variant, k: k)),
                              randomBaseline: context.neighbourBaseline(k: k).baseline)
            point.null = null.map { SampleStatistics.mean(context.neighbourJaccards($0.index, k: k)) }
            return point
        }
        return Result(knnCurve: points, knnCurveNull: null.map { context.runs[$0.index].name })
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] { [] }

    /// A table of the curve (variants by k), after the plots; nothing for files without it.
    public func details(in results: DivergenceResults) -> String {
        let curves = results.variants.compactMap { v in v[NeighbourCurveMetric.self].map { (v.name, $0.knnCurve) } }
        guard let ks = curves.first?.1.map(\.k) else { return "" }
        let withNull = results.variants.contains { $0[NeighbourCurveMetric.self]?.knnCurveNull != nil }
        var md = "\n### kNN Jaccard over k (random baseline" + (withNull ? "; null: the near copy named in the model column" : "")
            + " in brackets)\n\n| model | " + ks.map { "k = \($0)" }.joined(separator: " | ")
        md += " |\n| --- |" + ks.map { _ in " ---: |" }.joined() + "\n"
        let nulls = Dictionary(results.variants.compactMap { v in v[NeighbourCurveMetric.self]?.knnCurveNull.map { (v.name, $0) } },
                               uniquingKeysWith: { a, _ in a })
        for (name, curve) in curves {
            let cells = curve.map { p in
                "\(ReportCell.number(p.jaccard)) (\(ReportCell.number(p.randomBaseline))" + (p.null.map { "; \(ReportCell.number($0))" } ?? "") + ")"
            }
            md += "| \(name)" + (nulls[name].map { " (null: \($0))" } ?? "") + " | " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }
}
