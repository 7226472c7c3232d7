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
            (["--method", "prune-sparsegpt", "--sparsity", "0.5", "--calibration-seed", "3"], "--calibration-seed needs --calibration"),
            (["--method", "prune-sparsegpt", "--sparsity", "0.5", "--calibration", texts.path, "--calibration-seed", "-1"], "--calibration-seed"),
            (["--method", "prune-sparsegpt", "--sparsity", "0.5", "--calibration", texts.path, "--calibration-seed", "two"], "--calibration-seed"),
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
            #expect(calibration["seed"]?.doubleValue == 14, "the default sample's seed is recorded")
        }
    }

    @Test func calibrationSeedIsRecordedAndDrawsAnotherSample() throws {
        let file = dir.appendingPathComponent("many.txt")
        try (0..<20).map { "review \($0): the plot was \($0 % 2 == 0 ? "thin" : "thick") and the cast \($0 * 7)" }
            .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        func compressed(_ seed: String) throws -> (calibration: [String: JSONValue], weights: Data) {
            let (result, out) = try compress(["--method", "prune-sparsegpt", "--sparsity", "0.5", "--calibration", file.path,
                                              "--calibration-items", "2", "--calibration-seed", seed])
            #expect(result.status == 0, "seed \(seed): \(result.stderr)")
            #expect(result.stdout.contains("(seed \(seed))"), "\(result.stdout)")
            let config = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: out.appendingPathComponent("config.json")))
            guard case .object(let json) = config, case .object(let record)? = json["compression"],
                  case .object(let calibration)? = record["calibration"] else { throw CancellationError() }
            return (calibration, try Data(contentsOf: out.appendingPathComponent("model.safetensors")))
        }
        let (a, b) = (try compressed("1"), try compressed("3"))  // seeds 1 and 2 happen to draw the same two texts of twenty
        #expect(a.calibration["seed"]?.doubleValue == 1 && b.calibration["seed"]?.doubleValue == 3)
        #expect(a.calibration["sample"]?.stringValue?.contains("seed 1)") == true)
        // Two of twenty texts, drawn by each seed: other texts, other grams, other weights.
        #expect(a.weights != b.weights, "seeds 1 and 3 gave the same weights")
    }
}
