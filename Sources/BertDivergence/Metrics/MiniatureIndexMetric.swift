import BertMetrics
import Foundation
import Support

/// One figure per variant: how far it is from a "miniature" of the large model, folding the four
/// characteristics (errors, representations, out-of-domain flags, adversarial robustness) into the
/// mean of components on a common scale, 0 = indistinguishable from the null, 1 = no closer than
/// chance. docs/miniature-index.md defines every component, the interval and the verdict.
public struct MiniatureIndexMetric: DivergenceMetric {
    /// The index with its interval, its components and the verdict.
    public struct Index: Codable, Sendable {
        /// Mean of the available components, with a percentile bootstrap interval over items
        /// (each component resampled over its own items, independently; see `components`).
        public let index: BootstrapInterval
        /// 1 − κ(large A, variant B) / κ(large A, large B), clamped to 0...1, averaged over seeds:
        /// the share of the null's chance-corrected agreement the variant's probe loses.
        public let errors: Double?
        /// (1 − kNN Jaccard) / (1 − its random baseline), clamped: the share of the neighbourhoods
        /// the variant loses, relative to losing them all to chance (the null, an identical model, keeps all).
        public let representations: Double?
        /// Per out-of-domain set, (1 − Jaccard of the flagged sets) / (1 − its random baseline),
        /// clamped, averaged over the sets.
        public let outOfDomain: Double?
        /// |attack success rate of the variant − that of the large model| (nil without an attack); its
        /// bootstrap is paired over the common attacked items when the file records per-item outcomes.
        public let adversarial: Double?
        /// The components the index averages, and the bootstrap covers: all of them.
        public let components: [String]
        /// "miniature" when the interval's upper end is below `threshold`, "not a miniature" when
        /// its lower end is at or above it, "undecided" otherwise.
        public let verdict: String
        public let threshold: Double
    }

    public struct Result: Codable, Sendable {
        public let miniatureIndex: Index
    }

    /// The verdict's bar: a variant that keeps at least 90% of what separates the null from chance
    /// on average over the characteristics (docs/miniature-index.md says why, and what it cannot say).
    public static let threshold = 0.1

    /// The index's own table, before every other table (the null's is 15).
    public static let table = ReportTable(
        order: 12, heading: "## Miniature index: one figure per variant, 0 = indistinguishable from the null, 1 = chance")

    public init() {}

    public var fields: [String] { ["miniatureIndex"] }

    // MARK: components, each a function of resampled item indices

    /// x clamped to 0...1 (NaN stays NaN).
    static func unit(_ x: Double) -> Double { x.isNaN ? x : Swift.min(1, Swift.max(0, x)) }

    /// Cohen's kappa of two binary label vectors on `items` (repeats counted).
    static func kappa(_ a: [Int], _ b: [Int], _ items: [Int]) -> Double {
        var n11 = 0, n1a = 0, n1b = 0
        for i in items {
            if a[i] != 0 { n1a += 1 }
            if b[i] != 0 { n1b += 1 }
            if a[i] != 0 && b[i] != 0 { n11 += 1 }
        }
        let n = Double(items.count), pa = Double(n1a) / n, pb = Double(n1b) / n
        let agree = Double(items.count - n1a - n1b + 2 * n11) / n
        let chance = pa * pb + (1 - pa) * (1 - pb)
        return chance == 1 ? .nan : (agree - chance) / (1 - chance)
    }

    /// The errors component on one seed: 0 when the variant's half-B labels equal the large
    /// model's on these items; else 1 − κ(A, variant B)/κ(A, large B), clamped; NaN when the null's
    /// kappa is not positive (the probe is at chance: nothing to lose).
    public static func errorComponent(largeA: [Int], largeB: [Int], variantB: [Int], items: [Int]) -> Double {
        if items.allSatisfy({ largeB[$0] == variantB[$0] }) { return 0 }
        let null = kappa(largeA, largeB, items), cross = kappa(largeA, variantB, items)
        guard null > 0, !cross.isNaN else { return .nan }
        return unit(1 - cross / null)
    }

    /// (1 − observed) / (1 − chance), clamped: 0 for a full overlap, 1 for one no better than chance.
    public static func overlapComponent(jaccard: Double, randomBaseline: Double) -> Double {
        if jaccard >= 1 { return 0 }
        guard randomBaseline < 1 else { return .nan }
        return unit((1 - jaccard) / (1 - randomBaseline))
    }

    /// The out-of-domain component of one set on resampled items: Jaccard of the flagged items
    /// among `items` (repeats counted), against the random baseline of those counts.
    public static func outOfDomainComponent(flaggedLarge: [Bool], flaggedVariant: [Bool], items: [Int]) -> Double {
        var both = 0, either = 0, a = 0, b = 0
        for i in items {
            let x = flaggedLarge[i], y = flaggedVariant[i]
            if x { a += 1 }
            if y { b += 1 }
            if x && y { both += 1 }
            if x || y { either += 1 }
        }
        let jaccard = either == 0 ? 1 : Double(both) / Double(either)
        return overlapComponent(jaccard: jaccard,
                                randomBaseline: SetOverlap.expectedRandomJaccard(sizeA: a, sizeB: b, universe: items.count))
    }

    /// |success rate of the variant − that of the large model| over `items` (indices into the common
    /// item set, repeats counted): the adversarial component on paired outcomes.
    public static func adversarialComponent(large: [Bool], variant: [Bool], items: [Int]) -> Double {
        guard !items.isEmpty else { return .nan }
        let difference = items.reduce(0) { $0 + (variant[$1] ? 1 : 0) - (large[$1] ? 1 : 0) }
        return abs(Double(difference)) / Double(items.count)
    }

    /// Mean of the non-NaN values; NaN when there are none.
    static func mean(_ x: [Double]) -> Double {
        let kept = x.filter { !$0.isNaN }
        return kept.isEmpty ? .nan : kept.reduce(0, +) / Double(kept.count)
    }

    /// A component: its estimate on all items and `resamples` replicates on resampled items.
    struct Component {
        let name: String
        let estimate: Double
        let replicates: [Double]

        init(_ name: String, items: Int, resamples: Int, seed: UInt64, statistic: ([Int]) -> Double) {
            self.name = name
            estimate = statistic(Array(0..<items))
            var random = SeededRandom(seed: seed), indices = [Int](repeating: 0, count: items), replicates: [Double] = []
            for _ in 0..<resamples {
                for i in 0..<items { indices[i] = random.nextIndex(below: items) }
                replicates.append(statistic(indices))
            }
            self.replicates = replicates
        }

        init(_ name: String, estimate: Double, replicates: [Double]) {
            (self.name, self.estimate, self.replicates) = (name, estimate, replicates)
        }
    }

    public func measure(_ variant: Int, in context: StudyContext) throws -> Result {
        let large = context.large, run = context.runs[variant], resamples = context.settings.bootstrapResamples
        let seed = Bootstrap.defaultSeed
        var components: [Component] = []

        // Errors: the paired null of ExcessDisagreementMetric, chance-corrected.
        let seeds = Swift.min(large.halfA.count, run.halfB.count)
        if seeds > 0 {
            components.append(Component("errors", items: context.labels.count, resamples: resamples, seed: seed) { items in
                Self.mean((0..<seeds).map {
                    Self.errorComponent(largeA: large.halfA[$0], largeB: large.halfB[$0], variantB: run.halfB[$0], items: items)
                })
            })
        }

        // Representations: kNN Jaccard at the study's k on the test set.
        let overlap = Representations.neighborJaccard(large.test.pooled, run.test.pooled, k: context.settings.neighbours)
        components.append(Component("representations", items: overlap.perItem.count, resamples: resamples, seed: seed &+ 1) { items in
            Self.overlapComponent(jaccard: items.reduce(0.0) { $0 + overlap.perItem[$1] } / Double(items.count),
                                  randomBaseline: overlap.randomBaseline)
        })

        // Out-of-domain: each set resampled on its own, the sets averaged.
        let sets = context.outOfDomain.indices.filter { !context.outOfDomain[$0].texts.isEmpty }.map { s in
            let n = context.outOfDomain[s].texts.count
            let flags = { (set: [Int]) in (0..<n).map(Set(set).contains) }
            let a = flags(context.outOfDistribution[0][s].flaggedOutOfDistribution)
            let b = flags(context.outOfDistribution[variant][s].flaggedOutOfDistribution)
            return Component("ood", items: n, resamples: resamples, seed: seed &+ 2 &+ UInt64(s)) {
                Self.outOfDomainComponent(flaggedLarge: a, flaggedVariant: b, items: $0)
            }
        }
        if !sets.isEmpty {
            components.append(Component("outOfDomain", estimate: Self.mean(sets.map(\.estimate)),
                                        replicates: (0..<resamples).map { r in Self.mean(sets.map { $0.replicates[r] }) }))
        }

        // Adversarial: on a common item set, a paired bootstrap over those items (the same resampled
        // items for both models); older files had each model's own items, resampled independently.
        let attacks = context.attacks
        if attacks.count > variant, attacks[0].attacked > 0, attacks[variant].attacked > 0 {
            if let a = attacks[0].outcomes, let b = attacks[variant].outcomes, a.count == b.count, !a.isEmpty {
                components.append(Component("adversarial", items: a.count, resamples: resamples, seed: seed &+ 1000) { items in
                    Self.adversarialComponent(large: a, variant: b, items: items)
                })
            } else {
                let rate = { (summary: AttackSummary, random: inout SeededRandom) -> Double in
                    (0..<summary.attacked).reduce(0.0) { s, _ in s + (random.nextIndex(below: summary.attacked) < summary.succeeded ? 1 : 0) }
                        / Double(summary.attacked)
                }
                var random = SeededRandom(seed: seed &+ 1000)
                let replicates = (0..<resamples).map { _ in abs(rate(attacks[variant], &random) - rate(attacks[0], &random)) }
                components.append(Component("adversarial", estimate: abs(attacks[variant].successRate - attacks[0].successRate),
                                            replicates: replicates))
            }
        }

        let kept = components.filter { !$0.estimate.isNaN }
        let estimate = Self.mean(kept.map(\.estimate))
        let replicates = (0..<resamples).map { r in Self.mean(kept.map { $0.replicates[r] }) }.filter { !$0.isNaN }
        let ends = replicates.isEmpty ? [Double.nan, .nan] : SampleStatistics.percentiles(replicates, [2.5, 97.5])
        let interval = BootstrapInterval(estimate: estimate, lower: ends[0], upper: ends[1], confidence: 0.95, resamples: resamples, seed: seed)
        let value = { (name: String) in kept.first { $0.name == name }?.estimate }
        return Result(miniatureIndex: Index(
            index: interval, errors: value("errors"), representations: value("representations"), outOfDomain: value("outOfDomain"),
            adversarial: value("adversarial"), components: kept.map(\.name), verdict: Self.verdict(interval), threshold: Self.threshold))
    }

    /// "miniature" when the whole interval lies below the threshold, "not a miniature" when it lies
    /// at or above it, "undecided" when it straddles it (or is undefined).
    public static func verdict(_ interval: BootstrapInterval) -> String {
        if interval.upper < threshold { return "miniature" }
        if interval.lower >= threshold { return "not a miniature" }
        return "undecided"
    }

    /// A component's cell: "—" where it is absent, nil for a variant without the index.
    static func cell(_ v: VariantComparison, _ component: (Index) -> Double?) -> String? {
        v[MiniatureIndexMetric.self].map { component($0.miniatureIndex).map(ReportCell.number) ?? "—" }
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let note = "Each component is 0 when the variant is indistinguishable from the null and 1 when it is no closer to the large "
            + "model than chance: errors = 1 − κ(large probe A, variant probe B) / κ(large probe A, large probe B), over seeds; "
            + "representations = (1 − kNN Jaccard) / (1 − random baseline) at k = \(results.settings.neighbours); out-of-domain = "
            + "the same for the Deep-kNN flagged sets, averaged over sets; adversarial = |difference of attack success rates| "
            + "(only when the attack ran; on a common item set, resampled paired over those items). The index is their mean, with a "
            + "95% percentile bootstrap over items (each component resampled over its own items); \"miniature\" when the upper end "
            + "is below \(ReportCell.compact(Self.threshold)). "
            + "Definition and limits: docs/miniature-index.md."
        return [
            ReportColumn(Self.table, "index [95% CI]", rightAligned: false, note: note) {
                $0[MiniatureIndexMetric.self].map {
                    let i = $0.miniatureIndex.index
                    return "\(ReportCell.number(i.estimate)) [\(ReportCell.number(i.lower)), \(ReportCell.number(i.upper))]"
                }
            },
            ReportColumn(Self.table, "verdict", rightAligned: false) { $0[MiniatureIndexMetric.self].map(\.miniatureIndex.verdict) },
            ReportColumn(Self.table, "errors") { Self.cell($0) { $0.errors } },
            ReportColumn(Self.table, "representations") { Self.cell($0) { $0.representations } },
            ReportColumn(Self.table, "out-of-domain") { Self.cell($0) { $0.outOfDomain } },
            ReportColumn(Self.table, "adversarial") { Self.cell($0) { $0.adversarial } },
        ]
    }
}
