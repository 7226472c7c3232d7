import BertCheckpoint
import Foundation
import Testing

func scratch() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bertbench-ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct SafeTensors {
    @Test func roundTripsEveryDtypeAndWidensHalfPrecisionExactly() throws {
        let dir = try scratch()
        let values: [Float] = [0, 1, -2.5, 65504, 1.0 / 1024, -0.333251953125]
        var writer = SafeTensorsWriter()
        writer.add("f32", floats: values, shape: [2, 3])
        writer.add("i8", int8s: [-127, 0, 5, 127], shape: [4])
        // F16 bit patterns of the same values (all exactly representable in half precision).
        let halves = values.map { Float16($0).bitPattern }
        writer.add("f16", dtype: .f16, shape: [6], bytes: halves.withUnsafeBufferPointer { Data(buffer: $0) })
        // BF16: the top 16 bits of the float32 pattern (the values above with few mantissa bits).
        let bf: [Float] = [0, 1, -2.5, 3.140625, -0.5, 256]
        let bfBits = bf.map { UInt16($0.bitPattern >> 16) }
        writer.add("bf16", dtype: .bf16, shape: [3, 2], bytes: bfBits.withUnsafeBufferPointer { Data(buffer: $0) })
        writer.metadata = ["format": "pt"]
        let url = dir.appendingPathComponent("t.safetensors")
        try writer.write(to: url)
        let file = try SafeTensorsFile(url: url)
        #expect(file.tensorNames == ["bf16", "f16", "f32", "i8"])
        #expect(try file.floats("f32") == values)
        #expect(try file.floats("f16") == values)
        #expect(try file.floats("bf16") == bf)
        #expect(try file.int8s("i8") == [-127, 0, 5, 127])
        #expect(try file.info("f32").shape == [2, 3])
        #expect(file.metadata["format"] == "pt")
        #expect(throws: CheckpointError.self) { _ = try file.int8s("f32") }
        #expect(throws: CheckpointError.self) { _ = try file.floats("missing") }
        // The data section starts 8-byte aligned.
        let headerLength = try Data(contentsOf: url).prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
    }

    @Test func overlappingTensorsAndUnknownDtypesAreRefused() throws {
        let dir = try scratch()
        func file(_ header: String, dataBytes: Int) throws -> URL {
            var h = Data(header.utf8)
            h.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8))
            var d = Data()
            withUnsafeBytes(of: UInt64(h.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(h)
            d.append(Data(count: dataBytes))
            let url = dir.appendingPathComponent("\(UUID().uuidString).safetensors")
            try d.write(to: url)
            return url
        }
        let overlap = try file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataBytes: 12)
        let e1 = #expect(throws: CheckpointError.self) { _ = try SafeTensorsFile(url: overlap) }
        #expect(e1?.description.contains("overlap") == true)
        let unknown = try file(#"{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}}"#, dataBytes: 1)
        let e2 = #expect(throws: CheckpointError.self) { _ = try SafeTensorsFile(url: unknown) }
        #expect(e2?.description.contains("unsupported dtype Q4") == true)
        let wrongSize = try file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataBytes: 8)
        let e3 = #expect(throws: CheckpointError.self) { _ = try SafeTensorsFile(url: wrongSize) }
        #expect(e3?.description.contains("tensor a") == true)
    }
}

@Suite struct Layouts {
    @Test(arguments: ["tiny", "distilbert-tiny"])
    func syntheticCheckpointsOpenWithTheirLayout(preset: String) throws {
        let dir = try scratch().appendingPathComponent("m")
        try SyntheticCheckpoint.write(try SyntheticCheckpoint.preset(named: preset), seed: 3, to: dir)
        let checkpoint = try Checkpoint(directory: dir)
        #expect(checkpoint.layout.layers.count == 2)
        if preset == "tiny" {
            #expect(checkpoint.config.architecture.name == "bert")
            #expect(checkpoint.layout.layers[1].query.weight == "encoder.layer.1.attention.self.query.weight")
            #expect(checkpoint.layout.pooler != nil && checkpoint.layout.tokenTypeEmbeddings != nil)
        } else {
            #expect(checkpoint.config.architecture.name == "distilbert" && checkpoint.config.typeVocabSize == 0)
            #expect(checkpoint.layout.layers[1].query.weight == "transformer.layer.1.attention.q_lin.weight")
            #expect(checkpoint.layout.tokenTypeEmbeddings == nil && checkpoint.layout.pooler == nil)
        }
    }

    @Test func synthIsDeterministicPerSeed() throws {
        let base = try scratch()
        let preset = try SyntheticCheckpoint.preset(named: "tiny")
        for (name, seed) in [("a", 5), ("b", 5), ("c", 6)] as [(String, UInt64)] {
            try SyntheticCheckpoint.write(preset, seed: seed, to: base.appendingPathComponent(name))
        }
        func bytes(_ n: String) throws -> Data { try Data(contentsOf: base.appendingPathComponent("\(n)/model.safetensors")) }
        #expect(try bytes("a") == bytes("b"))
        #expect(try bytes("a") != bytes("c"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: base.path).sorted() == ["a", "b", "c"])  // no staging left
    }

    @Test func realL6CheckpointOpensWhenAssetsArePresent() throws {
        let l6 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("assets/models/all-MiniLM-L6-v2")
        try #require(FileManager.default.fileExists(atPath: l6.path), "run scripts/setup first (assets missing)")
        let checkpoint = try Checkpoint(directory: l6)
        #expect(checkpoint.config.layerCount == 6 && checkpoint.config.hiddenSize == 384)
        #expect(checkpoint.layout.pooler != nil && checkpoint.layout.head == nil)
    }
}
