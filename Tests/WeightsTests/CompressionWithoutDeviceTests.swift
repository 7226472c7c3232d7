import BertCheckpoint
import BertCompression
import EncoderWeights
import Foundation
import Testing

/// Compression end to end on the host: a synthetic checkpoint in, a compressed checkpoint out,
/// reloaded as host weights. This target links no OpenCL, so it runs on machines without a device.
@Suite struct CompressionWithoutDevice {
    /// The teacher's directory and its weights.
    func teacher(_ preset: String = "tiny") throws -> (URL, HostEncoderWeights) {
        let url = try synthetic(preset, seed: 41, in: try scratch())
        return (url, try HostEncoderWeights(checkpoint: try Checkpoint(directory: url)))
    }

    /// Compresses `source` with `method` and reloads the result.
    func compressed(_ source: URL, _ method: CompressionMethod) throws -> Checkpoint {
        let target = try scratch().appendingPathComponent(method.name)
        try Compressor.compress(source: source, target: target, method: method)
        return try Checkpoint(directory: target)
    }

    @Test func int8StoresCodesAndScalesPerOutputChannel() throws {
        let (source, original) = try teacher()
        let checkpoint = try compressed(source, .int8)
        #expect(checkpoint.config.quantizationMethod == "int8")
        let weights = try HostEncoderWeights(checkpoint: checkpoint)
        for (layer, before) in zip(weights.layers, original.layers) {
            for ((name, q), (_, f)) in zip(layer.linears, before.linears) {
                guard case .int8(let codes, let scales) = q.weight, case .float(let values) = f.weight else {
                    Issue.record("\(name): not int8 after compression, or not fp32 before"); continue
                }
                #expect(scales.count == q.outFeatures && codes.count == f.outFeatures * f.inFeatures)
                for row in 0..<q.outFeatures {
                    let codeRow = codes[(row * q.inFeatures)..<((row + 1) * q.inFeatures)]
                    #expect(codeRow.map { abs(Int($0)) }.max() == 127, "\(name) row \(row): the largest weight maps to ±127")
                    for (i, code) in codeRow.enumerated() {
                        #expect(abs(Float(code) * scales[row] - values[row * q.inFeatures + i]) <= scales[row] / 2 * 1.0001)
                    }
                }
                #expect(q.bias == f.bias)
            }
            #expect(layer.attentionNorm == before.attentionNorm && layer.outputNorm == before.outputNorm)
        }
        guard case .int8(_, let scales, let rows, _) = weights.wordEmbeddings else { Issue.record("word embeddings not int8"); return }
        #expect(scales.count == rows && rows == original.wordEmbeddings.rows)
        #expect(weights.pooler == original.pooler && weights.tokenTypeEmbeddings == original.tokenTypeEmbeddings)
    }

    @Test(arguments: [false, true])
    func unstructuredPruningZeroesTheSmallestWeights(global: Bool) throws {
        let (source, original) = try teacher()
        let weights = try HostEncoderWeights(checkpoint: try compressed(source, .pruneUnstructured(sparsity: 0.5, global: global)))
        var zeros = 0, total = 0, largestDropped: Float = 0, smallestKept = Float.infinity
        for (layer, before) in zip(weights.layers, original.layers) {
            for ((name, pruned), (_, dense)) in zip(layer.linears, before.linears) {
                #expect(pruned.outFeatures == dense.outFeatures && pruned.inFeatures == dense.inFeatures, "\(name): shape kept")
                let p = pruned.floatWeight, d = dense.floatWeight
                let matrixZeros = p.filter { $0 == 0 }.count
                if !global { #expect(matrixZeros == d.count / 2, "\(name): exactly half zero") }
                zeros += matrixZeros
                total += d.count
                for (kept, value) in zip(p, d) {
                    if kept == 0 { largestDropped = max(largestDropped, abs(value)) } else {
                        #expect(kept == value)
                        smallestKept = min(smallestKept, abs(value))
                    }
                }
                if !global { #expect(largestDropped <= smallestKept); largestDropped = 0; smallestKept = .infinity }
            }
        }
        #expect(zeros == total / 2)
        if global { #expect(largestDropped <= smallestKept) }
    }

    @Test func headPruningShrinksTheAttentionMatrices() throws {
        let (source, original) = try teacher()
        let checkpoint = try compressed(source, .pruneHeads(fraction: 0.5))
        let weights = try HostEncoderWeights(checkpoint: checkpoint)
        let d = checkpoint.config.headDim
        guard case .array(let keptPerLayer)? = checkpoint.config.json["kept_heads"] else { Issue.record("no kept_heads"); return }
        for (i, (layer, before)) in zip(weights.layers, original.layers).enumerated() {
            #expect(checkpoint.config.heads(layer: i) == 2 && layer.heads == 2)
            #expect(layer.query.outFeatures == 2 * d && layer.attentionOutput.inFeatures == 2 * d && layer.intermediate == before.intermediate)
            let kept = keptPerLayer[i].arrayValue?.compactMap(\.intValue) ?? []
            #expect(kept.count == 2)
            let h = before.query.inFeatures, q = before.query.floatWeight
            let expected = kept.flatMap { head in q[(head * d * h)..<((head + 1) * d * h)] }
            #expect(layer.query.floatWeight == expected, "layer \(i): the kept heads' query rows, in order")
        }
    }

    @Test(arguments: [("tiny", "num_hidden_layers"), ("distilbert-tiny", "n_layers")])
    func layerDroppingKeepsTheChosenTeacherLayers(preset: String, layerField: String) throws {
        let (source, original) = try teacher(preset)
        let checkpoint = try compressed(source, .dropLayers(keep: [1]))
        #expect(checkpoint.config.layerCount == 1 && checkpoint.config.json[layerField] == .number(1))
        let weights = try HostEncoderWeights(checkpoint: checkpoint)
        #expect(weights.layers == [original.layers[1]])
        #expect(weights.wordEmbeddings == original.wordEmbeddings && weights.embeddingNorm == original.embeddingNorm)
        #expect(weights.pooler == original.pooler)
    }
}
