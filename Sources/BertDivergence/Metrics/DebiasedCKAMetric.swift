import BertMetrics
import Foundation

/// Debiased linear CKA (unbiased HSIC) between every layer of the large model and every layer of
/// the variant on the first `ckaItems` test items; the embedding layer, which compressions of the
/// large model share, is shown on its own and left out of "matching layers".
public struct DebiasedCKAMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        /// [large layer][variant layer], embeddings output first.
        public let ckaDebiased: [[Double]]
        /// Embeddings output against embeddings output.
        public let ckaDebiasedEmbeddingLayer: Double
        /// Mean over the transformer layers of CKA with the variant's layer at the same relative depth.
        public let ckaDebiasedMatchingLayers: Double
    }

    public init() {}

    public var fields: [String] { ["ckaDebiased", "ckaDebiasedEmbeddingLayer", "ckaDebiasedMatchingLayers"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let rows = min(context.settings.ckaItems, context.test.texts.count)
        let grams = { (layers: [EmbeddingMatrix]) in layers.map { UnbiasedGram($0.subset(Array(0..<rows))) } }
        let variantGrams = grams(context.runs[variant].test.layers)
        let cka = grams(context.large.test.layers).map { a in variantGrams.map { Representations.debiasedCKA(a, $0) } }
        return Result(ckaDebiased: cka, ckaDebiasedEmbeddingLayer: cka[0][0], ckaDebiasedMatchingLayers: Self.matching(cka))
    }

    /// Layer i of the large model (1...L) against the variant's layer at the same relative depth (1...L').
    static func matching(_ cka: [[Double]]) -> Double {
        let large = cka.count - 1, small = (cka.first?.count ?? 1) - 1
        guard large >= 1, small >= 1 else { return .nan }
        let span = Double(max(large - 1, 1))
        let pairs = (1...large).map { (i: Int) -> Double in
            let depth = Double(i - 1) / span * Double(small - 1)
            return cka[i][1 + Int(depth.rounded())]
        }
        return SampleStatistics.mean(pairs)
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        // Reports of files without it keep their table as it was.
        guard results.variants.contains(where: { $0[DebiasedCKAMetric.self] != nil }) else { return [] }
        let note = "Debiased CKA (unbiased HSIC, Song et al. 2012; Kornblith et al. 2019) on \(results.settings.ckaItems) test items: "
            + "'matching layers' averages the transformer layers at the same relative depth; the embedding layer is shown apart."
        return [
            ReportColumn(.representations, "debiased CKA last/last", note: note) {
                $0[DebiasedCKAMetric.self].map { ReportCell.number($0.ckaDebiased.last?.last ?? .nan) }
            },
            ReportColumn(.representations, "debiased CKA matching layers") {
                $0[DebiasedCKAMetric.self].map { ReportCell.number($0.ckaDebiasedMatchingLayers) }
            },
            ReportColumn(.representations, "debiased CKA embedding layer") {
                $0[DebiasedCKAMetric.self].map { ReportCell.number($0.ckaDebiasedEmbeddingLayer) }
            },
        ]
    }

    public var plot: MetricPlot? {
        MetricPlot(kind: .layerHeatmaps, file: "cka_debiased_heatmaps", field: "ckaDebiased", label: "debiased linear CKA", minimum: 0, maximum: 1)
    }
}
