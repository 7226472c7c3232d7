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
    /// The copy is declared a near copy and a differently seeded model separately trained, so the
    /// sanity checks run on declared roles; the test-only metric rides along in one line.
    @Test func aModelAgainstItsCopyIsIdenticalOnEveryMeasure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-study-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b"), c = dir.appendingPathComponent("c")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 5, to: a)
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 5, to: b)
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 9, to: c)
        let kernels = try EncoderKernels(context: try ComputeContext(device: try Device.choose(getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) })))
        let roles: [(URL, StudyModel.Expectation)] = [(a, .none), (b, .nearCopy), (c, .separatelyTrained)]
        let models = try roles.map { url, expectation in
            StudyModel(model: try ModelLoader.load(url, kernels: kernels), tokenizer: try WordPieceTokenizer(directory: url), sameFamily: true,
                       expectation: expectation)
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
        settings.seeds = 2
        let ratedTexts = (0..<40).map { _ in text() }
        let rated = TextDataset(name: "rated", texts: ratedTexts, labels: ratedTexts.map { $0.filter { $0 == "a" || $0 == "b" }.count > 2 ? 1 : 0 })
        var study = DivergenceStudy(settings: settings, train: train, test: test,
                                    outOfDomain: [TextDataset(name: "digits", texts: (0..<20).map { "\($0) \($0 * 7)" }, labels: nil), rated]) { _ in }
        study.metrics.append(MeanCosineMetric())
        let results = try study.compare(models, device: kernels.context.device.name) { _, _, _ in }
        let v = try #require(results.variants.first)
        #expect(v[AgreementMetric.self]?.agreement == 1)
        let flips = try #require(v[FlipsMetric.self]?.flips)
        #expect(flips.correctToWrong == 0 && flips.wrongToCorrect == 0)
        let output = try #require(v[OutputDivergenceMetric.self])
        #expect(output.kl.max == 0 && output.js.max == 0 && output.sameTop1 == 1)
        #expect(v[NeighbourOverlapMetric.self]?.knnJaccard == 1)
        #expect(v[PIEMetric.self]?.pies.count == 0)
        #expect(v[DeployedHeadMetric.self]?.deployedAgreement == 1)
        let cka = try #require(v[CKAMetric.self]?.cka)
        for i in cka.indices { #expect(abs(cka[i][i] - 1) < 1e-6, "CKA of layer \(i) with itself: \(cka[i][i])") }
        #expect(v[OutOfDomainOverlapMetric.self]?.oodJaccard["digits"] == 1 || results.models[0].outOfDistribution["digits"]?.flagged.isEmpty == true)
        #expect(abs(try #require(v[MeanCosineMetric.self]).meanCosine - 1) < 1e-6)
        // Only the labelled out-of-domain set is a task; the copy labels it exactly as the large model does.
        let tasks = try #require(v[OutOfDomainTaskMetric.self]?.outOfDomainTasks)
        #expect(Array(tasks.keys) == ["rated"] && tasks["rated"]?.items == 40)
        #expect(tasks["rated"]?.agreement.estimate == 1 && tasks["rated"]?.accuracy.estimate == tasks["rated"]?.largeAccuracy)
        let otherTask = try #require(results.variants[1][OutOfDomainTaskMetric.self]?.outOfDomainTasks["rated"])
        #expect((0...1).contains(otherTask.agreement.estimate) && otherTask.agreement.lower <= otherTask.agreement.upper)
        #expect(DivergenceReport.markdown(results).contains("## Other distributions: the out-of-domain sets as sentiment tasks"))
        // The copy's half-B probe is the large model's: it exceeds the null by exactly nothing,
        // and its cross-fitted labels agree with kappa 1 (or undefined, should a probe be constant).
        let excess = try #require(v[ExcessDisagreementMetric.self]?.excessDisagreement)
        #expect(excess.excess.bySeed.allSatisfy { $0 == 0 } && excess.agreement.interval.estimate == 1)
        #expect(excess.signTest.b == 0 && excess.signTest.c == 0)
        #expect(v[KappaMetric.self].map { $0.kappa.bySeed.allSatisfy { $0 == 1 || $0.isNaN } } == true)
        #expect(v[NeighbourCurveMetric.self].map { $0.knnCurve.allSatisfy { $0.jaccard == 1 } } == true)
        let debiased = try #require(v[DebiasedCKAMetric.self])
        for i in debiased.ckaDebiased.indices { #expect(abs(debiased.ckaDebiased[i][i] - 1) < 1e-6) }
        // Every half-sample of the copy is CKA 1: a zero-width interval at 1.
        let ends = try #require(debiased.ckaDebiasedIntervals)
        for e in [ends.lastLayer, ends.matchingLayers, ends.embeddingLayer] { #expect(abs(e.lower - 1) < 1e-6 && abs(e.upper - 1) < 1e-6) }
        // The nulls: the copy's half-B flags are the large model's, so it meets the out-of-domain null
        // exactly; the copy, the only near copy, has no kNN null of its own and is the other model's (1 exactly).
        let ood = try #require(v[OutOfDomainOverlapMetric.self])
        #expect(ood.oodJaccardHalves != nil && ood.oodJaccardHalves == ood.oodJaccardNull)
        let errors = try #require(v[ErrorOverlapMetric.self])
        #expect(errors.errorJaccardHalves != nil && errors.errorJaccardHalves == errors.errorJaccardNull)
        #expect(v[NeighbourOverlapMetric.self]?.knnJaccardNull.map { $0.model == nil && $0.jaccard == nil } == true)
        let otherNull = try #require(results.variants[1][NeighbourOverlapMetric.self]?.knnJaccardNull)
        #expect(otherNull.model == v.name && otherNull.jaccard?.estimate == 1 && otherNull.jaccard?.lower == 1)
        // The miniature index: 0 with an interval of 0 for the copy (a miniature); larger for the
        // differently seeded model, which shares no weights with the large one.
        let index = try #require(v[MiniatureIndexMetric.self]?.miniatureIndex)
        #expect(index.index.estimate == 0 && index.index.upper == 0 && index.verdict == "miniature")
        #expect(index.errors == 0 && index.representations == 0 && index.adversarial == nil)
        let other = try #require(results.variants[1][MiniatureIndexMetric.self]?.miniatureIndex)
        #expect(other.index.estimate > 0.1 && other.index.lower > 0 && other.verdict != "miniature")
        #expect(other.representations.map { $0 > 0 } == true)
        // Each overlap component names its null: the copy (the only near copy) has none of its own
        // and falls back to identity; the other model is scaled to the copy. The copy's out-of-domain
        // component is 0 through the half banks (its bank-B flags are the large model's).
        #expect(index.nulls?["representations"] == "identity" && index.nulls?["outOfDomain"] == "bank halves")
        #expect(index.outOfDomain == 0 || index.outOfDomain == nil)
        #expect(other.nulls?["representations"] == "near copy \(v.name)")
        // The curve's null at every k is the copy's Jaccard, 1; the copy's own curve has none.
        let curve = try #require(results.variants[1][NeighbourCurveMetric.self])
        #expect(curve.knnCurveNull == v.name && curve.knnCurve.allSatisfy { $0.null == 1 })
        #expect(v[NeighbourCurveMetric.self].map { $0.knnCurveNull == nil && $0.knnCurve.allSatisfy { $0.null == nil } } == true)
        let probe = try #require(results.probe)
        #expect(probe.items == 120 && probe.seeds == settings.seeds && probe.regularisation.grid.contains(probe.regularisation.c))
        #expect(results.tests?.count == 2 * results.variants.count)
        // The declared roles, not the names, decide the checks: the copy meets the near-copy bar,
        // and the separately trained model is held to agreeing less than it.
        #expect(results.sanity.count == 4)
        #expect(results.sanity[3].hasPrefix("\(v.name) disagrees with the large model +0.00%") && results.sanity[3].hasSuffix("ok"))
        #expect(results.sanity[0].contains("ok"))
        #expect(results.sanity[1].hasPrefix("\(v.name) agrees with the large model on 100.0%") && results.sanity[1].hasSuffix("ok"))
        #expect(results.sanity[2].hasPrefix("\(results.variants[1].name) agrees less"))
        // The report renders every section from these results, the test-only metric's column included.
        let md = DivergenceReport.markdown(results, metrics: study.metrics)
        let sections = ["## Miniature index", "## Sanity checks", "## Against the null", "## Tests, corrected for multiplicity", "## Prediction errors", "## Representations", "## Out-of-distribution", "## Head-population PIEs"]
        for section in sections {
            #expect(md.contains(section), "missing \(section)")
        }
        // The report leads with the index: its table comes before the null's.
        let indexAt = try #require(md.range(of: "## Miniature index")), nullAt = try #require(md.range(of: "## Against the null"))
        #expect(indexAt.lowerBound < nullAt.lowerBound)
        #expect(md.contains("| model | index [95% CI] | verdict |"))
        #expect(md.contains("| mean cosine |"))
        #expect(md.contains("\(MeanCosineMetric.note)"))
        #expect(!DivergenceReport.markdown(results).contains("mean cosine"))
        try checkFile(results, metrics: study.metrics)
    }

    /// divergence.json holds exactly the declared fields of every metric beside the variant's own,
    /// and reads back with the test-only metric when the reader knows it (and without it when not).
    func checkFile(_ results: DivergenceResults, metrics: [any DivergenceMetric]) throws {
        let data = try results.encoded()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let variants = try #require(json["variants"] as? [[String: Any]])
        let declared = Set(["name", "sameFamily"] + metrics.flatMap(\.fields))
        for variant in variants { #expect(Set(variant.keys) == declared) }
        #expect((variants[0]["meanCosine"] as? Double).map { abs($0 - 1) < 1e-6 } == true)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-divergence-\(UUID().uuidString).json")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let known = try DivergenceResults.decode(from: file, metrics: metrics)
        #expect(known.variants[0][MeanCosineMetric.self]?.meanCosine == results.variants[0][MeanCosineMetric.self]?.meanCosine)
        #expect(try known.encoded() == data)
        let unknown = try DivergenceResults.decode(from: file)
        #expect(unknown.variants[0][MeanCosineMetric.self] == nil && unknown.variants[0][AgreementMetric.self]?.agreement == 1)
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
        #expect(abs(try #require(results.variants[0][AccuracyMetric.self]).accuracy.estimate - accuracy) < 1e-12)
    }
}
