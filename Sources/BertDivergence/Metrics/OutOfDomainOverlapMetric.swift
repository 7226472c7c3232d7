import BertMetrics
import Foundation

/// Per out-of-domain set: Jaccard of the items Deep-kNN flags with the large model's embeddings
/// and with the variant's, beside its value for random sets of the same sizes and its null: the
/// large model against itself with Deep-kNN's reference bank split into disjoint halves, and the
/// variant at the same bank size (`JaccardNulls`).
public struct OutOfDomainOverlapMetric: DivergenceMetric {
    public struct Result: Codable, Sendable {
        public let oodJaccard: [String: Double]
        public let oodJaccardRandomBaseline: [String: Double]
        /// The null: large model with bank half A against large model with half B (the same for
        /// every variant); nil in files written before it.
        public var oodJaccardNull: [String: Double]? = nil
        /// Like for like with the null: large model with half A against the variant with half B.
        public var oodJaccardHalves: [String: Double]? = nil
    }

    public init() {}

    public var fields: [String] { ["oodJaccard", "oodJaccardRandomBaseline", "oodJaccardNull", "oodJaccardHalves"] }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        var jaccard: [String: Double] = [:], baseline: [String: Double] = [:]
        for (s, set) in context.outOfDomain.enumerated() {
            let a = context.outOfDistribution[0][s].flaggedOutOfDistribution
            let b = context.outOfDistribution[variant][s].flaggedOutOfDistribution
            jaccard[set.name] = SetOverlap.jaccard(a, b)
            baseline[set.name] = SetOverlap.expectedRandomJaccard(sizeA: a.count, sizeB: b.count, universe: set.texts.count)
        }
        var result = Result(oodJaccard: jaccard, oodJaccardRandomBaseline: baseline)
        if context.hasBankHalves {
            let largeA = context.halfBankFlags(0, half: 0), largeB = context.halfBankFlags(0, half: 1)
            let variantB = context.halfBankFlags(variant, half: 1)
            let names = context.outOfDomain.map(\.name)
            result.oodJaccardNull = Dictionary(uniqueKeysWithValues: names.indices.map { (names[$0], SetOverlap.jaccard(largeA[$0], largeB[$0])) })
            result.oodJaccardHalves = Dictionary(uniqueKeysWithValues: names.indices.map { (names[$0], SetOverlap.jaccard(largeA[$0], variantB[$0])) })
        }
        return result
    }

    /// "0.620 (0.100); halves 0.500, null 0.550", the halves and null where the file has them.
    static func cell(_ r: Result, _ set: String) -> String {
        var text = "\(ReportCell.number(r.oodJaccard[set] ?? .nan)) (\(ReportCell.number(r.oodJaccardRandomBaseline[set] ?? .nan)))"
        if let null = r.oodJaccardNull?[set], let halves = r.oodJaccardHalves?[set] {
            text += "; halves \(ReportCell.number(halves)), null \(ReportCell.number(null))"
        }
        return text
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let withNull = results.variants.contains { $0[OutOfDomainOverlapMetric.self]?.oodJaccardNull != nil }
        let note = withNull ? "then 'halves' and 'null'. The null is the large model against itself with Deep-kNN's training "
            + "bank split into two disjoint halves A and B (how far its flags move by the bank's data alone); 'halves' is the large "
            + "model's bank-A flags against the variant's bank-B flags, the figure to compare with the null (equal to it for a "
            + "variant that behaves as the large model; both lie below the full-bank Jaccard, half a bank being noisier)." : nil
        return results.models[0].outOfDistribution.keys.sorted().enumerated().map { i, set in
            ReportColumn(.outOfDomainOverlap, set, rightAligned: !withNull, note: i == 0 ? note : nil) {
                $0[OutOfDomainOverlapMetric.self].map { Self.cell($0, set) }
            }
        }
    }
}
