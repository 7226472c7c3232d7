import Foundation

/// A bucketed relative-position bias (MPNet, after T5): for query i and key j, head h's score gets
/// table[bucket(j - i), h]. One table serves every layer; the buckets split by direction, exact for
/// short distances, logarithmic up to `maxDistance`, and the last bucket beyond it.
public struct HostRelativeBias: Sendable, Equatable {
    /// [buckets, heads], row-major, as the checkpoint stores it.
    public var table: [Float]
    /// Buckets over both directions (MPNet: 32, 16 per direction).
    public let buckets: Int
    /// Attention heads, one bias column each.
    public let heads: Int
    /// Distances at or past this share each direction's last bucket (MPNet: 128).
    public let maxDistance: Int

    /// A bias from its table [buckets, heads]; `buckets` must be a multiple of 4.
    public init(table: [Float], buckets: Int, heads: Int, maxDistance: Int) {
        precondition(table.count == buckets * heads && buckets >= 4 && buckets % 4 == 0 && maxDistance > buckets / 4)
        self.table = table
        self.buckets = buckets
        self.heads = heads
        self.maxDistance = maxDistance
    }

    /// Hugging Face's MPNetAttention.relative_position_bucket for `relative` = key - query, its
    /// arithmetic kept (float32 logarithm, truncation toward zero) so bucket edges agree with it.
    public static func bucket(relative: Int, buckets: Int, maxDistance: Int) -> Int {
        let half = buckets / 2, maxExact = half / 2
        let n = -relative
        let direction = n < 0 ? half : 0
        let distance = abs(n)
        if distance < maxExact { return direction + distance }
        let ratio = Float(distance) / Float(maxExact)
        let scaled = logf(ratio) / Float(log(Double(maxDistance) / Double(maxExact))) * Float(half - maxExact)
        return direction + min(maxExact + Int(scaled), half - 1)
    }

    /// The bias of every relative distance for sequences of `length` tokens: [heads, 2·length − 1],
    /// entry (h, j − i + length − 1) for query i and key j (what the attention kernels read).
    public func perDistance(length: Int) -> [Float] {
        precondition(length > 0)
        let span = 2 * length - 1
        var out = [Float](repeating: 0, count: heads * span)
        for offset in 0..<span {
            let b = Self.bucket(relative: offset - (length - 1), buckets: buckets, maxDistance: maxDistance)
            for h in 0..<heads { out[h * span + offset] = table[b * heads + h] }
        }
        return out
    }
}
