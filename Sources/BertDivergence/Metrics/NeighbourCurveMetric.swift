import BertMetrics
import Foundation

/// kNN Jaccard over a range of k, each beside its random baseline: one k hides how the overlap
/// depends on the neighbourhood's size (local order can differ where coarse clusters agree).
public struct NeighbourCurveMetric: DivergenceMetric {
    /// The Jaccard at one k.
    public struct Point: Codable, Sendable {
        public let k: Int
        public let jaccard: Double
        public let randomBaseline: Double
    }

    public struct Result: Codable, Sendable {
        /// Ascending k; the pool is the test set (`knnPool` of NeighbourOverlapMetric).
        public let knnCurve: [Point]
    }

    /// The k of the curve (capped at the pool size minus one).
    static let ks = [1, 5, 10, 20, 50, 100]

    public init() {}

    public var fields: [String] { ["knnCurve"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let a = context.large.test.pooled, b = context.runs[variant].test.pooled
        let ks = Array(Set(Self.ks.map { min($0, a.rows - 1) })).sorted()
        // Neighbours come nearest first in a total order, so the k nearest are a prefix of the largest k's list.
        let na = Representations.nearestNeighbors(a, k: ks.last!), nb = Representations.nearestNeighbors(b, k: ks.last!)
        return Result(knnCurve: ks.map { k in
            let perItem = zip(na, nb).map { SetOverlap.jaccard(Array($0.prefix(k)), Array($1.prefix(k))) }
            return Point(k: k, jaccard: SampleStatistics.mean(perItem),
                         randomBaseline: SetOverlap.expectedRandomJaccard(sizeA: k, sizeB: k, universe: a.rows - 1))
        })
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] { [] }

    /// A table of the curve (variants by k), after the plots; nothing for files without it.
    public func details(in results: DivergenceResults) -> String {
        let curves = results.variants.compactMap { v in v[NeighbourCurveMetric.self].map { (v.name, $0.knnCurve) } }
        guard let ks = curves.first?.1.map(\.k) else { return "" }
        var md = "\n### kNN Jaccard over k (random baseline in brackets)\n\n| model | " + ks.map { "k = \($0)" }.joined(separator: " | ")
        md += " |\n| --- |" + ks.map { _ in " ---: |" }.joined() + "\n"
        for (name, curve) in curves {
            let cells = curve.map { "\(ReportCell.number($0.jaccard)) (\(ReportCell.number($0.randomBaseline)))" }
            md += "| \(name) | " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }
}
