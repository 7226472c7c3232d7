import Foundation
import Support

/// One cross-fitting of a linear probe: every item predicted by a probe that never saw it.
public struct CrossFit: Sendable {
    /// Fold of each item (0..<folds).
    public let folds: [Int]
    /// P(label 1) per item, from the probe fitted on the other folds.
    public let probabilities: [Double]
    /// The probe of each fold (fitted on every item outside it).
    public let heads: [LogisticRegression]

    /// Predicted labels (probability >= 0.5 counts as 1, as the study always did).
    public var predictions: [Int] { probabilities.map { $0 >= 0.5 ? 1 : 0 } }
}

/// The regularisation chosen by cross-validation, with the held-out log-loss of every candidate.
public struct RegularisationChoice: Sendable, Codable, Equatable {
    /// The chosen C (sklearn's inverse regularisation strength).
    public let c: Double
    /// The candidates tried, ascending.
    public let grid: [Double]
    /// Mean held-out log-loss per candidate (pooled over the inner folds' items).
    public let logLoss: [Double]
}

/// K-fold cross-fitting of the L2 logistic-regression probe, and the choice of its C.
///
/// Why cross-fitting: a single train/test split predicts only its test share; with k folds every
/// item is predicted once by a probe fitted without it, so all the data both trains and tests.
public enum CrossFitting {
    /// The fold of each of `itemCount` items: a seeded shuffle dealt round robin, so fold sizes
    /// differ by at most one and the assignment is a function of (itemCount, folds, seed) alone.
    public static func folds(itemCount: Int, folds: Int, seed: UInt64) -> [Int] {
        precondition(folds >= 2 && itemCount >= folds, "need at least 2 folds and one item per fold")
        var order = Array(0..<itemCount)
        var rng = SeededRandom(seed: seed)
        order.shuffle(using: &rng)
        var fold = [Int](repeating: 0, count: itemCount)
        for (position, item) in order.enumerated() { fold[item] = position % folds }
        return fold
    }

    /// Cross-fitted probabilities: for each fold, a probe fitted on the items outside it that
    /// `include` admits (all by default) predicts the items inside it.
    public static func fit(_ features: EmbeddingMatrix, labels: [Int], folds: [Int], c: Double,
                           include: (Int) -> Bool = { _ in true }) throws -> CrossFit {
        precondition(features.rows == labels.count && folds.count == labels.count, "features, labels and folds differ in length")
        let k = (folds.max() ?? 0) + 1
        var probabilities = [Double](repeating: .nan, count: labels.count)
        var heads: [LogisticRegression] = []
        for f in 0..<k {
            let training = labels.indices.filter { folds[$0] != f && include($0) }
            let head = try LogisticRegression.fit(features.subset(training), labels: training.map { labels[$0] },
                                                  options: .init(c: c))
            let held = labels.indices.filter { folds[$0] == f }
            for (i, p) in zip(held, head.predictProbability(features.subset(held))) { probabilities[i] = p }
            heads.append(head)
        }
        return CrossFit(folds: folds, probabilities: probabilities, heads: heads)
    }

    /// Applies each fold's head to the items of its fold in `features` (another model's embeddings
    /// of the same items): the large model's probe as deployed on a variant, still cross-fitted.
    public static func apply(_ fit: CrossFit, to features: EmbeddingMatrix) -> [Int] {
        var predictions = [Int](repeating: 0, count: fit.folds.count)
        for (f, head) in fit.heads.enumerated() {
            let held = fit.folds.indices.filter { fit.folds[$0] == f }
            for (i, p) in zip(held, head.predict(features.subset(held))) { predictions[i] = p }
        }
        return predictions
    }

    /// Chooses C from `grid` by cross-validation on the training folds of fold `heldOut` only:
    /// each other fold in turn is validated by a probe fitted on the remaining ones, so the items
    /// of `heldOut` never inform the choice. The criterion is the pooled held-out log-loss (smoother
    /// than accuracy); a tie goes to the smaller C, the stronger regularisation.
    public static func chooseRegularisation(_ features: EmbeddingMatrix, labels: [Int], folds: [Int], heldOut: Int = 0,
                                            grid: [Double]) throws -> RegularisationChoice {
        precondition(!grid.isEmpty, "an empty grid of C")
        let sorted = grid.sorted()
        let k = (folds.max() ?? 0) + 1
        var losses: [Double] = []
        for c in sorted {
            var total = 0.0, count = 0
            for g in 0..<k where g != heldOut {
                let training = labels.indices.filter { folds[$0] != heldOut && folds[$0] != g }
                let head = try LogisticRegression.fit(features.subset(training), labels: training.map { labels[$0] }, options: .init(c: c))
                let validation = labels.indices.filter { folds[$0] == g }
                for (i, z) in zip(validation, head.decisionFunction(features.subset(validation))) {
                    total += softplus(z) - Double(labels[i]) * z       // -log P(true label)
                    count += 1
                }
            }
            losses.append(total / Double(count))
        }
        let best = losses.indices.min { losses[$0] < losses[$1] || (losses[$0] == losses[$1] && $0 < $1) }!
        return RegularisationChoice(c: sorted[best], grid: sorted, logLoss: losses)
    }
}

extension EmbeddingMatrix {
    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> EmbeddingMatrix {
        var out = [Float]()
        out.reserveCapacity(indices.count * columns)
        for i in indices { out.append(contentsOf: self[i]) }
        return EmbeddingMatrix(rows: indices.count, columns: columns, values: out)
    }

    /// Every row scaled to unit L2 norm (all-zero rows stay zero): the probe's features, so that
    /// one C means the same regularisation for every model whatever its embedding scale.
    public func rowsNormalised() -> EmbeddingMatrix {
        var out = values
        for r in 0..<rows {
            var norm2 = 0.0
            for c in 0..<columns { let x = Double(values[r * columns + c]); norm2 += x * x }
            guard norm2 > 0 else { continue }
            let scale = 1 / norm2.squareRoot()
            for c in 0..<columns { out[r * columns + c] = Float(Double(values[r * columns + c]) * scale) }
        }
        return EmbeddingMatrix(rows: rows, columns: columns, values: out)
    }

    /// The rows of `self` followed by those of `other` (same width).
    public func appending(_ other: EmbeddingMatrix) -> EmbeddingMatrix {
        precondition(columns == other.columns, "appended rows differ in width")
        return EmbeddingMatrix(rows: rows + other.rows, columns: columns, values: values + other.values)
    }
}
