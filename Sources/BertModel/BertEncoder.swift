import BertKernels
import BertTokens
import EncoderWeights
import OpenCLRuntime

/// A BERT-family encoder on one OpenCL device: weights uploaded once, activations in a
/// workspace reused across calls of the same or smaller size.
public final class BertEncoder: @unchecked Sendable {
    public let shape: EncoderShape
    public let kernels: EncoderKernels
    /// Bytes of weights resident on the device.
    public let weightBytes: Int
    /// Classes of the classifier head, or nil without one.
    public let labelCount: Int?
    /// How the encoder's Linear layers run.
    public let linearMode: LinearMode
    let weights: DeviceEncoderWeights
    private var workspace: Workspace?

    public var context: ComputeContext { kernels.context }

    public init(weights host: HostEncoderWeights, shape: EncoderShape, kernels: EncoderKernels, linearMode: LinearMode = .dense) throws {
        precondition(host.layers.count == shape.layerCount)
        self.shape = shape
        self.kernels = kernels
        self.linearMode = linearMode
        weights = try DeviceEncoderWeights(host, mode: linearMode, kernels: kernels)
        weightBytes = weights.byteCount
        labelCount = weights.head?.classifier.outFeatures
    }

    /// Attention width (heads x head dim) and FFN width of each layer, as loaded.
    public var layerWidths: [(attention: Int, intermediate: Int)] {
        weights.layers.map { ($0.attentionOutput.inFeatures, $0.intermediate.outFeatures) }
    }

    /// Output widths of the classifier head's two products, when there is a head.
    public var headWidths: (first: Int, classes: Int)? {
        weights.head.map { ($0.first.outFeatures, $0.classifier.outFeatures) }
    }

    /// Bytes of activation buffers currently allocated for the largest batch run so far.
    public var workspaceBytes: Int { workspace?.bytes ?? 0 }

    /// Checks that every id, type and length fits the model; the message names the position.
    public func validate(_ input: TokenBatch) throws {
        if input.sequenceLength > shape.maxSequenceLength {
            let offset = shape.positionOffset == 0 ? "" : " after its position offset of \(shape.positionOffset)"
            throw EncoderInputError(message: "sequence length \(input.sequenceLength) exceeds the model's \(shape.maxSequenceLength) positions"
                                    + offset)
        }
        for (index, id) in input.ids.enumerated() where id < 0 || Int(id) >= shape.vocabSize {
            throw EncoderInputError(message: "token id \(id) at batch row \(index / input.sequenceLength), position \(index % input.sequenceLength) "
                    + "is outside the vocabulary of \(shape.vocabSize)")
        }
        let types = max(shape.typeVocabSize, 1)
        for (index, type) in input.tokenTypes.enumerated() where type < 0 || Int(type) >= types {
            throw EncoderInputError(message: "token type \(type) at batch row \(index / input.sequenceLength), position "
                    + "\(index % input.sequenceLength) is outside the model's \(types) token types")
        }
    }

    /// Runs the encoder on a batch and returns the results `outputs` asks for. With `.none` the
    /// work is only enqueued; call `context.finish()` to wait for it.
    @discardableResult
    public func forward(_ input: TokenBatch, outputs: OutputRequest = [.pooled]) throws -> EncoderOutput {
        try run(input, outputs: outputs, capture: nil)
    }

    /// The four Linear inputs of block `layer` for a batch, [B·S, width] each (padding rows
    /// included: callers pick the real tokens with the mask). The pass stops after that block.
    public func blockInputs(_ input: TokenBatch, layer: Int) throws -> BlockInputs {
        precondition(weights.layers.indices.contains(layer), "no block \(layer)")
        guard let captured = try run(input, outputs: .none, capture: layer).blockInputs else { preconditionFailure("block \(layer) not run") }
        return captured
    }

    /// The forward pass; with `capture`, it reads block `capture`'s Linear inputs and returns
    /// right after that block (one pass serves both, so the captured values are the engine's own).
    private func run(_ input: TokenBatch, outputs: OutputRequest, capture: Int?) throws -> EncoderOutput {
        try validate(input)
        let tokens = input.tokenCount
        let h = shape.hiddenSize
        let ws = try workspace(tokens: tokens, batch: input.batchSize)
        try ws.ids.write(input.ids)
        try ws.mask.write(input.attentionMask)
        try ws.types.write(input.tokenTypes)

        var result = EncoderOutput(batchSize: input.batchSize, sequenceLength: input.sequenceLength, hiddenSize: h)
        var hiddenStates: [[Float]] = []
        let k = kernels
        switch weights.word {
        case .float(let word):
            guard case .float(let position) = weights.position else { fatalError("mixed embedding precisions") }
            try k.embed(ids: ws.ids, tokenTypes: weights.tokenType == nil ? nil : ws.types, word: word, position: position,
                        tokenType: weights.tokenType, out: ws.scratch, tokens: tokens, sequenceLength: input.sequenceLength, hidden: h,
                        positionOffset: shape.positionOffset)
        case .int8(let word, let wordScale):
            guard case .int8(let position, let positionScale) = weights.position else { fatalError("mixed embedding precisions") }
            try k.embedInt8(ids: ws.ids, tokenTypes: weights.tokenType == nil ? nil : ws.types, word: word, wordScale: wordScale,
                            position: position, positionScale: positionScale, tokenType: weights.tokenType,
                            out: ws.scratch, tokens: tokens, sequenceLength: input.sequenceLength, hidden: h,
                            positionOffset: shape.positionOffset)
        }
        // A layer norm whose output feeds a W8A8 Linear also writes that Linear's int8 codes (one launch
        // fewer per fused pair); `hiddenQuantized` says the codes of ws.hidden are in ws.quantized.
        var fused = weights.layers.first?.qkv.fusedQuantization(into: ws.quantized)
        try k.layerNorm(ws.scratch, residual: nil, gamma: weights.embeddingNorm.gamma, beta: weights.embeddingNorm.beta,
                        out: ws.hidden, rows: tokens, h: h, eps: shape.layerNormEps, quantizeInto: fused)
        var hiddenQuantized = fused != nil
        if outputs.contains(.allHiddenStates) { hiddenStates.append(try ws.hidden.read(0..<(tokens * h))) }

        let scale = 1 / Float(shape.headDim).squareRoot()
        let relativeBias = try weights.relativeBias?.perDistance(length: input.sequenceLength, context: context)
        for (index, layer) in weights.layers.enumerated() {
            let capturing = index == capture
            let attentionInput = capturing ? try ws.hidden.read(0..<(tokens * h)) : []
            try layer.qkv.apply(k, input: ws.hidden, output: ws.qkv, rows: tokens, quantized: ws.quantized, inputQuantized: hiddenQuantized)
            try k.attention(qkv: ws.qkv, mask: ws.mask, out: ws.context, batch: input.batchSize,
                            sequenceLength: input.sequenceLength, heads: layer.heads, headDim: shape.headDim, scale: scale,
                            relativeBias: relativeBias, operation: linearMode.allowsHalfAttention ? .attentionF16 : .attention)
            try layer.attentionOutput.apply(k, input: ws.context, output: ws.scratch, rows: tokens, quantized: ws.quantized)
            fused = layer.intermediate.fusedQuantization(into: ws.quantized)
            try k.layerNorm(ws.scratch, residual: ws.hidden, gamma: layer.attentionNorm.gamma, beta: layer.attentionNorm.beta,
                            out: ws.attended, rows: tokens, h: h, eps: shape.layerNormEps, quantizeInto: fused)
            try layer.intermediate.apply(k, input: ws.attended, output: ws.intermediate, rows: tokens, activation: .gelu,
                                         quantized: ws.quantized, inputQuantized: fused != nil)
            if capturing {
                let contextWidth = layer.attentionOutput.inFeatures, width = layer.intermediate.outFeatures
                result.blockInputs = BlockInputs(attentionInput: attentionInput, context: try ws.context.read(0..<(tokens * contextWidth)),
                                                 ffnInput: try ws.attended.read(0..<(tokens * h)),
                                                 ffnActivation: try ws.intermediate.read(0..<(tokens * width)), rows: tokens)
                return result
            }
            try layer.output.apply(k, input: ws.intermediate, output: ws.scratch, rows: tokens, quantized: ws.quantized)
            fused = index + 1 < weights.layers.count ? weights.layers[index + 1].qkv.fusedQuantization(into: ws.quantized) : nil
            try k.layerNorm(ws.scratch, residual: ws.attended, gamma: layer.outputNorm.gamma, beta: layer.outputNorm.beta,
                            out: ws.hidden, rows: tokens, h: h, eps: shape.layerNormEps, quantizeInto: fused)
            hiddenQuantized = fused != nil
            if outputs.contains(.allHiddenStates) { hiddenStates.append(try ws.hidden.read(0..<(tokens * h))) }
        }

        if outputs.contains(.pooled) {
            let b = input.batchSize
            try k.meanPool(hidden: ws.hidden, mask: ws.mask, out: ws.meanPooled, batch: b, sequenceLength: input.sequenceLength, width: h)
            try k.clsPool(hidden: ws.hidden, out: ws.cls, batch: b, sequenceLength: input.sequenceLength, width: h)
            result.meanPooled = try ws.meanPooled.read(0..<(b * h))
            result.cls = try ws.cls.read(0..<(b * h))
            if let head = weights.head {
                try head.first.apply(k, input: ws.cls, output: ws.pooledHead, rows: b, activation: head.activation, quantized: nil)
                try head.classifier.apply(k, input: ws.pooledHead, output: ws.logits, rows: b, quantized: nil)
                result.logits = try ws.logits.read(0..<(b * head.classifier.outFeatures))
            }
        }
        if outputs.contains(.lastHiddenState) { result.lastHiddenState = try ws.hidden.read(0..<(tokens * h)) }
        if outputs.contains(.allHiddenStates) { result.hiddenStates = hiddenStates }
        return result
    }

    private func workspace(tokens: Int, batch: Int) throws -> Workspace {
        if let ws = workspace, ws.tokens >= tokens, ws.batch >= batch { return ws }
        workspace = nil  // release the smaller one first, so peak memory is not both
        let maxQKV = weights.layers.map(\.qkv.outFeatures).max() ?? 0
        let maxInter = weights.layers.map(\.intermediate.outFeatures).max() ?? 0
        let maxContext = weights.layers.map(\.attentionOutput.inFeatures).max() ?? 0
        let ws = try Workspace(context: context, tokens: tokens, batch: batch, hidden: shape.hiddenSize,
                               qkv: maxQKV, context: maxContext, intermediate: maxInter,
                               headWidth: weights.head?.first.outFeatures ?? 0,
                               labels: labelCount ?? 0,
                               quantizedWidth: weights.layers.contains { l in
                                   [l.qkv, l.attentionOutput, l.intermediate, l.output].contains(where: \.needsActivationQuantization) }
                                   ? max(shape.hiddenSize, maxContext, maxInter) : 0)
        workspace = ws
        return ws
    }
}

/// Activation buffers for up to `tokens` tokens in up to `batch` sequences.
final class Workspace {
    let tokens: Int
    let batch: Int
    let ids, mask, types: DeviceBuffer<Int32>
    let hidden, attended, scratch, qkv, context, intermediate: DeviceBuffer<Float>
    let meanPooled, cls, pooledHead, logits: DeviceBuffer<Float>
    /// Present only for W8A8 models.
    let quantized: QuantizedActivations?
    let bytes: Int

    init(context ctx: ComputeContext, tokens: Int, batch: Int, hidden h: Int, qkv: Int, context contextWidth: Int,
         intermediate: Int, headWidth: Int, labels: Int, quantizedWidth: Int) throws {
        self.tokens = tokens
        self.batch = batch
        let before = ctx.allocatedBytes
        ids = try ctx.buffer(count: tokens, label: "input ids")
        mask = try ctx.buffer(count: tokens, label: "attention mask")
        types = try ctx.buffer(count: tokens, label: "token types")
        hidden = try ctx.buffer(count: tokens * h, label: "hidden states")
        attended = try ctx.buffer(count: tokens * h, label: "attention block output")
        scratch = try ctx.buffer(count: tokens * h, label: "projection output")
        self.qkv = try ctx.buffer(count: tokens * qkv, label: "query/key/value")
        self.context = try ctx.buffer(count: tokens * contextWidth, label: "attention context")
        self.intermediate = try ctx.buffer(count: tokens * intermediate, label: "FFN intermediate")
        meanPooled = try ctx.buffer(count: batch * h, label: "mean-pooled embeddings")
        cls = try ctx.buffer(count: batch * h, label: "CLS embeddings")
        pooledHead = try ctx.buffer(count: batch * max(headWidth, 1), label: "pooler output")
        logits = try ctx.buffer(count: batch * max(labels, 1), label: "logits")
        quantized = quantizedWidth == 0 ? nil : QuantizedActivations(
            codes: try ctx.buffer(count: tokens * quantizedWidth, label: "int8 activations"),
            scales: try ctx.buffer(count: tokens, label: "activation scales"))
        bytes = ctx.allocatedBytes - before
    }
}
