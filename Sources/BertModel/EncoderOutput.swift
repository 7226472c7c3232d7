/// What a forward pass should bring back to the host beyond the pooled embeddings.
public struct OutputRequest: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The last hidden state [B, S, H].
    public static let lastHiddenState = OutputRequest(rawValue: 1)
    /// Every layer's hidden state, embeddings output first (L + 1 of them).
    public static let allHiddenStates = OutputRequest(rawValue: 2)
    /// Mean-pooled and [CLS] embeddings, and logits when a classifier exists.
    public static let pooled = OutputRequest(rawValue: 4)
    /// Nothing: leave results on the device (latency measurement).
    public static let none: OutputRequest = []
}

/// The host copies of a forward pass's results that were asked for.
public struct EncoderOutput: Sendable {
    public let batchSize: Int
    public let sequenceLength: Int
    public let hiddenSize: Int
    /// [B, S, H] when requested.
    public var lastHiddenState: [Float]?
    /// [L + 1][B, S, H] when requested.
    public var hiddenStates: [[Float]]?
    /// [B, H]: mean of the last hidden state over the attention mask (not normalised).
    public var meanPooled: [Float]?
    /// [B, H]: the [CLS] token's last hidden state.
    public var cls: [Float]?
    /// [B, labels] when the checkpoint has a classifier.
    public var logits: [Float]?
    /// One block's Linear inputs, from `BertEncoder.blockInputs` only.
    public var blockInputs: BlockInputs?

    /// Row `b` of a [B, width] result.
    public static func row(_ values: [Float], _ b: Int, width: Int) -> ArraySlice<Float> {
        values[(b * width)..<((b + 1) * width)]
    }
}

/// The inputs of one block's four Linear products, each [rows, its width] row-major with rows =
/// batch x sequence (padding rows included); what calibration measures.
public struct BlockInputs: Sendable {
    /// Hidden states entering the block: the input of query, key and value.
    public let attentionInput: [Float]
    /// Attention context, heads concatenated: the input of the attention output projection.
    public let context: [Float]
    /// After the attention LayerNorm: the input of the intermediate (FFN up) Linear.
    public let ffnInput: [Float]
    /// GELU of the intermediate Linear: the input of the output (FFN down) Linear.
    public let ffnActivation: [Float]
    /// Token rows (batch x sequence length).
    public let rows: Int
}
