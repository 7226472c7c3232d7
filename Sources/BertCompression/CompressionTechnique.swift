import BertCheckpoint
import EncoderWeights
import Foundation

/// One compression technique: weights in, weights out, on the host (no device). A new technique
/// is a new file in Techniques/ plus one line in `CompressionRegistry.all`.
public protocol CompressionTechnique: Sendable {
    /// Its name in config.json's `compression.method` and in `bertbench compress --method`.
    var name: String { get }
    /// One line for help texts: what it does and which parameters it reads.
    var summary: String { get }
    /// Checks `parameters` against the source, transforms `job.weights`, adds config.json changes
    /// to `job.changes` and returns the lines that say what was done. Errors name the parameter.
    func apply(_ parameters: Parameters, to job: inout CompressionJob) throws -> [String]
    /// What config.json's `compression` entry records about the parameters and the technique.
    func record(_ parameters: Parameters) throws -> [String: JSONValue]
}

/// The weights being compressed, their source's config, and the config changes so far.
public struct CompressionJob: Sendable {
    public var weights: HostEncoderWeights
    public let config: BertConfig
    /// The source checkpoint's folder, for messages.
    public let path: String
    /// config.json keys to set (nil removes one).
    public var changes: [String: JSONValue?] = [:]
    /// The calibration set, for techniques that measure activations; nil when none was given.
    public var calibration: (any CalibrationSource)?
    /// The dtype fp32 Linear weights are written in: F32, or F16 after `fp16`.
    public var linearWeightDType: DType = .f32

    /// The calibration set, or an error saying that `method` needs one.
    public func requireCalibration(for method: String) throws -> any CalibrationSource {
        guard let calibration else { throw CheckpointError("\(method) needs a calibration set (--calibration FILE)") }
        return calibration
    }

    /// Refuses a quantized source: pruning and layer surgery work on fp32 weights.
    public func requireFloat() throws {
        if let q = config.quantizationMethod {
            throw CheckpointError("\(path): is quantized (\(q)); prune the fp32 checkpoint, then quantize")
        }
    }
}

/// A method's named parameters with typed, checked reads; errors say which one and why.
public struct Parameters: Sendable {
    public let method: String
    public let values: [String: JSONValue]

    /// A number in `range`.
    public func number(_ key: String, in range: Range<Double>) throws -> Double {
        guard let value = values[key]?.doubleValue else { throw CheckpointError("\(method) needs --\(key) (a number)") }
        guard range.contains(value) else {
            throw CheckpointError("--\(key) \(JSONValue.number(value)) must be in [\(JSONValue.number(range.lowerBound)), "
                    + "\(JSONValue.number(range.upperBound)))")
        }
        return value
    }

    /// A number in `range`, or `fallback` when absent.
    public func number(_ key: String, in range: ClosedRange<Double>, default fallback: Double) throws -> Double {
        guard let present = values[key] else { return fallback }
        guard let value = present.doubleValue, range.contains(value) else {
            throw CheckpointError("--\(key) must be a number in [\(JSONValue.number(range.lowerBound)), \(JSONValue.number(range.upperBound))], "
                                  + "not \(present)")
        }
        return value
    }

    /// A true/false switch, `false` when absent.
    public func flag(_ key: String) throws -> Bool {
        guard let present = values[key] else { return false }
        guard case .bool(let value) = present else { throw CheckpointError("--\(key) must be true or false, not \(present)") }
        return value
    }

    /// One of `choices`, or `fallback` when absent.
    public func choice(_ key: String, _ choices: [String], default fallback: String) throws -> String {
        let value = values[key]?.stringValue ?? fallback
        guard choices.contains(value) else { throw CheckpointError("--\(key) must be \(choices.joined(separator: " or ")), not '\(value)'") }
        return value
    }

    /// A list of integers.
    public func integers(_ key: String) throws -> [Int] {
        guard let list = values[key]?.arrayValue else { throw CheckpointError("\(method) needs --\(key) (a list of integers)") }
        let ints = list.compactMap(\.intValue)
        guard ints.count == list.count else { throw CheckpointError("--\(key) must list integers, not \(values[key]!)") }
        return ints
    }

    /// Refuses parameters the technique does not read, so a misspelt one is not ignored.
    public func only(_ keys: Set<String>) throws {
        if let extra = values.keys.sorted().first(where: { !keys.contains($0) }) {
            throw CheckpointError("\(method) takes no parameter '\(extra)'" + (keys.isEmpty ? "" : " (it reads "
                    + "\(keys.sorted().joined(separator: ", ")))"))
        }
    }
}

/// Every compression technique BertBench has, one line each.
public enum CompressionRegistry {
    public static let all: [any CompressionTechnique] = [
        Int8Quantization.w8a8,
        Int8Quantization.weightOnly,
        FP16Weights(),
        SmoothQuant(),
        SparseGPTPruning(),
        UnstructuredPruning(),
        HeadPruning(),
        FFNPruning(),
        LayerDropping(),
        Int4Quantization.rtn,
        Int4Quantization.gptq,
    ]

    /// The technique named `name`, or an error listing them.
    public static func technique(named name: String) throws -> any CompressionTechnique {
        guard let technique = all.first(where: { $0.name == name }) else {
            throw CheckpointError("unknown method '\(name)' (\(all.map(\.name).joined(separator: ", ")))")
        }
        return technique
    }
}
