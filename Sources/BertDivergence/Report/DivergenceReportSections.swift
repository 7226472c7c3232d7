import BertMetrics
import Foundation

/// The report's sections about all models at once: the attack with its transfer matrix, and
/// pairwise agreement.
enum DivergenceReportSections {
    static func attack(_ d: DivergenceResults) -> String {
        guard !d.attacks.isEmpty else { return "" }
        let a = d.settings.attack
        let pct: (Double) -> String = ReportCell.percent
        var md = "\n## Adversarial vulnerability (word substitution, black box)\n\n"
        md += "Each model's own probe attacked on up to \(a.examples) test items it classifies correctly: words ranked by the drop in "
        md += "the true class's probability when deleted; each replaced by the one of its \(a.candidates) nearest whole-word neighbours "
        md += "in the model's own input-embedding matrix that lowers that probability most; stop words never replaced; a substitute "
        md += "may not carry sentiment the word lacked or the opposite sentiment (VADER lexicon), so the true label stands; at most "
        md += "\(Int(a.maxWordShare * 100))% of words changed. Queries are forward passes of one text.\n\n"
        md += "| model | attacked | success rate | accuracy after | mean words changed | mean queries |\n"
        md += "| --- | ---: | ---: | ---: | ---: | ---: |\n"
        for s in d.attacks {
            md += "| \(s.model) | \(s.attacked) | \(pct(s.successRate)) | \(pct(s.accuracyAfter)) | "
            md += "\(ReportCell.number(s.meanWordsChanged)) | \(String(format: "%.1f", s.meanQueries)) |\n"
        }
        md += "\nTransfer: accuracy of each model (columns) on the adversarial texts crafted on each model (rows).\n\n"
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
