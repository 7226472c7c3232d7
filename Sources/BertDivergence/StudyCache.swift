import BertMetrics
import Foundation

/// Work that several metrics share within one study, done once: every model's test-set neighbour
/// lists and Deep-kNN's flags with half of its reference bank. Without it each metric recomputed
/// them for every variant, and the nulls (near copies, the large model's half banks) once more per
/// variant. The study measures its metrics one after another, so the cache takes no lock.
public final class StudyCache {
    /// Neighbour lists per run index at `neighbourDepth`; shorter k are their prefixes (the lists
    /// come nearest first in a total order, as `Representations.nearestNeighbors` returns them).
    private var neighbourLists: [Int: [[Int]]] = [:]
    private var halfFlags: [String: [[Int]]] = [:]
    /// Per-item Jaccards against the large model by "run/k": the near-copy nulls are read by three
    /// metrics for every variant.
    private var jaccards: [String: [Double]] = [:]
    private var halves: [Int]?

    /// The deepest k any metric asks for: the kNN curve's largest (100), or the study's k if larger.
    static func neighbourDepth(_ context: StudyContext) -> Int {
        Swift.min(Swift.max(NeighbourCurveMetric.ks.max()!, context.settings.neighbours), context.large.test.pooled.rows - 1)
    }

    public init() {}

    func neighbours(_ run: Int, in context: StudyContext) -> [[Int]] {
        if let known = neighbourLists[run] { return known }
        let lists = Representations.nearestNeighbors(context.runs[run].test.pooled, k: Self.neighbourDepth(context))
        neighbourLists[run] = lists
        return lists
    }

    func jaccards(_ run: Int, k: Int, in context: StudyContext) -> [Double] {
        let key = "\(run)/\(k)"
        if let known = jaccards[key] { return known }
        let values = zip(context.neighbours(0, k: k), context.neighbours(run, k: k)).map { SetOverlap.jaccard($0, $1) }
        jaccards[key] = values
        return values
    }

    func bankHalves(in context: StudyContext) -> [Int] {
        if let halves { return halves }
        let split = JaccardNulls.bankHalves(count: context.large.train.rows, seed: context.settings.splitSeed)
        halves = split
        return split
    }

    func flags(_ run: Int, half: Int, in context: StudyContext) -> [[Int]] {
        let key = "\(run)/\(half)"
        if let known = halfFlags[key] { return known }
        let model = context.runs[run]
        let flagged = JaccardNulls.flagged(bank: model.train, halves: context.bankHalves, half: half, test: model.test.pooled,
                                           outOfDomain: model.outOfDomain, k: context.settings.neighbours)
        halfFlags[key] = flagged
        return flagged
    }
}

extension StudyContext {
    /// Run `run`'s k nearest test neighbours of each test item (k capped at the pool size minus one).
    func neighbours(_ run: Int, k: Int) -> [[Int]] {
        let lists = cache.neighbours(run, in: self)
        return k >= StudyCache.neighbourDepth(self) ? lists : lists.map { Array($0.prefix(k)) }
    }

    /// Per test item, the Jaccard of its k neighbours in the large model's space and in run `run`'s.
    func neighbourJaccards(_ run: Int, k: Int) -> [Double] { cache.jaccards(run, k: k, in: self) }

    /// The expected kNN Jaccard of random neighbour sets at k (capped) among the test pool, and that k.
    func neighbourBaseline(k: Int) -> (k: Int, baseline: Double) {
        let pool = large.test.pooled.rows, kk = Swift.min(k, pool - 1)
        return (kk, SetOverlap.expectedRandomJaccard(sizeA: kk, sizeB: kk, universe: pool - 1))
    }

    /// The declared near copies (`StudyModel.Expectation.nearCopy`) among the variants.
    var nearCopies: [Int] { models.indices.dropFirst().filter { models[$0].expectation == .nearCopy } }

    /// The seeded split of the training bank into halves (0 = A, 1 = B), seed 0's split.
    var bankHalves: [Int] { cache.bankHalves(in: self) }

    /// Whether the bank splits into two non-empty halves (so the out-of-domain nulls exist).
    var hasBankHalves: Bool { let h = bankHalves; return h.contains(0) && h.contains(1) }

    /// Per out-of-domain set, the items Deep-kNN flags for run `run` with bank half `half` alone.
    func halfBankFlags(_ run: Int, half: Int) -> [[Int]] { cache.flags(run, half: half, in: self) }
}
