import BertCalibration
import BertCheckpoint
import BertCompression
import EncoderWeights
import Foundation
import Testing

// Nested in `Compression` (serialized): the suites share one OpenCL context, driven from one thread at a time.
extension Compression {
/// The calibration seed that makes a population of compressed models: another seed samples other
/// texts of the same file and so gives other weights; the same seed gives the same bytes.
@Suite struct CalibrationSeed {
    @Test func seedsChooseTheItemsAndTheWeights() throws {
        let dir = try freshDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let teacher = try tinyTeacher(in: dir)
        let file = dir.appendingPathComponent("texts.txt")
        let words = ["movie", "plot", "cast", "music", "ending", "script", "scene", "actor"]
        try (0..<40).map { "the \(words[$0 % words.count]) number \($0) was \($0 % 3 == 0 ? "fine" : "dull")" }
            .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)

        let defaultSample = try CalibrationTexts(path: file.path, items: 8)
        #expect(defaultSample.seed == CalibrationTexts.seed)
        #expect(try CalibrationTexts(path: file.path, items: 8, seed: CalibrationTexts.seed).texts == defaultSample.texts)
        let one = try CalibrationTexts(path: file.path, items: 8, seed: 1), two = try CalibrationTexts(path: file.path, items: 8, seed: 2)
        #expect(try CalibrationTexts(path: file.path, items: 8, seed: 1).texts == one.texts)
        #expect(Set(one.texts) != Set(two.texts), "seeds 1 and 2 drew the same items")

        func compress(_ texts: CalibrationTexts, _ name: String) throws -> URL {
            let out = dir.appendingPathComponent(name)
            let calibration = try EngineCalibration(texts: texts, model: teacher, kernels: TestDevice.kernels)
            try Compressor.compress(source: teacher, target: out, method: .sparseGPT(sparsity: 0.5), calibration: calibration)
            return out
        }
        let a = try compress(one, "seed-1"), again = try compress(try CalibrationTexts(path: file.path, items: 8, seed: 1), "seed-1-again")
        let b = try compress(two, "seed-2")
        func weights(_ url: URL) throws -> Data { try Data(contentsOf: url.appendingPathComponent("model.safetensors")) }
        #expect(try weights(a) == weights(again), "the same seed gave other bytes")
        #expect(try weights(a) != weights(b), "seeds 1 and 2 gave the same weights")

        let config = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: b.appendingPathComponent("config.json")))
        guard case .object(let json) = config, case .object(let record)? = json["compression"],
              case .object(let calibration)? = record["calibration"] else {
            Issue.record("config.json has no compression.calibration")
            return
        }
        #expect(calibration["seed"]?.doubleValue == 2 && calibration["sample"]?.stringValue?.contains("seed 2") == true)
    }
}
}
