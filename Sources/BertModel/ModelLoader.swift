import BertCheckpoint
import BertKernels
import EncoderWeights
import Foundation

/// Turns a checked checkpoint into host weights in the engine's naming, and loads encoders.
public enum ModelLoader {
    /// The sizes the forward pass needs, from the checkpoint's config.
    public static func shape(of checkpoint: Checkpoint) -> EncoderShape {
        let c = checkpoint.config
        return EncoderShape(hiddenSize: c.hiddenSize, headDim: c.headDim, layerCount: c.layerCount, vocabSize: c.vocabSize,
                            maxPositions: c.maxPositions, typeVocabSize: c.typeVocabSize, layerNormEps: c.layerNormEps,
                            positionOffset: c.positionOffset)
    }

    /// The Linear mode a checkpoint runs in by default: its quantization method when it has one,
    /// fp16 when its Linear weights are stored as F16.
    public static func defaultMode(for checkpoint: Checkpoint) -> LinearMode {
        if checkpoint.config.quantizationBits == 4 { return .int4 }
        switch checkpoint.config.quantizationMethod {
        case nil:
            let first = checkpoint.layout.layers.first?.query.weight
            return first.flatMap { checkpoint.file.tensors[$0]?.dtype } == .f16 ? .fp16 : .dense
        case "int8": return .int8
        default: return .int8WeightOnly
        }
    }

    /// Opens `directory`, checks it, and uploads it to the kernels' device. Without `mode`, a
    /// quantized checkpoint runs as its config says, an unstructured-pruned one as whichever of
    /// CSR and dense measures faster here, anything else dense.
    public static func load(_ directory: URL, kernels: EncoderKernels, mode: LinearMode? = nil) throws -> LoadedModel {
        let checkpoint = try Checkpoint(directory: directory)
        let host = try HostEncoderWeights(checkpoint: checkpoint)
        var chosen = mode ?? defaultMode(for: checkpoint)
        var measurement: SparseModeMeasurement? = nil
        if mode == nil, checkpoint.config.compressionMethod == "prune-unstructured" {
            (chosen, measurement) = try SparseModeChoice.choose(host, kernels: kernels)
        }
        let encoder = try BertEncoder(weights: host, shape: shape(of: checkpoint), kernels: kernels, linearMode: chosen)
        return LoadedModel(directory: directory, checkpoint: checkpoint, encoder: encoder, modeRequested: mode != nil,
                           sparseChoice: measurement)
    }
}

/// A model loaded on a device, with where it came from.
public struct LoadedModel: @unchecked Sendable {
    public let directory: URL
    public let checkpoint: Checkpoint
    public let encoder: BertEncoder
    /// The Linear mode was given by the caller rather than chosen here.
    public let modeRequested: Bool
    /// The CSR-vs-dense measurement that chose the Linear mode, for unstructured-pruned models.
    public let sparseChoice: SparseModeMeasurement?
    /// Why the encoder runs its Linear layers the way it does (measured, requested or default).
    public var modeReason: String {
        if modeRequested { return "requested" }
        if let sparseChoice { return sparseChoice.sentence }
        return "default for this checkpoint"
    }
    /// The directory's last path component, for reports.
    public var name: String { directory.standardizedFileURL.lastPathComponent }
}
