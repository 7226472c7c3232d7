import BertCheckpoint
import Foundation
import Testing

/// `compress --calibration`: a bad file or a method that would not read it ends with one line
/// naming the problem, a non-zero exit and no output folder; a good one is recorded in config.json.
@Suite(.serialized) struct CalibrationCLI {
    let dir: URL
    let model: URL
    let texts: URL

    init() throws {
        dir = try scratchDirectory()
        model = dir.appendingPathComponent("model")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 3, to: model)
        texts = dir.appendingPathComponent("calibration.txt")
        try "a good movie\nA BAD ONE\n\nthe plot was thin but the cast was fine\n".write(to: texts, atomically: true, encoding: .utf8)
    }

    func compress(_ extra: [String]) throws -> (RunResult, URL) {
        let out = dir.appendingPathComponent("out-\(UUID().uuidString)")
        return (try bertbench(["compress", "--model", model.path, "--out", out.path] + extra), out)
    }

    @Test func refusals() throws {
        let empty = dir.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        let cases: [([String], String)] = [
            (["--method", "prune-sparsegpt", "--sparsity", "0.5", "--calibration", dir.appendingPathComponent("nowhere.txt").path], "nowhere.txt"),
            (["--method", "prune-sparsegpt", "--sparsity", "0.5", "--calibration", empty.path], "no calibration text"),
            (["--method", "prune-sparsegpt", "--sparsity", "0.5"], "needs a calibration set"),
            (["--method", "int8", "--calibration", texts.path], "does not read a calibration set"),
            (["--method", "prune-heads", "--fraction", "0.5", "--calibration", texts.path], "does not read a calibration set"),
            (["--method", "prune-sparsegpt", "--pattern", "4:4", "--calibration", texts.path], "--pattern"),
            (["--method", "int8-smoothquant", "--alpha", "2", "--calibration", texts.path], "--alpha"),
        ]
        for (arguments, fragment) in cases {
            let (result, out) = try compress(arguments)
            expectOneLineError(result, mentioning: fragment)
            #expect(!FileManager.default.fileExists(atPath: out.path), "\(arguments) left \(out.lastPathComponent)")
        }
    }

    @Test func calibratedMethodsRecordTheirData() throws {
        for arguments in [["--method", "prune-sparsegpt", "--pattern", "2:4"], ["--method", "int8-smoothquant"],
                          ["--method", "prune-ffn", "--fraction", "0.5", "--refit"]] {
            let (result, out) = try compress(arguments + ["--calibration", texts.path, "--calibration-items", "2"])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let config = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: out.appendingPathComponent("config.json")))
            guard case .object(let json) = config, case .object(let record)? = json["compression"],
                  case .object(let calibration)? = record["calibration"] else {
                Issue.record("\(arguments): config.json has no compression.calibration")
                continue
            }
            #expect(calibration["file"]?.stringValue == "calibration.txt")
            #expect(calibration["items"]?.doubleValue == 2 && calibration["items_in_file"]?.doubleValue == 3)
            #expect(calibration["content_hash"]?.stringValue?.hasPrefix("fnv1a64:") == true)
            #expect(record["recovery"]?.stringValue == "none (one-shot)")
        }
    }
}
