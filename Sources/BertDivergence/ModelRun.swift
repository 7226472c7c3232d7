import BertMetrics
import Foundation
import Support

/// What one model produced on the study's data: the material every metric works from.
public struct ModelRun {
    public let name: String
    /// Pooled embeddings of the training set (Deep-kNN's reference bank).
    public let train: EmbeddingMatrix
    /// The test set, pooled and per layer (embeddings output first): kNN, CKA, PIEs.
    public let test: TextEmbeddings
    /// Pooled embeddings of each out-of-domain set.
    public let outOfDomain: [EmbeddingMatrix]
    /// L2-normalised pooled embeddings of every labelled item (training then test): the probe's features.
    public let features: EmbeddingMatrix
    /// The cross-fitted probe under each seed's fold partition (seed 0 first).
    public let crossFits: [CrossFit]
    /// Per seed, predictions of probes fitted on half A / half B of each item's training folds
    /// (disjoint data): A only for the large model, whose A-against-B disagreement is the null.
    public let halfA: [[Int]]
    public let halfB: [[Int]]
    /// Seed 0's probe of fold 0: it never saw the items of fold 0, which the attack uses.
    public var head: LogisticRegression { crossFits[0].heads[0] }
    /// P(class 1) per labelled item, from the checkpoint's own classifier if it has one, else the
    /// cross-fitted probe of seed 0.
    public let probabilities: [Double]
    public let predictions: [Int]
    /// Test predictions of probes refit on bootstrap resamples of the training set: [member][item].
    public let population: [[Int]]
    /// The large model only: cross-fitted predictions under further split seeds (after the study's
    /// own), as many as the largest population of compressed models has label sets: the population
    /// of large models the population-PIE null compares with the reference. Empty otherwise.
    public var nullPopulation: [[Int]] = []

    /// The attack's probe on new embeddings (normalised as the probe's features are).
    public func probeProbability(_ pooled: EmbeddingMatrix) -> [Double] {
        head.predictProbability(pooled.rowsNormalised())
    }
}

/// A model's embeddings of the study's data, before any probe is fitted (C is chosen on the
/// large model's first, then shared).
struct ModelEmbeddings {
    let train: TextEmbeddings
    let test: TextEmbeddings
    let outOfDomain: [EmbeddingMatrix]
    var features: EmbeddingMatrix { train.pooled.appending(test.pooled).rowsNormalised() }
}

extension DivergenceStudy {
    /// The labelled items in probe order: training then test.
    var labelled: (texts: [String], labels: [Int]) { (train.texts + test.texts, train.labels! + test.labels!) }

    /// Fold partition and halves of seed `s`: the same for every model, so comparisons are paired.
    func partition(_ s: Int) -> (folds: [Int], halves: [Int]) {
        let n = train.texts.count + test.texts.count, seed = settings.splitSeed &+ UInt64(s)
        return (CrossFitting.folds(itemCount: n, folds: settings.folds ?? 5, seed: seed),
                CrossFitting.folds(itemCount: n, folds: 2, seed: seed ^ 0x9E37_79B9_7F4A_7C15))
    }

    /// Embeds everything with one model.
    func embed(_ m: StudyModel, progress: (String, Int, Int) -> Void) throws -> ModelEmbeddings {
        let embedder = Embedder(model: m.model, tokenizer: m.tokenizer, maxLength: settings.maxLength)
        let total = train.texts.count + test.texts.count + outOfDomain.map(\.texts.count).reduce(0, +)
        var done = 0
        func step(_ texts: [String], allLayers: Bool = false) throws -> TextEmbeddings {
            let result = try embedder.embed(texts, allLayers: allLayers) { progress(m.model.name, done + $0, total) }
            done += texts.count
            return result
        }
        return ModelEmbeddings(train: try step(train.texts), test: try step(test.texts, allLayers: true),
                               outOfDomain: try outOfDomain.map { try step($0.texts).pooled })
    }

    /// Fits one model's probes with the shared C: cross-fitted per seed, the disjoint halves, the
    /// population, and (`nullProbes` > 0, the large model) the cross-fits of the population-PIE null.
    func fit(_ m: StudyModel, _ e: ModelEmbeddings, c: Double, isLarge: Bool, nullProbes: Int = 0) throws -> ModelRun {
        let features = e.features, labels = labelled.labels
        var crossFits: [CrossFit] = [], halfA: [[Int]] = [], halfB: [[Int]] = []
        for s in 0..<(settings.seeds ?? 1) {
            let (folds, halves) = partition(s)
            crossFits.append(try CrossFitting.fit(features, labels: labels, folds: folds, c: c))
            halfB.append(try CrossFitting.fit(features, labels: labels, folds: folds, c: c) { halves[$0] == 1 }.predictions)
            if isLarge { halfA.append(try CrossFitting.fit(features, labels: labels, folds: folds, c: c) { halves[$0] == 0 }.predictions) }
        }
        // A checkpoint with its own binary classifier is judged by it (class 1 = positive, the
        // SST-2 convention); the probe still serves the deployed mode and the PIE population.
        let probabilities: [Double]
        if let a = e.train.logits, let b = e.test.logits, m.model.encoder.labelCount == 2 {
            probabilities = (a + b).map { l in 1 / (1 + exp(Double(l[0] - l[1]))) }
            log("\(m.model.name): using the checkpoint's own classifier for its predictions")
        } else {
            probabilities = crossFits[0].probabilities
        }
        // The population: the probe fitted on bootstrap resamples of the training set, predicting the test set.
        let trainFeatures = e.train.pooled.rowsNormalised(), testFeatures = e.test.pooled.rowsNormalised()
        let trainLabels = train.labels!
        var population: [[Int]] = []
        for seed in 0..<settings.headPopulation {
            var rng = SeededRandom(seed: settings.splitSeed &+ UInt64(seed) &* 7919)
            let picks = (0..<trainFeatures.rows).map { _ in Int(rng.nextIndex(below: trainFeatures.rows)) }
            let member = try LogisticRegression.fit(trainFeatures.subset(picks), labels: picks.map { trainLabels[$0] }, options: .init(c: c))
            population.append(member.predict(testFeatures))
        }
        // Split seeds after the study's own, so the null's probes share no partition with the reference's.
        let nullPopulation = try (0..<nullProbes).map { i in
            try CrossFitting.fit(features, labels: labels, folds: partition((settings.seeds ?? 1) + i).folds, c: c).predictions
        }
        return ModelRun(name: m.model.name, train: e.train.pooled, test: e.test, outOfDomain: e.outOfDomain, features: features,
                        crossFits: crossFits, halfA: halfA, halfB: halfB, probabilities: probabilities,
                        predictions: probabilities.map { $0 >= 0.5 ? 1 : 0 }, population: population, nullPopulation: nullPopulation)
    }
}
