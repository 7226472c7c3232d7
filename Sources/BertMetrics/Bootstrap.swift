import Support

/// A point estimate with its bootstrap percentile interval.
public struct BootstrapInterval: Sendable, Codable, Equatable {
    /// The statistic on the original items.
    public let estimate: Double
    /// Lower end: the (1 - confidence)/2 percentile of the resampled statistics.
    public let lower: Double
    /// Upper end: the (1 + confidence)/2 percentile of the resampled statistics.
    public let upper: Double
    public let confidence: Double
    public let resamples: Int
    public let seed: UInt64

    /// An interval computed elsewhere (a statistic combining several resampled components).
    public init(estimate: Double, lower: Double, upper: Double, confidence: Double, resamples: Int, seed: UInt64) {
        (self.estimate, self.lower, self.upper, self.confidence, self.resamples, self.seed) = (estimate, lower, upper, confidence, resamples, seed)
    }
}

/// Percentile bootstrap (Efron & Tibshirani 1993, ch. 13), deterministic for a seed.
///
/// Each resample draws n item indices uniformly with replacement from `SeededRandom(seed)`
/// (SplitMix64, Lemire bounded integers), resample after resample, index after index; the interval
/// ends are numpy-linear percentiles of the B resampled statistics. The statistic receives the
/// index array, so paired statistics (agreement of two models, accuracy differences) resample the
/// same items for both models, as they must.
public enum Bootstrap {
    /// B = 1000 resamples: enough for stable 95% percentile ends (Efron & Tibshirani suggest
    /// 1000-2000 for intervals).
    public static let defaultResamples = 1000
    /// The seed used when none is given, so two runs of a report agree.
    public static let defaultSeed: UInt64 = 20_240_717

    /// Interval for `statistic` over `itemCount` items; `statistic` maps item indices (with
    /// repeats) to a value.
    public static func percentileInterval(itemCount: Int,
                                          resamples: Int = defaultResamples,
                                          confidence: Double = 0.95,
                                          seed: UInt64 = defaultSeed,
                                          statistic: ([Int]) -> Double) -> BootstrapInterval {
        precondition(itemCount > 0, "bootstrap needs at least one item")
        precondition(resamples > 0, "bootstrap needs at least one resample")
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
        let estimate = statistic(Array(0..<itemCount))
        var random = SeededRandom(seed: seed)
        var indices = [Int](repeating: 0, count: itemCount)
        var replicates = [Double]()
        replicates.reserveCapacity(resamples)
        for _ in 0..<resamples {
            for i in 0..<itemCount { indices[i] = random.nextIndex(below: itemCount) }
            replicates.append(statistic(indices))
        }
        let tail = 100 * (1 - confidence) / 2
        let ends = SampleStatistics.percentiles(replicates, [tail, 100 - tail])
        return BootstrapInterval(estimate: estimate, lower: ends[0], upper: ends[1],
                                 confidence: confidence, resamples: resamples, seed: seed)
    }

    /// Interval for accuracy (share of predictions equal to labels).
    public static func accuracyInterval(predictions: [Int], labels: [Int],
                                        resamples: Int = defaultResamples,
                                        confidence: Double = 0.95,
                                        seed: UInt64 = defaultSeed) -> BootstrapInterval {
        precondition(predictions.count == labels.count, "predictions and labels differ in length")
        let correct = zip(predictions, labels).map { $0 == $1 ? 1.0 : 0.0 }
        return percentileInterval(itemCount: correct.count, resamples: resamples,
                                  confidence: confidence, seed: seed) { indices in
            var sum = 0.0
            for i in indices { sum += correct[i] }
            return sum / Double(indices.count)
        }
    }
}
