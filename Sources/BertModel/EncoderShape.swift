/// The sizes the forward pass needs, taken from config.json.
public struct EncoderShape: Sendable, Equatable {
    public let hiddenSize: Int
    public let headDim: Int
    public let layerCount: Int
    public let vocabSize: Int
    public let maxPositions: Int
    /// 0 when the model has no token-type embeddings (DistilBERT).
    public let typeVocabSize: Int
    public let layerNormEps: Float
    /// Added to each token's index before the position table is read (MPNet: pad_token_id + 1).
    public let positionOffset: Int

    /// The sizes; `positionOffset` 0 is BERT's numbering.
    public init(hiddenSize: Int, headDim: Int, layerCount: Int, vocabSize: Int, maxPositions: Int,
                typeVocabSize: Int, layerNormEps: Float, positionOffset: Int = 0) {
        self.hiddenSize = hiddenSize
        self.headDim = headDim
        self.layerCount = layerCount
        self.vocabSize = vocabSize
        self.maxPositions = maxPositions
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.positionOffset = positionOffset
    }

    /// The longest sequence the position table covers after the offset.
    public var maxSequenceLength: Int { maxPositions - positionOffset }
}

/// An input the model cannot run: says what is wrong and where in the batch.
public struct EncoderInputError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
