import BertMetrics
import Foundation

/// Rai et al.'s four characteristics, Hooker et al.'s PIEs, flips, KL and CKA for every
/// variant against the large model, from embeddings and linear-probe heads: each model is run
/// once, then every metric of `metrics` compares each variant with the large model.
public struct DivergenceStudy {
    public let settings: DivergenceSettings
    public let train: TextDataset
    public let test: TextDataset
    public let outOfDomain: [TextDataset]
    /// The attack's lexicons and tags; nil skips the attack.
    public let attackResources: AttackResources?
    public let log: (String) -> Void
    /// The measures each variant gets, `DivergenceMetrics.all` unless a caller adds its own.
    public var metrics: [any DivergenceMetric] = DivergenceMetrics.all
    /// Where embeddings are shared between the units of a sweep; nil computes them here.
    public var cache: EmbeddingCache?

    public init(settings: DivergenceSettings, train: TextDataset, test: TextDataset, outOfDomain: [TextDataset],
                attackResources: AttackResources? = nil, log: @escaping (String) -> Void) {
        self.settings = settings
        self.attackResources = attackResources
        self.train = train
        self.test = test
        self.outOfDomain = outOfDomain
        self.log = log
    }

    /// The whole study: `models[0]` is the large model.
    public func compare(_ models: [StudyModel], device: String, progress: (String, Int, Int) -> Void) throws -> DivergenceResults {
        let collisions = DivergenceMetrics.collisions(metrics)
        guard collisions.isEmpty else { throw DivergenceError("metrics write the same divergence.json fields: \(collisions)") }
        var embeddings: [ModelEmbeddings] = []
        for m in models {
            log("embedding: \(m.model.name)")
            embeddings.append(try embeddingsUsingCache(m, progress: progress).embeddings)
        }
        let labels = labelled.labels
        let grid = settings.regularisationGrid ?? [settings.regularisation]
        log("choosing C on \(models[0].model.name) among \(grid)")
        let choice = try CrossFitting.chooseRegularisation(embeddings[0].features, labels: labels, folds: partition(0).folds, grid: grid)
        log("C = \(choice.c)")
        // The population-PIE null needs a population of large-model probes as large as the largest
        // population of compressed models (members x split seeds label sets).
        let members = Dictionary(grouping: models.dropFirst().compactMap(\.population), by: { $0 }).values.map(\.count)
        let nullProbes = (members.filter { $0 >= 2 }.max() ?? 0) * (settings.seeds ?? 1)
        var runs: [ModelRun] = []
        for (i, (m, e)) in zip(models, embeddings).enumerated() {
            log("probes: \(m.model.name)" + (i == 0 && nullProbes > 0 ? " (and \(nullProbes) more cross-fits for the population-PIE null)" : ""))
            runs.append(try fit(m, e, c: choice.c, isLarge: i == 0, nullProbes: i == 0 ? nullProbes : 0))
        }
        let large = runs[0]
        let outOfDistribution = runs.map { r in
            let detector = DeepNearestNeighbors(training: r.train, k: settings.neighbours)
            return r.outOfDomain.map { detector.evaluate(validation: r.test.pooled, test: r.test.pooled, outOfDistribution: $0) }
        }
        let behaviours = zip(runs, outOfDistribution).map { r, reports in
            ModelBehaviour(
                name: r.name,
                accuracy: Bootstrap.accuracyInterval(predictions: r.predictions, labels: labels, resamples: settings.bootstrapResamples),
                outOfDistribution: Dictionary(uniqueKeysWithValues: zip(outOfDomain.map(\.name), reports).map { name, report in
                    (name, OutOfDistributionSummary(report))
                }))
        }
        // The attack runs before the metrics, so an index over the characteristics can read it.
        let (attacks, transfer, attackItems) = try attack(models, runs: runs, labels: labels)
        let context = StudyContext(settings: settings, test: test, labels: labels, outOfDomain: outOfDomain, models: models,
                                   runs: runs, behaviours: behaviours, outOfDistribution: outOfDistribution, attacks: attacks)
        var comparisons: [VariantComparison] = []
        for index in runs.indices.dropFirst() {
            log("comparing \(runs[index].name) with \(large.name)")
            var results: [String: any Codable & Sendable] = [:]
            for metric in metrics { results[type(of: metric).id] = try metric.erasedMeasure(index, in: context) }
            comparisons.append(VariantComparison(name: runs[index].name, sameFamily: models[index].sameFamily, results: results))
        }
        let seeds = settings.seeds ?? 1
        let selfAgreement = SeededEstimate(seeds: seeds, items: labels.count, resamples: settings.bootstrapResamples) { s, items in
            items.reduce(0.0) { $0 + (large.halfA[s][$1] == large.halfB[s][$1] ? 1 : 0) } / Double(items.count)
        }
        let probe = ProbeSummary(regularisation: choice, folds: settings.folds ?? 5, seeds: seeds, items: labels.count,
                                 selfAgreement: selfAgreement)
        let agreement = runs.map { a in runs.map { b in PredictionErrors.agreement(a.predictions, b.predictions) } }
        let errorJaccard = runs.map { a in
            runs.map { b in PredictionErrors.errorJaccard(reference: a.predictions, variant: b.predictions, labels: labels) }
        }
        let sanity = SanityChecks.lines(models, runs: runs) + SanityChecks.nullLines(models, comparisons: comparisons)
        var data = ["train": train.texts.count, "test": test.texts.count, "cross-fitted": labels.count]
        for set in outOfDomain { data[set.name] = set.texts.count }
        var results = DivergenceResults(
            created: ISO8601DateFormatter().string(from: Date()), device: device, large: large.name, settings: settings,
            data: data, dataSources: [train.name, test.name] + outOfDomain.map(\.name),
            models: behaviours, variants: comparisons, names: runs.map(\.name), agreementMatrix: agreement, errorJaccardMatrix: errorJaccard,
            sanity: sanity, notes: [], attacks: attacks, transferMatrix: transfer,
            probe: probe, tests: CorrectedTest.holm(comparisons))
        results.attackItems = attackItems
        return results
    }
}

extension OutOfDistributionSummary {
    /// The summary of a Deep-kNN report, without its per-item scores.
    init(_ report: OutOfDistributionReport) {
        self.init(auroc: report.auroc, detectionRate: report.detectionRate, falsePositiveRate: report.falsePositiveRate,
                  flagged: report.flaggedOutOfDistribution, items: report.outOfDistributionScores.count)
    }
}
