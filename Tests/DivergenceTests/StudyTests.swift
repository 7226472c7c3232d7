import BertCheckpoint
import BertDivergence
import BertKernels
import BertModel
import BertTokens
import Foundation
import OpenCLRuntime
import Support
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
        var rng = SeededRandom(seed: 1)
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

/// A checkpoint with its own binary classifier is judged by that classifier, not by a probe.
@Suite struct OwnClassifier {
    @Test func classifierCheckpointsUseTheirOwnLogits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-cls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plain = dir.appendingPathComponent("plain"), cls = dir.appendingPathComponent("cls")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 6, to: plain)
        try FileManager.default.createDirectory(at: cls, withIntermediateDirectories: true)
        for name in ["vocab.txt", "tokenizer_config.json", "config.json"] {
            try FileManager.default.copyItem(at: plain.appendingPathComponent(name), to: cls.appendingPathComponent(name))
        }
        let file = try SafeTensorsFile(url: plain.appendingPathComponent("model.safetensors"))
        var writer = SafeTensorsWriter()
        for name in file.tensorNames { writer.add(name, floats: try file.floats(name), shape: try file.info(name).shape) }
        var rng = SeededRandom(seed: 3)
        writer.add("classifier.weight", floats: rng.normals(64, standardDeviation: 2), shape: [2, 32])
        writer.add("classifier.bias", floats: [0.1, -0.1], shape: [2])
        try writer.write(to: cls.appendingPathComponent("model.safetensors"))

        let kernels = try EncoderKernels(context: try ComputeContext(device: try Device.choose(getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) })))
        let models = try [plain, cls].map { url in
            StudyModel(model: try ModelLoader.load(url, kernels: kernels), tokenizer: try WordPieceTokenizer(directory: url), sameFamily: false)
        }
        let texts = (0..<60).map { i in (0..<(3 + i % 5)).map { j in String("abcdefgh"[String.Index(utf16Offset: (i * 7 + j * 3) % 8, in: "abcdefgh")]) }.joined(separator: " ") }
        let data = TextDataset(name: "t", texts: texts, labels: texts.indices.map { $0 % 2 })
        let (train, test) = data.split(testShare: 0.5, seed: 1)
        var settings = DivergenceSettings()
        settings.headPopulation = 2
        settings.bootstrapResamples = 50
        let results = try DivergenceStudy(settings: settings, train: train, test: test, outOfDomain: []) { _ in }
            .compare(models, device: "test") { _, _, _ in }
        // The classifier's own predictions, computed directly from its logits.
        let embedder = Embedder(model: models[1].model, tokenizer: models[1].tokenizer)
        let logits = try #require(try embedder.embed(test.texts).logits)
        let expected = logits.map { $0[1] > $0[0] ? 1 : 0 }
        let accuracy = Double(zip(expected, test.labels!).filter { $0 == $1 }.count) / Double(expected.count)
        #expect(abs(results.variants[0].accuracy.estimate - accuracy) < 1e-12)
    }
}
