import BertMeasure
import Foundation

/// onnxruntime on the CPU timing a model's own ONNX file at one shape (scripts/peer_onnxruntime.py):
/// a row of results.json's `peers`, or a note saying why there is none.
public struct OnnxPeerCell: CellKind {
    public static let kind = "onnxruntime-peer"
    public let model: ModelRef
    /// The name scripts/peer_onnxruntime.py knows the model's ONNX file by.
    public let onnxName: String
    public let batch: Int
    public let sequenceLength: Int
    public let threads: Int
    public let settings: LatencySettings

    /// onnxruntime on `model`'s ONNX file `onnxName` at `batch` x `sequenceLength` with `threads` threads.
    public init(model: ModelRef, onnxName: String, batch: Int, sequenceLength: Int, threads: Int, settings: LatencySettings) {
        self.model = model
        self.onnxName = onnxName
        self.batch = batch
        self.sequenceLength = sequenceLength
        self.threads = threads
        self.settings = settings
    }

    public var slug: String { "\(model.name)-b\(batch)-s\(sequenceLength)" }

    public var inputs: [String: String] {
        ["model": model.identity, "onnx": onnxName, "batch": "\(batch)", "sequenceLength": "\(sequenceLength)", "threads": "\(threads)",
         "settings": LatencyCell.text(settings)]
    }

    public func run(_ context: CellContext) throws -> Outcome<PeerMeasurement> {
        Outcome(Peers.onnxruntime(model: model.name, onnxName: onnxName, batch: batch, sequenceLength: sequenceLength,
                                  threads: threads, settings: settings))
    }

    public static func merge(_ output: Outcome<PeerMeasurement>, into merged: inout MergedRun) {
        if let peer = output.value { merged.peers.append(peer) }
        if let note = output.note { merged.note(note) }
    }
}
