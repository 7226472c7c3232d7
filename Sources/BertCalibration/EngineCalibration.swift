import BertCheckpoint
import BertCompression
import BertKernels
import BertModel
import BertTokens
import EncoderWeights
import Foundation

/// A calibration set run through the OpenCL engine: each call uploads the weights as they are
/// now (fp32, so partly compressed models are measured as the technique left them), runs blocks
/// 0...layer on the texts, and measures block `layer`'s four Linear inputs over the real tokens.
public struct EngineCalibration: CalibrationSource, @unchecked Sendable {
    /// The texts and their provenance.
    public let texts: CalibrationTexts
    /// The texts as token ids ([CLS] ... [SEP]), sorted by length so batches carry little padding.
    let rows: [[Int32]]
    let padID: Int32
    let shape: EncoderShape
    let kernels: EncoderKernels
    /// Texts per forward pass.
    let batchSize = 32

    /// The calibration set `texts`, tokenized with the tokenizer in `model` (the checkpoint being
    /// compressed) and run on `kernels`' device; texts longer than `maxLength` tokens are cut.
    public init(texts: CalibrationTexts, model: URL, kernels: EncoderKernels, maxLength: Int = 128) throws {
        let checkpoint = try Checkpoint(directory: model)
        let tokenizer = try WordPieceTokenizer(directory: model)
        shape = ModelLoader.shape(of: checkpoint)
        let length = min(maxLength, shape.maxPositions)
        rows = texts.texts.map { tokenizer.encode($0, maxLength: length) }.sorted { $0.count < $1.count }
        padID = tokenizer.padID
        self.texts = texts
        self.kernels = kernels
    }

    /// Blocks of the model being calibrated: how many a calibrated method measures in turn.
    public var layerCount: Int { shape.layerCount }

    /// Real (unpadded) tokens in the set.
    public var tokenCount: Int { rows.map(\.count).reduce(0, +) }

    /// The file, its hash, the items and tokens used: config.json's `compression.calibration`.
    public var record: [String: JSONValue] {
        ["file": .string(texts.fileName), "content_hash": .string(texts.contentHash), "items": .number(Double(texts.texts.count)),
         "items_in_file": .number(Double(texts.available)), "tokens": .number(Double(tokenCount)),
         "sample": .string("seeded shuffle (seed \(texts.seed)) of the file's non-empty texts"), "seed": .number(Double(texts.seed)),
         "longest_text_tokens": .number(Double(rows.map(\.count).max() ?? 0))]
    }

    /// Grams, sums and ranges of block `layer`'s four Linear inputs over the real tokens.
    public func statistics(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: LinearInputStatistics] {
        var accumulators: [LinearInputPoint: GramAccumulator] = [:]
        try forEachBatch(layer: layer, weights: weights) { inputs, real in
            for (point, values, width) in Self.points(inputs) {
                var acc = accumulators[point] ?? GramAccumulator(width: width)
                acc.add(values, rows: real)
                accumulators[point] = acc
            }
        }
        return accumulators.mapValues { var acc = $0; return acc.finish() }
    }

    /// Only the channel ranges (no grams): what SmoothQuant's rounding-to-nearest path reads.
    public func ranges(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: [Float]] {
        var ranges: [LinearInputPoint: [Float]] = [:]
        try forEachBatch(layer: layer, weights: weights) { inputs, real in
            for (point, values, width) in Self.points(inputs) {
                var range = ranges[point] ?? [Float](repeating: 0, count: width)
                for r in real { for j in 0..<width { range[j] = max(range[j], abs(values[r * width + j])) } }
                ranges[point] = range
            }
        }
        return ranges
    }

    /// The four captured inputs with their points and widths.
    static func points(_ b: BlockInputs) -> [(LinearInputPoint, [Float], Int)] {
        [(.attentionInput, b.attentionInput, b.attentionInput.count / b.rows), (.context, b.context, b.context.count / b.rows),
         (.ffnInput, b.ffnInput, b.ffnInput.count / b.rows), (.ffnActivation, b.ffnActivation, b.ffnActivation.count / b.rows)]
    }

    /// Runs blocks 0...layer of `weights` on every batch and hands over block `layer`'s inputs with
    /// the row indices of the real tokens.
    private func forEachBatch(layer: Int, weights: HostEncoderWeights, _ body: (BlockInputs, [Int]) throws -> Void) throws {
        guard weights.layers.indices.contains(layer) else {
            throw CheckpointError("calibration: no block \(layer) (the weights have \(weights.layers.count))")
        }
        // Blocks after `layer` are never run: leave them off the device.
        var truncated = weights
        truncated.layers = Array(weights.layers.prefix(layer + 1))
        truncated.head = nil
        truncated.pooler = nil
        let shape = EncoderShape(hiddenSize: self.shape.hiddenSize, headDim: self.shape.headDim, layerCount: layer + 1,
                                 vocabSize: self.shape.vocabSize, maxPositions: self.shape.maxPositions,
                                 typeVocabSize: self.shape.typeVocabSize, layerNormEps: self.shape.layerNormEps)
        let encoder = try BertEncoder(weights: truncated, shape: shape, kernels: kernels, linearMode: .dense)
        for start in stride(from: 0, to: rows.count, by: batchSize) {
            let members = Array(rows[start..<min(start + batchSize, rows.count)])
            let batch = TokenBatch(rows: members, padID: padID)
            let inputs = try encoder.blockInputs(batch, layer: layer)
            let real = members.enumerated().flatMap { b, row in (0..<row.count).map { b * batch.sequenceLength + $0 } }
            try body(inputs, real)
        }
    }
}
