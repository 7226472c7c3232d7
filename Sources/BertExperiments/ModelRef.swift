import BertCheckpoint
import Foundation

/// A checkpoint a cell uses: its name in reports, where it is, and the FNV-1a hash of its
/// model.safetensors, which is what cell ids depend on (the path may differ between hosts).
public struct ModelRef: Codable, Sendable, Equatable {
    public let name: String
    public let path: String
    public let hash: String

    /// A reference to a checkpoint already hashed (by `at`, or on another host).
    public init(name: String, path: String, hash: String) {
        self.name = name
        self.path = path
        self.hash = hash
    }

    /// A reference to the checkpoint in `directory`, hashing its weights now.
    public static func at(_ directory: URL) throws -> ModelRef {
        let checkpoint = try Checkpoint(directory: directory)
        return ModelRef(name: directory.standardizedFileURL.lastPathComponent, path: directory.path, hash: try checkpoint.sourceHash())
    }

    /// The identity that goes into cell ids.
    var identity: String { "\(name)@\(hash)" }
}

/// A data file a cell reads, with the hash of its bytes.
public struct DataRef: Codable, Sendable, Equatable {
    public let path: String
    public let hash: String

    /// A reference to the file at `path`, hashing it now.
    public static func at(_ path: String) throws -> DataRef {
        guard FileManager.default.fileExists(atPath: path) else { throw ExperimentError("\(path): no such file") }
        return DataRef(path: path, hash: try CellID.fileHash(path))
    }
}

/// A peer's or engine's result, or the note saying why there is none.
public struct Outcome<Value: Codable & Sendable>: Codable, Sendable {
    public let value: Value?
    public let note: String?

    /// A value.
    init(value: Value) { (self.value, note) = (value, nil) }

    /// The value or the failure's message.
    init(_ result: Result<Value, some Error>) {
        switch result {
        case .success(let v): (value, note) = (v, nil)
        case .failure(let e): (value, note) = (nil, String(describing: e))
        }
    }
}
