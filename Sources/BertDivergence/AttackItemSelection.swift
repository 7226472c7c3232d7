import BertMetrics
import Foundation
import Support

/// Which items the attack uses, and which of them count for transfer: pure functions, so the
/// rules are tested on hand-made cases.
public enum AttackItemSelection {
    /// The items of `candidates` (indices among the labelled items) that every model classifies
    /// correctly (`correct[model][item]`), in a seeded random order, and the first `count` of them:
    /// the same items for every model. Fewer when fewer qualify.
    public static func common(candidates: [Int], correct: [[Bool]], count: Int, seed: UInt64) -> (qualified: Int, chosen: [Int]) {
        var qualified = candidates.filter { i in correct.allSatisfy { $0[i] } }
        var random = SeededRandom(seed: seed)
        qualified.shuffle(using: &random)
        return (qualified.count, Array(qualified.prefix(max(0, count))))
    }

    /// A target model's accuracy on a source model's adversarial texts, counted only over items
    /// the target classified correctly on the clean text (`cleanCorrect[item]`): an item it already
    /// got wrong says nothing about whether the attack transferred. NaN when no item counts.
    public static func transferAccuracy(predictions: [Int], labels: [Int], items: [Int], cleanCorrect: [Bool]) -> Double {
        let counted = items.indices.filter { cleanCorrect.indices.contains(items[$0]) && cleanCorrect[items[$0]] }
        guard !counted.isEmpty else { return .nan }
        return Double(counted.filter { predictions[$0] == labels[$0] }.count) / Double(counted.count)
    }
}
