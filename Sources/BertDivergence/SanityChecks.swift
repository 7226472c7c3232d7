import BertMetrics
import Foundation

/// The checks report.md prints first, each with its verdict: they test the study against what
/// the caller declared about each model (`StudyModel.Expectation`), never against names.
enum SanityChecks {
    static func lines(_ models: [StudyModel], runs: [ModelRun]) -> [String] {
        let large = runs[0].probabilities.map { [1 - $0, $0] }
        let selfKL = OutputDivergence.compare(reference: large, variant: large).kl.max
        var lines = [String(format: "KL of the large model against itself: %.3g (expected 0) — %@", selfKL, selfKL == 0 ? "ok" : "FAILED")]
        let variants = zip(models, runs).dropFirst().map { m, r in
            (name: r.name, expectation: m.expectation, agreement: PredictionErrors.agreement(runs[0].predictions, r.predictions))
        }
        let nearCopies = variants.filter { $0.expectation == .nearCopy }
        for v in nearCopies {
            lines.append(String(format: "%@ agrees with the large model on %.1f%% of the items (expected at least 97%%) — %@",
                                v.name, v.agreement * 100, v.agreement >= 0.97 ? "ok" : "NOT MET"))
        }
        if let best = nearCopies.max(by: { $0.agreement < $1.agreement }) {
            for v in variants where v.expectation == .separatelyTrained {
                lines.append(String(format: "%@ agrees less (%.1f%%) than %@ (%.1f%%) — %@", v.name, v.agreement * 100, best.name,
                                    best.agreement * 100, v.agreement < best.agreement ? "ok" : "NOT MET"))
            }
        }
        return lines
    }

    /// A near copy should sit inside the null: its excess disagreement's interval contains 0.
    static func nullLines(_ models: [StudyModel], comparisons: [VariantComparison]) -> [String] {
        zip(models.dropFirst(), comparisons).compactMap { m, v in
            guard m.expectation == .nearCopy, let e = v[ExcessDisagreementMetric.self]?.excessDisagreement.excess.interval else { return nil }
            let inside = e.lower <= 0 && 0 <= e.upper
            return String(format: "%@ disagrees with the large model %+.2f%% [%+.2f%%, %+.2f%%] beyond its own probe noise "
                          + "(expected an interval containing 0) — %@", v.name, e.estimate * 100, e.lower * 100, e.upper * 100,
                          inside ? "ok" : "NOT MET")
        }
    }
}
