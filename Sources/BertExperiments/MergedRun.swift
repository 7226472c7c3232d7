import BertDivergence
import BertMeasure
import Foundation

/// Finished cells gathered into the results the report writers render. Each cell kind's
/// `merge` adds to the lists; `latencyResults` assembles results.json at the end, so cells may
/// arrive in any order (a peer before the first latency cell, for example).
public struct MergedRun: Sendable {
    /// The plan the cells belong to.
    public let plan: Plan
    /// Planned cells with no file yet (a shard not run, a unit that failed).
    public internal(set) var missing: [String] = []
    /// Cell files in the folder that the plan does not list and whose kind is not external.
    public internal(set) var ignored: [String] = []
    /// Where and on what the first latency cell ran: results.json's `environment`.
    public var environment: RunEnvironment?
    /// results.json's lists, in plan order (see LatencyResults).
    public var models: [ModelRecord] = []
    public var measurements: [LatencyMeasurement] = []
    public var peers: [PeerMeasurement] = []
    public var gemm: [GEMMMeasurement] = []
    public var bandwidth: [BandwidthMeasurement] = []
    public var notes: [String] = []
    public var peakHostResidentBytes: Int?
    /// The divergence study's results, when the plan has one.
    public var divergence: DivergenceResults?
    /// Studies of other large models in the same plan (a second family), in plan order.
    public var otherStudies: [DivergenceResults] = []

    init(plan: Plan) { self.plan = plan }

    /// Adds a note once.
    public mutating func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }

    /// Adds a model's record once (by name).
    public mutating func add(_ model: ModelRecord) {
        if !models.contains(where: { $0.name == model.name }) { models.append(model) }
    }

    /// results.json for the merged cells, or nil when no latency cell has finished.
    public var latencyResults: LatencyResults? {
        guard let environment else { return nil }
        let header = plan.latency ?? Plan.LatencyHeader(settings: LatencySettings(), batches: [], sequenceLengths: [])
        var results = LatencyResults(runID: plan.runID, environment: environment, settings: header.settings,
                                     batches: header.batches, sequenceLengths: header.sequenceLengths)
        results.models = models
        results.measurements = measurements
        results.peers = peers
        results.gemm = gemm
        results.bandwidth = bandwidth.isEmpty ? nil : bandwidth
        results.notes = notes
        for note in plan.notes where !results.notes.contains(note) { results.notes.append(note) }
        for slower in LatencyResults.int8SlowerThanSource(models: models, measurements: measurements, deviceType: environment.device.type)
        where !results.notes.contains(slower.note) { results.notes.append(slower.note) }
        if !missing.isEmpty {
            let ids = missing.joined(separator: ", ")
            results.notes.append("partial: \(missing.count) of \(plan.cells.count) planned cells have not finished (\(ids))")
        }
        results.peakHostResidentBytes = peakHostResidentBytes
        return results
    }

    /// Merges `cells` (from `CellFiles.readAll`) under `plan`: the plan's cells in plan order,
    /// then external cells the plan does not list, sorted by id.
    public static func merge(plan: Plan, cells: [FinishedCell]) -> MergedRun {
        var merged = MergedRun(plan: plan)
        let byID = Dictionary(cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let planned = Set(plan.cells.map(\.id))
        for cell in plan.cells {
            if let finished = byID[cell.id] { finished.mergeInto(&merged) } else { merged.missing.append(cell.id) }
        }
        for cell in cells where !planned.contains(cell.id) {
            if type(of: cell.cell).external { cell.mergeInto(&merged) } else { merged.ignored.append(cell.id) }
        }
        return merged
    }
}
