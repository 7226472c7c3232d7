import BertMetrics
import Support
import Testing

private struct PercentileFixture: Decodable {
    struct Case: Decodable {
        let values: [Double]
        let q: [Double]
        let percentiles: [Double]
        let mean: Double
        let std: Double
        let stdSample: Double?
    }
    let cases: [Case]
}

private struct BaselinePRNGFixture: Decodable {
    struct Baseline: Decodable { let a: Int; let b: Int; let n: Int; let expected: Double }
    struct Stream: Decodable { let seed: UInt64; let outputs: [String] }
    let jaccardBaseline: [Baseline]
    let splitMix64: Stream
}

@Suite struct StatisticsTests {
    @Test func percentilesMatchNumpy() throws {
        let f: PercentileFixture = try fixture("percentiles")
        for c in f.cases {
            let ours = SampleStatistics.percentiles(c.values, c.q)
            for (o, e) in zip(ours, c.percentiles) { #expect(close(o, e, 1e-14), "\(o) vs numpy \(e)") }
            #expect(close(SampleStatistics.mean(c.values), c.mean, 1e-14))
            #expect(close(SampleStatistics.standardDeviation(c.values), c.std, 1e-13))
            if let s = c.stdSample {
                #expect(close(SampleStatistics.standardDeviation(c.values, ddof: 1), s, 1e-13))
            }
        }
    }

    @Test func summaryFieldsAreThePercentiles() {
        let values = (1...101).map(Double.init).reversed().map { $0 }
        let s = DistributionSummary(values)
        #expect(s.count == 101 && s.min == 1 && s.max == 101 && s.median == 51)
        #expect(s.p90 == 91 && s.p99 == 100 && s.mean == 51)
        #expect(DistributionSummary([]).mean.isNaN)
    }

    @Test func splitMix64MatchesTheReferenceStream() throws {
        let f: BaselinePRNGFixture = try fixture("baseline_prng")
        var random = SeededRandom(seed: f.splitMix64.seed)
        for expected in f.splitMix64.outputs { #expect(random.next() == UInt64(expected)!) }
    }

    @Test func boundedIndicesAreUniformAndInRange() {
        var random = SeededRandom(seed: 7)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[random.nextIndex(below: 7)] += 1 }
        // Each bucket expects 10 000 with sd ~93; 5 sd is a deterministic, never-flaky bound here.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 470 })
    }
}

@Suite struct BootstrapTests {
    private func predictions(n: Int, accuracy: Double, seed: UInt64) -> ([Int], [Int]) {
        var random = SeededRandom(seed: seed)
        let labels = (0..<n).map { _ in random.nextIndex(below: 2) }
        let predicted = labels.map { random.nextUnitInterval() < accuracy ? $0 : 1 - $0 }
        return (predicted, labels)
    }

    @Test func intervalContainsEstimateAndNarrowsWithN() {
        var widths = [Double]()
        for n in [100, 1000, 10_000] {
            let (p, l) = predictions(n: n, accuracy: 0.8, seed: UInt64(n))
            let ci = Bootstrap.accuracyInterval(predictions: p, labels: l)
            #expect(ci.estimate == PredictionErrors.accuracy(predictions: p, labels: l))
            #expect(ci.lower <= ci.estimate && ci.estimate <= ci.upper)
            #expect(ci.resamples == Bootstrap.defaultResamples)
            // Normal approximation: width ~ 2 * 1.96 * sqrt(0.16 / n); allow 25% either way.
            let expected = 2 * 1.96 * (0.8 * 0.2 / Double(n)).squareRoot()
            #expect(abs((ci.upper - ci.lower) / expected - 1) < 0.25, "n=\(n) width \(ci.upper - ci.lower)")
            widths.append(ci.upper - ci.lower)
        }
        #expect(widths[0] > widths[1] && widths[1] > widths[2])
    }

    @Test func deterministicForASeed() {
        let (p, l) = predictions(n: 500, accuracy: 0.7, seed: 3)
        let a = Bootstrap.accuracyInterval(predictions: p, labels: l, resamples: 200, seed: 11)
        let b = Bootstrap.accuracyInterval(predictions: p, labels: l, resamples: 200, seed: 11)
        let c = Bootstrap.accuracyInterval(predictions: p, labels: l, resamples: 200, seed: 12)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func pairedStatisticResamplesBothModelsTogether() {
        // Two identical prediction vectors agree on every resample: the interval is exactly [1, 1].
        let (p, _) = predictions(n: 300, accuracy: 0.7, seed: 5)
        let ci = Bootstrap.percentileInterval(itemCount: p.count, resamples: 100) { idx in
            PredictionErrors.agreement(idx.map { p[$0] }, idx.map { p[$0] })
        }
        #expect(ci.lower == 1 && ci.upper == 1 && ci.estimate == 1)
    }
}
