import BertMeasure
import Foundation

/// One GEMM shape timed by one engine: BertBench's own kernel or CLBlast on the device, or numpy
/// (OpenBLAS) on the CPU. A row of results.json's `gemm`, or a note saying why there is none.
public struct GEMMPeerCell: CellKind {
    public static let kind = "gemm-peer"

    /// Who computes the product.
    public enum Engine: String, Codable, Sendable, CaseIterable {
        case bertbench, clblast, numpy
    }

    public let engine: Engine
    public let m, n, k: Int
    /// The device's name when planned (numpy ignores it but its result is reported beside the device's).
    public let device: String
    /// The device's OpenCL index, which CLBlast's peer program takes.
    public let deviceIndex: Int
    /// BertBench's kernel variant and parameters when planned (nil for the peers).
    public let kernels: String?

    /// `engine` timing m x n x k on `device`.
    public init(engine: Engine, m: Int, n: Int, k: Int, device: String, deviceIndex: Int, kernels: String? = nil) {
        self.kernels = kernels
        self.engine = engine
        self.m = m
        self.n = n
        self.k = k
        self.device = device
        self.deviceIndex = deviceIndex
    }

    public var slug: String { "\(engine.rawValue)-\(m)x\(n)x\(k)" }

    public var inputs: [String: String] {
        ["engine": engine.rawValue, "m": "\(m)", "n": "\(n)", "k": "\(k)", "device": device]
            .merging(kernels.map { ["kernels": $0] } ?? [:]) { $1 }
    }

    public func run(_ context: CellContext) throws -> Outcome<GEMMMeasurement> {
        switch engine {
        // A failure of BertBench's own kernel is a bug, not a missing peer: it stops the run.
        case .bertbench: return Outcome(value: try GEMMTiming.bertbench(kernels: try context.kernels(), m: m, n: n, k: k))
        case .clblast: return Outcome(Peers.clblast(m: m, n: n, k: k, deviceIndex: deviceIndex))
        case .numpy: return Outcome(Peers.numpy(m: m, n: n, k: k))
        }
    }

    public static func merge(_ output: Outcome<GEMMMeasurement>, into merged: inout MergedRun) {
        if let gemm = output.value { merged.gemm.append(gemm) }
        if let note = output.note { merged.note(note) }
    }
}
