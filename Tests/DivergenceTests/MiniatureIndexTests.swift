import BertDivergence
import BertMetrics
import Testing

/// The miniature index's components against hand computation on small fixtures.
@Suite struct MiniatureIndexComponents {
    /// κ(A, large B) = 3/4 and κ(A, variant B) = 1/4 by hand, so the variant loses 2/3 of the null's kappa.
    @Test func errorComponentIsTheNullsKappaLost() {
        let a = [1, 1, 0, 0, 1, 0, 1, 0], b = [1, 1, 0, 0, 1, 0, 0, 0], v = [1, 0, 0, 1, 1, 0, 1, 1]
        let all = Array(0..<8)
        #expect(abs(ChanceAgreement.cohensKappa(a, b) - 0.75) < 1e-12 && abs(ChanceAgreement.cohensKappa(a, v) - 0.25) < 1e-12)
        #expect(abs(MiniatureIndexMetric.errorComponent(largeA: a, largeB: b, variantB: v, items: all) - 2.0 / 3) < 1e-12)
        // The large model's own B probe: nothing lost; a variant beyond the null still 0 (clamped).
        #expect(MiniatureIndexMetric.errorComponent(largeA: a, largeB: b, variantB: b, items: all) == 0)
        #expect(MiniatureIndexMetric.errorComponent(largeA: a, largeB: b, variantB: a, items: all) == 0)
        // Labels that disagree with A on every item: kappa below 0, clamped to 1.
        #expect(MiniatureIndexMetric.errorComponent(largeA: a, largeB: b, variantB: a.map { 1 - $0 }, items: all) == 1)
        // Resampled items count with their repeats: the same value as on the items written out.
        let items = [0, 0, 1, 2, 3, 4, 5, 6, 7]
        let expanded = items.map { a[$0] }, expandedB = items.map { b[$0] }, expandedV = items.map { v[$0] }
        let direct = 1 - ChanceAgreement.cohensKappa(expanded, expandedV) / ChanceAgreement.cohensKappa(expanded, expandedB)
        #expect(abs(MiniatureIndexMetric.errorComponent(largeA: a, largeB: b, variantB: v, items: items) - direct) < 1e-12)
    }

    @Test func overlapComponentsScaleBetweenFullOverlapAndChance() {
        #expect(abs(MiniatureIndexMetric.overlapComponent(jaccard: 0.6, randomBaseline: 0.2) - 0.5) < 1e-12)
        #expect(MiniatureIndexMetric.overlapComponent(jaccard: 1, randomBaseline: 0.2) == 0)
        #expect(MiniatureIndexMetric.overlapComponent(jaccard: 0.1, randomBaseline: 0.2) == 1)
        // Flagged {0,1,2} and {0,1,3} of 6: Jaccard 2/4; random sets of 3 and 3 among 6 give
        // E[J] = 9/20·1/5 + 9/20·2/4 + 1/20·1 = 0.365 (hypergeometric), so (1 − 0.5)/(1 − 0.365).
        let large = [true, true, true, false, false, false], variant = [true, true, false, true, false, false]
        let ood = MiniatureIndexMetric.outOfDomainComponent(flaggedLarge: large, flaggedVariant: variant, items: Array(0..<6))
        #expect(abs(ood - 0.5 / 0.635) < 1e-9)
        #expect(MiniatureIndexMetric.outOfDomainComponent(flaggedLarge: large, flaggedVariant: large, items: Array(0..<6)) == 0)
        // Neither flags anything: the same (empty) set, 0.
        let none = [Bool](repeating: false, count: 6)
        #expect(MiniatureIndexMetric.outOfDomainComponent(flaggedLarge: none, flaggedVariant: none, items: Array(0..<6)) == 0)
    }

    /// Against a null: the share of the null's above-chance overlap lost, by hand.
    @Test func overlapComponentsScaleToTheirNulls() {
        // J 0.5, chance 0.2, null 0.8: (0.5 − 0.2) / (0.8 − 0.2) = 0.5 kept, so 0.5 lost.
        #expect(abs(MiniatureIndexMetric.overlapComponent(jaccard: 0.5, randomBaseline: 0.2, null: 0.8) - 0.5) < 1e-12)
        // As high as the null, or higher: 0; a null at chance: undefined, not a division by ~0.
        #expect(MiniatureIndexMetric.overlapComponent(jaccard: 0.8, randomBaseline: 0.2, null: 0.8) == 0)
        #expect(MiniatureIndexMetric.overlapComponent(jaccard: 0.9, randomBaseline: 0.2, null: 0.8) == 0)
        #expect(MiniatureIndexMetric.overlapComponent(jaccard: 0.3, randomBaseline: 0.2, null: 0.2).isNaN)
        // The identity null reproduces the old scale.
        #expect(abs(MiniatureIndexMetric.overlapComponent(jaccard: 0.6, randomBaseline: 0.2, null: 1)
                    - MiniatureIndexMetric.overlapComponent(jaccard: 0.6, randomBaseline: 0.2)) < 1e-15)

        // Half banks over 6 items. Large A flags {0,1,2}, large B {0,1,3}: J_n = 2/4, chance 0.365.
        // Variant B {0,4,5}: J_x = 1/5 with the same sizes, so the same chance 0.365: below chance, 1.
        let largeA = [true, true, true, false, false, false], largeB = [true, true, false, true, false, false]
        let variantFar = [true, false, false, false, true, true]
        let all = Array(0..<6)
        #expect(MiniatureIndexMetric.outOfDomainComponent(largeA: largeA, largeB: largeB, variantB: variantFar, items: all) == 1)
        // Variant B {0,2,3}: J_x = 2/4 as the null's: 0 lost, though its flags differ from large B's.
        let variantLikeNull = [true, false, true, true, false, false]
        #expect(MiniatureIndexMetric.outOfDomainComponent(largeA: largeA, largeB: largeB, variantB: variantLikeNull, items: all) == 0)
        // Variant B {0,1,2,3}: J_x = 3/4 with chance 0.423 for sizes 3 and 4 among 6 (P(X = 1, 2, 3) =
        // 3/15, 9/15, 3/15), so more above chance than the null: 0 (clamped).
        let variantWide = [true, true, true, true, false, false]
        #expect(MiniatureIndexMetric.outOfDomainComponent(largeA: largeA, largeB: largeB, variantB: variantWide, items: all) == 0)
        // A mixed case over 12 items: large A flags 0-3, large B 0-2 and 4 (J_n = 3/5), variant B 0, 1, 5, 6 (J_x = 2/6).
        var a = [Bool](repeating: false, count: 12), b = a, v = a
        for i in [0, 1, 2, 3] { a[i] = true }
        for i in [0, 1, 2, 4] { b[i] = true }
        for i in [0, 1, 5, 6] { v[i] = true }
        let twelve = Array(0..<12)
        let chance = SetOverlap.expectedRandomJaccard(sizeA: 4, sizeB: 4, universe: 12)
        let expected = 1 - (2.0 / 6 - chance) / (3.0 / 5 - chance)
        #expect(abs(MiniatureIndexMetric.outOfDomainComponent(largeA: a, largeB: b, variantB: v, items: twelve) - expected) < 1e-12)
        #expect(expected > 0 && expected < 1)
        // Identical bank-B flags: 0 outright; a null at chance: undefined.
        #expect(MiniatureIndexMetric.outOfDomainComponent(largeA: a, largeB: b, variantB: b, items: twelve) == 0)
        var far = [Bool](repeating: false, count: 12)
        for i in [8, 9, 10, 11] { far[i] = true }
        #expect(MiniatureIndexMetric.outOfDomainComponent(largeA: a, largeB: far, variantB: v, items: twelve).isNaN)
    }

    @Test func theVerdictNeedsTheWholeIntervalOnOneSideOfTheThreshold() {
        func interval(_ lower: Double, _ upper: Double) -> BootstrapInterval {
            BootstrapInterval(estimate: (lower + upper) / 2, lower: lower, upper: upper, confidence: 0.95, resamples: 10, seed: 0)
        }
        #expect(MiniatureIndexMetric.threshold == 0.1)
        #expect(MiniatureIndexMetric.verdict(interval(0, 0.09)) == "miniature")
        #expect(MiniatureIndexMetric.verdict(interval(0.05, 0.15)) == "undecided")
        #expect(MiniatureIndexMetric.verdict(interval(0.1, 0.3)) == "not a miniature")
        #expect(MiniatureIndexMetric.verdict(interval(.nan, .nan)) == "undecided")
    }
}
