import BertCheckpoint
import BertExperiments
import BertKernels
import BertMeasure
import Foundation
import OpenCLRuntime
import Testing

/// A latency plan over a tiny synthetic model run in two shards into one folder merges to the
/// same results as one unsharded run (timings aside); cells dropped in by other programs join
/// the merge; damaged cell files are refused by name.
@Suite(.serialized) struct ShardMerge {
    static let kernels: EncoderKernels? = try? EncoderKernels(context: try ComputeContext(
        device: try Device.choose(ProcessInfo.processInfo.environment["BERTBENCH_TEST_DEVICE"])))

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-experiments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Two tiny models, batches 1 and 2, lengths 8 and 100 (too long for tiny: a note, no row), with the numpy GEMM peer.
    func plan(_ dir: URL, kernels: EncoderKernels) throws -> Plan {
        var models: [ModelRef] = []
        for seed: UInt64 in [3, 4] {
            let url = dir.appendingPathComponent("tiny-\(seed)")
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: seed, to: url)
            models.append(try ModelRef.at(url))
        }
        let settings = LatencySettings(warmup: 1, iterations: 2)
        let device = StandardPlans.DeviceFacts(name: kernels.context.device.name, index: kernels.context.device.index, peerThreads: 1)
        var cells = try StandardPlans.latencySweep(models: models, batches: [1, 2], sequenceLengths: [8, 100], settings: settings,
                                                   peers: false, device: device)
        cells.append(GEMMPeerCell(engine: .bertbench, m: 8, n: 16, k: 32, device: device.name, deviceIndex: device.index))
        return Plan(runID: "t", latency: .init(settings: settings, batches: [1, 2], sequenceLengths: [8, 100]), cells: cells)
    }

    /// What must not depend on how the plan was split: everything but timings and dates.
    func deterministic(_ r: LatencyResults) -> [String] {
        r.models.map { "\($0.name) \($0.weightBytesStored) \($0.weightBytesDevice) \($0.layers) \($0.linearMode)" }
            + r.measurements.map { "\($0.model) b\($0.batch) s\($0.sequenceLength) n\($0.hostMilliseconds.count)" }
            + r.gemm.map { "\($0.engine) \($0.m)x\($0.n)x\($0.k)" } + r.notes + ["\(r.batches) \(r.sequenceLengths) \(r.runID)"]
    }

    @Test func twoShardsMergeLikeOneRun() throws {
        let kernels = try #require(Self.kernels, "no OpenCL device")
        let dir = try scratch()
        let plan = try plan(dir, kernels: kernels)
        let whole = dir.appendingPathComponent("whole"), split = dir.appendingPathComponent("split")
        let one = try Experiment.run(plan, shard: .all, folder: whole, context: CellContext(quiet: true) { kernels })
        let first = try Experiment.run(plan, shard: .index(0, of: 2), folder: split, context: CellContext(quiet: true) { kernels })
        #expect(!first.missing.isEmpty, "half the plan is missing after one shard")
        #expect(first.latencyResults?.notes.last?.hasPrefix("partial:") == true)
        let both = try Experiment.run(plan, shard: .index(1, of: 2), folder: split, context: CellContext(quiet: true) { kernels })
        #expect(both.missing.isEmpty)
        let a = try #require(one.latencyResults), b = try #require(both.latencyResults)
        #expect(deterministic(a) == deterministic(b))
        #expect(a.measurements.count == 4 && a.models.count == 2 && a.gemm.count == 1)
        #expect(a.notes.filter { $0.contains("sequence length 100 skipped") }.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: CellFiles.folder(split).path).count == plan.cells.count)

        // A plan in the folder that lists other cells refuses a shard of this one.
        let other = Plan(runID: "t", cells: Array(plan.cells.dropFirst().map(\.cell)))
        #expect(throws: ExperimentError.self) {
            try Experiment.run(other, shard: .index(0, of: 2), folder: split, context: CellContext(quiet: true) { kernels })
        }
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func externalPeerCellsAreMergedAndDamagedOnesRefused() throws {
        let kernels = try #require(Self.kernels, "no OpenCL device")
        let dir = try scratch()
        let plan = try plan(dir, kernels: kernels)
        let folder = dir.appendingPathComponent("run")
        _ = try Experiment.run(plan, shard: .ids([plan.cells[0].id]), folder: folder, context: CellContext(quiet: true) { kernels })

        // What scripts/peer_pytorch.py --cells writes, written here by hand as any other program would.
        let cell: [String: Any] = ["model": "tiny-3", "path": "/gpu/tiny-3", "batch": 1, "sequenceLength": 8, "warmup": 3, "iterations": 20,
                                   "device": "NVIDIA H100"]
        let inputs = ["model": "tiny-3", "batch": "1", "sequenceLength": "8", "warmup": "3", "iterations": "20", "device": "NVIDIA H100"]
        let id = CellID.make(kind: "pytorch-peer", slug: "tiny-3-b1-s8", inputs: inputs)
        let row: [String: Any] = ["peer": "pytorch", "version": "2.5", "detail": "by hand", "model": "tiny-3", "batch": 1, "sequenceLength": 8,
                                  "p50": 0.25, "p90": 0.3, "p99": 0.4, "milliseconds": [0.25, 0.3]]
        let record: [String: Any] = ["schema": "bertbench.cell/1", "id": id, "kind": "pytorch-peer", "cell": cell, "output": ["value": row],
                                     "host": "gpu-host", "finished": "2026-01-01T00:00:00Z"]
        #expect(try pythonCellID(cell) == id, "scripts/peer_pytorch.py names its cells as BertBench does")
        let file = CellFiles.folder(folder).appendingPathComponent("\(id).json")
        try JSONSerialization.data(withJSONObject: record).write(to: file)
        let merged = try #require(try RunFolder.merge(folder))
        let peers = try #require(merged.latencyResults?.peers)
        #expect(peers.count == 1 && peers.first?.peer == "pytorch" && peers.first?.p50 == 0.25)

        // The same file with an edited input no longer matches its id: refused, naming the file.
        var edited = record
        edited["cell"] = cell.merging(["batch": 2]) { $1 }
        try JSONSerialization.data(withJSONObject: edited).write(to: file)
        #expect { try RunFolder.merge(folder) } throws: { ($0 as? ExperimentError)?.message.contains(file.path) == true }
        try Data("{\"schema\": \"bertbench.cell/1\", \"kind\": \"latency\"".utf8).write(to: file)
        #expect { try RunFolder.merge(folder) } throws: { ($0 as? ExperimentError)?.message.contains(file.path) == true }
        try? FileManager.default.removeItem(at: dir)
    }

    /// The id scripts/peer_pytorch.py gives `cell` (its helpers need no torch).
    func pythonCellID(_ cell: [String: Any]) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let code = "import json, sys; sys.path.insert(0, sys.argv[1]); import peer_pytorch; print(peer_pytorch.cell_id(json.loads(sys.argv[2])))"
        let json = String(decoding: try JSONSerialization.data(withJSONObject: cell), as: UTF8.self)
        process.arguments = ["python3", "-c", code, root.appendingPathComponent("scripts").path, json]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
