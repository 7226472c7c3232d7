import BertCheckpoint
import BertDivergence
import BertKernels
import BertModel
import BertTokens
import Foundation
import OpenCLRuntime
import Testing

/// A model against an exact copy of itself: every divergence measure must say "identical".
@Suite struct StudyOfIdenticalModels {
    @Test func aModelAgainstItsCopyIsIdenticalOnEveryMeasure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-study-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 5, to: a)
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 5, to: b)
        let kernels = try EncoderKernels(context: try ComputeContext(device: try Device.choose(getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) })))
        let models = try [a, b].map { url in
            StudyModel(model: try ModelLoader.load(url, kernels: kernels), tokenizer: try WordPieceTokenizer(directory: url), sameFamily: true)
        }
        // Texts from the synthetic vocabulary's single characters; labels from a rule the
        // embeddings can partly separate.
        var rng = SplitMix64(seed: 1)
        func text() -> String { (0..<Int.random(in: 3...9, using: &rng)).map { _ in String("abcdefghij".randomElement(using: &rng)!) }.joined(separator: " ") }
        let texts = (0..<120).map { _ in text() }
        let labelled = TextDataset(name: "synthetic", texts: texts, labels: texts.map { $0.filter { $0 == "a" || $0 == "b" }.count > 2 ? 1 : 0 })
        let (train, test) = labelled.split(testShare: 0.3, seed: 2)
        var settings = DivergenceSettings()
        settings.headPopulation = 3
        settings.bootstrapResamples = 200
        settings.ckaItems = 30
        let study = DivergenceStudy(settings: settings, train: train, test: test,
                                    outOfDomain: [TextDataset(name: "digits", texts: (0..<20).map { "\($0) \($0 * 7)" }, labels: nil)]) { _ in }
        let results = try study.compare(models, device: kernels.context.device.name) { _, _, _ in }
        let v = try #require(results.variants.first)
        #expect(v.agreement == 1)
        #expect(v.flips.correctToWrong == 0 && v.flips.wrongToCorrect == 0)
        #expect(v.kl.max == 0 && v.js.max == 0 && v.sameTop1 == 1)
        #expect(v.knnJaccard == 1)
        #expect(v.pies.count == 0)
        #expect(v.deployedAgreement == 1)
        for i in v.cka.indices { #expect(abs(v.cka[i][i] - 1) < 1e-6, "CKA of layer \(i) with itself: \(v.cka[i][i])") }
        #expect(v.oodJaccard["digits"] == 1 || results.models[0].outOfDistribution["digits"]?.flagged.isEmpty == true)
        #expect(results.sanity.first?.contains("ok") == true)
        // The report renders every section from these results.
        let md = DivergenceReport.markdown(results)
        for section in ["## Sanity checks", "## Prediction errors", "## Representations", "## Out-of-distribution", "## Pruning Identified Exemplars"] {
            #expect(md.contains(section), "missing \(section)")
        }
    }
}
