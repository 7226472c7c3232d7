import BertMetrics
import Foundation
import Support

/// What one model produced on the study's data: the material every metric works from.
public struct ModelRun {
    public let name: String
    /// Pooled embeddings of the training set (the probe's features).
    public let train: EmbeddingMatrix
    /// The test set, pooled and per layer (embeddings output first).
    public let test: TextEmbeddings
    /// Pooled embeddings of each out-of-domain set.
    public let outOfDomain: [EmbeddingMatrix]
    /// The linear probe fitted on `train`.
    public let head: LogisticRegression
    /// P(class 1) per test item, from the checkpoint's own classifier if it has one, else the probe.
    public let probabilities: [Double]
    public let predictions: [Int]
    /// Test predictions of probes refit on bootstrap resamples of the training set: [member][item].
    public let population: [[Int]]
}

extension DivergenceStudy {
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
}
