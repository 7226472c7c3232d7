import BertCheckpoint
import Foundation
import Testing

/// Lying or hostile files are refused with a message naming the file and the tensor, never a trap.
@Suite struct CheckpointHardening {
    /// A raw safetensors file from a header text and a data section of `dataBytes` bytes.
    func rawFile(_ header: String, data: Data) throws -> URL {
        var h = Data(header.utf8)
        h.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8))
        var d = Data()
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(h)
        d.append(data)
        let url = try scratch().appendingPathComponent("t.safetensors")
        try d.write(to: url)
        return url
    }

    @Test func overflowingShapeProductIsAnErrorNotATrap() throws {
        let url = try rawFile(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: Data(count: 8))
        let error = #expect(throws: CheckpointError.self) { _ = try SafeTensorsFile(url: url) }
        #expect(error?.description.contains("too large") == true)
        #expect(error?.description.contains("tensor a") == true)
    }

    @Test func unusedBytesInTheDataSectionAreRefused() throws {
        let hole = try rawFile(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Data(count: 8))
        let e1 = #expect(throws: CheckpointError.self) { _ = try SafeTensorsFile(url: hole) }
        #expect(e1?.description.contains("belong to no tensor") == true)
        let trailing = try rawFile(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: Data(count: 12))
        let e2 = #expect(throws: CheckpointError.self) { _ = try SafeTensorsFile(url: trailing) }
        #expect(e2?.description.contains("trailing") == true)
    }

    @Test func nonFiniteWeightsAreRefusedByName() throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            var writer = SafeTensorsWriter()
            writer.add("encoder.layer.0.output.dense.weight", floats: [1, 2, bad, 4], shape: [2, 2])
            let url = try scratch().appendingPathComponent("t.safetensors")
            try writer.write(to: url)
            let file = try SafeTensorsFile(url: url)
            let error = #expect(throws: CheckpointError.self) { _ = try file.floats("encoder.layer.0.output.dense.weight") }
            #expect(error?.description.contains("encoder.layer.0.output.dense.weight") == true)
            #expect(error?.description.contains("element 2") == true)
        }
    }

    @Test func integersOutOfRangeInJSONAreNotIntegers() throws {
        let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(#"{"a": 1e30, "b": 9223372036854775808, "c": 12, "d": 1.5}"#.utf8))
        #expect(json["a"]?.intValue == nil)
        #expect(json["b"]?.intValue == nil)
        #expect(json["c"]?.intValue == 12)
        #expect(json["d"]?.intValue == nil)
    }
}

/// config.json values are checked against their meaning, naming the file and the key.
@Suite struct ConfigValidation {
    func config(_ changes: [String: JSONValue]) throws -> BertConfig {
        var json: [String: JSONValue] = ["model_type": .string("bert"), "hidden_size": .number(32), "num_hidden_layers": .number(2),
                                         "num_attention_heads": .number(4), "intermediate_size": .number(64),
                                         "vocab_size": .number(100), "max_position_embeddings": .number(64)]
        for (key, value) in changes { json[key] = value }
        return try BertConfig(json: json, path: "m/config.json")
    }

    @Test func layerNormEpsMustBeInZeroOne() throws {
        #expect(try config(["layer_norm_eps": .number(1e-5)]).layerNormEps == 1e-5)
        for bad: JSONValue in [.number(-1), .number(0), .number(1e300), .number(1), .number(1e-60), .string("small")] {
            let error = #expect(throws: CheckpointError.self) { _ = try config(["layer_norm_eps": bad]) }
            #expect(error?.description.contains("m/config.json: layer_norm_eps") == true, "\(bad): \(error?.description ?? "")")
        }
    }

    @Test func sizesMustBeIntegersWithinLimits() throws {
        for (key, bad) in [("hidden_size", JSONValue.number(1e30)), ("vocab_size", .number(9.3e18)), ("num_hidden_layers", .number(2.5)),
                           ("max_position_embeddings", .number(0)), ("intermediate_size", .number(-3)), ("hidden_size", .string("big"))] {
            let error = #expect(throws: CheckpointError.self) { _ = try config([key: bad]) }
            #expect(error?.description.contains("m/config.json: \(key)") == true, "\(key)=\(bad): \(error?.description ?? "")")
        }
    }
}
