import BertMetrics
import BertModel
import BertTokens
import Foundation

/// Sentence embeddings of a set of texts from one model: the mean-pooled last hidden state,
/// and, when asked, the mean-pooled hidden state of every layer (embeddings output first).
public struct TextEmbeddings: Sendable {
    public let pooled: EmbeddingMatrix
    /// [layer] -> n x hidden, for CKA; empty unless requested.
    public let layers: [EmbeddingMatrix]
    /// Per text, the checkpoint's own classifier logits, when it has a classifier.
    public let logits: [[Float]]?
}

/// Runs a model over texts in length-sorted batches and pools on the host or device.
public struct Embedder: Sendable {
    public let model: LoadedModel
    public let tokenizer: WordPieceTokenizer
    public let maxLength: Int
    public let batchSize: Int

    public init(model: LoadedModel, tokenizer: WordPieceTokenizer, maxLength: Int = 128, batchSize: Int = 32) {
        self.model = model
        self.tokenizer = tokenizer
        self.maxLength = min(maxLength, model.encoder.shape.maxPositions)
        self.batchSize = batchSize
    }

    /// Embeds `texts`; `progress` gets the number done so far.
    public func embed(_ texts: [String], allLayers: Bool = false, progress: (Int) -> Void = { _ in }) throws -> TextEmbeddings {
        let ids = texts.map { tokenizer.encode($0, maxLength: maxLength) }
        let order = ids.indices.sorted { ids[$0].count < ids[$1].count }
        let h = model.encoder.shape.hiddenSize, layerCount = model.encoder.shape.layerCount + 1
        var pooled = [Float](repeating: 0, count: texts.count * h)
        var layers = allLayers ? [[Float]](repeating: [Float](repeating: 0, count: texts.count * h), count: layerCount) : []
        let classes = model.encoder.labelCount
        var logits = classes.map { [[Float]](repeating: [Float](repeating: 0, count: $0), count: texts.count) }
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let members = Array(order[start..<min(start + batchSize, order.count)])
            let batch = TokenBatch(rows: members.map { ids[$0] }, padID: tokenizer.padID)
            let output = try model.encoder.forward(batch, outputs: allLayers ? [.pooled, .allHiddenStates] : [.pooled])
            for (row, index) in members.enumerated() {
                pooled.replaceSubrange((index * h)..<((index + 1) * h), with: EncoderOutput.row(output.meanPooled!, row, width: h))
                if let classes, let values = output.logits { logits?[index] = Array(EncoderOutput.row(values, row, width: classes)) }
            }
            if allLayers, let states = output.hiddenStates {
                for (l, state) in states.enumerated() {
                    for (row, index) in members.enumerated() {
                        let length = batch.lengths[row]
                        for c in 0..<h {
                            var sum: Float = 0
                            for t in 0..<length { sum += state[(row * batch.sequenceLength + t) * h + c] }
                            layers[l][index * h + c] = sum / Float(length)
                        }
                    }
                }
            }
            progress(start + members.count)
        }
        return TextEmbeddings(pooled: EmbeddingMatrix(rows: texts.count, columns: h, values: pooled),
                              layers: layers.map { EmbeddingMatrix(rows: texts.count, columns: h, values: $0) }, logits: logits)
    }
}
