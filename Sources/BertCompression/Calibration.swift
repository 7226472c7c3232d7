import BertCheckpoint
import EncoderWeights

/// Where a Linear's input is taken inside one block; query, key and value share the first.
public enum LinearInputPoint: String, CaseIterable, Sendable, Codable {
    /// The hidden states entering the block: feeds query, key and value.
    case attentionInput = "attention_input"
    /// The attention context (heads concatenated): feeds the attention output projection.
    case context
    /// The block's state after the attention LayerNorm: feeds the intermediate (FFN up) Linear.
    case ffnInput = "ffn_input"
    /// GELU(intermediate): feeds the output (FFN down) Linear.
    case ffnActivation = "ffn_activation"
}

/// Second moments and ranges of one Linear input over a calibration set's real (unpadded) tokens;
/// what SmoothQuant, SparseGPT, GPTQ and least-squares refits need, without keeping the activations.
public struct LinearInputStatistics: Sendable {
    /// Input channels.
    public let width: Int
    /// Tokens summed over.
    public let tokens: Int
    /// Sum over tokens of x xᵀ, [width, width] row-major.
    public var gram: [Double]
    /// max |x_j| per input channel.
    public var absMax: [Float]
    /// Σ x_j per input channel over the tokens, when the source measured it (least-squares refits
    /// fit a bias from it); nil otherwise.
    public var sum: [Double]?

    /// Statistics from their parts; `gram` must hold width² entries and `absMax` width.
    public init(width: Int, tokens: Int, gram: [Double], absMax: [Float]) {
        precondition(gram.count == width * width && absMax.count == width)
        self.width = width
        self.tokens = tokens
        self.gram = gram
        self.absMax = absMax
    }
}

/// Runs a calibration set through weights as they are now and measures every Linear input of one
/// block. Techniques calibrate block by block, so earlier blocks are already compressed when a
/// later one is measured (sequential calibration, as SparseGPT and GPTQ do).
public protocol CalibrationSource: Sendable {
    /// What config.json's `compression.calibration` records: the data (name, hash, items, tokens).
    var record: [String: JSONValue] { get }
    /// The statistics of block `layer`'s Linear inputs when `weights` encode the calibration set.
    func statistics(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: LinearInputStatistics]
    /// Only max |x_j| per channel of block `layer`'s Linear inputs: what SmoothQuant reads, and
    /// cheaper than a gram where a source can skip it.
    func ranges(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: [Float]]
}

extension CalibrationSource {
    /// The ranges from the full statistics, for sources with no cheaper way.
    public func ranges(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: [Float]] {
        try statistics(layer: layer, weights: weights).mapValues(\.absMax)
    }
}
