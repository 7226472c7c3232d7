import BertCheckpoint
import EncoderWeights
import Foundation
import Support

/// Applies a `CompressionMethod` to a checkpoint and writes the result as a new checkpoint.
public enum Compressor {
    /// Compresses `source` into `target` (which must not exist); returns what was done.
    @discardableResult
    public static func compress(source: URL, target: URL, method: CompressionMethod,
                                calibration: (any CalibrationSource)? = nil) throws -> CompressionSummary {
        let checkpoint = try Checkpoint(directory: source)
        let config = checkpoint.config
        let path = checkpoint.directory.path
        let technique = try CompressionRegistry.technique(named: method.name)
        let parameters = Parameters(method: method.name, values: method.parameters)
        var job = CompressionJob(weights: try HostEncoderWeights(checkpoint: checkpoint), config: config, path: path)
        let tracked = calibration.map(TrackedCalibration.init)
        job.calibration = tracked
        let lines = try technique.apply(parameters, to: &job)
        if let tracked, !tracked.used {
            throw CheckpointError("\(method.name) does not read a calibration set with these parameters: drop --calibration")
        }
        var changes = job.changes
        var record = try technique.record(parameters)
        record["method"] = .string(method.name)
        // The parameters as given, so a later run can re-derive this record (CompressionRecordCheck).
        record["parameters"] = .object(method.parameters)
        record["source"] = .string(source.standardizedFileURL.path)
        record["source_hash"] = .string(try checkpoint.sourceHash())
        record["source_bytes"] = .number(Double(try fileSize(checkpoint.file.url)))
        if let calibration { record["calibration"] = .object(calibration.record) }
        changes["compression"] = .object(record)
        try CheckpointWriter.write(job.weights, config: try config.encoded(changing: changes), architecture: config.architecture,
                                   tokenizerFrom: source, to: target, linearDType: job.linearWeightDType)
        return CompressionSummary(method: method.name, lines: lines)
    }
}

/// A calibration source that notes whether a technique read it, so a set given to a method that
/// ignores it is refused rather than recorded in config.json as if it had mattered.
final class TrackedCalibration: CalibrationSource, @unchecked Sendable {
    let source: any CalibrationSource
    private(set) var used = false

    init(_ source: any CalibrationSource) { self.source = source }

    var record: [String: JSONValue] { source.record }

    func statistics(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: LinearInputStatistics] {
        used = true
        return try source.statistics(layer: layer, weights: weights)
    }

    func ranges(layer: Int, weights: HostEncoderWeights) throws -> [LinearInputPoint: [Float]] {
        used = true
        return try source.ranges(layer: layer, weights: weights)
    }
}
