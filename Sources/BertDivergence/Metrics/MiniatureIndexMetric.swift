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
        /// 1 − (J − J₀) / (J_null − J₀) for the kNN Jaccard J at the study's k, its random baseline
        /// J₀ and its null J_null (the best declared near copy's Jaccard; 1, an identical model, where
        /// the study declares none), clamped: the share of the null's above-chance overlap lost.
        public let representations: Double?
        /// Per out-of-domain set, the same with Deep-kNN's half banks: J = large model's bank-A flags
        /// against the variant's bank-B flags, J_null = large A against large B, each against the
        /// random baseline of its own set sizes; averaged over the sets. (Full-bank flags against
        /// identity, J_null = 1, where the bank cannot be halved.)
        public let outOfDomain: Double?
        /// |attack success rate of the variant − that of the large model| (nil without an attack); its
        /// bootstrap is paired over the common attacked items when the file records per-item outcomes.
        public let adversarial: Double?
        /// The components the index averages, and the bootstrap covers: all of them.
        public let components: [String]
        /// What each component's 0 is ("errors": "large probe B", "representations": "near copy
        /// <name>" or "identity", "outOfDomain": "bank halves" or "identity"); nil in files
        /// written before the overlap components were scaled to their nulls.
        public var nulls: [String: String]? = nil
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

    /// 1 − (observed − chance) / (null − chance), clamped: 0 for an overlap as high as the null's
    /// (or a full one), 1 for one no better than chance; NaN when the null itself is at chance or
    /// below (there is no above-chance overlap to lose). With null = 1 this is (1 − observed) / (1 − chance).
    public static func overlapComponent(jaccard: Double, randomBaseline: Double, null: Double = 1) -> Double {
        if jaccard >= 1 { return 0 }
        guard null > randomBaseline else { return .nan }
        return unit(1 - (jaccard - randomBaseline) / (null - randomBaseline))
    }

    /// Jaccard of two flag vectors over `items` (repeats counted) and the random baseline of their
    /// counts: (Jaccard, baseline).
    static func flagOverlap(_ x: [Bool], _ y: [Bool], items: [Int]) -> (jaccard: Double, baseline: Double) {
        var both = 0, either = 0, a = 0, b = 0
        for i in items {
            if x[i] { a += 1 }
            if y[i] { b += 1 }
            if x[i] && y[i] { both += 1 }
            if x[i] || y[i] { either += 1 }
        }
        return (either == 0 ? 1 : Double(both) / Double(either),
                SetOverlap.expectedRandomJaccard(sizeA: a, sizeB: b, universe: items.count))
    }

    /// The out-of-domain component of one set on resampled items, against identity: Jaccard of the
    /// two models' flagged items among `items`, against the random baseline of those counts.
    public static func outOfDomainComponent(flaggedLarge: [Bool], flaggedVariant: [Bool], items: [Int]) -> Double {
        let o = flagOverlap(flaggedLarge, flaggedVariant, items: items)
        return overlapComponent(jaccard: o.jaccard, randomBaseline: o.baseline)
    }

    /// The out-of-domain component of one set on resampled items, against the half-bank null: the
    /// large model's bank-A flags against the variant's bank-B flags (cross) and against its own
    /// bank-B flags (null), each chance-corrected by its own counts: 1 − (J_x − J₀x) / (J_n − J₀n),
    /// clamped; 0 outright when the variant's bank-B flags equal the large model's on these items.
    public static func outOfDomainComponent(largeA: [Bool], largeB: [Bool], variantB: [Bool], items: [Int]) -> Double {
        if items.allSatisfy({ largeB[$0] == variantB[$0] }) { return 0 }
        let cross = flagOverlap(largeA, variantB, items: items), null = flagOverlap(largeA, largeB, items: items)
        if cross.jaccard >= 1 { return 0 }
        let nullExcess = null.jaccard - null.baseline
        guard nullExcess > 0 else { return .nan }
        return unit(1 - (cross.jaccard - cross.baseline) / nullExcess)
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

        // Representations: kNN Jaccard at the study's k on the test set, against the near copy's.
        var nulls = ["errors": "large probe B"]
        let k = context.settings.neighbours
        let perItem = context.neighbourJaccards(variant, k: k), randomBaseline = context.neighbourBaseline(k: k).baseline
        let nearCopy = JaccardNulls.nearCopyNull(variant: variant, nearCopies: context.nearCopies) { context.neighbourJaccards($0, k: k) }
        nulls["representations"] = nearCopy.map { "near copy \(context.runs[$0.index].name)" } ?? "identity"
        components.append(Component("representations", items: perItem.count, resamples: resamples, seed: seed &+ 1) { items in
            let mean = { (values: [Double]) in items.reduce(0.0) { $0 + values[$1] } / Double(items.count) }
            return Self.overlapComponent(jaccard: mean(perItem), randomBaseline: randomBaseline, null: nearCopy.map { mean($0.perItem) } ?? 1)
        })

        // Out-of-domain: each set resampled on its own (the three flag vectors of a set paired), the sets averaged.
        let halves = context.hasBankHalves
        nulls["outOfDomain"] = halves ? "bank halves" : "identity"
        let sets = context.outOfDomain.indices.filter { !context.outOfDomain[$0].texts.isEmpty }.map { s in
            let n = context.outOfDomain[s].texts.count
            let flags = { (set: [Int]) in (0..<n).map(Set(set).contains) }
            if halves {
                let largeA = flags(context.halfBankFlags(0, half: 0)[s]), largeB = flags(context.halfBankFlags(0, half: 1)[s])
                let variantB = flags(context.halfBankFlags(variant, half: 1)[s])
                return Component("ood", items: n, resamples: resamples, seed: seed &+ 2 &+ UInt64(s)) {
                    Self.outOfDomainComponent(largeA: largeA, largeB: largeB, variantB: variantB, items: $0)
                }
            }
            let a = flags(context.outOfDistribution[0][s].flaggedOutOfDistribution)
            let b = flags(context.outOfDistribution[variant][s].flaggedOutOfDistribution)
            return Component("ood", items: n, resamples: resamples, seed: seed &+ 2 &+ UInt64(s)) {
                Self.outOfDomainComponent(flaggedLarge: a, flaggedVariant: b, items: $0)
            }
        }
        if !sets.isEmpty {
            // A set whose null is at chance has nothing to lose: left out of the mean, as an undefined component is.
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
        if kept.contains(where: { $0.name == "adversarial" }) { nulls["adversarial"] = "large model (deterministic attack)" }
        var index = Index(
            index: interval, errors: value("errors"), representations: value("representations"), outOfDomain: value("outOfDomain"),
            adversarial: value("adversarial"), components: kept.map(\.name), verdict: Self.verdict(interval), threshold: Self.threshold)
        index.nulls = nulls.filter { name, _ in kept.contains { $0.name == name } }
        return Result(miniatureIndex: index)
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

    /// How the overlap components were scaled: to their nulls, or (files written before) to identity.
    func overlapNote(_ results: DivergenceResults) -> String {
        let k = results.settings.neighbours
        let nulls = results.variants.compactMap { $0[MiniatureIndexMetric.self]?.miniatureIndex.nulls }
        guard !nulls.isEmpty else {
            return "representations = (1 − kNN Jaccard) / (1 − random baseline) at k = \(k); out-of-domain = the same for the "
                + "Deep-kNN flagged sets, averaged over sets"
        }
        return "representations = 1 − (J − J₀) / (J_null − J₀) for the kNN Jaccard J at k = \(k), its random baseline J₀ and "
            + "its null J_null (the declared near copy's Jaccard; 1 where there is none); out-of-domain = the same for the "
            + "Deep-kNN flagged sets with half banks (the large model's bank-A flags against the variant's bank-B flags; the null, "
            + "large A against large B), averaged over sets"
    }

    public func columns(in results: DivergenceResults) -> [ReportColumn] {
        let note = "Each component is 0 when the variant is indistinguishable from the null and 1 when it is no closer to the large "
            + "model than chance: errors = 1 − κ(large probe A, variant probe B) / κ(large probe A, large probe B), over seeds; "
            + overlapNote(results) + "; adversarial = |difference of attack success rates| "
            + "(only when the attack ran; on a common item set, resampled paired over those items). The index is their mean, with a "
            + "95% percentile bootstrap over items (each component resampled over its own items); \"miniature\" when the upper end "
            + "is below \(ReportCell.compact(Self.threshold)). "
            + (results.variants.contains { $0[MiniatureIndexMetric.self]?.miniatureIndex.nulls != nil }
                ? "The 'nulls' column names the null each variant's overlap components were scaled to. " : "")
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
        ] + (results.variants.contains { $0[MiniatureIndexMetric.self]?.miniatureIndex.nulls != nil } ? [
            ReportColumn(Self.table, "nulls (representations; out-of-domain)", rightAligned: false) {
                $0[MiniatureIndexMetric.self]?.miniatureIndex.nulls.map { n in
                    [n["representations"], n["outOfDomain"]].map { $0 ?? "—" }.joined(separator: "; ")
                }
            },
        ] : [])
    }
}
