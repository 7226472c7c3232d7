import BertMeasure
import Foundation

/// PyTorch (transformers' BertModel, fp32, CUDA events) timing a checkpoint at one shape on a
/// GPU host: a row of results.json's `peers`. scripts/peer_pytorch.py writes these cell files
/// itself (`--cells RUN/cells`) after a `bertbench latency` run, so the kind is external: the
/// merge picks them up though plan.json does not list them. Its id uses the model's name, not
/// its weights' hash, so the script need not hash gigabytes in Python.
public struct PyTorchPeerCell: CellKind {
    public static let kind = "pytorch-peer"
    public static var external: Bool { true }
    public let model: String
    public let path: String
    public let batch: Int
    public let sequenceLength: Int
    public let warmup: Int
    public let iterations: Int
    /// The CUDA device's name.
    public let device: String

    public var slug: String { "\(model)-b\(batch)-s\(sequenceLength)" }

    public var inputs: [String: String] {
        ["model": model, "batch": "\(batch)", "sequenceLength": "\(sequenceLength)", "warmup": "\(warmup)",
         "iterations": "\(iterations)", "device": device]
    }

    public func run(_ context: CellContext) throws -> Outcome<PeerMeasurement> {
        let script = Peers.root.appendingPathComponent("scripts/peer_pytorch.py")
        let arguments = [script.path, "--model", path, "--batch", "\(batch)", "--seq", "\(sequenceLength)",
                         "--warmup", "\(warmup)", "--iterations", "\(iterations)"]
        guard let output = Peers.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments),
              let line = output.split(separator: "\n").last,
              let row = try? JSONDecoder().decode([PeerMeasurement].self, from: Data(line.utf8)).first else {
            return Outcome(Result<PeerMeasurement, ExperimentError>.failure(
                ExperimentError("PyTorch peer failed for \(model) batch \(batch) seq \(sequenceLength) (needs CUDA and torch)")))
        }
        return Outcome(value: row)
    }

    public static func merge(_ output: Outcome<PeerMeasurement>, into merged: inout MergedRun) {
        if let peer = output.value { merged.peers.append(peer) }
        if let note = output.note { merged.note(note) }
    }
}
