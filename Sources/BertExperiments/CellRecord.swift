import Foundation
import Support

/// A finished cell as `<run folder>/cells/<id>.json` holds it: schema, id, kind, the cell's
/// inputs, its output, and where and when it ran. Programs outside BertBench may write these.
struct CellRecord<K: CellKind>: Codable {
    var schema = CellRecord.schemaVersion
    let id: String
    let kind: String
    let cell: K
    let output: K.Output
    let host: String
    let finished: String
    /// Commit, device and driver, when the cell ran with a device open (absent in older files).
    let stamp: UnitStamp?
    /// FNV-1a of the output as encoded, so an edited or damaged output is refused, not merged.
    let outputHash: String?

    static var schemaVersion: String { "bertbench.cell/1" }

    init(cell: K, output: K.Output, stamp: UnitStamp?) throws {
        self.id = cell.id
        self.kind = K.kind
        self.cell = cell
        self.output = output
        self.host = ProcessInfo.processInfo.hostName
        self.finished = ISO8601DateFormatter().string(from: Date())
        self.stamp = stamp
        self.outputHash = try Self.hash(output)
    }

    /// The hash of `output` in the file's own encoding (sorted keys, so the same on every host).
    static func hash(_ output: K.Output) throws -> String {
        String(format: "fnv1a64:%016llx", CellID.fnv1a64(try CellJSON.encoder.encode(output)))
    }
}

/// A finished cell of any kind, read back from its file.
public struct FinishedCell: Sendable {
    /// The cell's id (checked against its inputs when read).
    public let id: String
    /// The cell that ran.
    public let cell: any CellKind
    /// Its output (the kind's `Output`), for views beyond the merge such as per-device tables.
    public let output: any Sendable
    /// The host, and commit, device and driver when recorded.
    public let host: String
    public let stamp: UnitStamp?
    /// Adds this cell's output to merged results.
    let mergeInto: @Sendable (inout MergedRun) -> Void
}

/// Reading and writing cell files.
public enum CellFiles {
    /// `<run folder>/cells`.
    public static func folder(_ run: URL) -> URL { run.appendingPathComponent("cells") }

    /// Writes a finished cell to `cells/<id>.json` atomically.
    static func write<K: CellKind>(_ cell: K, output: K.Output, run: URL, stamp: UnitStamp? = nil) throws {
        let folder = folder(run)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = try CellJSON.encoder.encode(try CellRecord(cell: cell, output: output, stamp: stamp))
        try writeAtomically(data, to: folder.appendingPathComponent("\(cell.id).json").path)
    }

    /// Writes `output` as the finished cell's file, as a program other than PlanRunner would
    /// (a peer script, or a test building a large folder without running every cell).
    public static func writeFinished<K: CellKind>(_ cell: K, output: K.Output, run: URL, stamp: UnitStamp?) throws {
        try write(cell, output: output, run: run, stamp: stamp)
    }

    /// Whether `cells/<id>.json` exists.
    public static func exists(_ id: String, run: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder(run).appendingPathComponent("\(id).json").path)
    }

    /// Every cell file in `<run>/cells`, sorted by id; a file that is not a valid cell of a known
    /// kind, or whose id does not match its inputs or its name, is an error naming it.
    public static func readAll(run: URL) throws -> [FinishedCell] {
        let folder = folder(run)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return try names.map { try read(folder.appendingPathComponent($0)) }
    }

    /// One cell file.
    public static func read(_ url: URL) throws -> FinishedCell {
        struct Head: Decodable { let schema: String; let kind: String }
        let data: Data, head: Head
        do {
            data = try Data(contentsOf: url)
            head = try CellJSON.decoder.decode(Head.self, from: data)
        } catch { throw ExperimentError("\(url.path): not a BertBench cell file (\(error))") }
        guard head.schema == CellRecord<LatencyCell>.schemaVersion else {
            throw ExperimentError("\(url.path): schema \(head.schema), this bertbench reads \(CellRecord<LatencyCell>.schemaVersion)")
        }
        return try decode(try CellRegistry.kind(named: head.kind, in: url.path), data, url)
    }

    private static func decode<K: CellKind>(_ type: K.Type, _ data: Data, _ url: URL) throws -> FinishedCell {
        let record: CellRecord<K>
        do { record = try CellJSON.decoder.decode(CellRecord<K>.self, from: data) } catch {
            throw ExperimentError("\(url.path): not a valid \(K.kind) cell (\(error))")
        }
        guard record.id == record.cell.id, url.deletingPathExtension().lastPathComponent == record.id else {
            throw ExperimentError("\(url.path): id \(record.id) does not match its inputs (\(record.cell.id)) or its file name")
        }
        if let stored = record.outputHash, try CellRecord<K>.hash(record.output) != stored {
            throw ExperimentError("\(url.path): unit \(record.id): its output does not match its recorded hash (edited or damaged); run it again")
        }
        let output = record.output
        return FinishedCell(id: record.id, cell: record.cell, output: output, host: record.host, stamp: record.stamp) { K.merge(output, into: &$0) }
    }
}
