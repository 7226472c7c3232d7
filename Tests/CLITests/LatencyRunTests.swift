import BertCheckpoint
import Foundation
import Testing

/// A tiny sweep end to end: results.json valid against docs/results.schema.json, results.csv
/// with one row per measurement, report.md with its sections; `report` re-renders.
@Suite struct LatencyRun {
    @Test func tinySweepWritesValidResults() throws {
        let dir = try scratchDirectory()
        let model = dir.appendingPathComponent("tiny")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 3, to: model)
        let out = dir.appendingPathComponent("results")
        let run = try bertbench(["latency", "--model", model.path, "--batch", "1,3", "--seq", "8,100", "--iterations", "3", "--warmup", "1",
                                 "--out", out.path, "--run-name", "e2e", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let devices = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !$0.hasPrefix(".") }
        let folder = out.appendingPathComponent(try #require(devices.first)).appendingPathComponent("e2e")
        let json = folder.appendingPathComponent("results.json")

        // The schema, checked by an implementation nobody here wrote (Python jsonschema).
        let python = repositoryRoot.appendingPathComponent(".venv/bin/python")
        try #require(FileManager.default.fileExists(atPath: python.path), "run scripts/setup first")
        let validate = Process()
        validate.executableURL = python
        validate.arguments = ["-c", "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
                              json.path, repositoryRoot.appendingPathComponent("docs/results.schema.json").path]
        try validate.run()
        validate.waitUntilExit()
        #expect(validate.terminationStatus == 0, "results.json does not validate against docs/results.schema.json")

        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let measurements = try #require(object["measurements"] as? [[String: Any]])
        #expect(measurements.count == 2, "seq 100 exceeds the tiny model's 64 positions and must be skipped")
        #expect((object["notes"] as? [String])?.contains { $0.contains("sequence length 100 skipped") } == true)
        for m in measurements {
            #expect((m["hostMilliseconds"] as? [Double])?.count == 3)
            // The host time without events, and beside it that of the instrumented passes.
            let instrumented = m["instrumentedHost"] as? [String: Any]
            #expect((instrumented?["p50"] as? Double ?? 0) > 0, "\(m)")
            // Launch gaps: every pass launches kernels, and the idle time fits inside the device span.
            let span = (m["deviceMilliseconds"] as? [Double] ?? []).max() ?? 0
            #expect((m["launchesPerPass"] as? Int ?? 0) > 0 && (0...span).contains(m["idleMilliseconds"] as? Double ?? -1), "\(m)")
        }

        let csv = try String(contentsOf: folder.appendingPathComponent("results.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0].hasPrefix("engine,model,batch,sequence_length,host_p50_ms"))
        #expect(csv[0].hasSuffix(",iterations,device_name"))
        let device = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("results.json")))
            as? [String: Any])["environment"].flatMap { ($0 as? [String: Any])?["device"] as? [String: Any] }?["name"] as? String
        #expect(csv.dropFirst().allSatisfy { $0.hasSuffix(",\(device ?? "?")") }, "every row names the device that ran it: \(csv)")
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        for section in ["# BertBench latency report", "## Models", "## Latency", "## Where the device time goes", "idle between kernels",
                        "host p50 with events",
                        "synthetic (random weights)"] {
            #expect(report.contains(section), "report.md lacks '\(section)'")
        }

        // The run is a plan of cells: 2 batches x 2 lengths, each finished cell in its own file.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("plan.json").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("cells").path).count == 4)
        expectOneLineError(try bertbench(["latency", "--model", model.path, "--shard", "0/2", "--out", out.path]), mentioning: "--run-name")

        try FileManager.default.removeItem(at: folder.appendingPathComponent("report.md"))
        let again = try bertbench(["report", folder.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8).contains("## Latency"))
        expectOneLineError(try bertbench(["report", dir.path]), mentioning: "results.json")

        // A peer timed elsewhere arrives as a cell file written by scripts/peer_pytorch.py's own
        // writer; `report` merges it into results.json (never edited in place).
        let code = """
        import sys; sys.path.insert(0, sys.argv[1]); import peer_pytorch as p
        row = {"peer": "pytorch", "version": "test", "detail": "written by the test", "model": "tiny", "batch": 1, "sequenceLength": 8,
               "p50": 0.5, "p90": 0.6, "p99": 0.7, "milliseconds": [0.5, 0.6]}
        p.write_cell(sys.argv[2], {"model": "tiny", "path": "/gpu/tiny", "batch": 1, "sequenceLength": 8, "warmup": 3, "iterations": 2,
                                   "device": "NVIDIA test"}, row)
        """
        let script = Process()
        script.executableURL = python
        script.arguments = ["-c", code, repositoryRoot.appendingPathComponent("scripts").path, folder.appendingPathComponent("cells").path]
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        let merged = try bertbench(["report", folder.path])
        #expect(merged.status == 0, "\(merged.stderr)")
        let peers = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])["peers"] as? [[String: Any]]
        #expect(peers?.map { $0["peer"] as? String } == ["pytorch"])
    }
}
