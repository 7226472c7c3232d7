import BertMetrics
import Foundation

/// The divergence half of report.md: tables a person reads, from divergence.json's content.
public enum DivergenceReport {
    public static func markdown(_ d: DivergenceResults, plots: [String] = []) -> String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        func num(_ x: Double) -> String { x.isNaN ? "—" : String(format: "%.3f", x) }
        var md = "\n# Is a compressed model a miniature of the large one?\n\n"
        md += "Large model: **\(d.large)**. Task: binary sentiment of movie snippets (mean rating > 0 positive, < 0 negative, 0 dropped), "
        md += "linear probes (L2 logistic regression, C = \(d.settings.regularisation), standardised features) on each model's mean-pooled embedding. "
        md += "Data: " + d.data.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        md += String(format: "; split seed %llu; %d heads per population (bootstrap resamples of the training set); k = %d neighbours; %d bootstrap resamples for intervals; CKA on %d test items. Device: %@.\n\n",
                     d.settings.splitSeed, d.settings.headPopulation, d.settings.neighbours, d.settings.bootstrapResamples, d.settings.ckaItems, d.device)
        md += "## Sanity checks\n\n" + d.sanity.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
        md += "## Prediction errors and outputs (each model with its own head)\n\n"
        md += "| model | accuracy [95% CI] | agreement | flips correct→wrong / wrong→correct | error-set Jaccard (random) | McNemar p | KL mean / p99 | JS mean | same top-1 |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        let largeAccuracy = d.models[0].accuracy
        md += "| \(d.large) (large) | \(pct(largeAccuracy.estimate)) [\(pct(largeAccuracy.lower)), \(pct(largeAccuracy.upper))] | — | — | — | — | — | — | — |\n"
        for v in d.variants {
            md += "| \(v.name) | \(pct(v.accuracy.estimate)) [\(pct(v.accuracy.lower)), \(pct(v.accuracy.upper))] | \(pct(v.agreement)) | \(v.flips.correctToWrong) / \(v.flips.wrongToCorrect) | \(num(v.errorJaccard)) (\(num(v.errorJaccardRandomBaseline))) | \(String(format: "%.3g", v.mcNemar.pValue)) | \(String(format: "%.4f / %.4f", v.kl.mean, v.kl.p99)) | \(String(format: "%.4f", v.js.mean)) | \(pct(v.sameTop1)) |\n"
        }
        let deployed = d.variants.filter { $0.deployedAccuracy != nil }
        if !deployed.isEmpty {
            md += "\n## As deployed: the large model's head on the compressed model's embeddings\n\n| model | accuracy | agreement with the large model |\n| --- | ---: | ---: |\n"
            for v in deployed { md += "| \(v.name) | \(pct(v.deployedAccuracy!)) | \(pct(v.deployedAgreement!)) |\n" }
        }
        md += "\n## Representations\n\nkNN Jaccard: mean over test items of the Jaccard of their \(d.settings.neighbours) nearest neighbours (cosine) in each model's space (Rai et al.). CKA: linear CKA between the layers' mean-pooled states (Kornblith et al.); 'matching layers' averages CKA over layer pairs at the same relative depth.\n\n| model | kNN Jaccard (random) | CKA last/last | CKA matching layers |\n| --- | ---: | ---: | ---: |\n"
        for v in d.variants {
            let last = v.cka.last?.last ?? .nan
            let rows = v.cka.count, cols = v.cka.first?.count ?? 0
            let matching = (0..<rows).map { i in v.cka[i][min(cols - 1, Int((Double(i) / Double(max(rows - 1, 1)) * Double(cols - 1)).rounded()))] }
            md += "| \(v.name) | \(num(v.knnJaccard)) (\(num(v.knnRandomBaseline))) | \(num(last)) | \(num(SampleStatistics.mean(matching))) |\n"
        }
        let sets = d.models[0].outOfDistribution.keys.sorted()
        if !sets.isEmpty {
            md += "\n## Out-of-distribution behaviour (Deep Nearest Neighbours, threshold at 95% in-domain TPR)\n\n| model | " + sets.map { "\($0) AUROC / flagged" }.joined(separator: " | ") + " |\n| --- |" + sets.map { _ in " ---: |" }.joined() + "\n"
            for m in d.models {
                md += "| \(m.name) | " + sets.map { s in m.outOfDistribution[s].map { String(format: "%.3f / %@", $0.auroc, pct($0.detectionRate)) } ?? "—" }.joined(separator: " | ") + " |\n"
            }
            md += "\nJaccard of the flagged sets with the large model's (random baseline in brackets):\n\n| model | " + sets.joined(separator: " | ") + " |\n| --- |" + sets.map { _ in " ---: |" }.joined() + "\n"
            for v in d.variants {
                md += "| \(v.name) | " + sets.map { "\(num(v.oodJaccard[$0] ?? .nan)) (\(num(v.oodJaccardRandomBaseline[$0] ?? .nan)))" }.joined(separator: " | ") + " |\n"
            }
        }
        md += "\n## Pruning Identified Exemplars (modal label of the variant's head population differs from the large model's)\n\n| model | PIEs | share | large accuracy on PIEs | variant on PIEs | large on others | variant on others |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        for v in d.variants {
            let p = v.pies
            md += "| \(v.name) | \(p.count) | \(pct(p.share)) | \(p.largeAccuracyOnPIEs.map(pct) ?? "—") | \(p.variantAccuracyOnPIEs.map(pct) ?? "—") | \(p.largeAccuracyOnOthers.map(pct) ?? "—") | \(p.variantAccuracyOnOthers.map(pct) ?? "—") |\n"
        }
        if !d.attacks.isEmpty {
            let a = d.settings.attack
            md += "\n## Adversarial vulnerability (word substitution, black box)\n\n"
            md += "Each model's own probe attacked on up to \(a.examples) test items it classifies correctly: words ranked by the drop in the true class's probability when deleted; each replaced by the one of its \(a.candidates) nearest whole-word neighbours in the model's own input-embedding matrix that lowers that probability most; stop words never replaced; a substitute may not carry sentiment the word lacked or the opposite sentiment (VADER lexicon), so the true label stands; at most \(Int(a.maxWordShare * 100))% of words changed. Queries are forward passes of one text.\n\n"
            md += "| model | attacked | success rate | accuracy after | mean words changed | mean queries |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
            for s in d.attacks {
                md += "| \(s.model) | \(s.attacked) | \(pct(s.successRate)) | \(pct(s.accuracyAfter)) | \(num(s.meanWordsChanged)) | \(String(format: "%.1f", s.meanQueries)) |\n"
            }
            md += "\nTransfer: accuracy of each model (columns) on the adversarial texts crafted on each model (rows).\n\n| crafted on | " + d.names.joined(separator: " | ") + " |\n| --- |" + d.names.map { _ in " ---: |" }.joined() + "\n"
            for (i, row) in d.transferMatrix.enumerated() { md += "| \(d.names[i]) | " + row.map { $0.isNaN ? "—" : pct($0) }.joined(separator: " | ") + " |\n" }
            if let example = d.attacks.flatMap(\.examples).first {
                md += "\nExample (label \(example.label)): \"\(example.original)\" → \"\(example.adversarial)\"\n"
            }
        }
        md += "\n## Agreement between all models\n\n| | " + d.names.joined(separator: " | ") + " |\n| --- |" + d.names.map { _ in " ---: |" }.joined() + "\n"
        for (i, name) in d.names.enumerated() { md += "| \(name) | " + d.agreementMatrix[i].map(pct).joined(separator: " | ") + " |\n" }
        if !plots.isEmpty { md += "\n" + plots.map { "![\($0)](\($0))" }.joined(separator: "\n\n") + "\n" }
        for v in d.variants where !v.pies.examples.isEmpty {
            md += "\n<details><summary>PIEs of \(v.name) (\(v.pies.count); first \(v.pies.examples.count))</summary>\n\n| label | large | variant | text |\n| ---: | ---: | ---: | --- |\n"
            for e in v.pies.examples { md += "| \(e.label) | \(e.largeModal) | \(e.variantModal) | \(e.text.replacingOccurrences(of: "|", with: "\\|")) |\n" }
            md += "\n</details>\n"
        }
        if !d.notes.isEmpty { md += "\n" + d.notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return md
    }
}
