import BertCheckpoint
import Foundation

/// A file a cell reads and the hash its id was planned with: a checkpoint directory (hashed as
/// `Checkpoint.sourceHash`, its model.safetensors) or a data file (hashed whole).
public struct InputFile: Codable, Sendable, Equatable {
    public let path: String
    public let hash: String
    /// A checkpoint directory rather than a plain file.
    public let checkpoint: Bool

    /// The checkpoint `model` refers to.
    public init(_ model: ModelRef) { (path, hash, checkpoint) = (model.path, model.hash, true) }

    /// The data file `data` refers to.
    public init(_ data: DataRef) { (path, hash, checkpoint) = (data.path, data.hash, false) }

    /// The hash of the file as it is now; an error naming it when it cannot be read.
    public func currentHash() throws -> String {
        do {
            if checkpoint { return try Checkpoint(directory: URL(fileURLWithPath: path)).sourceHash() }
            return try CellID.fileHash(path)
        } catch { throw ExperimentError("\(path): cannot be read to check its hash (\(error))") }
    }
}

extension LatencyCell {
    public var inputFiles: [InputFile] { [InputFile(model)] }
}

extension OnnxPeerCell {
    public var inputFiles: [InputFile] { [InputFile(model)] }
}

extension PrepareVariantCell {
    public var inputFiles: [InputFile] { [InputFile(source)] }
}

extension DivergenceCell {
    public var inputFiles: [InputFile] {
        let files = [data] + outOfDomain + [lexicon, attackLexicon, partOfSpeechTags].compactMap { $0 }
        return [InputFile(large)] + variants.map { InputFile($0.model) } + files.map(InputFile.init)
    }
}
