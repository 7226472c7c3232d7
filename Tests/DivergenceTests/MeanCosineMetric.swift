import BertDivergence
import BertMetrics
import Foundation

/// A test-only metric: the mean cosine similarity of each test item's pooled embedding in the two
/// models (nan when their widths differ). It proves that a metric registered in one line reaches
/// divergence.json and report.md with no other edit.
struct MeanCosineMetric: DivergenceMetric {
    struct Result: Codable, Sendable {
        let meanCosine: Double
    }

    static let note = "Mean cosine: of each test item's pooled embeddings in the two models."

    var fields: [String] { ["meanCosine"] }

    func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let a = context.large.test.pooled, b = context.runs[variant].test.pooled
        guard a.columns == b.columns else { return Result(meanCosine: .nan) }
        let cosines = (0..<a.rows).map { i -> Double in
            let x = Array(a[i]).map(Double.init), y = Array(b[i]).map(Double.init)
            let dot = zip(x, y).map(*).reduce(0, +)
            return dot / (x.map { $0 * $0 }.reduce(0, +).squareRoot() * y.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        return Result(meanCosine: cosines.reduce(0, +) / Double(cosines.count))
    }

    func columns(in results: DivergenceResults) -> [ReportColumn] {
        [ReportColumn(.representations, "mean cosine", note: Self.note) { $0[MeanCosineMetric.self].map { ReportCell.number($0.meanCosine) } }]
    }
}
