import BertMetrics
import Foundation

/// Cohen's kappa of the two models' cross-fitted predictions, and of their error indicators:
/// agreement and error overlap corrected for what the label balance gives by chance.
public struct KappaMetric: DivergenceMetric {
    /// The metric's fields in divergence.json.
    public struct Result: Codable, Sendable {
        /// Kappa of the two probes' labels.
        public let kappa: SeededEstimate
        /// Kappa of their right/wrong indicators.
        public let errorKappa: SeededEstimate
    }

    public init() {}

    public var fields: [String] { ["kappa", "errorKappa"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let large = context.large.crossFits.map(\.predictions), run = context.runs[variant].crossFits.map(\.predictions)
        let labels = context.labels, resamples = context.settings.bootstrapResamples
        let kappa = SeededEstimate(seeds: large.count, items: labels.count, resamples: resamples) { s, items in
            ChanceAgreement.cohensKappa(items.map { large[s][$0] }, items.map { run[s][$0] })
        }
        let errorKappa = SeededEstimate(seeds: large.count, items: labels.count, resamples: resamples) { s, items in
            ChanceAgreement.errorKappa(reference: items.map { large[s][$0] }, variant: items.map { run[s][$0] }, labels: items.map { labels[$0] })
        }
        return Result(kappa: kappa, errorKappa: errorKappa)
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let note = "Kappa: Cohen's kappa of the two probes' labels; error kappa: of their right/wrong indicators (chance = 0)."
        return [
            ReportColumn(.null, "kappa [95% CI] (seeds)", rightAligned: false, large: "—", note: note) {
                $0[KappaMetric.self].map { ReportCell.seeded($0.kappa, percent: false) }
            },
            ReportColumn(.null, "error kappa [95% CI] (seeds)", rightAligned: false, large: "—") {
                $0[KappaMetric.self].map { ReportCell.seeded($0.errorKappa, percent: false) }
            },
        ]
    }
}
