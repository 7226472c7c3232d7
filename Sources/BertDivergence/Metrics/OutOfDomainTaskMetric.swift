import BertMetrics
import Foundation

/// The out-of-domain sets as sentiment tasks where they carry ratings (tweets, Amazon reviews,
/// news: the sign of the raters' mean): each model's movie-trained probe labels them, and the
/// variant is compared with the large model there too, so agreement is measured on more than
/// the distribution the probes were trained on.
public struct OutOfDomainTaskMetric: DivergenceMetric {
    /// One set's figures.
    public struct SetResult: Codable, Sendable {
        public let items: Int
        /// Share of items where the variant's label equals the large model's, with a bootstrap CI.
        public let agreement: BootstrapInterval
        /// Cohen's kappa of the two models' labels.
        public let kappa: Double
        /// Accuracy against the sign of the mean rating: the variant's and the large model's.
        public let accuracy: BootstrapInterval
        public let largeAccuracy: Double
    }

    /// The metric's fields in divergence.json: by set name.
    public struct Result: Codable, Sendable {
        public let outOfDomainTasks: [String: SetResult]
    }

    public init() {}

    public var fields: [String] { ["outOfDomainTasks"] }

    /// The table these columns go in, after the out-of-distribution section.
    static let table = ReportTable(
        order: 52, heading: "## Other distributions: the out-of-domain sets as sentiment tasks",
        intro: "Each model's movie-trained probe (the mean of its seed-0 cross-fitted heads) labels the sets whose items carry "
            + "ratings (label: the sign of the raters' mean; items rated exactly 0 are left out); agreement with the large model's "
            + "labels [95% bootstrap CI], kappa, and accuracy (the large model's in the first row).")

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        var sets: [String: SetResult] = [:]
        let resamples = context.settings.bootstrapResamples
        for (s, set) in context.outOfDomain.enumerated() {
            guard let labels = set.labels, Set(labels).count == 2 else { continue }
            let large = Self.labels(context.large, set: s), run = Self.labels(context.runs[variant], set: s)
            sets[set.name] = SetResult(
                items: labels.count, agreement: Bootstrap.accuracyInterval(predictions: run, labels: large, resamples: resamples),
                kappa: ChanceAgreement.cohensKappa(large, run),
                accuracy: Bootstrap.accuracyInterval(predictions: run, labels: labels, resamples: resamples),
                largeAccuracy: PredictionErrors.accuracy(predictions: large, labels: labels))
        }
        return Result(outOfDomainTasks: sets)
    }

    /// A model's labels of out-of-domain set `set`: the mean probability of its seed-0 fold heads.
    static func labels(_ run: ModelRun, set: Int) -> [Int] {
        let features = run.outOfDomain[set].rowsNormalised(), heads = run.crossFits[0].heads
        var mean = [Double](repeating: 0, count: features.rows)
        for head in heads {
            for (i, p) in head.predictProbability(features).enumerated() { mean[i] += p / Double(heads.count) }
        }
        return mean.map { $0 >= 0.5 ? 1 : 0 }
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let names = Set(results.variants.flatMap { ($0[OutOfDomainTaskMetric.self]?.outOfDomainTasks ?? [:]).keys }).sorted()
        return names.map { name in
            let large = results.variants.lazy.compactMap { $0[OutOfDomainTaskMetric.self]?.outOfDomainTasks[name] }.first
            return ReportColumn(Self.table, "\(name): agreement, kappa, accuracy", rightAligned: false,
                                large: large.map { "accuracy \(ReportCell.percent($0.largeAccuracy)) (\($0.items) items)" }) {
                $0[OutOfDomainTaskMetric.self]?.outOfDomainTasks[name].map { r in
                    "\(Self.interval(r.agreement)), \(ReportCell.number(r.kappa)), \(Self.interval(r.accuracy))"
                }
            }
        }
    }

    static func interval(_ i: BootstrapInterval) -> String {
        "\(ReportCell.percent(i.estimate)) [\(ReportCell.percent(i.lower)), \(ReportCell.percent(i.upper))]"
    }
}
