import Foundation

/// Items that change correctness between a reference (large) model and a variant
/// (Dutta et al. 2024): equal accuracy can hide many flips in both directions.
public struct Flips: Sendable, Codable, Equatable {
    public let itemCount: Int
    /// Reference right, variant wrong.
    public let correctToWrong: Int
    /// Reference wrong, variant right.
    public let wrongToCorrect: Int
    /// correctToWrong / itemCount.
    public let correctToWrongRate: Double
    /// wrongToCorrect / itemCount.
    public let wrongToCorrectRate: Double
    /// (correctToWrong + wrongToCorrect) / itemCount: Dutta et al.'s "flips" percentage.
    public let flipRate: Double

    /// Counts and their rates (stored, so that a JSON report carries them).
    public init(itemCount: Int, correctToWrong: Int, wrongToCorrect: Int) {
        self.itemCount = itemCount
        self.correctToWrong = correctToWrong
        self.wrongToCorrect = wrongToCorrect
        let n = Double(itemCount)
        correctToWrongRate = Double(correctToWrong) / n
        wrongToCorrectRate = Double(wrongToCorrect) / n
        flipRate = Double(correctToWrong + wrongToCorrect) / n
    }
}

/// McNemar's test that two classifiers have the same error rate on the same items.
///
/// Only discordant items carry information: b = reference right & variant wrong,
/// c = reference wrong & variant right. Under the null each discordant item is a fair coin.
/// - b + c == 0: nothing to test; statistic 0, p = 1.
/// - b + c < 25: exact binomial test, statistic = min(b, c),
///   p = min(1, 2 · Σ_{i=0}^{min(b,c)} C(b+c, i) / 2^(b+c))
///   (equals scipy.stats.binomtest(min(b,c), b+c, 0.5).pvalue and statsmodels' mcnemar(exact=True)).
/// - otherwise: chi-square with Edwards' continuity correction, statistic = (|b - c| - 1)^2 / (b + c),
///   p = P(χ²₁ > statistic) = erfc(sqrt(statistic / 2)) (statsmodels' mcnemar(exact=False,
///   correction=True) and R's mcnemar.test; note that b == c gives 1/(b+c), not 0, there too).
/// 25 is the usual cut-off (statsmodels' documentation, Agresti) below which the chi-square
/// approximation is poor.
public struct McNemarTest: Sendable, Codable, Equatable {
    public enum Method: String, Sendable, Codable { case exactBinomial, chiSquareContinuityCorrected }
    public let b: Int
    public let c: Int
    public let statistic: Double
    public let pValue: Double
    public let method: Method

    /// Discordant counts below this use the exact test.
    public static let exactBelow = 25

    /// Test from the discordant counts.
    public init(b: Int, c: Int) {
        precondition(b >= 0 && c >= 0, "counts must be non-negative")
        self.b = b
        self.c = c
        let n = b + c
        if n < Self.exactBelow {
            method = .exactBinomial
            let k = Swift.min(b, c)
            statistic = Double(k)
            // Exact sum of C(n, i) for n < 25 fits a Double without rounding (C(24,12) ~ 2.7e6).
            var tail = 0.0
            var binomial = 1.0
            for i in 0...k {
                if i > 0 { binomial = binomial * Double(n - i + 1) / Double(i) }
                tail += binomial
            }
            pValue = n == 0 ? 1 : Swift.min(1, 2 * tail / pow(2, Double(n)))
        } else {
            method = .chiSquareContinuityCorrected
            let d = Double(abs(b - c)) - 1
            statistic = d * d / Double(n)
            pValue = erfc((statistic / 2).squareRoot())
        }
    }
}

/// Accuracy, agreement, flips, error-set overlap and McNemar's test on paired predictions.
public enum PredictionErrors {
    /// Share of predictions equal to the labels.
    public static func accuracy(predictions: [Int], labels: [Int]) -> Double {
        agreement(predictions, labels)
    }

    /// Share of items on which two prediction vectors agree (label loyalty, Xu et al. 2021).
    public static func agreement(_ a: [Int], _ b: [Int]) -> Double {
        precondition(a.count == b.count, "prediction vectors differ in length")
        precondition(!a.isEmpty, "no items")
        var same = 0
        for i in a.indices where a[i] == b[i] { same += 1 }
        return Double(same) / Double(a.count)
    }

    /// Indices of misclassified items, ascending.
    public static func misclassified(predictions: [Int], labels: [Int]) -> [Int] {
        precondition(predictions.count == labels.count, "predictions and labels differ in length")
        return predictions.indices.filter { predictions[$0] != labels[$0] }
    }

    /// Correctness flips from `reference` to `variant`.
    public static func flips(reference: [Int], variant: [Int], labels: [Int]) -> Flips {
        let (b, c) = discordant(reference: reference, variant: variant, labels: labels)
        return Flips(itemCount: labels.count, correctToWrong: b, wrongToCorrect: c)
    }

    /// Jaccard of the two models' misclassified sets (Rai et al.'s "prediction errors").
    public static func errorJaccard(reference: [Int], variant: [Int], labels: [Int]) -> Double {
        SetOverlap.jaccard(misclassified(predictions: reference, labels: labels),
                           misclassified(predictions: variant, labels: labels))
    }

    /// McNemar's test on paired predictions of the same items.
    public static func mcNemar(reference: [Int], variant: [Int], labels: [Int]) -> McNemarTest {
        let (b, c) = discordant(reference: reference, variant: variant, labels: labels)
        return McNemarTest(b: b, c: c)
    }

    /// (reference right & variant wrong, reference wrong & variant right).
    static func discordant(reference: [Int], variant: [Int], labels: [Int]) -> (Int, Int) {
        precondition(reference.count == labels.count && variant.count == labels.count,
                     "prediction vectors and labels differ in length")
        precondition(!labels.isEmpty, "no items")
        var b = 0, c = 0
        for i in labels.indices {
            let r = reference[i] == labels[i], v = variant[i] == labels[i]
            if r && !v { b += 1 } else if !r && v { c += 1 }
        }
        return (b, c)
    }
}
