import BertCheckpoint
import BertCompression
import EncoderWeights
import Foundation

/// The calibration set with a progress line: a calibrated method measures each block in turn, and
/// on a 12-layer model of width 768 that takes minutes on a few cores.
public final class CalibrationProgress: CalibrationSource, @unchecked Sendable {
    let source: any CalibrationSource
    let bar: ProgressLine
    private var measured = 0

    /// `source` reporting "`label`: blocks calibrated" out of `layers`, unless `quiet`.
    public init(_ source: any CalibrationSource, layers: Int, label: String, quiet: Bool = false) {
        self.source = source
        bar = ProgressLine("\(label): blocks calibrated", total: layers, quiet: quiet)
    }

    public var record: [String: JSONValue] { source.record }

    public func statistics(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: LinearInputStatistics] {
        defer { advance(to: layer) }
        return try source.statistics(layer: layer, weights: weights)
    }

    public func ranges(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: [Float]] {
        defer { advance(to: layer) }
        return try source.ranges(layer: layer, weights: weights)
    }

    /// A technique may read a block more than once (ranges, then grams): count each block once.
    private func advance(to layer: Int) {
        measured = max(measured, layer + 1)
        bar.update(measured)
    }
}
