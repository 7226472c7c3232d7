import BertMetrics
import Foundation
import Testing

/// The study's probe and comparison statistics against scikit-learn and NumPy
/// (scripts/make_probe_reference.py, Fixtures/probe_reference.json).
@Suite struct ProbeReference {
    struct Reference: Decodable {
        let rows: Int, columns: Int
        let large: [Double], variant: [Double]
        let labels: [Int], folds: [Int], halves: [Int]
        let grid: [Double], logLoss: [Double], chosenC: Double
        let largeProbabilities: [Double], variantProbabilities: [Double]
        let agreeing: Int, nullDisagreeing: Int, crossDisagreeing: Int, onlyVariantDisagrees: Int, onlyNullDisagrees: Int
        let kappa: Double, errorKappa: Double, debiasedCKA: Double
    }

    let r: Reference
    let x: EmbeddingMatrix, y: EmbeddingMatrix

    init() throws {
        r = try fixture("probe_reference")
        x = matrix(r.large, rows: r.rows, columns: r.columns)
        y = matrix(r.variant, rows: r.rows, columns: r.columns)
    }

    @Test func chosenRegularisationMatchesCrossValidationInScikitLearn() throws {
        let choice = try CrossFitting.chooseRegularisation(x.rowsNormalised(), labels: r.labels, folds: r.folds, grid: r.grid)
        #expect(choice.c == r.chosenC)
        for (ours, theirs) in zip(choice.logLoss, r.logLoss) { #expect(close(ours, theirs, 1e-5), "log-loss \(ours) vs \(theirs)") }
    }

    @Test func crossFittedProbabilitiesMatchScikitLearn() throws {
        for (features, expected) in [(x, r.largeProbabilities), (y, r.variantProbabilities)] {
            let fit = try CrossFitting.fit(features.rowsNormalised(), labels: r.labels, folds: r.folds, c: r.chosenC)
            let worst = zip(fit.probabilities, expected).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "largest probability difference \(worst)")
        }
    }

    @Test func agreementNullAndKappaCountsMatch() throws {
        let (xn, yn) = (x.rowsNormalised(), y.rowsNormalised())
        let large = try CrossFitting.fit(xn, labels: r.labels, folds: r.folds, c: r.chosenC).predictions
        let variant = try CrossFitting.fit(yn, labels: r.labels, folds: r.folds, c: r.chosenC).predictions
        #expect(zip(large, variant).filter { $0 == $1 }.count == r.agreeing)
        let largeA = try CrossFitting.fit(xn, labels: r.labels, folds: r.folds, c: r.chosenC) { r.halves[$0] == 0 }.predictions
        let largeB = try CrossFitting.fit(xn, labels: r.labels, folds: r.folds, c: r.chosenC) { r.halves[$0] == 1 }.predictions
        let variantB = try CrossFitting.fit(yn, labels: r.labels, folds: r.folds, c: r.chosenC) { r.halves[$0] == 1 }.predictions
        let null = largeA.indices.map { largeA[$0] != largeB[$0] }, cross = largeA.indices.map { largeA[$0] != variantB[$0] }
        #expect(null.filter { $0 }.count == r.nullDisagreeing)
        #expect(cross.filter { $0 }.count == r.crossDisagreeing)
        #expect(null.indices.filter { cross[$0] && !null[$0] }.count == r.onlyVariantDisagrees)
        #expect(null.indices.filter { null[$0] && !cross[$0] }.count == r.onlyNullDisagrees)
        #expect(close(ChanceAgreement.cohensKappa(large, variant), r.kappa, 1e-12))
        #expect(close(ChanceAgreement.errorKappa(reference: large, variant: variant, labels: r.labels), r.errorKappa, 1e-12))
    }

    @Test func debiasedCKAMatchesKornblithInNumpy() {
        #expect(close(Representations.debiasedCKA(x, y), r.debiasedCKA, 1e-9))
        #expect(close(Representations.debiasedCKA(x, x), 1, 1e-12))
    }
}

/// The partitions, the chance correction's edge cases and Holm's correction.
@Suite struct CrossFittingAndCorrections {
    @Test func foldsAreBalancedDeterministicAndSeedDependent() {
        let a = CrossFitting.folds(itemCount: 103, folds: 5, seed: 7)
        #expect(a == CrossFitting.folds(itemCount: 103, folds: 5, seed: 7))
        #expect(a != CrossFitting.folds(itemCount: 103, folds: 5, seed: 8))
        let sizes = (0..<5).map { f in a.filter { $0 == f }.count }
        #expect(sizes.max()! - sizes.min()! <= 1 && sizes.reduce(0, +) == 103)
    }

    @Test func everyItemIsPredictedOnceByAProbeThatDidNotSeeIt() throws {
        let features = randomMatrix(rows: 60, columns: 4, seed: 3)
        let labels = (0..<60).map { Double(features.values[$0 * 4]) > 0 ? 1 : 0 }
        let folds = CrossFitting.folds(itemCount: 60, folds: 3, seed: 1)
        let fit = try CrossFitting.fit(features, labels: labels, folds: folds, c: 1)
        #expect(fit.probabilities.allSatisfy { !$0.isNaN } && fit.heads.count == 3)
        // An item's probability comes from its own fold's head, fitted without it.
        for i in [0, 17, 59] {
            let own = fit.heads[folds[i]].predictProbability(features.subset([i]))[0]
            #expect(own == fit.probabilities[i])
        }
    }

    @Test func kappaIsZeroForIndependentAndUndefinedForConstantRaters() {
        #expect(ChanceAgreement.cohensKappa([0, 0, 1, 1], [0, 1, 0, 1]) == 0)
        #expect(ChanceAgreement.cohensKappa([1, 1, 1], [1, 1, 1]).isNaN)
        #expect(ChanceAgreement.cohensKappa([0, 1, 0, 1], [1, 0, 1, 0]) == -1)
    }

    /// The kNN curve takes each smaller k's neighbours as a prefix of the largest k's list.
    @Test func nearestNeighboursOfSmallerKArePrefixes() {
        let x = randomMatrix(rows: 80, columns: 6, seed: 11)
        let wide = Representations.nearestNeighbors(x, k: 20)
        for k in [1, 5, 10] { #expect(Representations.nearestNeighbors(x, k: k) == wide.map { Array($0.prefix(k)) }) }
    }

    @Test func holmMatchesTheTextbookSteps() {
        // Sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
        let adjusted = MultipleTesting.holm([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        for (a, e) in zip(adjusted, expected) { #expect(close(a, e, 1e-15)) }
        #expect(MultipleTesting.holm([0.5, 0.9]) == [1, 1])
    }
}
