import Foundation

/// Mean, standard deviation and percentiles of Double samples, defined exactly as numpy's defaults.
///
/// Every summary in a report goes through here, so "p90" means the same thing in every table and
/// can be recomputed with `numpy.percentile(x, 90)` from the per-item values.
public enum SampleStatistics {
    /// Arithmetic mean; NaN for an empty sample.
    public static func mean(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        var sum = 0.0
        for v in x { sum += v }
        return sum / Double(x.count)
    }

    /// Standard deviation with `ddof` delta degrees of freedom (0 = numpy's default, population;
    /// 1 = sample); NaN when count <= ddof.
    public static func standardDeviation(_ x: [Double], ddof: Int = 0) -> Double {
        guard x.count > ddof else { return .nan }
        let m = mean(x)
        var ss = 0.0
        for v in x { ss += (v - m) * (v - m) }
        return (ss / Double(x.count - ddof)).squareRoot()
    }

    /// The q-th percentile (q in 0...100) with linear interpolation between order statistics:
    /// numpy.percentile's default method ("linear", Hyndman & Fan type 7). NaN for an empty sample.
    public static func percentile(_ x: [Double], _ q: Double) -> Double {
        percentiles(x, [q])[0]
    }

    /// Several percentiles from one sort.
    public static func percentiles(_ x: [Double], _ qs: [Double]) -> [Double] {
        let sorted = x.sorted()
        return qs.map { percentile(sorted: sorted, $0) }
    }

    /// Percentile of an already ascending sample.
    static func percentile(sorted s: [Double], _ q: Double) -> Double {
        precondition(q >= 0 && q <= 100, "percentile \(q) outside 0...100")
        guard !s.isEmpty else { return .nan }
        // Same operation order as numpy: position (q/100)(n-1), then its _lerp, which interpolates
        // from the nearer end so that results stay monotone and hit the data points exactly.
        let position = (q / 100) * Double(s.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, s.count - 1)
        let t = position - Double(lower)
        let a = s[lower], b = s[upper]
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }
}

/// Count, mean, standard deviation (ddof 0) and the percentiles a divergence table shows.
public struct DistributionSummary: Sendable, Codable, Equatable {
    public let count: Int
    public let mean: Double
    public let standardDeviation: Double
    public let min: Double
    public let median: Double
    public let p90: Double
    public let p99: Double
    public let max: Double

    /// Summarises `values` (NaN fields when empty).
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = values.count
        mean = SampleStatistics.mean(values)
        standardDeviation = SampleStatistics.standardDeviation(values)
        min = sorted.first ?? .nan
        median = SampleStatistics.percentile(sorted: sorted, 50)
        p90 = SampleStatistics.percentile(sorted: sorted, 90)
        p99 = SampleStatistics.percentile(sorted: sorted, 99)
        max = sorted.last ?? .nan
    }
}
