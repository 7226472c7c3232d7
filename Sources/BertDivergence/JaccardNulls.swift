import BertMetrics
import Foundation

/// The nulls of the study's two Jaccards over item sets, beside their random baselines (which
/// only say what unrelated sets of the same sizes would give, far too weak a reference).
///
/// - **Out-of-domain flags** (Deep-kNN): the detector has a fitted part, its reference bank (the
///   training embeddings), so the null is the one the probe's agreement has: the large model's
///   flagged set with the bank's half A against its flagged set with the disjoint half B (the
///   threshold recalibrated on the test set each time, as the study does). Its like-for-like
///   comparison is the large model's half-A flags against the variant's half-B flags: an
///   indistinguishable variant gives the null's value exactly; the full-bank Jaccard is higher
///   than both, because each half-bank detector is noisier.
/// - **kNN neighbour sets**: nothing is fitted, and the large model's embeddings are deterministic,
///   so the large model against itself is 1 exactly, and no split of the pool gives two neighbour
///   sets of the same items to compare (disjoint halves share no neighbours). The null is
///   therefore the large model against a *declared near copy* (`StudyModel.Expectation.nearCopy`,
///   `--near-copy`: its int8 form), a change that should not matter: the best near copy other than
///   the variant itself, so that no near copy is its own null; none when the study declares none.
enum JaccardNulls {
    /// The seeded split of the training bank into halves (0 = A, 1 = B).
    static func bankHalves(count: Int, seed: UInt64) -> [Int] {
        CrossFitting.folds(itemCount: count, folds: 2, seed: seed ^ 0x00D_B4A4_C0DE)
    }

    /// Per out-of-domain set, the items Deep-kNN flags with the bank rows of half `half` alone,
    /// its threshold set on `test` (95% of test items accepted).
    static func flagged(bank: EmbeddingMatrix, halves: [Int], half: Int, test: EmbeddingMatrix,
                        outOfDomain: [EmbeddingMatrix], k: Int) -> [[Int]] {
        let detector = DeepNearestNeighbors(training: bank.subset(halves.indices.filter { halves[$0] == half }), k: k)
        let cut = DeepNearestNeighbors.threshold(validationScores: detector.scores(test))
        return outOfDomain.map { set in
            let flags = DeepNearestNeighbors.flags(scores: detector.scores(set), threshold: cut)
            return flags.indices.filter { flags[$0] }
        }
    }

    /// The best kNN Jaccard among the near copies (indices into `perItem`) other than `variant`:
    /// its index and per-item Jaccards; nil without one.
    static func nearCopyNull(variant: Int, nearCopies: [Int], perItem: (Int) -> [Double]) -> (index: Int, perItem: [Double])? {
        nearCopies.filter { $0 != variant }.map { ($0, perItem($0)) }
            .max { SampleStatistics.mean($0.1) < SampleStatistics.mean($1.1) }
    }

    /// Percentile bootstrap of the mean of per-item values over query items (default seed, 95%).
    static func meanInterval(_ perItem: [Double], resamples: Int) -> BootstrapInterval {
        Bootstrap.percentileInterval(itemCount: perItem.count, resamples: resamples) { items in
            items.reduce(0.0) { $0 + perItem[$1] } / Double(items.count)
        }
    }
}
