import Foundation

/// 64-bit FNV-1a, the project's one content hash for ids, provenance and cache keys (fast and
/// stable across hosts and languages; not cryptographic).
public struct FNV1a64: Sendable {
    /// The hash of everything added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty hash.
    public init() {}

    /// Adds `bytes`.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var hash = value
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        value = hash
    }

    /// Adds `data`.
    public mutating func add(_ data: Data) { data.withUnsafeBytes { add($0) } }

    /// Adds the UTF-8 bytes of `text`.
    public mutating func add(_ text: String) { add(Data(text.utf8)) }

    /// The hash of `data`.
    public static func hash(_ data: Data) -> UInt64 {
        var h = FNV1a64()
        h.add(data)
        return h.value
    }

    /// "fnv1a64:<16 hex>" of a file's bytes (mapped, not read into memory).
    public static func fileHash(_ url: URL) throws -> String {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        return String(format: "fnv1a64:%016llx", hash(data))
    }
}
