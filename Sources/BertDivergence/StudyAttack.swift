import BertMetrics
import Foundation

extension DivergenceStudy {
    /// The word-substitution attack on every model (its own probe) over one common item set, and
    /// the transfer matrix: [source][evaluated] = accuracy of each model on the source's successful
    /// adversarial texts, over items it got right on the clean text. Empty without resources or items.
    func attack(_ models: [StudyModel], runs: [ModelRun], labels: [Int]) throws
        -> (attacks: [AttackSummary], transfer: [[Double]], items: AttackItemSet?) {
        guard let attackResources, settings.attack.examples > 0 else { return ([], [], nil) }
        let texts = labelled.texts
        // Fold-0 items of seed 0, which the attacked probes (seed 0, fold 0) never saw, judged on
        // the clean text by the probe the attack attacks.
        let folds = runs[0].crossFits[0].folds
        let candidates = labels.indices.filter { folds[$0] == 0 }
        let correct = runs.map { r in
            var flags = [Bool](repeating: false, count: labels.count)
            let p = r.head.predictProbability(EmbeddingMatrix(candidates.map { Array(r.features[$0]) }))
            for (i, item) in candidates.enumerated() { flags[item] = (p[i] > 0.5 ? 1 : 0) == labels[item] }
            return flags
        }
        let seed = settings.splitSeed ^ 0xA77A_C4ED
        let (qualified, chosen) = AttackItemSelection.common(candidates: candidates, correct: correct, count: settings.attack.examples,
                                                             seed: seed)
        log("attack items: \(chosen.count) of \(qualified) fold-0 items every model gets right (of \(candidates.count))")
        let items = chosen.map { AttackItem(text: texts[$0], label: labels[$0], index: $0) }
        let attack = WordSubstitutionAttack(settings: settings.attack, resources: attackResources)
        var attacks: [AttackSummary] = [], adversarial: [[AdversarialExample]] = []
        for (m, r) in zip(models, runs) {
            log("attacking \(r.name)")
            let embedder = Embedder(model: m.model, tokenizer: m.tokenizer, maxLength: settings.maxLength, batchSize: 64)
            let (summary, successes) = try attack.attack(model: m, items: items) { r.probeProbability(try embedder.embed($0).pooled) }
            attacks.append(summary)
            adversarial.append(successes)
        }
        let transfer = try adversarial.map { successes -> [Double] in
            try zip(models, runs).enumerated().map { t, pair in
                guard !successes.isEmpty else { return .nan }
                let embedder = Embedder(model: pair.0.model, tokenizer: pair.0.tokenizer, maxLength: settings.maxLength)
                let p = pair.1.probeProbability(try embedder.embed(successes.map(\.adversarial)).pooled)
                return AttackItemSelection.transferAccuracy(predictions: p.map { $0 > 0.5 ? 1 : 0 }, labels: successes.map(\.label),
                                                            items: successes.map { $0.item ?? -1 }, cleanCorrect: correct[t])
            }
        }
        let set = AttackItemSet(candidates: candidates.count, qualified: qualified, items: chosen, seed: seed, wanted: settings.attack.examples)
        return (attacks, transfer, set)
    }
}
