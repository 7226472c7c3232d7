import Support

/// Percentile intervals from half-samples drawn without replacement (the delete-n/2 jackknife of
/// Shao & Wu 1989; "half-sampling" after McCarthy 1969), for statistics that a bootstrap biases.
///
/// Why not the bootstrap: a bootstrap resample repeats items, and for a U-statistic that leaves out
/// the diagonal (debiased CKA's unbiased HSIC), a repeated item puts a diagonal Gram entry (an
/// item with itself) off the diagonal. A resample of n items has about n such pairs, as many as
/// the diagonal the estimator was built to drop, so bootstrap replicates land near the *biased*
/// estimator: in a NumPy check (n = 300, 200 dimensions) debiased CKA 0.805, biased 0.824,
/// bootstrap replicates centred at 0.826 with a 95% interval [0.815, 0.835] that misses the
/// estimate. Half-samples have no repeats, so each replicate is the same unbiased estimator on
/// n/2 items; for a statistic that is a mean of n items, Var(half-sample − full) = σ²/(n/2) − σ²/n
/// = σ²/n, the full sample's own variance, so the replicates' percentiles are the interval as the
/// bootstrap's are. For CKA, with higher-order terms, the interval is somewhat conservative (same
/// check, fresh samples: sampling SD 0.0042, half-sample SD 0.0058).
public enum HalfSampling {
    /// Intervals of each component of `statistic` (one value per figure, from the same item
    /// subsets, so figures of one resample are paired), over `resamples` random subsets of ⌊n/2⌋
    /// distinct items drawn from `SeededRandom(seed)` (a partial Fisher-Yates shuffle per resample).
    /// `statistic` receives ascending item indices; on all items it gives the estimates.
    public static func percentileIntervals(itemCount: Int,
                                           resamples: Int = Bootstrap.defaultResamples,
                                           confidence: Double = 0.95,
                                           seed: UInt64 = Bootstrap.defaultSeed,
                                           statistic: ([Int]) -> [Double]) -> [BootstrapInterval] {
        precondition(itemCount >= 2, "half-sampling needs at least two items")
        precondition(resamples > 0, "half-sampling needs at least one resample")
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
        let estimates = statistic(Array(0..<itemCount))
        var random = SeededRandom(seed: seed)
        var order = Array(0..<itemCount)
        let half = itemCount / 2
        var replicates = [[Double]](repeating: [], count: estimates.count)
        for _ in 0..<resamples {
            for i in 0..<half { order.swapAt(i, i + random.nextIndex(below: itemCount - i)) }
            let values = statistic(order.prefix(half).sorted())
            precondition(values.count == estimates.count, "the statistic must give the same number of figures on every subset")
            for (f, v) in values.enumerated() { replicates[f].append(v) }
        }
        let tail = 100 * (1 - confidence) / 2
        return zip(estimates, replicates).map { estimate, values in
            // A figure undefined on some subsets (a constant side): its interval from the defined ones.
            let defined = values.filter { !$0.isNaN }
            let ends = defined.isEmpty ? [Double.nan, .nan] : SampleStatistics.percentiles(defined, [tail, 100 - tail])
            return BootstrapInterval(estimate: estimate, lower: ends[0], upper: ends[1], confidence: confidence,
                                     resamples: resamples, seed: seed)
        }
    }
}
