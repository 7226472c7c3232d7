import BertMetrics
import Foundation

extension DivergenceStudy {
    /// The word-substitution attack on every model (its own head), and the transfer matrix:
    /// [source][evaluated] = accuracy of each model on the source's successful adversarial texts.
    /// Both are empty without a lexicon or with no attack items.
    func attack(_ models: [StudyModel], runs: [ModelRun], labels: [Int]) throws -> (attacks: [AttackSummary], transfer: [[Double]]) {
        guard let lexicon, settings.attack.examples > 0 else { return ([], []) }
        var attacks: [AttackSummary] = [], adversarial: [[AdversarialExample]] = []
        let attack = WordSubstitutionAttack(settings: settings.attack, lexicon: lexicon)
        for (m, r) in zip(models, runs) {
            log("attacking \(r.name)")
            // Items of fold 0, which the attacked probe (seed 0, fold 0) never saw.
            let folds = r.crossFits[0].folds, texts = labelled.texts
            let correct = labels.indices.filter { folds[$0] == 0 && r.predictions[$0] == labels[$0] }.prefix(settings.attack.examples)
            let embedder = Embedder(model: m.model, tokenizer: m.tokenizer, maxLength: settings.maxLength, batchSize: 64)
            let (summary, successes) = try attack.attack(model: m, texts: correct.map { texts[$0] }, labels: correct.map { labels[$0] }) {
                r.probeProbability(try embedder.embed($0).pooled)
            }
            attacks.append(summary)
            adversarial.append(successes)
        }
        let transfer = try adversarial.map { successes -> [Double] in
            try zip(models, runs).map { m, r in
                guard !successes.isEmpty else { return .nan }
                let embedder = Embedder(model: m.model, tokenizer: m.tokenizer, maxLength: settings.maxLength)
                let p = r.probeProbability(try embedder.embed(successes.map(\.adversarial)).pooled)
                return PredictionErrors.accuracy(predictions: p.map { $0 >= 0.5 ? 1 : 0 }, labels: successes.map(\.label))
            }
        }
        return (attacks, transfer)
    }
}
