import Foundation

/// One kind of unit of work in an experiment. A new kind is a new file with a type conforming
/// to this protocol plus one line in `CellRegistry.kinds`.
public protocol CellKind: Codable, Sendable {
    /// What the cell produces: the JSON under "output" in `cells/<id>.json`.
    associatedtype Output: Codable & Sendable

    /// The name of the kind in plan.json and cell files (e.g. "latency").
    static var kind: String { get }

    /// Cells of this kind may be written by programs outside the plan (a peer script on a GPU
    /// host) and are merged even when plan.json does not list them.
    static var external: Bool { get }

    /// A short human-readable part of the id (model, shape); the hash part makes it unique.
    var slug: String { get }

    /// Everything the output depends on, as text: the id is a hash of these, so equal inputs
    /// give equal ids on any host and a changed input gives a new id.
    var inputs: [String: String] { get }

    /// The files the output depends on, with the hashes planned for them: a unit run on a cluster
    /// checks them first, so a checkpoint changed since planning is an error, not a silent mix.
    var inputFiles: [InputFile] { get }

    /// The order a scheduler keeps: stage N runs after every unit of the stages before it (a
    /// study after the embedding units whose cache it reads); 0 for most kinds.
    var stage: Int { get }

    /// Does the work.
    func run(_ context: CellContext) throws -> Output

    /// Adds a finished output to the merged results.
    static func merge(_ output: Output, into merged: inout MergedRun)
}

extension CellKind {
    /// Most kinds are only ever produced by running a plan.
    public static var external: Bool { false }

    /// Most kinds depend on no other unit.
    public var stage: Int { 0 }

    /// Kinds that read no file (a GEMM shape) have nothing to check.
    public var inputFiles: [InputFile] { [] }

    /// The cell's stable id: kind, slug and a hash of `inputs`.
    public var id: String { CellID.make(kind: Self.kind, slug: slug, inputs: inputs) }
}
