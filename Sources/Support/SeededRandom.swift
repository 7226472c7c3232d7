import Foundation

/// The project's one random generator: SplitMix64 (Steele, Lea & Flood 2014; constants from
/// Vigna's reference `splitmix64.c`).
///
/// Everything seeded in BertBench (synthetic weights, data splits, bootstrap resamples, test
/// data) draws from this type, with its own bounded-integer and normal rules, so that a result
/// is a function of (data, seed) alone: the standard library's generators and its
/// `random(in:)` algorithm are free to change between Swift releases, this is not.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The generator's whole state; two generators with equal state produce equal streams.
    public private(set) var state: UInt64

    /// A stream determined by `seed` (any value, zero included).
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in 0..<bound by Lemire's multiply-and-reject method (unbiased; at most a
    /// few draws for any bound).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let s = UInt64(bound)
        var m = next().multipliedFullWidth(by: s)
        if m.low < s {
            let threshold = (0 &- s) % s
            while m.low < threshold { m = next().multipliedFullWidth(by: s) }
        }
        return Int(m.high)
    }

    /// Uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// `count` draws from normal(0, standardDeviation) by Box-Muller, two per pair of draws
    /// (the synthetic checkpoints' weights depend on this exact order).
    public mutating func normals(_ count: Int, standardDeviation: Float) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(count + 1)
        while out.count < count {
            let u1 = Double(next() >> 11) * 0x1.0p-53 + 0x1.0p-54, u2 = Double(next() >> 11) * 0x1.0p-53
            let r = (-2 * log(u1)).squareRoot()
            out.append(Float(r * cos(2 * .pi * u2)) * standardDeviation)
            out.append(Float(r * sin(2 * .pi * u2)) * standardDeviation)
        }
        return Array(out.prefix(count))
    }
}
