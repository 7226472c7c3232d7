import BertMetrics
import Foundation
import Testing

private struct DivergenceFixture: Decodable {
    struct Pair: Decodable { let p: [Double]; let q: [Double]; let kl: Double; let js: Double }
    struct Summary: Decodable {
        let mean: Double, std: Double, median: Double, p90: Double, p99: Double, max: Double, min: Double
    }
    let pairs: [Pair]
    let klSummary: Summary
}

@Suite struct OutputDivergenceTests {
    @Test func klAndJensenShannonMatchScipy() throws {
        let f: DivergenceFixture = try fixture("divergence")
        for pair in f.pairs {
            #expect(close(OutputDivergence.kl(pair.p, pair.q), pair.kl, 1e-13), "KL \(pair.p) \(pair.q)")
            #expect(close(OutputDivergence.jensenShannon(pair.p, pair.q), pair.js, 1e-13), "JS \(pair.p) \(pair.q)")
        }
        let report = OutputDivergence.compare(reference: f.pairs.map(\.p), variant: f.pairs.map(\.q))
        let s = f.klSummary
        #expect(close(report.kl.mean, s.mean, 1e-13) && close(report.kl.standardDeviation, s.std, 1e-12))
        #expect(close(report.kl.median, s.median, 1e-13) && close(report.kl.p90, s.p90, 1e-13))
        #expect(close(report.kl.p99, s.p99, 1e-13) && report.kl.max == s.max && report.kl.min == s.min)
    }

    @Test func identicalDistributionsDivergeByZero() {
        let p = [0.1, 0.0, 0.6, 0.3]
        #expect(OutputDivergence.kl(p, p) == 0)
        #expect(OutputDivergence.jensenShannon(p, p) == 0)
        let report = OutputDivergence.compare(reference: [p, p], variant: [p, p])
        #expect(report.sameTop1 == 1 && report.kl.max == 0)
    }

    @Test func zeroInVariantIsClampedNotInfinite() {
        let p = [0.5, 0.5], q = [1.0, 0.0]
        let kl = OutputDivergence.kl(p, q)
        // 0.5 ln(0.5 / 1) + 0.5 ln(0.5 / 1e-12)
        #expect(close(kl, 0.5 * log(0.5) + 0.5 * log(0.5 / 1e-12), 1e-14))
        #expect(kl.isFinite)
        // JS is bounded by ln 2 and reaches it for disjoint supports.
        #expect(close(OutputDivergence.jensenShannon([1, 0], [0, 1]), log(2), 1e-15))
    }

    @Test func sameTop1BreaksTiesTowardTheLowerClass() {
        #expect(OutputDivergence.top1([0.4, 0.4, 0.2]) == 0)
        let report = OutputDivergence.compare(reference: [[0.4, 0.4, 0.2], [0.1, 0.9, 0.0]],
                                              variant: [[0.3, 0.3, 0.4], [0.2, 0.8, 0.0]])
        #expect(report.sameTop1 == 0.5)
        #expect(report.klPerItem.count == 2 && report.jsPerItem.count == 2)
    }
}
