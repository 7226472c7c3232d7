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
        job.calibration = calibration
        let lines = try technique.apply(parameters, to: &job)
        var changes = job.changes
        var record = try technique.record(parameters)
        record["method"] = .string(method.name)
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
