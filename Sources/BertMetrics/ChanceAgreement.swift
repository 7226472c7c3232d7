/// Agreement corrected for chance: Cohen's kappa (Cohen 1960), the baseline raw agreement and
/// error-set overlap lack, since two models that both say "positive" 90% of the time agree on
/// 82% of items by chance alone.
public enum ChanceAgreement {
    /// κ = (p_o − p_e) / (1 − p_e): p_o the observed agreement, p_e the agreement expected from the
    /// two label distributions (sklearn's cohen_kappa_score, unweighted). NaN when p_e = 1 (both
    /// raters constant and equal: chance explains everything, kappa is undefined).
    public static func cohensKappa(_ a: [Int], _ b: [Int]) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "kappa needs two equally long, non-empty label vectors")
        var countsA: [Int: Int] = [:], countsB: [Int: Int] = [:]
        var same = 0
        for i in a.indices {
            countsA[a[i], default: 0] += 1
            countsB[b[i], default: 0] += 1
            if a[i] == b[i] { same += 1 }
        }
        let n = Double(a.count)
        let observed = Double(same) / n
        var expected = 0.0
        for (label, ca) in countsA { expected += Double(ca) / n * Double(countsB[label] ?? 0) / n }
        return expected == 1 ? .nan : (observed - expected) / (1 - expected)
    }

    /// Kappa of the two models' error indicators (wrong = 1): chance-corrected error overlap.
    public static func errorKappa(reference: [Int], variant: [Int], labels: [Int]) -> Double {
        precondition(reference.count == labels.count && variant.count == labels.count, "predictions and labels differ in length")
        return cohensKappa(labels.indices.map { reference[$0] != labels[$0] ? 1 : 0 },
                           labels.indices.map { variant[$0] != labels[$0] ? 1 : 0 })
    }
}
