/// Corrections for testing many hypotheses in one report.
public enum MultipleTesting {
    /// Holm's step-down adjusted p-values (Holm 1979; statsmodels' multipletests(method="holm")):
    /// sort ascending, p_(i) · (m − i + 1), running maximum, capped at 1; returned in input order.
    /// Rejecting where the adjusted p < α controls the family-wise error rate at α.
    public static func holm(_ p: [Double]) -> [Double] {
        let m = p.count
        let order = p.indices.sorted { (p[$0], $0) < (p[$1], $1) }
        var adjusted = [Double](repeating: 0, count: m)
        var running = 0.0
        for (rank, i) in order.enumerated() {
            running = Swift.max(running, Swift.min(1, p[i] * Double(m - rank)))
            adjusted[i] = running
        }
        return adjusted
    }
}
