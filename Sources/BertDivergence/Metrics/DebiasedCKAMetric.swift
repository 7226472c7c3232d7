import BertMetrics
import Foundation

/// Debiased linear CKA (unbiased HSIC) between every layer of the large model and every layer of
/// the variant on the first `ckaItems` test items; the embedding layer, which compressions of the
/// large model share, is shown on its own and left out of "matching layers". Each of the three
/// figures has a 95% interval from half-samples of the items (`HalfSampling`: a bootstrap's
/// repeated items would bias the unbiased HSIC towards the biased one), the same items for both
/// models and all three figures.
public struct DebiasedCKAMetric: DivergenceMetric {
    /// Half-sampling intervals of the report's three figures.
    public struct Intervals: Codable, Sendable {
        /// Last layer against last layer.
        public let lastLayer: BootstrapInterval
        /// The mean over matching transformer layers.
        public let matchingLayers: BootstrapInterval
        /// Embeddings output against embeddings output.
        public let embeddingLayer: BootstrapInterval
    }

    public struct Result: Codable, Sendable {
        /// [large layer][variant layer], embeddings output first.
        public let ckaDebiased: [[Double]]
        /// Embeddings output against embeddings output.
        public let ckaDebiasedEmbeddingLayer: Double
        /// Mean over the transformer layers of CKA with the variant's layer at the same relative depth.
        public let ckaDebiasedMatchingLayers: Double
        /// Their intervals; nil in files written before them, or with `ckaResamples` 0.
        public var ckaDebiasedIntervals: Intervals? = nil
    }

    public init() {}

    public var fields: [String] { ["ckaDebiased", "ckaDebiasedEmbeddingLayer", "ckaDebiasedMatchingLayers", "ckaDebiasedIntervals"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let rows = min(context.settings.ckaItems, context.test.texts.count)
        let grams = { (layers: [EmbeddingMatrix]) in layers.map { UnbiasedGram($0.subset(Array(0..<rows))) } }
        let variantGrams = grams(context.runs[variant].test.layers)
        let largeGrams = grams(context.large.test.layers)
        let cka = largeGrams.map { a in variantGrams.map { Representations.debiasedCKA(a, $0) } }
        var result = Result(ckaDebiased: cka, ckaDebiasedEmbeddingLayer: cka[0][0], ckaDebiasedMatchingLayers: Self.matching(cka))
        let resamples = context.settings.ckaResamples ?? context.settings.bootstrapResamples
        if resamples > 0 && rows >= 8 {
            result.ckaDebiasedIntervals = Self.intervals(largeGrams, variantGrams, resamples: resamples)
        }
        return result
    }

    /// Half-sampling intervals of last/last, matching layers and embedding layer (default seed, 95%).
    static func intervals(_ large: [UnbiasedGram], _ variant: [UnbiasedGram], resamples: Int) -> Intervals {
        let pairs = matchingPairs(large: large.count - 1, small: variant.count - 1)
        let ends = HalfSampling.percentileIntervals(itemCount: large[0].n, resamples: resamples) { items in
            var a: [Int: UnbiasedGram] = [:], b: [Int: UnbiasedGram] = [:]
            func cka(_ i: Int, _ j: Int) -> Double {
                let k = a[i] ?? large[i].restricted(to: items), l = b[j] ?? variant[j].restricted(to: items)
                (a[i], b[j]) = (k, l)
                return Representations.debiasedCKA(k, l)
            }
            let matching = pairs.isEmpty ? .nan : SampleStatistics.mean(pairs.map { cka($0.0, $0.1) })
            return [cka(large.count - 1, variant.count - 1), matching, cka(0, 0)]
        }
        return Intervals(lastLayer: ends[0], matchingLayers: ends[1], embeddingLayer: ends[2])
    }

    /// Layer i of the large model (1...L) against the variant's layer at the same relative depth (1...L').
    static func matching(_ cka: [[Double]]) -> Double {
        let pairs = matchingPairs(large: cka.count - 1, small: (cka.first?.count ?? 1) - 1)
        return pairs.isEmpty ? .nan : SampleStatistics.mean(pairs.map { cka[$0.0][$0.1] })
    }

    /// The (large layer, variant layer) pairs "matching layers" averages, embeddings output = 0.
    static func matchingPairs(large: Int, small: Int) -> [(Int, Int)] {
        guard large >= 1, small >= 1 else { return [] }
        let span = Double(max(large - 1, 1))
        return (1...large).map { i in (i, 1 + Int((Double(i - 1) / span * Double(small - 1)).rounded())) }
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        // Reports of files without it keep their table as it was.
        guard results.variants.contains(where: { $0[DebiasedCKAMetric.self] != nil }) else { return [] }
        let withIntervals = results.variants.contains { $0[DebiasedCKAMetric.self]?.ckaDebiasedIntervals != nil }
        let note = "Debiased CKA (unbiased HSIC, Song et al. 2012; Kornblith et al. 2019) on \(results.settings.ckaItems) test items: "
            + "'matching layers' averages the transformer layers at the same relative depth; the embedding layer is shown apart."
            + (withIntervals ? " In brackets a 95% interval from \(results.settings.ckaResamples ?? results.settings.bootstrapResamples) "
                + "random halves of the items drawn without replacement (a bootstrap's repeated items would pull the debiased "
                + "estimator towards the biased one; half-samples make the interval somewhat conservative)." : "")
        let suffix = withIntervals ? " [95% CI]" : ""
        return [
            ReportColumn(.representations, "debiased CKA last/last" + suffix, rightAligned: !withIntervals, note: note) {
                $0[DebiasedCKAMetric.self].map { Self.cell($0.ckaDebiased.last?.last ?? .nan, $0.ckaDebiasedIntervals?.lastLayer) }
            },
            ReportColumn(.representations, "debiased CKA matching layers" + suffix, rightAligned: !withIntervals) {
                $0[DebiasedCKAMetric.self].map { Self.cell($0.ckaDebiasedMatchingLayers, $0.ckaDebiasedIntervals?.matchingLayers) }
            },
            ReportColumn(.representations, "debiased CKA embedding layer" + suffix, rightAligned: !withIntervals) {
                $0[DebiasedCKAMetric.self].map { Self.cell($0.ckaDebiasedEmbeddingLayer, $0.ckaDebiasedIntervals?.embeddingLayer) }
            },
        ]
    }

    /// "0.571 [0.540, 0.602]", or the number alone without an interval.
    static func cell(_ value: Double, _ interval: BootstrapInterval?) -> String {
        ReportCell.number(value) + (interval.map { " [\(ReportCell.number($0.lower)), \(ReportCell.number($0.upper))]" } ?? "")
    }

    public var plot: MetricPlot? {
        MetricPlot(kind: .layerHeatmaps, file: "cka_debiased_heatmaps", field: "ckaDebiased", label: "debiased linear CKA", minimum: 0, maximum: 1)
    }
}
