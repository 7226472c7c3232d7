import Foundation

/// Jaccard index of sets and its expectation under chance, the yardstick for every overlap
/// Rai et al. report (error sets, neighbour sets, OOD flags).
public enum SetOverlap {
    /// |A ∩ B| / |A ∪ B|; two empty sets count as identical (1), since neither model flagged
    /// anything and they agree completely.
    public static func jaccard<T: Hashable>(_ a: Set<T>, _ b: Set<T>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        let intersection = a.count <= b.count ? a.filter(b.contains).count : b.filter(a.contains).count
        return Double(intersection) / Double(a.count + b.count - intersection)
    }

    /// Jaccard of two index lists taken as sets (repeats ignored).
    public static func jaccard(_ a: [Int], _ b: [Int]) -> Double {
        jaccard(Set(a), Set(b))
    }

    /// Expected Jaccard of two independent uniformly random subsets of sizes a and b of a universe
    /// of n items, so an observed overlap can be read against chance.
    ///
    /// The intersection size X is hypergeometric: fix A, draw B's b items without replacement from
    /// n of which a are in A, so P(X = x) = C(a, x) C(n - a, b - x) / C(n, b) for
    /// max(0, a + b - n) <= x <= min(a, b), and since |A ∪ B| = a + b - X,
    ///     E[J] = Σ_x P(X = x) · x / (a + b - x).
    /// Plugging E[X] = ab/n into the ratio would understate it: x / (a + b - x) is convex, so by
    /// Jensen E[X / (a + b - X)] >= E[X] / (a + b - E[X]).
    /// Probabilities go through log-gamma, so n in the tens of thousands is fine. Two empty
    /// subsets give 1, matching `jaccard`.
    public static func expectedRandomJaccard(sizeA a: Int, sizeB b: Int, universe n: Int) -> Double {
        precondition(n >= 0 && a >= 0 && b >= 0 && a <= n && b <= n, "subset sizes must lie in 0...n")
        if a == 0 && b == 0 { return 1 }
        let logDenominator = logChoose(n, b)
        var expectation = 0.0
        for x in Swift.max(0, a + b - n)...Swift.min(a, b) {
            let logP = logChoose(a, x) + logChoose(n - a, b - x) - logDenominator
            expectation += exp(logP) * Double(x) / Double(a + b - x)
        }
        return expectation
    }

    /// log C(n, k) via lgamma.
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }
}
