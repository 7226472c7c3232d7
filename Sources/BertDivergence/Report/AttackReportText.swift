import Foundation

/// The attack section's prose: what was attacked and under which constraints, for files written
/// by the constrained attack on a common item set and (unchanged) for older ones.
enum AttackReportText {
    /// The paragraph above the attack table.
    static func method(_ d: DivergenceResults) -> String {
        let a = d.settings.attack
        guard a.commonItems == true, let set = d.attackItems else { return legacy(a) }
        var md = "Every model's own probe attacked on the same \(set.items.count) items: drawn in a seeded order (seed \(set.seed)) "
        md += "from the \(set.qualified) fold-0 items (of \(set.candidates), which the attacked probes never saw) that every model "
        md += "classifies correctly on the clean text"
        md += set.items.count < set.wanted ? "; \(set.wanted) were wanted, but only \(set.qualified) qualified, so all were attacked. "
            : ". "
        md += "Words are ranked by the drop in the true class's probability when deleted; each is replaced by the one of its "
        md += "\(a.candidates) nearest whole-word neighbours in the attacked model's own input-embedding matrix that lowers that "
        md += "probability most among those that pass every constraint: "
        var rules: [String] = []
        if let similarity = a.minSimilarity { rules.append("cosine with the word at least \(ReportCell.compact(similarity))") }
        if a.linguisticConstraints == true {
            rules.append("the word's part of speech in context (its Penn tag by Lingua::EN::Tagger, mapped to WordNet's noun, verb, "
                         + "adjective or adverb) among the substitute's WordNet parts of speech, and the exact Penn tag among those "
                         + "the tagger's lexicon lists for it when it lists any (a dictionary match: the substitute is not re-tagged "
                         + "in context)")
            rules.append("not a WordNet antonym of the word (direct or indirect, looked up from both words' base forms)")
        }
        rules.append("no sentiment the word lacked and not the opposite sentiment (VADER lexicon)")
        md += rules.joined(separator: "; ") + ". Stop words and negations are never replaced; at most "
        md += "\(Int(a.maxWordShare * 100))% of an item's words change. "
        if a.linguisticConstraints == true, let tagged = d.attacks.first?.taggedItems, tagged < set.items.count {
            md += "\(set.items.count - tagged) of the \(set.items.count) items had no tags in context: their words matched parts of "
            md += "speech out of context (the two words' WordNet sets overlap). "
        }
        md += "Queries are forward passes of one text; perturbed words = words changed / words of the text, over successful attacks."
        return md
    }

    /// The sentence above the transfer matrix.
    static func transfer(_ d: DivergenceResults) -> String {
        guard d.settings.attack.commonItems == true, d.attackItems != nil else {
            return "Transfer: accuracy of each model (columns) on the adversarial texts crafted on each model (rows)."
        }
        return "Transfer: accuracy of each model (columns) on the successful adversarial texts crafted on each model (rows), "
            + "counted only over items the column's model classifies correctly on the clean text (with the common item set, all "
            + "of them); the diagonal is 0% by construction, and \"—\" marks a row without successful attacks."
    }

    /// The first attack's paragraph: each model on its own items, VADER polarity only.
    static func legacy(_ a: AttackSettings) -> String {
        var md = "Each model's own probe attacked on up to \(a.examples) test items it classifies correctly: words ranked by the drop in "
        md += "the true class's probability when deleted; each replaced by the one of its \(a.candidates) nearest whole-word neighbours "
        md += "in the model's own input-embedding matrix that lowers that probability most; stop words never replaced; a substitute "
        md += "may not carry sentiment the word lacked or the opposite sentiment (VADER lexicon), so the true label stands; at most "
        md += "\(Int(a.maxWordShare * 100))% of words changed. Queries are forward passes of one text."
        return md
    }
}
