import BertMetrics
import BertModel
import BertTokens
import Foundation
import Support

/// A model in a study: loaded, with its tokenizer, and whether it is a compression of the
/// large model (so the large model's head applies to it unchanged).
public struct StudyModel: Sendable {
    public let model: LoadedModel
    public let tokenizer: WordPieceTokenizer
    public let sameFamily: Bool
    public init(model: LoadedModel, tokenizer: WordPieceTokenizer, sameFamily: Bool) {
        self.model = model
        self.tokenizer = tokenizer
        self.sameFamily = sameFamily
    }
}

/// What one model produced on the study's data.
struct ModelRun {
    let name: String
    let train: EmbeddingMatrix
    let test: TextEmbeddings
    let outOfDomain: [EmbeddingMatrix]
    let head: LogisticRegression
    let probabilities: [Double]
    let predictions: [Int]
    let population: [[Int]]
}

/// Rai et al.'s four characteristics, Hooker et al.'s PIEs, flips, KL and CKA for every
/// variant against the large model, from embeddings and linear-probe heads.
public struct DivergenceStudy {
    public let settings: DivergenceSettings
    public let train: TextDataset
    public let test: TextDataset
    public let outOfDomain: [TextDataset]
    /// VADER valences for the attack's label-preserving constraint; nil skips the attack.
    public let lexicon: [String: Double]?
    public let log: (String) -> Void

    public init(settings: DivergenceSettings, train: TextDataset, test: TextDataset, outOfDomain: [TextDataset],
                lexicon: [String: Double]? = nil, log: @escaping (String) -> Void) {
        self.settings = settings
        self.lexicon = lexicon
        self.train = train
        self.test = test
        self.outOfDomain = outOfDomain
        self.log = log
    }

    /// Embeds everything with one model, fits its head and its head population.
    func run(_ m: StudyModel, progress: (String, Int, Int) -> Void) throws -> ModelRun {
        let embedder = Embedder(model: m.model, tokenizer: m.tokenizer, maxLength: settings.maxLength)
        let total = train.texts.count + test.texts.count + outOfDomain.map(\.texts.count).reduce(0, +)
        var done = 0
        func step(_ texts: [String], allLayers: Bool = false) throws -> TextEmbeddings {
            let result = try embedder.embed(texts, allLayers: allLayers) { progress(m.model.name, done + $0, total) }
            done += texts.count
            return result
        }
        let trainEmbeddings = try step(train.texts).pooled
        let testEmbeddings = try step(test.texts, allLayers: true)
        let ood = try outOfDomain.map { try step($0.texts).pooled }
        let labels = train.labels!
        let options = LogisticRegression.Options(c: settings.regularisation, standardize: true)
        let head = try LogisticRegression.fit(trainEmbeddings, labels: labels, options: options)
        // A checkpoint with its own binary classifier is judged by it (class 1 = positive, the
        // SST-2 convention); the probe still serves the deployed mode and the PIE population.
        let probabilities: [Double]
        if let logits = testEmbeddings.logits, m.model.encoder.labelCount == 2 {
            probabilities = logits.map { l in 1 / (1 + exp(Double(l[0] - l[1]))) }
            log("\(m.model.name): using the checkpoint's own classifier for its predictions")
        } else {
            probabilities = head.predictProbability(testEmbeddings.pooled)
        }
        // The population: the same probe fitted on bootstrap resamples of the training set.
        var population: [[Int]] = []
        for seed in 0..<settings.headPopulation {
            var rng = SeededRandom(seed: settings.splitSeed &+ UInt64(seed) &* 7919)
            let picks = (0..<trainEmbeddings.rows).map { _ in Int(rng.nextIndex(below: trainEmbeddings.rows)) }
            let resampled = EmbeddingMatrix(rows: picks.count, columns: trainEmbeddings.columns,
                                            values: picks.flatMap { Array(trainEmbeddings[$0]) })
            let member = try LogisticRegression.fit(resampled, labels: picks.map { labels[$0] }, options: options)
            population.append(member.predict(testEmbeddings.pooled))
        }
        return ModelRun(name: m.model.name, train: trainEmbeddings, test: testEmbeddings, outOfDomain: ood, head: head,
                        probabilities: probabilities, predictions: probabilities.map { $0 >= 0.5 ? 1 : 0 }, population: population)
    }

    /// The whole study: `models[0]` is the large model.
    public func compare(_ models: [StudyModel], device: String, progress: (String, Int, Int) -> Void) throws -> DivergenceResults {
        var runs: [ModelRun] = []
        for m in models {
            log("behaviour: \(m.model.name)")
            runs.append(try run(m, progress: progress))
        }
        let labels = test.labels!
        let large = runs[0]
        var behaviours: [ModelBehaviour] = []
        var oodReports: [[OutOfDistributionReport]] = []
        for r in runs {
            let detector = DeepNearestNeighbors(training: r.train, k: settings.neighbours)
            let reports = r.outOfDomain.map { detector.evaluate(validation: r.test.pooled, test: r.test.pooled, outOfDistribution: $0) }
            oodReports.append(reports)
            behaviours.append(ModelBehaviour(
                name: r.name,
                accuracy: Bootstrap.accuracyInterval(predictions: r.predictions, labels: labels, resamples: settings.bootstrapResamples),
                outOfDistribution: Dictionary(uniqueKeysWithValues: zip(outOfDomain.map(\.name), reports).map { name, rep in
                    (name, OutOfDistributionSummary(auroc: rep.auroc, detectionRate: rep.detectionRate, falsePositiveRate: rep.falsePositiveRate,
                                                    flagged: rep.flaggedOutOfDistribution, items: rep.outOfDistributionScores.count))
                })))
        }
        let ckaRows = min(settings.ckaItems, test.texts.count)
        func firstRows(_ m: EmbeddingMatrix) -> EmbeddingMatrix {
            EmbeddingMatrix(rows: ckaRows, columns: m.columns, values: Array(m.values.prefix(ckaRows * m.columns)))
        }
        var comparisons: [VariantComparison] = []
        for (index, (m, r)) in zip(models, runs).enumerated().dropFirst() {
            log("comparing \(r.name) with \(large.name)")
            let errorsLarge = PredictionErrors.misclassified(predictions: large.predictions, labels: labels)
            let errorsVariant = PredictionErrors.misclassified(predictions: r.predictions, labels: labels)
            let output = OutputDivergence.compare(reference: large.probabilities.map { [1 - $0, $0] }, variant: r.probabilities.map { [1 - $0, $0] })
            var deployedAccuracy: Double? = nil, deployedAgreement: Double? = nil
            if m.sameFamily && r.test.pooled.columns == large.test.pooled.columns {
                let deployed = large.head.predict(r.test.pooled)
                deployedAccuracy = PredictionErrors.accuracy(predictions: deployed, labels: labels)
                deployedAgreement = PredictionErrors.agreement(deployed, large.predictions)
            }
            let neighbours = Representations.neighborJaccard(large.test.pooled, r.test.pooled, k: settings.neighbours)
            let cka = large.test.layers.map { a in r.test.layers.map { b in Representations.linearCKA(firstRows(a), firstRows(b)) } }
            var oodJaccard: [String: Double] = [:], oodBaseline: [String: Double] = [:]
            for (s, set) in outOfDomain.enumerated() {
                let a = oodReports[0][s].flaggedOutOfDistribution, b = oodReports[index][s].flaggedOutOfDistribution
                oodJaccard[set.name] = SetOverlap.jaccard(a, b)
                oodBaseline[set.name] = SetOverlap.expectedRandomJaccard(sizeA: a.count, sizeB: b.count, universe: set.texts.count)
            }
            let pie = PrunedIdentifiedExemplars.analyse(reference: large.population, variant: r.population, labels: labels)
            comparisons.append(VariantComparison(
                name: r.name, sameFamily: m.sameFamily, accuracy: behaviours[index].accuracy,
                agreement: PredictionErrors.agreement(large.predictions, r.predictions),
                flips: PredictionErrors.flips(reference: large.predictions, variant: r.predictions, labels: labels),
                errorJaccard: SetOverlap.jaccard(errorsLarge, errorsVariant),
                errorJaccardRandomBaseline: SetOverlap.expectedRandomJaccard(sizeA: errorsLarge.count, sizeB: errorsVariant.count, universe: labels.count),
                mcNemar: PredictionErrors.mcNemar(reference: large.predictions, variant: r.predictions, labels: labels),
                kl: output.kl, js: output.js, sameTop1: output.sameTop1,
                deployedAccuracy: deployedAccuracy, deployedAgreement: deployedAgreement,
                knnJaccard: neighbours.mean, knnRandomBaseline: neighbours.randomBaseline, cka: cka,
                oodJaccard: oodJaccard, oodJaccardRandomBaseline: oodBaseline,
                pies: PIESummary(count: pie.count, share: pie.share, largeAccuracyOnPIEs: pie.accuracy?.referenceOnPIEs,
                                 variantAccuracyOnPIEs: pie.accuracy?.variantOnPIEs, largeAccuracyOnOthers: pie.accuracy?.referenceOnOthers,
                                 variantAccuracyOnOthers: pie.accuracy?.variantOnOthers,
                                 examples: pie.indices.prefix(25).map { PIEExample(text: test.texts[$0], label: labels[$0],
                                                                                   largeModal: pie.referenceModal[$0], variantModal: pie.variantModal[$0]) })))
        }
        var attacks: [AttackSummary] = [], adversarial: [[AdversarialExample]] = []
        if let lexicon, settings.attack.examples > 0 {
            let attack = WordSubstitutionAttack(settings: settings.attack, lexicon: lexicon)
            for (m, r) in zip(models, runs) {
                log("attacking \(r.name)")
                let correct = labels.indices.filter { r.predictions[$0] == labels[$0] }.prefix(settings.attack.examples)
                let (summary, successes) = try attack.attack(model: m, texts: correct.map { test.texts[$0] }, labels: correct.map { labels[$0] }) { texts in
                    r.head.predictProbability(try Embedder(model: m.model, tokenizer: m.tokenizer, maxLength: settings.maxLength, batchSize: 64).embed(texts).pooled)
                }
                attacks.append(summary)
                adversarial.append(successes)
            }
        }
        // Transfer: accuracy of every model (own head) on each model's successful adversarial texts.
        let transfer = try adversarial.map { successes -> [Double] in
            try zip(models, runs).map { m, r in
                guard !successes.isEmpty else { return .nan }
                let p = r.head.predictProbability(try Embedder(model: m.model, tokenizer: m.tokenizer, maxLength: settings.maxLength).embed(successes.map(\.adversarial)).pooled)
                return PredictionErrors.accuracy(predictions: p.map { $0 >= 0.5 ? 1 : 0 }, labels: successes.map(\.label))
            }
        }
        let agreement = runs.map { a in runs.map { b in PredictionErrors.agreement(a.predictions, b.predictions) } }
        let errorJaccard = runs.map { a in runs.map { b in PredictionErrors.errorJaccard(reference: a.predictions, variant: b.predictions, labels: labels) } }
        let selfKL = OutputDivergence.compare(reference: large.probabilities.map { [1 - $0, $0] }, variant: large.probabilities.map { [1 - $0, $0] }).kl.max
        var data = ["train": train.texts.count, "test": test.texts.count]
        for set in outOfDomain { data[set.name] = set.texts.count }
        return DivergenceResults(
            created: ISO8601DateFormatter().string(from: Date()), device: device, large: large.name, settings: settings,
            data: data, dataSources: [train.name, test.name] + outOfDomain.map(\.name),
            models: behaviours, variants: comparisons, names: runs.map(\.name), agreementMatrix: agreement, errorJaccardMatrix: errorJaccard,
            sanity: sanityChecks(comparisons, selfKL: selfKL), notes: [], attacks: attacks, transferMatrix: transfer)
    }

    /// The checks the issue asks the report to print, each with its verdict.
    func sanityChecks(_ variants: [VariantComparison], selfKL: Double) -> [String] {
        var lines = [String(format: "KL of the large model against itself: %.3g (expected 0) — %@", selfKL, selfKL == 0 ? "ok" : "FAILED")]
        // The project's own int8 variants (W8A8 and weight-only) are named "...-int8-w8a8" and
        // "...-int8-weight-only" by `bertbench run`; any other same-family int8 model stands in.
        var int8 = variants.filter { $0.name.hasSuffix("int8-w8a8") || $0.name.hasSuffix("int8-weight-only") }
        if int8.isEmpty, let other = variants.first(where: { $0.name.contains("int8") && $0.sameFamily }) { int8 = [other] }
        for v in int8 {
            lines.append(String(format: "%@ agrees with the large model on %.1f%% of the test set (expected at least 97%%) — %@",
                                v.name, v.agreement * 100, v.agreement >= 0.97 ? "ok" : "NOT MET"))
        }
        if let l3 = variants.first(where: { $0.name.contains("L3") }), let best = int8.max(by: { $0.agreement < $1.agreement }) {
            lines.append(String(format: "%@ agrees less (%.1f%%) than %@ (%.1f%%) — %@", l3.name, l3.agreement * 100, best.name,
                                best.agreement * 100, l3.agreement < best.agreement ? "ok" : "NOT MET"))
        }
        return lines
    }
}
