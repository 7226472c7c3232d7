import BertCheckpoint
import BertModel
import BertTokens
import EncoderWeights
import Foundation
import Support
import Testing

/// Rewrites a checkpoint's tensors under new names (and extra tensors), keeping its config.
func rewrite(_ source: URL, to target: URL, rename: (String) -> String, extra: (inout SafeTensorsWriter) -> Void = { _ in },
             config: (String) -> String = { $0 }) throws {
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    for name in ["vocab.txt", "tokenizer_config.json"] {
        try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
    }
    let text = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)
    try config(text).write(to: target.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    let file = try SafeTensorsFile(url: source.appendingPathComponent("model.safetensors"))
    var writer = SafeTensorsWriter()
    for name in file.tensorNames { writer.add(rename(name), floats: try file.floats(name), shape: try file.info(name).shape) }
    extra(&writer)
    try writer.write(to: target.appendingPathComponent("model.safetensors"))
}

extension OnDevice {
    @Suite struct Layouts {
        let input = TokenBatch(ids: [101, 40, 41, 102, 101, 50, 102, 0], attentionMask: [1, 1, 1, 1, 1, 1, 1, 0],
                                 batchSize: 2, sequenceLength: 4)

        @Test func sequenceClassifierWithBertPrefixGivesLogitsFromThePooler() throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-layout-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            let plain = base.appendingPathComponent("plain"), classifier = base.appendingPathComponent("cls")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 8, to: plain)
            var rng = SeededRandom(seed: 99)
            let w = rng.normals(3 * 32, standardDeviation: 0.5), b = rng.normals(3, standardDeviation: 0.5)
            try rewrite(plain, to: classifier, rename: { "bert." + $0 }, extra: { writer in
                writer.add("classifier.weight", floats: w, shape: [3, 32])
                writer.add("classifier.bias", floats: b, shape: [3])
            }, config: { $0.replacingOccurrences(of: "\"BertModel\"", with: "\"BertForSequenceClassification\"") })
            let a = try ModelLoader.load(plain, kernels: TestDevice.kernels), c = try ModelLoader.load(classifier, kernels: TestDevice.kernels)
            #expect(c.encoder.labelCount == 3 && a.encoder.labelCount == nil)
            let outA = try a.encoder.forward(input), outC = try c.encoder.forward(input)
            #expect(outA.meanPooled == outC.meanPooled)  // same encoder weights under other names
            let host = try HostEncoderWeights(checkpoint: c.checkpoint)
            guard let head = host.head, head.activation == .tanh else { Issue.record("no pooled head"); return }
            #expect(head.first.bias == host.pooler?.bias)  // the pooler feeds the head
            for row in 0..<2 {
                let cls = EncoderOutput.row(outC.cls!, row, width: 32).map(Double.init)
                let pooled = ReferenceEncoder.linear([cls], head.first).map { $0.map { tanh($0) } }
                let logits = ReferenceEncoder.linear(pooled, head.classifier)[0]
                #expect(maxAbsDifference(EncoderOutput.row(outC.logits!, row, width: 3), logits) < 1e-5)
            }
        }

        @Test func distilBertClassifierAppliesReluAfterThePreClassifier() throws {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-distil-head-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            let plain = base.appendingPathComponent("plain"), classifier = base.appendingPathComponent("cls")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "distilbert-tiny"), seed: 6, to: plain)
            var rng = SeededRandom(seed: 98)
            let preW = rng.normals(32 * 32, standardDeviation: 0.5), preB = rng.normals(32, standardDeviation: 0.5)
            let w = rng.normals(2 * 32, standardDeviation: 0.5), b = rng.normals(2, standardDeviation: 0.5)
            try rewrite(plain, to: classifier, rename: { "distilbert." + $0 }, extra: { writer in
                writer.add("pre_classifier.weight", floats: preW, shape: [32, 32])
                writer.add("pre_classifier.bias", floats: preB, shape: [32])
                writer.add("classifier.weight", floats: w, shape: [2, 32])
                writer.add("classifier.bias", floats: b, shape: [2])
            })
            let loaded = try ModelLoader.load(classifier, kernels: TestDevice.kernels)
            let out = try loaded.encoder.forward(input)
            let host = try HostEncoderWeights(checkpoint: loaded.checkpoint)
            guard let head = host.head, head.activation == .relu else { Issue.record("no relu head"); return }
            for row in 0..<2 {
                let cls = EncoderOutput.row(out.cls!, row, width: 32).map(Double.init)
                let first = ReferenceEncoder.linear([cls], head.first)
                let logits = ReferenceEncoder.linear(first.map { $0.map { max($0, 0) } }, head.classifier)[0]
                let tanhLogits = ReferenceEncoder.linear(first.map { $0.map { tanh($0) } }, head.classifier)[0]
                let device = EncoderOutput.row(out.logits!, row, width: 2)
                #expect(maxAbsDifference(device, logits) < 1e-5)
                #expect(maxAbsDifference(device, tanhLogits) > 1e-2)  // the activation matters for these weights
            }
        }

        @Test func distilBertLayoutMatchesTheReference() throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-distil-\(UUID().uuidString)")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "distilbert-tiny"), seed: 4, to: dir)
            let loaded = try ModelLoader.load(dir, kernels: TestDevice.kernels)
            let host = try HostEncoderWeights(checkpoint: loaded.checkpoint)
            #expect(host.tokenTypeEmbeddings == nil)
            let out = try loaded.encoder.forward(input, outputs: [.lastHiddenState])
            let shape = loaded.encoder.shape
            let ref = ReferenceEncoder.hiddenStates(host, shape: shape, ids: [101, 40, 41, 102], types: [0, 0, 0, 0]).last!
            for t in 0..<4 {
                #expect(maxAbsDifference(out.lastHiddenState![(t * 32)..<((t + 1) * 32)], ref[t]) < 1e-4)
            }
        }
    }
}
