import BertMetrics
import Foundation

/// Agreement with the large model measured against its null: how much more a variant's probe
/// disagrees with the large model's than a second large-model probe fitted on disjoint data does.
public struct ExcessDisagreementMetric: DivergenceMetric {
    /// The paired comparison: with halves A and B of each item's training folds, the large
    /// model's A-probe against the variant's B-probe, and against the large model's own B-probe.
    public struct Comparison: Codable, Sendable {
        /// Agreement of the two models' cross-fitted probes (all training folds, same folds).
        public let agreement: SeededEstimate
        /// Disagreement of large-A and large-B: the null (the same for every variant).
        public let nullDisagreement: SeededEstimate
        /// Disagreement of large-A and variant-B.
        public let crossDisagreement: SeededEstimate
        /// crossDisagreement − nullDisagreement, item by item: 0 for a variant the probe cannot
        /// tell from the large model.
        public let excess: SeededEstimate
        /// Sign test of the per-item differences on seed 0 (items where only the variant disagrees
        /// against items where only the large model's second probe does): McNemar's exact/χ² test.
        public let signTest: McNemarTest
    }

    /// The metric's field in divergence.json.
    public struct Result: Codable, Sendable {
        public let excessDisagreement: Comparison
    }

    public init() {}

    public var fields: [String] { ["excessDisagreement"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let large = context.large, run = context.runs[variant]
        let seeds = large.crossFits.count, n = context.labels.count, resamples = context.settings.bootstrapResamples
        func share(_ items: [Int], _ differs: (Int) -> Bool) -> Double {
            Double(items.reduce(0) { $0 + (differs($1) ? 1 : 0) }) / Double(items.count)
        }
        let full = (0..<seeds).map { (large.crossFits[$0].predictions, run.crossFits[$0].predictions) }
        func estimate(_ statistic: (Int, [Int]) -> Double) -> SeededEstimate {
            SeededEstimate(seeds: seeds, items: n, resamples: resamples, statistic: statistic)
        }
        let agreement = estimate { s, items in 1 - share(items) { full[s].0[$0] != full[s].1[$0] } }
        let null = estimate { s, items in share(items) { large.halfA[s][$0] != large.halfB[s][$0] } }
        let cross = estimate { s, items in share(items) { large.halfA[s][$0] != run.halfB[s][$0] } }
        let excess = estimate { s, items in
            share(items) { large.halfA[s][$0] != run.halfB[s][$0] } - share(items) { large.halfA[s][$0] != large.halfB[s][$0] }
        }
        var onlyVariant = 0, onlyNull = 0
        for i in 0..<n {
            let v = large.halfA[0][i] != run.halfB[0][i], l = large.halfA[0][i] != large.halfB[0][i]
            if v && !l { onlyVariant += 1 } else if l && !v { onlyNull += 1 }
        }
        return Result(excessDisagreement: Comparison(agreement: agreement, nullDisagreement: null, crossDisagreement: cross, excess: excess,
                                                     signTest: McNemarTest(b: onlyVariant, c: onlyNull)))
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let selfAgreement = results.probe.map { ReportCell.seeded($0.selfAgreement, percent: true) + " (self, disjoint halves)" }
        let note = "Agreement: the two models' cross-fitted probes on every labelled item, 95% paired bootstrap CI, "
            + "per-seed range in brackets. Excess disagreement: large-model probe on half A of each item's training folds against "
            + "the variant's on half B, minus the same for the large model's own probe on half B (the null); 0 = indistinguishable."
        return [
            ReportColumn(.null, "agreement [95% CI] (seeds)", rightAligned: false, large: selfAgreement, note: note) {
                $0[ExcessDisagreementMetric.self].map { ReportCell.seeded($0.excessDisagreement.agreement, percent: true) }
            },
            ReportColumn(.null, "null disagreement", large: "—") {
                $0[ExcessDisagreementMetric.self].map { ReportCell.percent($0.excessDisagreement.nullDisagreement.interval.estimate) }
            },
            ReportColumn(.null, "excess disagreement [95% CI] (seeds)", rightAligned: false, large: "—") {
                $0[ExcessDisagreementMetric.self].map { ReportCell.seeded($0.excessDisagreement.excess, percent: true) }
            },
        ]
    }

    public var plot: MetricPlot? {
        MetricPlot(kind: .seededIntervals, file: "excess_disagreement", field: "excessDisagreement.excess",
                   label: "excess disagreement over the large model's own probe noise", minimum: -0.05, maximum: 0.4)
    }
}
