import BertMetrics
import Testing

private struct PIEFixture: Decodable {
    let labels: [Int]
    let reference: [[Int]], variant: [[Int]]
    let referenceModal: [Int], variantModal: [Int]
    let pies: [Int]
    let referenceOnPIEs: Double, variantOnPIEs: Double
    let referenceOnOthers: Double, variantOnOthers: Double
}

@Suite struct PIETests {
    @Test func matchesScipyMode() throws {
        let f: PIEFixture = try fixture("pies")
        #expect(PrunedIdentifiedExemplars.modalLabels(f.reference) == f.referenceModal)
        #expect(PrunedIdentifiedExemplars.modalLabels(f.variant) == f.variantModal)
        let report = PrunedIdentifiedExemplars.analyse(reference: f.reference, variant: f.variant, labels: f.labels)
        #expect(report.indices == f.pies)
        #expect(report.count == f.pies.count && report.share == Double(f.pies.count) / Double(f.labels.count))
        let a = try #require(report.accuracy)
        #expect(close(a.referenceOnPIEs, f.referenceOnPIEs, 1e-15))
        #expect(close(a.variantOnPIEs, f.variantOnPIEs, 1e-15))
        #expect(close(a.referenceOnOthers, f.referenceOnOthers, 1e-15))
        #expect(close(a.variantOnOthers, f.variantOnOthers, 1e-15))
    }

    @Test func tiesGoToTheLowerLabel() {
        // Item 0: labels 2, 1, 2, 1 -> tie, 1 wins; item 1: 0 three times.
        let population = [[2, 0], [1, 0], [2, 0], [1, 5]]
        #expect(PrunedIdentifiedExemplars.modalLabels(population) == [1, 0])
        // Model order does not matter.
        #expect(PrunedIdentifiedExemplars.modalLabels(population.reversed()) == [1, 0])
    }

    @Test func singleModelsReduceToDisagreements() {
        let report = PrunedIdentifiedExemplars.analyse(reference: [[0, 1, 1, 0]], variant: [[0, 0, 1, 1]])
        #expect(report.indices == [1, 3] && report.share == 0.5 && report.accuracy == nil)
    }
}
