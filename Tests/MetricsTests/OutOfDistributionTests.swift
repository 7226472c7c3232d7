import BertMetrics
import Testing

private struct DeepKNNFixture: Decodable {
    let columns: Int, k: Int
    let train: [Double], validation: [Double], test: [Double], outOfDistribution: [Double]
    let validationScores: [Double], testScores: [Double], outOfDistributionScores: [Double]
    let threshold: Double
    let flaggedTest: [Int], flaggedOutOfDistribution: [Int]
    let auroc: Double
}

private struct AUROCFixture: Decodable {
    struct Case: Decodable { let negatives: [Double]; let positives: [Double]; let auroc: Double }
    let cases: [Case]
}

@Suite struct OutOfDistributionTests {
    @Test func deepNearestNeighboursMatchesNumpy() throws {
        let f: DeepKNNFixture = try fixture("deep_knn")
        func m(_ v: [Double]) -> EmbeddingMatrix { matrix(v, rows: v.count / f.columns, columns: f.columns) }
        let detector = DeepNearestNeighbors(training: m(f.train), k: f.k)
        // sqrt(2 - 2 cos) loses digits only near distance 0; these are ~0.3-1.
        for (ours, numpy) in zip(detector.scores(m(f.validation)), f.validationScores) {
            #expect(abs(ours - numpy) < 1e-12, "\(ours) vs \(numpy)")
        }
        let report = detector.evaluate(validation: m(f.validation), test: m(f.test),
                                       outOfDistribution: m(f.outOfDistribution))
        #expect(abs(report.threshold - f.threshold) < 1e-12)
        for (ours, numpy) in zip(report.testScores + report.outOfDistributionScores,
                                 f.testScores + f.outOfDistributionScores) {
            #expect(abs(ours - numpy) < 1e-12)
        }
        #expect(report.flaggedTest == f.flaggedTest)
        #expect(report.flaggedOutOfDistribution == f.flaggedOutOfDistribution)
        #expect(close(report.auroc, f.auroc, 1e-14))
        #expect(report.detectionRate == Double(f.flaggedOutOfDistribution.count) / 20)
    }

    @Test func thresholdAcceptsTheStatedShare() {
        let scores = (1...20).map(Double.init)          // 95% of 20 = 19 items at or below
        #expect(DeepNearestNeighbors.threshold(validationScores: scores.shuffled()) == 19)
        #expect(DeepNearestNeighbors.threshold(validationScores: scores, truePositiveRate: 0.5) == 10)
        #expect(DeepNearestNeighbors.threshold(validationScores: [3]) == 3)
        #expect(DeepNearestNeighbors.flags(scores: [18, 19, 19.5], threshold: 19) == [false, false, true])
    }

    @Test func trainingItemsSitAtDistanceZeroForKOne() {
        let train = randomMatrix(rows: 30, columns: 6, seed: 40)
        let detector = DeepNearestNeighbors(training: train, k: 1)
        #expect(detector.scores(train).allSatisfy { $0 < 1e-6 })
        #expect(DeepNearestNeighbors(training: train).k == 10)
        #expect(DeepNearestNeighbors(training: train, k: 100).k == 30)
    }

    @Test func aurocMatchesScikitLearnWithTies() throws {
        let f: AUROCFixture = try fixture("auroc")
        for c in f.cases {
            let ours = ROC.auroc(negatives: c.negatives, positives: c.positives)
            #expect(close(ours, c.auroc, 1e-14), "\(ours) vs sklearn \(c.auroc)")
        }
        #expect(ROC.auroc(negatives: [1, 1], positives: [1]) == 0.5)
        #expect(ROC.auroc(negatives: [], positives: [1]).isNaN)
    }
}
