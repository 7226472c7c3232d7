import BertMetrics
import Support
import Testing

private struct McNemarFixture: Decodable {
    struct Case: Decodable { let b: Int; let c: Int; let statistic: Double; let pValue: Double; let method: String }
    let cases: [Case]
}

private struct BaselineFixture: Decodable {
    struct Baseline: Decodable { let a: Int; let b: Int; let n: Int; let expected: Double }
    let jaccardBaseline: [Baseline]
}

@Suite struct PredictionErrorTests {
    // Item:         0  1  2  3  4  5  6  7
    let labels    = [0, 1, 1, 0, 1, 0, 1, 0]
    let reference = [0, 1, 1, 0, 0, 1, 1, 0]   // wrong on 4, 5
    let variant   = [0, 0, 1, 1, 1, 1, 1, 0]   // wrong on 1, 3, 5

    @Test func accuracyAgreementFlips() {
        #expect(PredictionErrors.accuracy(predictions: reference, labels: labels) == 6.0 / 8)
        #expect(PredictionErrors.accuracy(predictions: variant, labels: labels) == 5.0 / 8)
        #expect(PredictionErrors.agreement(reference, variant) == 5.0 / 8)   // items 0, 2, 5, 6, 7
        let flips = PredictionErrors.flips(reference: reference, variant: variant, labels: labels)
        #expect(flips.correctToWrong == 2)   // items 1, 3
        #expect(flips.wrongToCorrect == 1)   // item 4
        #expect(flips.correctToWrongRate == 0.25 && flips.wrongToCorrectRate == 0.125)
        #expect(flips.flipRate == 0.375)
        #expect(PredictionErrors.misclassified(predictions: variant, labels: labels) == [1, 3, 5])
        // Error sets {4, 5} and {1, 3, 5}: one shared of four.
        #expect(PredictionErrors.errorJaccard(reference: reference, variant: variant, labels: labels) == 0.25)
        let test = PredictionErrors.mcNemar(reference: reference, variant: variant, labels: labels)
        #expect(test.b == 2 && test.c == 1 && test.method == .exactBinomial)
    }

    @Test func jaccardOfIndexSets() {
        #expect(SetOverlap.jaccard([1, 2, 3], [2, 3, 4, 4]) == 0.5)
        #expect(SetOverlap.jaccard([], [1]) == 0)
        #expect(SetOverlap.jaccard([Int](), []) == 1)
        #expect(SetOverlap.jaccard(Set(["a", "b"]), Set(["b"])) == 0.5)
    }

    @Test func mcNemarMatchesScipy() throws {
        let f: McNemarFixture = try fixture("mcnemar")
        for c in f.cases {
            let t = McNemarTest(b: c.b, c: c.c)
            #expect(t.method.rawValue == c.method, "b=\(c.b) c=\(c.c)")
            #expect(close(t.statistic, c.statistic, 1e-14), "b=\(c.b) c=\(c.c)")
            #expect(abs(t.pValue - c.pValue) <= 1e-12 * max(c.pValue, 1e-300) + 1e-15,
                    "b=\(c.b) c=\(c.c): p \(t.pValue) vs scipy \(c.pValue)")
        }
    }

    @Test func mcNemarTextbookCase() {
        // b = 10, c = 2: p = 2 * (C(12,0) + C(12,1) + C(12,2)) / 2^12 = 2 * 79 / 4096.
        let t = McNemarTest(b: 10, c: 2)
        #expect(t.statistic == 2)
        #expect(t.pValue == 158.0 / 4096)
        // b = 30, c = 10: chi-square (|20| - 1)^2 / 40 = 9.025.
        let u = McNemarTest(b: 30, c: 10)
        #expect(u.method == .chiSquareContinuityCorrected && u.statistic == 9.025)
    }

    @Test func randomBaselineMatchesHypergeometric() throws {
        let f: BaselineFixture = try fixture("baseline_prng")
        for c in f.jaccardBaseline {
            let e = SetOverlap.expectedRandomJaccard(sizeA: c.a, sizeB: c.b, universe: c.n)
            #expect(close(e, c.expected, 1e-11), "a=\(c.a) b=\(c.b) n=\(c.n): \(e) vs \(c.expected)")
        }
    }

    @Test func randomBaselineMatchesMonteCarlo() {
        var random = SeededRandom(seed: 99)
        for (a, b, n) in [(10, 10, 99), (30, 5, 60), (40, 45, 50)] {
            let trials = 20_000
            var sum = 0.0
            var universe = Array(0..<n)
            func sample(_ size: Int) -> Set<Int> {
                // Partial Fisher-Yates: the first `size` entries become a uniform subset.
                for i in 0..<size { universe.swapAt(i, i + random.nextIndex(below: n - i)) }
                return Set(universe.prefix(size))
            }
            for _ in 0..<trials { sum += SetOverlap.jaccard(sample(a), sample(b)) }
            let estimate = sum / Double(trials)
            let exact = SetOverlap.expectedRandomJaccard(sizeA: a, sizeB: b, universe: n)
            // Standard error of the estimate is below 0.002 for these sizes.
            #expect(abs(estimate - exact) < 0.006, "a=\(a) b=\(b) n=\(n): \(estimate) vs \(exact)")
        }
    }
}
