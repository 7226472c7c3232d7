import BertMeasure
import BertModel
import Foundation

/// Forward-pass latency and memory of one model at one batch size and sequence length on one
/// device: a row of results.json's `measurements` and the model's row of `models`.
public struct LatencyCell: CellKind {
    public static let kind = "latency"
    public let model: ModelRef
    public let batch: Int
    public let sequenceLength: Int
    /// The device's name when planned; part of the id, so each device has its own cells.
    public let device: String
    /// The kernel variants and parameters when planned: another profile gives another cell.
    public let kernels: String?
    public let settings: LatencySettings

    /// A cell for `model` at `batch` x `sequenceLength` on `device`.
    public init(model: ModelRef, batch: Int, sequenceLength: Int, device: String, settings: LatencySettings, kernels: String? = nil) {
        self.kernels = kernels
        self.model = model
        self.batch = batch
        self.sequenceLength = sequenceLength
        self.device = device
        self.settings = settings
    }

    public var slug: String { "\(model.name)-b\(batch)-s\(sequenceLength)" }

    public var inputs: [String: String] {
        ["model": model.identity, "batch": "\(batch)", "sequenceLength": "\(sequenceLength)", "device": device,
         "settings": LatencyCell.text(settings)].merging(kernels.map { ["kernels": $0] } ?? [:]) { $1 }
    }

    /// The settings as id text: every field, fixed order.
    static func text(_ s: LatencySettings) -> String {
        "warmup \(s.warmup), iterations \(s.iterations.map(String.init) ?? "auto"), minTime \(s.minTime), minIterations \(s.minIterations)"
    }

    /// The model's record, the measurement (nil when the shape does not fit the model, with the
    /// note saying so), and where it ran.
    public struct Output: Codable, Sendable {
        public let model: ModelRecord
        public let measurement: LatencyMeasurement?
        public let note: String?
        public let environment: RunEnvironment
        public let peakHostResidentBytes: Int?
    }

    public func run(_ context: CellContext) throws -> Output {
        let loaded = try context.model(model.path)
        let record = try ModelRecords.record(loaded)
        let environment = try context.environment()
        guard sequenceLength <= loaded.encoder.shape.maxPositions else {
            let note = "\(loaded.name): sequence length \(sequenceLength) skipped (the model has \(loaded.encoder.shape.maxPositions) positions)"
            return Output(model: record, measurement: nil, note: note, environment: environment, peakHostResidentBytes: peakResidentBytes())
        }
        let measurement = try LatencyRunner.measure(loaded.encoder, model: loaded.name, batch: batch, sequenceLength: sequenceLength,
                                                    settings: settings)
        return Output(model: record, measurement: measurement, note: nil, environment: environment, peakHostResidentBytes: peakResidentBytes())
    }

    public static func merge(_ output: Output, into merged: inout MergedRun) {
        if merged.environment == nil { merged.environment = output.environment }
        merged.add(output.model)
        if let m = output.measurement { merged.measurements.append(m) }
        if let note = output.note { merged.note(note) }
        if let peak = output.peakHostResidentBytes { merged.peakHostResidentBytes = max(merged.peakHostResidentBytes ?? 0, peak) }
    }
}
