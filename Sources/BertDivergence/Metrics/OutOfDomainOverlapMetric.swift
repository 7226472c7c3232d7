import BertMetrics
import Foundation

/// Per out-of-domain set: Jaccard of the items Deep-kNN flags with the large model's embeddings
/// and with the variant's, beside its value for random sets of the same sizes.
public struct OutOfDomainOverlapMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let oodJaccard: [String: Double]
        public let oodJaccardRandomBaseline: [String: Double]
    }

    public init() {}

    public var fields: [String] { ["oodJaccard", "oodJaccardRandomBaseline"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        var jaccard: [String: Double] = [:], baseline: [String: Double] = [:]
        for (s, set) in context.outOfDomain.enumerated() {
            let a = context.outOfDistribution[0][s].flaggedOutOfDistribution
            let b = context.outOfDistribution[variant][s].flaggedOutOfDistribution
            jaccard[set.name] = SetOverlap.jaccard(a, b)
            baseline[set.name] = SetOverlap.expectedRandomJaccard(sizeA: a.count, sizeB: b.count, universe: set.texts.count)
        }
        return Result(oodJaccard: jaccard, oodJaccardRandomBaseline: baseline)
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        results.models[0].outOfDistribution.keys.sorted().map { set in
            ReportColumn(.outOfDomainOverlap, set) {
                $0[OutOfDomainOverlapMetric.self].map {
                    "\(ReportCell.number($0.oodJaccard[set] ?? .nan)) (\(ReportCell.number($0.oodJaccardRandomBaseline[set] ?? .nan)))"
                }
            }
        }
    }
}
