/// Pruning Identified Exemplars (Hooker et al. 2019, arXiv 1911.05248).
///
/// Hooker et al. train a population of models per compression level and call an item a PIE when
/// the most frequent (modal) label of the compressed population differs from that of the
/// uncompressed one: a disagreement that survives the training noise within each population.
/// A "population" here is any set of prediction vectors for the same items (independently trained
/// heads, seeds, bootstrap heads); with one model per side PIEs reduce to disagreements.
public enum PrunedIdentifiedExemplars {
    /// The modal label per item over a population (`population[model][item]`). Ties go to the
    /// lower label, which is scipy.stats.mode's rule, so the result never depends on model order.
    public static func modalLabels(_ population: [[Int]]) -> [Int] {
        precondition(!population.isEmpty, "a population needs at least one model")
        let items = population[0].count
        precondition(population.allSatisfy { $0.count == items }, "models predict different item counts")
        var counts: [Int: Int] = [:]
        return (0..<items).map { item in
            counts.removeAll(keepingCapacity: true)
            for model in population { counts[model[item], default: 0] += 1 }
            // Highest count, then lowest label: a total order, so the dictionary's order is irrelevant.
            return counts.min { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }!.key
        }
    }

    /// PIEs between a reference (uncompressed) population and a variant population; with labels,
    /// the modal-label accuracy of both populations on PIEs and on the other items.
    public static func analyse(reference: [[Int]], variant: [[Int]], labels: [Int]? = nil) -> PIEReport {
        let r = modalLabels(reference), v = modalLabels(variant)
        precondition(r.count == v.count, "populations cover different item counts")
        if let labels { precondition(labels.count == r.count, "labels cover a different item count") }
        let pies = r.indices.filter { r[$0] != v[$0] }
        var accuracy: PIEReport.Accuracy?
        if let labels {
            let isPIE = Set(pies)
            let rest = r.indices.filter { !isPIE.contains($0) }
            func share(_ modal: [Int], _ items: [Int]) -> Double {
                items.isEmpty ? .nan : Double(items.filter { modal[$0] == labels[$0] }.count) / Double(items.count)
            }
            accuracy = PIEReport.Accuracy(referenceOnPIEs: share(r, pies), variantOnPIEs: share(v, pies),
                                          referenceOnOthers: share(r, rest), variantOnOthers: share(v, rest))
        }
        return PIEReport(indices: pies, itemCount: r.count, count: pies.count,
                         share: r.isEmpty ? .nan : Double(pies.count) / Double(r.count),
                         referenceModal: r, variantModal: v, accuracy: accuracy)
    }
}

/// Which items are PIEs and how both populations fare on them.
public struct PIEReport: Sendable, Codable, Equatable {
    /// Modal-label accuracy on PIEs and on non-PIEs (NaN for an empty subset). Hooker et al.'s
    /// finding is that both populations do worse on PIEs.
    public struct Accuracy: Sendable, Codable, Equatable {
        public let referenceOnPIEs: Double
        public let variantOnPIEs: Double
        public let referenceOnOthers: Double
        public let variantOnOthers: Double
    }
    /// PIE item indices, ascending.
    public let indices: [Int]
    public let itemCount: Int
    /// Number of PIEs.
    public let count: Int
    /// count / itemCount.
    public let share: Double
    public let referenceModal: [Int]
    public let variantModal: [Int]
    /// Present when labels were given.
    public let accuracy: Accuracy?
}
