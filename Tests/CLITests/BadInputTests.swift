import BertCheckpoint
import Foundation
import Testing

/// Each bad input ends with one line saying what and where, a non-zero exit, and no output file.
@Suite(.serialized) struct BadInput {
    let dir: URL
    let model: URL
    let input: URL
    let output: URL

    init() throws {
        dir = try scratchDirectory()
        model = dir.appendingPathComponent("model")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 1, to: model)
        input = dir.appendingPathComponent("in.txt")
        try "a good movie\nA BAD ONE\n".write(to: input, atomically: true, encoding: .utf8)
        output = dir.appendingPathComponent("out.jsonl")
    }

    func embed(model: URL? = nil, input: URL? = nil, environment: [String: String] = [:]) throws -> RunResult {
        try bertbench(["embed", "--model", (model ?? self.model).path, "--input", (input ?? self.input).path,
                       "--output", output.path, "--quiet"], environment: environment)
    }

    func expectNoOutput(_ result: RunResult, mentioning fragment: String) throws {
        expectOneLineError(result, mentioning: fragment)
        #expect(try onlyContains(dir, ["model", "in.txt", "broken", "bad.txt"]), "output or partial file left behind")
    }

    /// A copy of the tiny model whose file `name` is replaced by `transform` of its bytes.
    func broken(_ name: String, _ transform: (Data) throws -> Data) throws -> URL {
        let copy = dir.appendingPathComponent("broken")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: model, to: copy)
        let file = copy.appendingPathComponent(name)
        try transform(try Data(contentsOf: file)).write(to: file)
        return copy
    }

    @Test func theGoodCaseWorks() throws {
        let result = try embed()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        try FileManager.default.removeItem(at: output)
    }

    @Test func missingModelDirectory() throws {
        try expectNoOutput(try embed(model: dir.appendingPathComponent("nowhere")), mentioning: "nowhere")
    }

    @Test func missingInputFile() throws {
        try expectNoOutput(try embed(input: dir.appendingPathComponent("absent.txt")), mentioning: "absent.txt")
    }

    @Test func emptyLineNamesItsLineNumber() throws {
        let bad = dir.appendingPathComponent("bad.txt")
        try "first\n\nthird\n".write(to: bad, atomically: true, encoding: .utf8)
        try expectNoOutput(try embed(input: bad), mentioning: "bad.txt:2: empty line")
    }

    @Test func nonUTF8LineNamesItsLineNumber() throws {
        let bad = dir.appendingPathComponent("bad.txt")
        try Data([0x66, 0x69, 0x6E, 0x65, 0x0A, 0x62, 0x61, 0xFF, 0x64, 0x0A]).write(to: bad)
        try expectNoOutput(try embed(input: bad), mentioning: "bad.txt:2: line is not valid UTF-8")
    }

    @Test func emptyInputFile() throws {
        let bad = dir.appendingPathComponent("bad.txt")
        try Data().write(to: bad)
        try expectNoOutput(try embed(input: bad), mentioning: "no texts")
    }

    @Test func truncatedSafetensors() throws {
        let copy = try broken("model.safetensors") { $0.prefix($0.count / 2) }
        try expectNoOutput(try embed(model: copy), mentioning: "model.safetensors")
    }

    @Test func tinyFileIsNotSafetensors() throws {
        let copy = try broken("model.safetensors") { _ in Data([1, 2, 3]) }
        try expectNoOutput(try embed(model: copy), mentioning: "truncated")
    }

    @Test func headerThatLiesAboutOffsets() throws {
        // Same length, but the first tensor's end offset is pushed past the data section.
        let copy = try broken("model.safetensors") { data in
            let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            var header = String(decoding: data[8..<(8 + n)], as: UTF8.self)
            let range = header.range(of: #""data_offsets":\[0,\d+\]"#, options: .regularExpression)!
            let replacement = #""data_offsets":[0,999999999]"#
            header.replaceSubrange(range, with: replacement)
            var out = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            return out + Data(header.utf8) + data[(8 + n)...]
        }
        try expectNoOutput(try embed(model: copy), mentioning: "data_offsets")
    }

    @Test func headerThatIsNotJSON() throws {
        let copy = try broken("model.safetensors") { data in
            var d = data
            d[9] = 0x7B  // "{" then garbage: the JSON no longer parses
            d[10] = 0x7B
            return d
        }
        try expectNoOutput(try embed(model: copy), mentioning: "not a JSON object")
    }

    @Test func shapeThatContradictsTheConfig() throws {
        let copy = try broken("config.json") { data in
            Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"intermediate_size\" : 64", with: "\"intermediate_size\" : "
                    + "96").utf8)
        }
        try expectNoOutput(try embed(model: copy), mentioning: "config.json implies")
    }

    @Test func int8WeightsWithoutAQuantizationEntry() throws {
        let copy = dir.appendingPathComponent("broken")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: model, to: copy)
        let file = try SafeTensorsFile(url: model.appendingPathComponent("model.safetensors"))
        var writer = SafeTensorsWriter()
        for name in file.tensorNames {
            let info = try file.info(name)
            if name == "encoder.layer.0.intermediate.dense.weight" {
                writer.add(name, int8s: [Int8](repeating: 1, count: info.elementCount), shape: info.shape)
                writer.add(name + "_scale", floats: [Float](repeating: 0.01, count: info.shape[0]), shape: [info.shape[0]])
            } else {
                writer.add(name, floats: try file.floats(name), shape: info.shape)
            }
        }
        try writer.write(to: copy.appendingPathComponent("model.safetensors"))
        try expectNoOutput(try embed(model: copy), mentioning: "no quantization entry")
    }

    @Test func unknownModelType() throws {
        let copy = try broken("config.json") { data in
            Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"bert\"", with: "\"gpt2\"").utf8)
        }
        try expectNoOutput(try embed(model: copy), mentioning: "unknown model_type 'gpt2'")
    }

    @Test func vocabularyWithoutCLS() throws {
        let copy = try broken("vocab.txt") { data in
            Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "[CLS]\n", with: "[NOTCLS]\n").utf8)
        }
        try expectNoOutput(try embed(model: copy), mentioning: "no [CLS] token")
    }

    @Test func noOpenCLPlatform() throws {
        // The ICD loader reads vendor files from OCL_ICD_VENDORS: an empty directory means none.
        let empty = dir.appendingPathComponent("no-icds")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let result = try embed(environment: ["OCL_ICD_VENDORS": empty.path])
        expectOneLineError(result, mentioning: "no OpenCL platform")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func synthRefusesToOverwriteAndNamesUnknownPresets() throws {
        expectOneLineError(try bertbench(["synth", "--preset", "tiny", "--out", model.path]), mentioning: "refusing to overwrite")
        expectOneLineError(try bertbench(["synth", "--preset", "gpt-5", "--out", dir.appendingPathComponent("x").path]),
                           mentioning: "unknown preset 'gpt-5'")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
    }
}

@Suite struct CompressCommandInput {
    @Test func badMethodsAndParametersAreOneLineErrors() throws {
        let dir = try scratchDirectory()
        let model = dir.appendingPathComponent("m"), out = dir.appendingPathComponent("out").path
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: "tiny"), seed: 2, to: model)
        let cases: [([String], String)] = [
            (["--method", "zip"], "unknown method 'zip'"),
            (["--method", "prune-unstructured", "--sparsity", "1.2"], "--sparsity 1.2 must be in [0, 1)"),
            (["--method", "prune-unstructured"], "needs --sparsity"),
            (["--method", "drop-layers", "--keep", "0,5"], "layer 5"),
            (["--method", "drop-layers", "--keep", "0,x"], "not a comma-separated list"),
            (["--method", "int4-gptq"], "needs a calibration set"),
            (["--method", "int4-rtn", "--group-size", "7"], "--group-size must be an even integer, not 7"),
            (["--method", "int4-rtn", "--act-order"], "int4-rtn takes no parameter 'act_order'"),
            (["--method", "int4-gptq", "--damp=-1"], "--damp must be a number in"),
        ]
        for (arguments, fragment) in cases {
            expectOneLineError(try bertbench(["compress", "--model", model.path, "--out", out] + arguments), mentioning: fragment)
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let ok = try bertbench(["compress", "--model", model.path, "--out", out, "--method", "int8"])
        #expect(ok.status == 0, "\(ok.stderr)")
        expectOneLineError(try bertbench(["compress", "--model", out, "--out", out + "2", "--method", "int8"]), mentioning: "already quantized")
        #expect(!FileManager.default.fileExists(atPath: out + "2"))
    }
}
