import BertCheckpoint
import Foundation
import Testing

/// `bertbench plan` / `work` / `merge` on two tiny models (4 latency units): units run one by one
/// as scheduler tasks would, a done unit is skipped, the merge holds every unit; and each bad
/// input (another commit, a unit outside the plan, a damaged or edited unit file, a concurrent
/// merge, a checkpoint changed since planning) is one line naming the file and the unit, a
/// non-zero exit, and nothing written.
@Suite(.serialized) struct SweepCLI {
    let dir: URL
    let plan: URL
    let out: URL

    init() throws {
        dir = try scratchDirectory()
        for seed: UInt64 in [1, 2] {
            try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: seed, to: dir.appendingPathComponent("tiny-\(seed)"))
        }
        plan = dir.appendingPathComponent("plan")
        out = dir.appendingPathComponent("run")
        let made = try bertbench(["plan", "--model", dir.appendingPathComponent("tiny-1").path, "--model", dir.appendingPathComponent("tiny-2").path,
                                  "--batch", "1,2", "--seq", "8", "--warmup", "0", "--iterations", "2", "--out", plan.path])
        #expect(made.status == 0, "plan failed: \(made.stderr)")
    }

    func work(_ arguments: [String], environment: [String: String] = [:]) throws -> RunResult {
        try bertbench(["work", plan.path, "--quiet"] + arguments, environment: environment)
    }

    func merge(_ arguments: [String] = []) throws -> RunResult { try bertbench(["merge", plan.path, "--out", out.path] + arguments) }

    var cells: URL { plan.appendingPathComponent("cells") }

    func unitIDs() throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: plan.appendingPathComponent("plan.json"))) as! [String: Any]
        return ((json["sweep"] as! [String: Any])["units"] as! [[String: Any]]).map { $0["id"] as! String }
    }

    /// Runs every unit, the first through the Slurm variable and the second through the Kubernetes one.
    func runAll() throws {
        #expect(try work([], environment: ["SLURM_ARRAY_TASK_ID": "0"]).status == 0)
        #expect(try work([], environment: ["JOB_COMPLETION_INDEX": "1"]).status == 0)
        for unit in 2..<4 { #expect(try work(["--unit", "\(unit)"]).status == 0) }
    }

    @Test func unitsRunOnceAndMergeIntoOneRun() throws {
        let ids = try unitIDs()
        #expect(ids.count == 4)
        try runAll()
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: cells.path)) == Set(ids.map { "\($0).json" }))
        let again = try work(["--unit", "0"])
        #expect(again.status == 0 && again.stdout.contains("already done"), "a done unit ran again: \(again.stdout)")
        let forced = try work(["--unit", "0", "--force"])
        #expect(forced.status == 0 && forced.stdout.contains(": done"), "--force did not redo the unit: \(forced.stdout)")
        #expect(try work(["--missing"]).stdout == "\n")

        let merged = try merge()
        #expect(merged.status == 0, "merge failed: \(merged.stderr)")
        #expect(merged.stdout.contains("merged 4 of 4 units"))
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as! [String: Any]
        #expect((results["measurements"] as! [Any]).count == 4)
        let rows = try String(contentsOf: out.appendingPathComponent("units.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 5 && rows.dropFirst().allSatisfy { $0.contains(",latency,") })
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func missingUnitsAreListedAndPartialReportsSayIt() throws {
        #expect(try work(["--unit", "0"]).status == 0)
        let ids = try unitIDs()
        #expect(try work(["--missing"]).stdout == "1,2,3\n")
        let refused = try merge()
        expectOneLineError(refused, mentioning: "3 of 4 units have not finished")
        #expect(refused.stdout.contains("missing: unit 3 \(ids[3]); rerun: ") && refused.stdout.contains("work \(plan.path) --unit 3"))
        #expect(!FileManager.default.fileExists(atPath: out.path), "a refused merge wrote its folder")
        let partial = try merge(["--partial"])
        #expect(partial.status == 0)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("This report is partial: 3 of 4 planned units have not finished") && report.contains(ids[2]))
        try? FileManager.default.removeItem(at: dir)
    }

    /// Every bad input: one line naming the file and unit, a non-zero exit, cells/ as it was, no run folder.
    @Test func badInputIsRefusedByName() throws {
        try runAll()
        let ids = try unitIDs()
        let planFile = plan.appendingPathComponent("plan.json")
        let cellFile = cells.appendingPathComponent("\(ids[1]).json")
        let planText = try String(contentsOf: planFile, encoding: .utf8), cellData = try Data(contentsOf: cellFile)

        func refused(_ result: RunResult, _ fragments: [String]) throws {
            expectOneLineError(result, mentioning: fragments[0])
            for fragment in fragments.dropFirst() { #expect(result.stderr.contains(fragment), "stderr lacks '\(fragment)': \(result.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: out.path), "a refused command wrote the run folder")
            #expect(try FileManager.default.contentsOfDirectory(atPath: cells.path).filter { $0.hasPrefix(".") || !$0.hasSuffix(".json") }.isEmpty)
        }

        try refused(try work(["--unit", "4"]), ["plan.json: unit 4 is outside the plan", "units 0 to 3"])
        try refused(try work(["--unit=-1"]), ["unit -1 is outside the plan"])

        // A plan folder from another commit: work refuses the plan, merge the units it holds.
        let commit = try #require(planText.range(of: #""commit" : "[^"]+""#, options: .regularExpression))
        try planText.replacingCharacters(in: commit, with: #""commit" : "0123456789abcdef""#).write(to: planFile, atomically: true, encoding: .utf8)
        try refused(try work(["--unit", "0", "--force"]), ["plan.json: planned at commit 0123456789abcdef"])
        try refused(try merge(), ["\(ids[0]).json: unit 0 ran at commit", "the plan is at 0123456789abcdef"])
        try planText.write(to: planFile, atomically: true, encoding: .utf8)

        // A truncated unit file, and one whose output was edited.
        try cellData.prefix(cellData.count / 2).write(to: cellFile)
        try refused(try merge(), ["\(ids[1]).json: not a BertBench cell file"])
        try refused(try work(["--unit", "1"]), ["\(ids[1]).json: not a BertBench cell file"])
        let text = String(decoding: cellData, as: UTF8.self)
        let batch = try #require(text.range(of: #""sequencesPerSecond" : [0-9.e+-]+"#, options: .regularExpression))
        try Data(text.replacingCharacters(in: batch, with: #""sequencesPerSecond" : 1"#).utf8).write(to: cellFile)
        try refused(try merge(), ["\(ids[1]).json: unit \(ids[1]): its output does not match its recorded hash"])
        try cellData.write(to: cellFile)

        // Two merges at once: this test holds the lock a running merge would.
        let lock = open(plan.appendingPathComponent(".merge.lock").path, O_CREAT | O_RDWR, 0o644)
        #expect(lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0)
        try refused(try merge(), [".merge.lock: another merge of this plan is running"])
        close(lock)

        // A checkpoint changed since planning.
        let weights = dir.appendingPathComponent("tiny-1/model.safetensors")
        let original = try Data(contentsOf: weights)
        try Data(contentsOf: dir.appendingPathComponent("tiny-2/model.safetensors")).write(to: weights)
        try refused(try work(["--unit", "0", "--force"]), ["tiny-1: unit 0 (\(ids[0])) planned it with hash", "changed since planning"])
        try original.write(to: weights)

        #expect(try Data(contentsOf: cellFile) == cellData)
        #expect(try merge().status == 0, "the repaired folder does not merge")
        try? FileManager.default.removeItem(at: dir)
    }
}
