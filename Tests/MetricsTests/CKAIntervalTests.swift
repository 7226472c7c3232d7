import BertMetrics
import Foundation
import Support
import Testing

/// Debiased CKA's half-sampling interval against NumPy (scripts/make_cka_interval_reference.py,
/// Fixtures/cka_interval_reference.json) and its properties on synthetic data.
@Suite struct DebiasedCKAInterval {
    struct Reference: Decodable {
        let rows: Int, columns: Int
        let large: [Double], variant: [Double]
        let resamples: Int, seed: UInt64, confidence: Double
        let firstSubset: [Int], firstReplicate: Double
        let estimate: Double, lower: Double, upper: Double
    }

    /// Two spaces sharing a `shared`-dimensional signal under independent noise: CKA well inside (0, 1).
    static func pair(rows: Int, seed: UInt64, columns: Int = 12, noise: Double = 0.8) -> (EmbeddingMatrix, EmbeddingMatrix) {
        let signal = randomMatrix(rows: rows, columns: 3, seed: seed)
        func space(_ s: UInt64) -> EmbeddingMatrix {
            let mixed = multiply(signal, gaussians(3 * columns, seed: s), columns: columns)
            let z = gaussians(rows * columns, seed: s &+ 1)
            return EmbeddingMatrix(rows: rows, columns: columns, values: mixed.values.enumerated().map { $1 + Float(noise * z[$0]) })
        }
        return (space(seed &+ 10), space(seed &+ 20))
    }

    static func interval(_ x: EmbeddingMatrix, _ y: EmbeddingMatrix, resamples: Int = 200, seed: UInt64 = Bootstrap.defaultSeed)
        -> BootstrapInterval {
        let (k, l) = (UnbiasedGram(x), UnbiasedGram(y))
        return HalfSampling.percentileIntervals(itemCount: x.rows, resamples: resamples, seed: seed) { items in
            [Representations.debiasedCKA(k.restricted(to: items), l.restricted(to: items))]
        }[0]
    }

    @Test func intervalMatchesHalfSamplesRecomputedInNumpy() throws {
        let r: Reference = try fixture("cka_interval_reference")
        let x = matrix(r.large, rows: r.rows, columns: r.columns), y = matrix(r.variant, rows: r.rows, columns: r.columns)
        var subsets: [[Int]] = []
        let (k, l) = (UnbiasedGram(x), UnbiasedGram(y))
        let i = HalfSampling.percentileIntervals(itemCount: r.rows, resamples: r.resamples, confidence: r.confidence, seed: r.seed) { items in
            subsets.append(items)
            return [Representations.debiasedCKA(k.restricted(to: items), l.restricted(to: items))]
        }[0]
        #expect(subsets[1] == r.firstSubset)          // subsets[0] is all items: the estimate
        #expect(close(i.estimate, r.estimate, 1e-9) && close(i.lower, r.lower, 1e-9) && close(i.upper, r.upper, 1e-9),
                "\(i) against \(r.estimate) [\(r.lower), \(r.upper)]")
    }

    /// Restricting the full Gram gives the Gram of the subset's rows recentred on the subset.
    @Test func restrictedGramEqualsTheSubsetsOwnGram() {
        let (x, y) = Self.pair(rows: 50, seed: 3)
        let items = [0, 3, 4, 9, 10, 11, 20, 31, 32, 48]
        let restricted = Representations.debiasedCKA(UnbiasedGram(x).restricted(to: items), UnbiasedGram(y).restricted(to: items))
        #expect(close(restricted, Representations.debiasedCKA(x.subset(items), y.subset(items)), 1e-9))
        #expect(close(Representations.unbiasedHSIC(UnbiasedGram(x).restricted(to: items), UnbiasedGram(y).restricted(to: items)),
                      Representations.unbiasedHSIC(UnbiasedGram(x.subset(items)), UnbiasedGram(y.subset(items))), 1e-9))
    }

    @Test func intervalContainsTheEstimateAndShrinksWithMoreItems() {
        let (x, y) = Self.pair(rows: 60, seed: 5), (bx, by) = Self.pair(rows: 240, seed: 5)
        let small = Self.interval(x, y), large = Self.interval(bx, by)
        for i in [small, large] { #expect(i.lower <= i.estimate && i.estimate <= i.upper, "\(i)") }
        #expect(large.upper - large.lower < 0.75 * (small.upper - small.lower), "\(small) against \(large)")
    }

    @Test func intervalIsDeterministicForASeed() {
        let (x, y) = Self.pair(rows: 40, seed: 9)
        #expect(Self.interval(x, y, seed: 1) == Self.interval(x, y, seed: 1))
        #expect(Self.interval(x, y, seed: 1) != Self.interval(x, y, seed: 2))
    }

    /// Why not the bootstrap: resamples with repeated items put Gram diagonals off the diagonal,
    /// and the replicates drift from the debiased estimate towards the biased estimator (many
    /// dimensions for the items, as with 384-dimensional embeddings of a few hundred items);
    /// half-samples stay centred on the estimate.
    @Test func bootstrapReplicatesArePulledTowardsTheBiasedEstimator() {
        let (x, y) = Self.pair(rows: 100, seed: 13, columns: 60, noise: 3)
        let estimate = Representations.debiasedCKA(x, y), biased = Representations.linearCKA(x, y)
        #expect(biased > estimate + 0.05, "biased \(biased), debiased \(estimate)")
        var boot: [Double] = [], half: [Double] = []
        _ = Bootstrap.percentileInterval(itemCount: 100, resamples: 60) { items in
            let v = Representations.debiasedCKA(x.subset(items), y.subset(items))
            boot.append(v)
            return v
        }
        let (k, l) = (UnbiasedGram(x), UnbiasedGram(y))
        _ = HalfSampling.percentileIntervals(itemCount: 100, resamples: 60) { items in
            let v = Representations.debiasedCKA(k.restricted(to: items), l.restricted(to: items))
            half.append(v)
            return [v]
        }
        let bootShift = SampleStatistics.mean(boot) - estimate, halfShift = SampleStatistics.mean(half) - estimate
        #expect(bootShift > 0.3 * (biased - estimate) && abs(halfShift) < 0.5 * bootShift,
                "estimate \(estimate), biased \(biased), bootstrap mean shift \(bootShift), half-sample \(halfShift)")
    }
}
