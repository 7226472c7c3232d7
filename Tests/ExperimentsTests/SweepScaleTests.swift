import BertCheckpoint
import BertExperiments
import BertKernels
import BertMeasure
import Foundation
import OpenCLRuntime
import Testing

/// A sweep of many latency units (one really run, the rest written with its output under their
/// own ids, as finished tasks would leave them, half as if on a second device) merges to exactly
/// its planned units with a latency table per device and units.csv naming each unit's device; the
/// merge's time and the folder's size are printed. BERTBENCH_SCALE_UNITS sets the count (300 by
/// default; docs/scale.md quotes a run with 10000).
@Suite(.serialized) struct SweepScale {
    static let kernels: EncoderKernels? = try? EncoderKernels(context: try ComputeContext(
        device: try Device.choose(ProcessInfo.processInfo.environment["BERTBENCH_TEST_DEVICE"])))

    @Test func manyUnitsMergeToExactlyThePlan() throws {
        let kernels = try #require(Self.kernels, "no OpenCL device")
        let count = Int(ProcessInfo.processInfo.environment["BERTBENCH_SCALE_UNITS"] ?? "") ?? 300
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-scale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let model = dir.appendingPathComponent("tiny")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 1, to: model)
        let device = StandardPlans.DeviceFacts(name: kernels.context.device.name, index: 0, peerThreads: 1)
        let cells = try StandardPlans.latencySweep(models: [try ModelRef.at(model)], batches: Array(1...count), sequenceLengths: [8],
                                                   settings: LatencySettings(warmup: 0, iterations: 1), peers: false, device: device)
        var plan = Plan(runID: "scale", cells: cells)
        let folder = dir.appendingPathComponent("plan")
        plan.sweep = Sweep(plan: plan, folder: folder, executable: "/opt/bertbench/bin/bertbench")
        try plan.write(to: folder)

        let context = CellContext(quiet: true) { kernels }
        _ = try SweepWork.run(folder: folder, unit: 0, force: false, context: context)
        let first = try CellFiles.read(CellFiles.folder(folder).appendingPathComponent("\(plan.cells[0].id).json"))
        let output = try #require(first.output as? LatencyCell.Output)
        // Every other unit as if a second device class had run it: the report gets a table per device.
        let stamp = try #require(first.stamp)
        let other = UnitStamp(device: "Second GPU", driver: "555.0", commit: stamp.commit)
        for (index, cell) in plan.cells.enumerated().dropFirst() {
            try CellFiles.writeFinished(cell.cell as! LatencyCell, output: output, run: folder, stamp: index % 2 == 1 ? other : stamp)
        }

        let started = Date()
        let collected = try SweepMerge.collect(folder: folder)
        let read = Date()
        let report = try SweepMerge.write(collected, to: dir.appendingPathComponent("run"), partial: false, plots: { _ in [] })
        let seconds = (read.timeIntervalSince(started), Date().timeIntervalSince(read))
        #expect(report == "report.md" && collected.missing.isEmpty && collected.cells.count == count)
        #expect(collected.merged.measurements.count == count)
        let run = dir.appendingPathComponent("run")
        let markdown = try String(contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("## Latency per device") && markdown.contains("### Second GPU") && markdown.contains("### \(stamp.device)"))
        let rows = try String(contentsOf: run.appendingPathComponent("units.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == count && rows.filter { $0.contains(",Second GPU,555.0,") }.count == count / 2)
        let planBytes = try Data(contentsOf: folder.appendingPathComponent("plan.json")).count
        let cellBytes = try FileManager.default.contentsOfDirectory(atPath: CellFiles.folder(folder).path).reduce(0) {
            $0 + (try Data(contentsOf: CellFiles.folder(folder).appendingPathComponent($1)).count)
        }
        print(String(format: "sweep scale: %d units: plan.json %.1f MB, cells/ %.1f MB, merge read+check %.2f s, render %.2f s",
                     count, Double(planBytes) / 1e6, Double(cellBytes) / 1e6, seconds.0, seconds.1))
        try? FileManager.default.removeItem(at: dir)
    }
}
