import BertExperiments
import BertMeasure
import Foundation
import Testing

/// Cell ids come from the cells' inputs only: equal inputs, equal ids, in any process; any
/// changed input, a new id.
@Suite struct CellIDs {
    let model = ModelRef(name: "tiny", path: "/somewhere/tiny", hash: "fnv1a64:0123456789abcdef")
    let settings = LatencySettings(warmup: 1, iterations: 2)

    func latency(_ model: ModelRef? = nil, batch: Int = 1, length: Int = 8, device: String = "cpu", settings: LatencySettings? = nil) -> LatencyCell {
        LatencyCell(model: model ?? self.model, batch: batch, sequenceLength: length, device: device, settings: settings ?? self.settings)
    }

    @Test func idIsAFixedFunctionOfTheInputs() {
        #expect(latency().id == latency().id)
        // Worked out outside Swift (Python's FNV-1a 64 of the sorted key=value lines), so a change of
        // the rule, which would orphan every cell file already written, fails here.
        #expect(latency().id == "latency-tiny-b1-s8-184fbbb9338d")
        #expect(CellID.fnv1a64(Data("a".utf8)) == 0xaf63_dc4c_8601_ec8c, "FNV-1a 64 of 'a' (published test vector)")
    }

    @Test func everyInputChangesTheID() {
        let base = latency().id
        let moved = ModelRef(name: "tiny", path: "/elsewhere/tiny", hash: model.hash)
        #expect(latency(moved).id == base, "the path is where the model is, not what it is")
        let changed = [latency(ModelRef(name: "tiny", path: model.path, hash: "fnv1a64:0000000000000000")), latency(batch: 2), latency(length: 16),
                       latency(device: "gpu"), latency(settings: LatencySettings(warmup: 1, iterations: 3))]
        #expect(Set(changed.map(\.id)).count == changed.count)
        #expect(!changed.map(\.id).contains(base))
    }

    @Test func planRoundTripsAndShardsPartitionIt() throws {
        let cells: [any CellKind] = [1, 2, 3].map { latency(batch: $0) }
            + [GEMMPeerCell(engine: .numpy, m: 8, n: 8, k: 8, device: "cpu", deviceIndex: 0)]
        let plan = Plan(runID: "r", cells: cells)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-plan-\(UUID().uuidString)")
        try plan.write(to: folder)
        let read = try #require(try Plan.read(from: folder))
        #expect(read.cells.map(\.id) == plan.cells.map(\.id))
        #expect(read.cells.map(\.kind) == ["latency", "latency", "latency", "gemm-peer"])
        let halves = try [0, 1].map { try plan.cells(in: .index($0, of: 2)).map(\.id) }
        #expect(halves[0].count == 2 && halves[1].count == 2 && Set(halves[0] + halves[1]) == Set(plan.cells.map(\.id)))
        #expect(try plan.cells(in: Shard.parse(plan.cells[3].id)).map(\.id) == [plan.cells[3].id])
        #expect(throws: ExperimentError.self) { try plan.cells(in: .ids(["latency-nothing-000000000000"])) }
        #expect(throws: ExperimentError.self) { try Shard.parse("2/2") }
        try? FileManager.default.removeItem(at: folder)
    }
}
