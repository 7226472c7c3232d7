import BertMeasure
import Foundation
import Support

/// An experiment as data: the cells to run and what the merged report says around them.
/// Written as `<run folder>/plan.json`; any subset of it can run anywhere (see `PlanRunner`).
public struct Plan: Codable, Sendable {
    /// The schema of plan.json.
    public static let schemaVersion = "bertbench.plan/1"
    public var schema = Plan.schemaVersion
    /// The run folder's name, and results.json's runID.
    public var runID: String
    /// results.json's header for the latency cells (the settings and shapes the sweep was asked for).
    public var latency: LatencyHeader?
    /// Notes the report carries whatever cells ran (what the synthetic rows are, for example).
    public var notes: [String]
    /// The cells, in the order they run and merge.
    public var cells: [AnyCell]
    /// For a plan folder made by `bertbench plan`: the commit and each unit's command and input
    /// hashes (nil for a run folder).
    public var sweep: Sweep?

    /// A plan of `cells`.
    public init(runID: String, latency: LatencyHeader? = nil, notes: [String] = [], cells: [any CellKind]) {
        self.runID = runID
        self.latency = latency
        self.notes = notes
        self.cells = cells.map(AnyCell.init)
    }

    /// The shapes and settings of the latency sweep, as results.json states them.
    public struct LatencyHeader: Codable, Sendable {
        public let settings: LatencySettings
        public let batches: [Int]
        public let sequenceLengths: [Int]
        /// The header of a sweep over `batches` x `sequenceLengths` with `settings`.
        public init(settings: LatencySettings, batches: [Int], sequenceLengths: [Int]) {
            self.settings = settings
            self.batches = batches
            self.sequenceLengths = sequenceLengths
        }
    }

    /// The cells a shard runs, in plan order; unknown ids are an error.
    public func cells(in shard: Shard) throws -> [AnyCell] {
        switch shard {
        case .all: return cells
        case .index(let index, let count): return cells.enumerated().filter { $0.offset % count == index }.map(\.element)
        case .ids(let ids):
            let known = Set(cells.map(\.id))
            if let unknown = ids.first(where: { !known.contains($0) }) { throw ExperimentError("cell \(unknown) is not in the plan") }
            return cells.filter { ids.contains($0.id) }
        }
    }

    /// Writes plan.json into `folder` atomically.
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(try CellJSON.encoder.encode(self), to: folder.appendingPathComponent("plan.json").path)
    }

    /// The plan in `folder`/plan.json, or nil when there is none (a run folder from before plans).
    public static func read(from folder: URL) throws -> Plan? {
        let url = folder.appendingPathComponent("plan.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let plan: Plan
        do { plan = try CellJSON.decoder.decode(Plan.self, from: Data(contentsOf: url)) } catch let error as ExperimentError { throw error } catch {
            throw ExperimentError("\(url.path): not a BertBench plan (\(error))")
        }
        guard plan.schema == schemaVersion else { throw ExperimentError("\(url.path): schema \(plan.schema), this bertbench reads \(schemaVersion)") }
        return plan
    }
}

/// Which cells of a plan to run: all, every count-th from index, or named ids.
public enum Shard: Sendable, Equatable {
    case all
    case index(Int, of: Int)
    case ids([String])

    /// Parses "I/N" (0-based I) or a comma-separated list of cell ids.
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/")
        if parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) {
            guard count >= 1, index >= 0, index < count else { throw ExperimentError("shard '\(text)': need 0 <= I < N in I/N") }
            return .index(index, of: count)
        }
        let ids = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw ExperimentError("shard '\(text)': give I/N or cell ids separated by commas") }
        return .ids(ids)
    }
}

/// The JSON conventions of plan.json and cell files: sorted keys, NaN and infinities as strings
/// (the divergence results carry NaN where a matrix cell has no data).
enum CellJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
