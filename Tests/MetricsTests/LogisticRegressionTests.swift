import BertMetrics
import Testing

private struct LogisticFixture: Decodable {
    struct Fit: Decodable {
        let C: Double
        let coef: [Double]
        let intercept: Double
        let exactCoef: [Double]
        let exactIntercept: Double
        let objective: Double
        let probabilityFirst10: [Double]
        let predictions: [Int]
    }
    let rows: Int
    let columns: Int
    let features: [Double]
    let labels: [Int]
    struct Standardized: Decodable {
        let C: Double
        let mean: [Double]
        let scale: [Double]
        let coef: [Double]
        let intercept: Double
        let probabilityFirst10: [Double]
    }
    let fits: [Fit]
    let standardized: Standardized
}

@Suite struct LogisticRegressionTests {
    @Test(arguments: [0, 1])
    func matchesScikitLearn(fitIndex: Int) throws {
        let f: LogisticFixture = try fixture("logistic_regression")
        let expected = f.fits[fitIndex]
        let x = matrix(f.features, rows: f.rows, columns: f.columns)
        let model = try LogisticRegression.fit(x, labels: f.labels, options: .init(c: expected.C))
        #expect(model.converged)
        // sklearn's lbfgs stops ~1e-7 (relative) short of the optimum: compare at the brief's 1e-4.
        for (w, s) in zip(model.weights + [model.intercept], expected.coef + [expected.intercept]) {
            #expect(abs(w - s) <= 1e-4 * max(abs(s), 1e-2), "coefficient \(w) vs sklearn \(s)")
        }
        // Against the same objective minimised by trust-region Newton in numpy: to rounding.
        for (w, e) in zip(model.weights + [model.intercept], expected.exactCoef + [expected.exactIntercept]) {
            #expect(close(w, e, 1e-9), "coefficient \(w) vs exact \(e)")
        }
        #expect(close(model.objective, expected.objective, 1e-12))
        let probabilities = model.predictProbability(x)
        for (p, s) in zip(probabilities.prefix(10), expected.probabilityFirst10) {
            #expect(abs(p - s) < 1e-6)
        }
        #expect(model.predict(x) == expected.predictions)
    }

    @Test func standardisedMatchesScalerPipeline() throws {
        // sklearn's make_pipeline(StandardScaler(), LogisticRegression(C=1)).
        let f: LogisticFixture = try fixture("logistic_regression")
        let expected = f.standardized
        let x = matrix(f.features, rows: f.rows, columns: f.columns)
        let model = try LogisticRegression.fit(x, labels: f.labels, options: .init(c: expected.C, standardize: true))
        #expect(model.converged)
        let means = try #require(model.featureMeans), scales = try #require(model.featureScales)
        for (o, e) in zip(means, expected.mean) { #expect(close(o, e, 1e-13)) }
        for (o, e) in zip(scales, expected.scale) { #expect(close(o, e, 1e-13)) }
        for (w, s) in zip(model.weights + [model.intercept], expected.coef + [expected.intercept]) {
            #expect(abs(w - s) <= 1e-4 * max(abs(s), 1e-2), "coefficient \(w) vs sklearn \(s)")
        }
        for (p, s) in zip(model.predictProbability(x).prefix(10), expected.probabilityFirst10) {
            #expect(abs(p - s) < 1e-6)
        }
    }

    @Test func constantColumnGetsUnitScale() throws {
        // As StandardScaler: a zero-variance column is centred, not divided by zero.
        let x = EmbeddingMatrix(rows: 6, columns: 2, values: [-2, 4, -1, 4, 0.5, 4, 0, 4, 1, 4, 3, 4])
        let model = try LogisticRegression.fit(x, labels: [0, 0, 1, 0, 1, 1], options: .init(standardize: true))
        #expect(model.featureScales?[1] == 1 && model.featureMeans?[1] == 4)
        #expect(model.weights.allSatisfy { $0.isFinite })
        #expect(abs(model.weights[1]) < 1e-12)
    }

    @Test func rejectsBadLabels() {
        let x = EmbeddingMatrix(rows: 3, columns: 1, values: [0, 1, 2])
        #expect(throws: MetricsError.self) { try LogisticRegression.fit(x, labels: [0, 1, 2]) }
        #expect(throws: MetricsError.self) { try LogisticRegression.fit(x, labels: [1, 1, 1]) }
        #expect(throws: MetricsError.self) { try LogisticRegression.fit(x, labels: [0, 1]) }
    }

    @Test func separableDataStaysFinite() throws {
        // Perfectly separable: only the penalty keeps w finite; Newton must still converge.
        let x = EmbeddingMatrix(rows: 6, columns: 1, values: [-3, -2, -1, 1, 2, 3])
        let model = try LogisticRegression.fit(x, labels: [0, 0, 0, 1, 1, 1], options: .init(c: 1e4))
        #expect(model.converged)
        #expect(model.weights[0].isFinite && model.weights[0] > 0)
        #expect(model.predict(x) == [0, 0, 0, 1, 1, 1])
    }
}
