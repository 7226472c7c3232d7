import BertCalibration
import BertCheckpoint
@testable import BertCompression
import BertModel
import BertTokens
import EncoderWeights
import Foundation
import Support
import Testing

/// The calibration set the standard plan uses: Amazon review snippets from the vader data.
let amazonReviews = repositoryRoot.appendingPathComponent("assets/data/amazon_reviews.tsv")

/// `count` texts of a vader data file the project did not write (a seeded sample, column `text`).
func vaderTexts(_ name: String, count: Int) throws -> [String] {
    let url = repositoryRoot.appendingPathComponent("assets/data/\(name).tsv")
    return try CalibrationTexts(path: url.path, items: count).texts
}

/// Mean-pooled, L2-normalised embeddings of `texts` by the model in `directory`.
func pooled(_ directory: URL, _ texts: [String]) throws -> [[Float]] {
    let model = try ModelLoader.load(directory, kernels: TestDevice.kernels)
    let tokenizer = try WordPieceTokenizer(directory: directory)
    let h = model.encoder.shape.hiddenSize
    var out: [[Float]] = []
    for start in stride(from: 0, to: texts.count, by: 16) {
        let batch = tokenizer.encodeBatch(Array(texts[start..<min(start + 16, texts.count)]), maxLength: 128)
        let result = try model.encoder.forward(batch)
        for b in 0..<batch.batchSize { out.append(Array(EncoderOutput.row(result.meanPooled!, b, width: h))) }
    }
    return out
}

// Nested in `Compression` (serialized): the suites share one OpenCL context, driven from one thread at a time.
extension Compression {
@Suite struct Calibration {
    @Test func engineCalibrationMeasuresTheHiddenStatesOfRealTokens() throws {
        let dir = try freshDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let teacher = try tinyTeacher(in: dir)
        let file = dir.appendingPathComponent("texts.txt")
        try "the cat sat on the mat\n\nshort\na somewhat longer line of words than the others here\n".write(to: file, atomically: true,
                                                                                                             encoding: .utf8)
        let texts = try CalibrationTexts(path: file.path, items: nil)
        #expect(texts.texts.count == 3)  // the empty line is no text
        let source = try EngineCalibration(texts: texts, model: teacher, kernels: TestDevice.kernels)
        let weights = try HostEncoderWeights(checkpoint: try Checkpoint(directory: teacher))
        let tokenizer = try WordPieceTokenizer(directory: teacher)
        let model = try ModelLoader.load(teacher, kernels: TestDevice.kernels, mode: .dense)
        let h = model.encoder.shape.hiddenSize
        for layer in [0, 1] {
            let stats = try source.statistics(layer: layer, weights: weights)
            // Independently: hidden state `layer` of each text alone (no padding at all), summed in Double.
            var gram = [Double](repeating: 0, count: h * h), tokens = 0
            for text in texts.texts {
                let batch = tokenizer.encodeBatch([text], maxLength: 128)
                let hidden = try model.encoder.forward(batch, outputs: [.allHiddenStates]).hiddenStates![layer]
                tokens += batch.sequenceLength
                for t in 0..<batch.sequenceLength { for i in 0..<h { for j in 0..<h {
                    gram[i * h + j] += Double(hidden[t * h + i]) * Double(hidden[t * h + j])
                } } }
            }
            let input = try #require(stats[.attentionInput])
            #expect(input.tokens == tokens && input.tokens == source.tokenCount)
            let scale = gram.map(abs).max()!
            #expect(zip(input.gram, gram).map { abs($0 - $1) }.max()! < 1e-3 * scale, "layer \(layer)")
            #expect(stats[.context]?.width == model.encoder.layerWidths[layer].attention)
            #expect(stats[.ffnActivation]?.width == model.encoder.layerWidths[layer].intermediate)
        }
    }

    @Test func sparseGPTReconstructsTheRealModelBetterThanMagnitudePruning() throws {
        try #require(FileManager.default.fileExists(atPath: amazonReviews.path), "assets missing: run scripts/setup first")
        let texts = try CalibrationTexts(path: amazonReviews.path, items: 64)
        let source = try EngineCalibration(texts: texts, model: l6, kernels: TestDevice.kernels)
        let weights = try HostEncoderWeights(checkpoint: try Checkpoint(directory: l6))
        let stats = try source.statistics(layer: 0, weights: weights)
        let layer = weights.layers[0]
        let points: [(String, HostLinear, LinearInputPoint)] = [
            ("query", layer.query, .attentionInput), ("attention.output", layer.attentionOutput, .context),
            ("intermediate", layer.intermediate, .ffnInput),
        ]  // the 1536-wide FFN output Linear takes minutes in a debug build; tests/CalibratedMath covers the math
        for sparsity in [0.5, 0.9] {
            for (name, linear, point) in points {
                let gram = try #require(stats[point]).gram
                let w = linear.floatWeight
                let obs = try SparseGPT.prune(weight: w, rows: linear.outFeatures, cols: linear.inFeatures, gram: gram,
                                              pattern: .unstructured(sparsity: sparsity))
                let cut = w.map(abs).sorted()[Int(sparsity * Double(w.count)) - 1]
                let magnitude = w.map { abs($0) <= cut ? 0 : $0 }
                let zero = [Float](repeating: 0, count: w.count)
                let norm = SparseGPT.outputError(original: zero, pruned: w, rows: linear.outFeatures, cols: linear.inFeatures, gram: gram)
                let eObs = SparseGPT.outputError(original: w, pruned: obs, rows: linear.outFeatures, cols: linear.inFeatures, gram: gram) / norm
                let eMag = SparseGPT.outputError(original: w, pruned: magnitude, rows: linear.outFeatures, cols: linear.inFeatures,
                                                 gram: gram) / norm
                print(String(format: "layer 0 %@ at %.0f%%: relative output error SparseGPT %.4f, magnitude %.4f", name, sparsity * 100, eObs, eMag))
                #expect(eObs < eMag, "\(name) at \(sparsity)")
            }
        }
    }

    /// The standard plan's W8A8 (SmoothQuant with 8 fp32 outlier channels per Linear, as
    /// `StandardPlans.outlierChannels`) against plain W8A8, on sentences it was not calibrated on.
    @Test func smoothQuantHoldsOnSentencesOutsideTheCalibrationSet() throws {
        try #require(FileManager.default.fileExists(atPath: amazonReviews.path), "assets missing: run scripts/setup first")
        let dir = try freshDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 128 texts (about 2.8k tokens) rather than the standard plan's 512: a debug build's grams are slow.
        let texts = try CalibrationTexts(path: amazonReviews.path, items: 128)
        let source = try EngineCalibration(texts: texts, model: l6, kernels: TestDevice.kernels)
        let smooth = dir.appendingPathComponent("smoothquant"), plain = dir.appendingPathComponent("int8")
        try Compressor.compress(source: l6, target: smooth, method: .int8SmoothQuant(outlierChannels: 8), calibration: source)
        try Compressor.compress(source: l6, target: plain, method: .int8)
        // Held out: NYT editorial snippets and tweets (not Amazon reviews, which calibrated), and the
        // four tweets that SmoothQuant without fp32 channels did worst on (0.9928-0.9945 over 9,390).
        let held = try vaderTexts("nyt_editorials", count: 200) + vaderTexts("tweets", count: 200)
            + ["Thank ya!!!!!", "Not true.", "WTF?", "Sure."]
        let reference = try pooled(l6, held)
        var figures: [String: (worst: Double, mean: Double)] = [:]
        for (name, model) in [("int8-smoothquant outlier-channels=8", smooth), ("int8", plain)] {
            let cosines = zip(reference, try pooled(model, held)).map { cosine($0[...], $1[...]) }
            figures[name] = (cosines.min()!, cosines.reduce(0, +) / Double(cosines.count))
            print(String(format: "%@ on %d held-out sentences: worst pooled cosine %.4f, mean %.5f", name, held.count,
                         figures[name]!.worst, figures[name]!.mean))
        }
        let s = figures["int8-smoothquant outlier-channels=8"]!, p = figures["int8"]!
        #expect(s.mean > p.mean && s.worst > p.worst, "SmoothQuant should beat plain W8A8 on held-out sentences")
        #expect(s.mean >= SmoothQuantBar.mean, "mean pooled cosine \(s.mean) below \(SmoothQuantBar.mean)")
        #expect(s.worst >= SmoothQuantBar.worst, "worst pooled cosine \(s.worst) below \(SmoothQuantBar.worst)")
    }
}

}

/// What the SmoothQuant test holds the model to: issue 14's bars, mean >= 0.998 and worst >= 0.995.
enum SmoothQuantBar {
    static let worst = 0.995
    static let mean = 0.998
}
