import Histogram

/// Percentiles and moments of a set of latencies, in milliseconds. Percentiles come from an
/// HdrHistogram of nanoseconds at 3 significant digits (values within 0.1% are one bucket);
/// mean, standard deviation, min and max are exact.
public struct LatencySummary: Codable, Sendable, Equatable {
    public let count: Int
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let mean: Double
    /// Sample standard deviation (n - 1).
    public let standardDeviation: Double
    public let min: Double
    public let max: Double

    public init(milliseconds samples: [Double]) {
        precondition(!samples.isEmpty, "no samples")
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        for sample in samples { _ = histogram.record(UInt64((sample * 1e6).rounded())) }
        func percentile(_ p: Double) -> Double { Double(histogram.valueAtPercentile(p)) / 1e6 }
        count = samples.count
        p50 = percentile(50)
        p90 = percentile(90)
        p99 = percentile(99)
        let m = samples.reduce(0, +) / Double(samples.count)
        mean = m
        standardDeviation = samples.count > 1
            ? (samples.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(samples.count - 1)).squareRoot() : 0
        min = samples.min()!
        max = samples.max()!
    }
}
