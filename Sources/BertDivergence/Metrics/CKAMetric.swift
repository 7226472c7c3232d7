import BertMetrics
import Foundation

/// Linear CKA between every layer of the large model and every layer of the variant (mean-pooled
/// states of the first `ckaItems` test items), embeddings output first.
public struct CKAMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        /// [large layer][variant layer].
        public let cka: [[Double]]

        /// CKA averaged over layer pairs at the same relative depth.
        var matchingLayers: Double {
            let rows = cka.count, cols = cka.first?.count ?? 0
            let matching = (0..<rows).map { i in cka[i][min(cols - 1, Int((Double(i) / Double(max(rows - 1, 1)) * Double(cols - 1)).rounded()))] }
            return SampleStatistics.mean(matching)
        }
    }

    public init() {}

    public var fields: [String] { ["cka"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let rows = min(context.settings.ckaItems, context.test.texts.count)
        func firstRows(_ m: EmbeddingMatrix) -> EmbeddingMatrix {
            EmbeddingMatrix(rows: rows, columns: m.columns, values: Array(m.values.prefix(rows * m.columns)))
        }
        let variantLayers = context.runs[variant].test.layers.map(firstRows)
        return Result(cka: context.large.test.layers.map { a in
            let a = firstRows(a)
            return variantLayers.map { Representations.linearCKA(a, $0) }
        })
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        // The biased estimator is pulled towards 1 on a few hundred items; where the debiased one
        // was measured the report shows that instead (the matrix stays in divergence.json).
        if results.variants.contains(where: { $0[DebiasedCKAMetric.self] != nil }) { return [] }
        let note = "CKA: linear CKA between the layers' mean-pooled states (Kornblith et al.); "
            + "'matching layers' averages CKA over layer pairs at the same relative depth."
        return [
            ReportColumn(.representations, "CKA last/last", note: note) { $0[CKAMetric.self].map { ReportCell.number($0.cka.last?.last ?? .nan) } },
            ReportColumn(.representations, "CKA matching layers") { $0[CKAMetric.self].map { ReportCell.number($0.matchingLayers) } },
        ]
    }

    public var plot: MetricPlot? {
        MetricPlot(kind: .layerHeatmaps, file: "cka_heatmaps", field: "cka", label: "linear CKA", minimum: 0, maximum: 1)
    }
}
