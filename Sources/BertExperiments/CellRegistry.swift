import Foundation

/// Every cell kind BertBench knows, by name: plan.json and cell files are decoded through it.
public enum CellRegistry {
    /// One line per kind.
    nonisolated(unsafe) public static var kinds: [any CellKind.Type] = [
        PrepareVariantCell.self,
        LatencyCell.self,
        OnnxPeerCell.self,
        GEMMPeerCell.self,
        BandwidthCell.self,
        PyTorchPeerCell.self,
        EmbeddingCell.self,
        DivergenceCell.self,
    ]

    /// The kind called `name`, or an error naming `file`.
    static func kind(named name: String, in file: String) throws -> any CellKind.Type {
        guard let kind = kinds.first(where: { $0.kind == name }) else {
            throw ExperimentError("\(file): unknown cell kind '\(name)' (known: \(kinds.map { $0.kind }.joined(separator: ", ")))")
        }
        return kind
    }
}

/// A plan or cell file that cannot be used, or a cell that failed: one line saying why.
public struct ExperimentError: Error, CustomStringConvertible, Sendable {
    /// The line printed to the user.
    public let message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
