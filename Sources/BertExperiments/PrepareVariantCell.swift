import BertCheckpoint
import BertCompression
import Foundation

/// Makes a compressed variant of a checkpoint (cached: an existing target is kept) and records
/// its hash. Front ends run these before planning the cells that measure the variant, since
/// those cells' ids depend on the variant's hash; on a cluster they run at planning time.
public struct PrepareVariantCell: CellKind {
    public static let kind = "prepare-variant"
    public let source: ModelRef
    public let target: String
    public let method: CompressionMethod

    /// `source` compressed by `method` into the folder `target`.
    public init(source: ModelRef, target: String, method: CompressionMethod) {
        self.source = source
        self.target = target
        self.method = method
    }

    public var slug: String { URL(fileURLWithPath: target).lastPathComponent }

    public var inputs: [String: String] {
        ["source": source.identity, "target": URL(fileURLWithPath: target).lastPathComponent, "method": "\(method)"]
    }

    /// The variant as it now is on disk.
    public struct Output: Codable, Sendable {
        public let variant: ModelRef
        /// False when the folder was already there (made earlier by this method or copied in).
        public let made: Bool
    }

    public func run(_ context: CellContext) throws -> Output {
        let url = URL(fileURLWithPath: target)
        var made = false
        if !FileManager.default.fileExists(atPath: url.path) {
            context.say("run", "compressing \(source.name) -> \(url.lastPathComponent) (\(method.name))")
            do {
                _ = try Compressor.compress(source: URL(fileURLWithPath: source.path), target: url, method: method)
                made = true
            } catch where FileManager.default.fileExists(atPath: url.path) {
                // Another shard made it at the same time; its folder appeared whole (atomic rename).
            }
        }
        return Output(variant: try ModelRef.at(url), made: made)
    }

    /// Variants are inputs to other cells, not rows of a report.
    public static func merge(_ output: Output, into merged: inout MergedRun) {}
}
