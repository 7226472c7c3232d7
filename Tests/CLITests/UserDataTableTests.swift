import BertCheckpoint
import Foundation
import Testing

/// The bad-input table: each case exits non-zero with one line naming the file or option, and
/// every file that existed in the work folder before the command is byte-identical after it.
@Suite(.serialized) struct UserDataTable {
    let dir: URL
    let model: URL
    let input: URL

    init() throws {
        let work = try WorkFolder(seed: 4, texts: "a good movie\r\nA BAD ONE\rthird line\n")
        (dir, model, input) = (work.dir, work.model, work.input)
        try "text\tlabel\ngood\t1\nbad\t0\n".write(to: dir.appendingPathComponent("data.tsv"), atomically: true, encoding: .utf8)
    }

    /// A copy of the tiny model named `name` with `edit` applied to one of its files.
    func brokenModel(_ name: String, file: String, _ edit: (Data) throws -> Data) throws -> String {
        let copy = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: model, to: copy)
        let url = copy.appendingPathComponent(file)
        try edit(try Data(contentsOf: url)).write(to: url)
        return copy.path
    }

    /// config.json with `key` set to the JSON text `value`.
    func config(_ key: String, _ value: String) -> (Data) throws -> Data {
        { data in
            var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            object[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
            return try JSONSerialization.data(withJSONObject: object)
        }
    }

    /// model.safetensors with one F32 value replaced by NaN, or the header rewritten by `header`.
    func safetensors(nan: Bool = false, header: ((String) -> String)? = nil, extra: Int = 0) -> (Data) throws -> Data {
        { data in
            let length = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            var text = String(decoding: data[8..<(8 + length)], as: UTF8.self)
            var body = data[(8 + length)...]
            if nan { body.replaceSubrange(body.startIndex..<(body.startIndex + 4), with: withUnsafeBytes(of: Float.nan.bitPattern) { Data($0) }) }
            if let header { text = header(text) }
            var out = Data()
            withUnsafeBytes(of: UInt64(text.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            return out + Data(text.utf8) + body + Data(count: extra)
        }
    }

    @Test func everyCaseIsOneLineAndChangesNothing() throws {
        let results = dir.appendingPathComponent("results").path
        let tiny = model.path, text = input.path
        let embed = { (output: String) in ["embed", "--model", tiny, "--input", text, "--output", output, "--quiet"] }
        // An assets folder with the L6 model (the tiny one stands in) but no MPNet checkpoint.
        let withoutMPNet = dir.appendingPathComponent("assets-without-mpnet")
        try FileManager.default.createDirectory(at: withoutMPNet.appendingPathComponent("models"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: withoutMPNet.appendingPathComponent("models/all-MiniLM-L6-v2"), withDestinationURL: model)
        let huge = try brokenModel("huge", file: "model.safetensors", safetensors(header: { h in
            h.replacingOccurrences(of: "\"shape\":[1000,32]", with: "\"shape\":[4611686018427387904,32]") }))
        // A run whose assets lack the trained variants stops before any work, naming the command that trains them.
        let assets = dir.appendingPathComponent("assets")
        try FileManager.default.createDirectory(at: assets.appendingPathComponent("models/all-MiniLM-L6-v2"), withIntermediateDirectories: true)
        let cases: [([String], String)] = [
            (["run", "--assets", assets.path, "--out", results], "scripts/train/students.py"),
            (embed(results), results),
            (embed(dir.path), dir.path),
            (embed(""), "empty"),
            (embed("/dev/null"), "/dev/null"),
            (embed(text), "is also the input"),
            (["synth", "--preset", "tiny", "--out", text], text),
            (["synth", "--preset", "tiny", "--out", results], results),
            (["latency", "--model", tiny, "--out", results, "--run-name", ""], "--run-name"),
            (["latency", "--model", tiny, "--out", results, "--run-name", ".."], "--run-name"),
            (["latency", "--model", tiny, "--out", results, "--run-name", "a/b"], "--run-name"),
            (["latency", "--model", tiny, "--min-time", "inf"], "--min-time"),
            (["latency", "--model", tiny, "--min-time", "1", "--iterations", "3"], "exclude"),
            (["diverge", "--large", tiny, "--variant", tiny, "--test-items", "1", "--out", results], "--test-items"),
            (["diverge", "--large", tiny, "--population", "p=\(tiny)", "--out", results], "a population needs at least 2"),
            (["diverge", "--large", tiny, "--population", "nodir", "--out", results], "expected NAME=DIR"),
            (["plan", "--standard", "--model", tiny, "--out", dir.appendingPathComponent("p1").path], "--standard plans run's models"),
            (["plan", "--standard", "--assets", dir.appendingPathComponent("nowhere").path, "--out", dir.appendingPathComponent("p2").path],
             "run scripts/setup first"),
            (["bench-gemm", "--m", "8", "--n", "8", "--k", "8", "--param", "NO_SUCH=0"], "no parameter NO_SUCH"),  // any GEMM variant
            (["bench-gemm", "--m", "1000000", "--n", "1000000", "--k", "4"], "largest allocation"),
            (["compress", "--model", tiny, "--out", dir.appendingPathComponent("c").path, "--method", "int8", "--fraction", "0.5"],
             "takes no parameter 'fraction'"),
            (["run", "--device", "99", "--out", results], "--device 99"),
            (["run", "--mpnet", "--assets", withoutMPNet.path, "--out", results], "all-mpnet-base-v2 is missing"),
            (embed(dir.appendingPathComponent("o.jsonl").path).replacingModel(with: huge), "too large"),
            (embed(dir.appendingPathComponent("o.jsonl").path).replacingModel(with: try brokenModel("nan", file: "model.safetensors",
                                                                                                   safetensors(nan: true))), "nan"),
            (embed(dir.appendingPathComponent("o.jsonl").path).replacingModel(with: try brokenModel("loose", file: "model.safetensors",
                                                                                                   safetensors(extra: 8))), "trailing"),
            (embed(dir.appendingPathComponent("o.jsonl").path).replacingModel(with: try brokenModel("eps", file: "config.json",
                                                                                                   config("layer_norm_eps", "-1"))), "layer_norm_eps"),
            (embed(dir.appendingPathComponent("o.jsonl").path).replacingModel(with: try brokenModel("eps2", file: "config.json",
                                                                                                   config("layer_norm_eps", "1e300"))), "layer_norm_eps"),
            (embed(dir.appendingPathComponent("o.jsonl").path).replacingModel(with: try brokenModel("wide", file: "config.json",
                                                                                                   config("hidden_size", "1e30"))), "hidden_size"),
        ]
        let before = try snapshot(dir)
        for (arguments, fragment) in cases {
            let result = try bertbench(arguments)
            expectOneLineError(result, mentioning: fragment)
            #expect(try snapshot(dir) == before, "\(arguments) changed the work folder")
        }
        // And what works: CRLF and lone CR end lines (3 texts), and report leaves other files alone.
        let ok = try bertbench(embed(dir.appendingPathComponent("o.jsonl").path))
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("o.jsonl"), encoding: .utf8).split(separator: "\n").count == 3)
    }

    /// SIGTERM in the middle of a run leaves no temporary file; --resume keeps the finished cells,
    /// runs the rest, and gives the same model records as an uninterrupted run.
    @Test func killedRunsLeaveNothingBehindAndResume() throws {
        let second = dir.appendingPathComponent("second")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "distilbert-tiny"), seed: 5, to: second)
        let out = dir.appendingPathComponent("runs")
        let sweep = ["latency", "--model", model.path, "--model", second.path, "--batch", "1,2,4,8", "--seq", "8,16,32",
                     "--iterations", "40", "--warmup", "1", "--out", out.path, "--quiet"]
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent(".build/debug/bertbench")
        process.arguments = sweep + ["--run-name", "killed"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        func cellFiles() -> [String] {
            let found = FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []
            return found.filter { $0.contains("/cells/") && $0.hasSuffix(".json") }
        }
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, cellFiles().isEmpty, process.isRunning { usleep(20_000) }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 143, "the run finished before it could be interrupted, or did not stop cleanly")
        let leftovers = (FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty, "temporaries left: \(leftovers)")
        let finishedBefore = cellFiles().count
        #expect(finishedBefore >= 1 && finishedBefore < 24)

        let again = try bertbench(sweep + ["--run-name", "killed"])
        expectOneLineError(again, mentioning: "--resume")
        let resumed = try bertbench(sweep + ["--run-name", "killed", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(cellFiles().count == 24)
        let fresh = try bertbench(sweep + ["--run-name", "fresh"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        func models(_ run: String) throws -> String {
            let device = try #require(try FileManager.default.contentsOfDirectory(atPath: out.path).first { !$0.hasPrefix(".") })
            let json = out.appendingPathComponent(device).appendingPathComponent(run).appendingPathComponent("results.json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
            let records = try #require(object["models"] as? [[String: Any]])
            #expect((object["measurements"] as? [Any])?.count == 24)
            return records.map { r in ["name", "layers", "hiddenSize", "weightBytesStored", "weightBytesDevice"].map { "\(r[$0] ?? "-")" }
                .joined(separator: ",") }.joined(separator: ";")
        }
        #expect(try models("killed") == models("fresh"))
    }
}

extension Array where Element == String {
    /// These `embed` arguments with another model directory.
    func replacingModel(with path: String) -> [String] {
        var copy = self
        if let i = copy.firstIndex(of: "--model") { copy[i + 1] = path }
        return copy
    }
}
