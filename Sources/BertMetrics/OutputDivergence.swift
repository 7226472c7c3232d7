import Foundation

/// Per-item KL and Jensen-Shannon divergences between two models' output distributions, with
/// summaries, and how often their top-1 classes agree (what llama.cpp's KLD report shows).
public struct OutputDivergenceReport: Sendable, Codable, Equatable {
    /// KL(reference || variant) per item, nats.
    public let klPerItem: [Double]
    /// JS(reference, variant) per item, nats (the divergence, not its square root).
    public let jsPerItem: [Double]
    public let kl: DistributionSummary
    public let js: DistributionSummary
    /// Share of items whose argmax class is the same in both.
    public let sameTop1: Double
}

/// KL and Jensen-Shannon divergences of discrete distributions, natural log.
///
/// Inputs are probability vectors (softmax outputs); nothing is renormalised, so the numbers are
/// those of the vectors given. A term with p_i = 0 contributes 0 (the limit of x log x, as in
/// scipy.special.rel_entr). q_i is clamped from below to `epsilon` (default 1e-12) inside KL, so a
/// class the variant rounds to exactly 0 while the reference gives it mass yields a large finite
/// value (p_i · ln(p_i / 1e-12) <= 27.7 nats per unit of p mass) instead of infinity, which would
/// wipe out every mean it enters. Jensen-Shannon needs no clamp: its mixture m = (p + q)/2 is
/// positive wherever p or q is.
public enum OutputDivergence {
    /// Lower clamp for q inside KL.
    public static let defaultEpsilon = 1e-12

    /// KL(p || q) = Σ p_i ln(p_i / max(q_i, epsilon)).
    public static func kl(_ p: [Double], _ q: [Double], epsilon: Double = defaultEpsilon) -> Double {
        precondition(p.count == q.count, "distributions differ in length")
        var sum = 0.0
        for i in p.indices where p[i] > 0 {
            sum += p[i] * log(p[i] / Swift.max(q[i], epsilon))
        }
        return sum
    }

    /// JS(p, q) = ½ KL(p || m) + ½ KL(q || m), m = (p + q)/2; in [0, ln 2]. Equal to
    /// scipy.spatial.distance.jensenshannon(p, q)**2 for normalised inputs.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "distributions differ in length")
        var sum = 0.0
        for i in p.indices {
            let m = (p[i] + q[i]) / 2
            if p[i] > 0 { sum += p[i] * log(p[i] / m) }
            if q[i] > 0 { sum += q[i] * log(q[i] / m) }
        }
        return Swift.max(0, sum / 2)
    }

    /// Index of the largest probability; ties go to the lower index (numpy.argmax's rule).
    public static func top1(_ p: [Double]) -> Int {
        precondition(!p.isEmpty, "empty distribution")
        var best = 0
        for i in p.indices.dropFirst() where p[i] > p[best] { best = i }
        return best
    }

    /// Compares two models item by item; row i of each is that model's distribution for item i.
    public static func compare(reference: [[Double]], variant: [[Double]],
                               epsilon: Double = defaultEpsilon) -> OutputDivergenceReport {
        precondition(reference.count == variant.count, "different numbers of items")
        precondition(!reference.isEmpty, "no items")
        var klItems = [Double](), jsItems = [Double]()
        klItems.reserveCapacity(reference.count)
        jsItems.reserveCapacity(reference.count)
        var same = 0
        for (p, q) in zip(reference, variant) {
            klItems.append(kl(p, q, epsilon: epsilon))
            jsItems.append(jensenShannon(p, q))
            if top1(p) == top1(q) { same += 1 }
        }
        return OutputDivergenceReport(klPerItem: klItems, jsPerItem: jsItems,
                                      kl: DistributionSummary(klItems), js: DistributionSummary(jsItems),
                                      sameTop1: Double(same) / Double(reference.count))
    }
}
