import BertMeasure
import Foundation

/// The device's memory bandwidth through a copy kernel: with the large square GEMM it is the
/// ceiling the report holds each model's time against.
public struct BandwidthCell: CellKind {
    public static let kind = "bandwidth"
    public let device: String
    /// Bytes copied per pass: well past the last-level cache, so it measures memory, not cache.
    public let bytes: Int

    /// A copy of `bytes` on `device`.
    public init(device: String, bytes: Int = 256 << 20) {
        self.device = device
        self.bytes = bytes
    }

    public var slug: String { "copy-\(bytes >> 20)MiB" }
    public var inputs: [String: String] { ["device": device, "bytes": "\(bytes)"] }

    public func run(_ context: CellContext) throws -> BandwidthMeasurement {
        try BandwidthTiming.copy(context: try context.kernels().context, bytes: bytes)
    }

    public static func merge(_ output: BandwidthMeasurement, into merged: inout MergedRun) { merged.bandwidth.append(output) }
}
