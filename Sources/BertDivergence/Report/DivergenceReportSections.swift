import BertMetrics
import Foundation

/// The report's sections about all models at once: the attack with its transfer matrix, and
/// pairwise agreement.
enum DivergenceReportSections {
    static func attack(_ d: DivergenceResults) -> String {
        guard !d.attacks.isEmpty else { return "" }
        let pct: (Double) -> String = ReportCell.percent
        var md = "\n## Adversarial vulnerability (word substitution, black box)\n\n"
        md += AttackReportText.method(d) + "\n\n"
        let perturbed = d.attacks.contains { $0.meanPerturbedFraction != nil }
        md += "| model | attacked | success rate | accuracy after | mean words changed |" + (perturbed ? " perturbed words |" : "")
        md += " mean queries |\n| --- | ---: | ---: | ---: | ---: |" + (perturbed ? " ---: |" : "") + " ---: |\n"
        for s in d.attacks {
            md += "| \(s.model) | \(s.attacked) | \(pct(s.successRate)) | \(pct(s.accuracyAfter)) | \(ReportCell.number(s.meanWordsChanged)) | "
            if perturbed { md += (s.meanPerturbedFraction.map { $0.isNaN ? "—" : pct($0) } ?? "—") + " | " }
            md += "\(String(format: "%.1f", s.meanQueries)) |\n"
        }
        md += "\n" + AttackReportText.transfer(d) + "\n\n"
        md += "| crafted on | " + d.names.joined(separator: " | ") + " |\n| --- |" + d.names.map { _ in " ---: |" }.joined() + "\n"
        for (i, row) in d.transferMatrix.enumerated() {
            md += "| \(d.names[i]) | " + row.map { $0.isNaN ? "—" : pct($0) }.joined(separator: " | ") + " |\n"
        }
        if let example = d.attacks.flatMap(\.examples).first {
            md += "\nExample (label \(example.label)): \"\(example.original)\" → \"\(example.adversarial)\"\n"
        }
        return md
    }

    /// Every test of the report with its raw and Holm-adjusted p-value.
    static func tests(_ d: DivergenceResults) -> String {
        guard let tests = d.tests, !tests.isEmpty else { return "" }
        var md = "\n## Tests, corrected for multiplicity\n\n"
        md += "Holm's step-down correction over all \(tests.count) tests of this report (family-wise error 5%); "
        md += "confidence intervals are marginal 95% paired bootstrap intervals, not corrected.\n\n"
        md += "| variant | test | p | Holm p | at 5% |\n| --- | --- | ---: | ---: | --- |\n"
        for t in tests {
            md += "| \(t.variant) | \(t.test) | \(String(format: "%.3g", t.p)) | \(String(format: "%.3g", t.holm)) | "
            md += (t.holm < 0.05 ? "significant" : "not significant") + " |\n"
        }
        return md
    }

    static func agreement(_ d: DivergenceResults) -> String {
        var md = "\n## Agreement between all models\n\n| | " + d.names.joined(separator: " | ") + " |\n| --- |"
        md += d.names.map { _ in " ---: |" }.joined() + "\n"
        for (i, name) in d.names.enumerated() {
            md += "| \(name) | " + d.agreementMatrix[i].map(ReportCell.percent).joined(separator: " | ") + " |\n"
        }
        return md
    }
}
