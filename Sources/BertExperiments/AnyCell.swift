import Foundation

/// A cell of any registered kind, as plan.json stores it: `{"id", "kind", "cell": {...}}`.
public struct AnyCell: Codable, Sendable {
    /// The cell itself.
    public let cell: any CellKind
    /// Its stable id.
    public var id: String { cell.id }
    /// Its kind's name.
    public var kind: String { type(of: cell).kind }

    /// Wraps `cell`.
    public init(_ cell: any CellKind) { self.cell = cell }

    private enum Keys: String, CodingKey { case id, kind, cell }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let name = try container.decode(String.self, forKey: .kind)
        let type = try CellRegistry.kind(named: name, in: "plan.json")
        cell = try Self.decodeCell(type, container)
        let stored = try container.decode(String.self, forKey: .id)
        guard stored == cell.id else { throw ExperimentError("plan.json: cell \(stored) has inputs whose id is \(cell.id) (edited?)") }
    }

    private static func decodeCell<K: CellKind>(_ type: K.Type, _ container: KeyedDecodingContainer<Keys>) throws -> K {
        try container.decode(K.self, forKey: .cell)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(cell, forKey: .cell)
    }
}
