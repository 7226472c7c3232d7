import BertCheckpoint
@testable import BertDivergence
import BertKernels
import BertModel
import BertTokens
import Foundation
import OpenCLRuntime
import Support
import Testing

/// PIEs over populations of compressed models: a population of exact copies of the large model
/// has none (its modal labels are the large model's), and the null is reported beside the count
/// on the first member's row only.
@Suite(.serialized) struct PopulationPIETests {
    @Test func aPopulationOfCopiesHasNoPIEs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-population-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let kernels = try EncoderKernels(context: try ComputeContext(device: try Device.choose(getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) })))
        let seeds: [UInt64] = [5, 5, 5, 9]
        let models = try seeds.enumerated().map { i, seed -> StudyModel in
            let url = dir.appendingPathComponent("m\(i)")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: seed, to: url)
            var model = StudyModel(model: try ModelLoader.load(url, kernels: kernels), tokenizer: try WordPieceTokenizer(directory: url),
                                   sameFamily: true)
            if i == 1 || i == 2 { model.population = "copies" }
            if i == 3 { model.making = "recovered / trained" }
            return model
        }
        var rng = SeededRandom(seed: 3)
        func text() -> String { (0..<Int.random(in: 3...9, using: &rng)).map { _ in String("abcdefghij".randomElement(using: &rng)!) }.joined(separator: " ") }
        let texts = (0..<120).map { _ in text() }
        let labelled = TextDataset(name: "synthetic", texts: texts, labels: texts.map { $0.filter { $0 == "a" || $0 == "b" }.count > 2 ? 1 : 0 })
        let (train, test) = labelled.split(testShare: 0.3, seed: 2)
        var settings = DivergenceSettings()
        (settings.headPopulation, settings.bootstrapResamples, settings.ckaItems, settings.seeds) = (2, 100, 20, 3)
        let results = try DivergenceStudy(settings: settings, train: train, test: test, outOfDomain: []) { _ in }
            .compare(models, device: kernels.context.device.name) { _, _, _ in }
        let first = try #require(results.variants[0][PopulationPIEMetric.self]?.populationPIEs)
        #expect(first.population == "copies" && first.members.count == 2 && first.largeProbes == 3)
        #expect(first.count == 0 && first.share == 0)
        #expect(first.nullCount >= 0 && first.nullCount <= 120)
        // The null's population of large models has the compressed population's size (2 members x
        // 3 split seeds), and the older half-fold null stays beside it under its own name.
        #expect(first.nullProbes == 6 && first.halfFoldNullCount.map { (0...120).contains($0) } == true)
        #expect(results.variants[1][PopulationPIEMetric.self]?.populationPIEs == nil, "only the first member carries the population")
        #expect(results.variants[2][PopulationPIEMetric.self]?.populationPIEs == nil, "a variant outside any population has none")
        let md = DivergenceReport.markdown(results)
        #expect(md.contains("over populations of compressed models"))
        // How each variant was made leads the index table, so like is compared with like.
        #expect(md.contains("| model | how made | index [95% CI] | verdict |"))
        #expect(md.contains("| recovered / trained |"))
    }
}
