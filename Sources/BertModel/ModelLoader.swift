import BertCheckpoint
import BertKernels
import Foundation

/// Turns a checked checkpoint into host weights in the engine's naming, and loads encoders.
public enum ModelLoader {
    /// The sizes the forward pass needs, from the checkpoint's config.
    public static func shape(of checkpoint: Checkpoint) -> EncoderShape {
        let c = checkpoint.config
        return EncoderShape(hiddenSize: c.hiddenSize, headDim: c.headDim, layerCount: c.layerCount, vocabSize: c.vocabSize,
                            maxPositions: c.maxPositions, typeVocabSize: c.typeVocabSize, layerNormEps: c.layerNormEps)
    }

    /// Every weight of the checkpoint on the host (int8 stays int8).
    public static func hostWeights(of checkpoint: Checkpoint) throws -> HostEncoderWeights {
        let c = checkpoint.config, layout = checkpoint.layout
        func linear(_ names: LinearNames) throws -> HostLinear {
            let bias = try checkpoint.floats(names.bias)
            let stored = try checkpoint.weight(names.weight)
            let inFeatures: Int
            switch stored {
            case .float(let w): inFeatures = w.count / bias.count
            case .int8(let q, _): inFeatures = q.count / bias.count
            }
            return HostLinear(stored: stored, bias: bias, outFeatures: bias.count, inFeatures: inFeatures)
        }
        func norm(_ names: NormNames) throws -> HostNorm {
            HostNorm(gamma: try checkpoint.floats(names.weight), beta: try checkpoint.floats(names.bias))
        }
        func table(_ name: String, rows: Int) throws -> HostTable {
            switch try checkpoint.weight(name) {
            case .float(let v): return .float(v, rows: rows, width: c.hiddenSize)
            case .int8(let q, let s): return .int8(q, scales: s, rows: rows, width: c.hiddenSize)
            }
        }
        let layers = try layout.layers.enumerated().map { i, names in
            HostLayer(query: try linear(names.query), key: try linear(names.key), value: try linear(names.value),
                      attentionOutput: try linear(names.attentionOutput), attentionNorm: try norm(names.attentionNorm),
                      intermediate: try linear(names.intermediate), output: try linear(names.output),
                      outputNorm: try norm(names.outputNorm), heads: c.heads(layer: i))
        }
        let pooler = try layout.pooler.map(linear)
        var head: HostClassifierHead? = nil
        if let classifier = layout.classifier {
            if let pre = layout.preClassifier {
                head = .distilBert(preClassifier: try linear(pre), classifier: try linear(classifier))
            } else if let pooler {
                head = .bertPooled(pooler: pooler, classifier: try linear(classifier))
            } else {
                throw CheckpointError("\(checkpoint.file.url.path): has a classifier but no pooler.dense to feed it")
            }
        }
        return HostEncoderWeights(
            wordEmbeddings: try table(layout.wordEmbeddings, rows: c.vocabSize),
            positionEmbeddings: try table(layout.positionEmbeddings, rows: c.maxPositions),
            tokenTypeEmbeddings: try layout.tokenTypeEmbeddings.map { try checkpoint.floats($0) },
            embeddingNorm: try norm(layout.embeddingNorm), layers: layers, pooler: pooler, head: head)
    }

    /// The Linear mode a checkpoint runs in by default: its quantization method when it has one.
    public static func defaultMode(for checkpoint: Checkpoint) -> LinearMode {
        switch checkpoint.config.quantizationMethod {
        case nil: return .dense
        case "int8": return .int8
        default: return .int8WeightOnly
        }
    }

    /// Opens `directory`, checks it, and uploads it to the kernels' device. Without `mode`, a
    /// quantized checkpoint runs as its config says, an unstructured-pruned one as whichever of
    /// CSR and dense measures faster here, anything else dense.
    public static func load(_ directory: URL, kernels: EncoderKernels, mode: LinearMode? = nil) throws -> LoadedModel {
        let checkpoint = try Checkpoint(directory: directory)
        let host = try hostWeights(of: checkpoint)
        var chosen = mode ?? defaultMode(for: checkpoint)
        var reason = mode == nil ? "default for this checkpoint" : "requested"
        if mode == nil, checkpoint.config.compressionMethod == "prune-unstructured" {
            (chosen, reason) = try SparseModeChoice.choose(host, kernels: kernels)
        }
        let encoder = try BertEncoder(weights: host, shape: shape(of: checkpoint), kernels: kernels, linearMode: chosen)
        return LoadedModel(directory: directory, checkpoint: checkpoint, encoder: encoder, modeReason: reason)
    }
}

/// A model loaded on a device, with where it came from.
public struct LoadedModel: @unchecked Sendable {
    public let directory: URL
    public let checkpoint: Checkpoint
    public let encoder: BertEncoder
    /// Why the encoder runs its Linear layers the way it does (measured, requested or default).
    public let modeReason: String
    /// The directory's last path component, for reports.
    public var name: String { directory.standardizedFileURL.lastPathComponent }
}
