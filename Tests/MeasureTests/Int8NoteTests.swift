@testable import BertMeasure
import Foundation
import Testing

/// The latency report must not let an int8 row read as "faster": when an int8 model's p50 is
/// above its fp32 source's in the same run, results.json gets a note (and the report's row a marker, from the same findings).
@Suite struct Int8SlowerThanSourceNote {
    func record(_ name: String, mode: String, source: String?) -> ModelRecord {
        ModelRecord(name: name, path: "/m/\(name)", synthetic: false, compression: mode == "fp32" ? nil : mode, linearMode: mode,
                    linearModeReason: "default", layers: 6, hiddenSize: 384, weightBytesStored: 1, weightBytesDevice: 1,
                    sourceBytes: nil, source: source)
    }

    func measurement(_ model: String, batch: Int = 1, seq: Int = 128, ms: Double, kernels: [KernelShare] = []) -> LatencyMeasurement {
        let s = LatencySummary(milliseconds: [ms])
        return LatencyMeasurement(model: model, batch: batch, sequenceLength: seq, host: s, device: s, hostMilliseconds: [ms],
                                  deviceMilliseconds: [ms], sequencesPerSecond: 1, gflopsPerSecond: 1, flopsPerPass: 1, kernels: kernels,
                                  weightBytes: 1, activationBytes: 1)
    }

    @Test func theNoteSaysWhereTheTimeWentFromTheBreakdowns() throws {
        let models = [record("base", mode: "fp32", source: nil), record("base-w8a8", mode: "int8", source: "base")]
        let gemm = { (ms: Double) in KernelShare(category: "gemm", milliseconds: ms, share: 0.7, launches: 36) }
        let found = LatencyResults.int8SlowerThanSource(models: models, measurements: [
            measurement("base", ms: 50, kernels: [gemm(35)]),
            measurement("base-w8a8", ms: 66, kernels: [gemm(41.5), KernelShare(category: "quantize", milliseconds: 6.25, share: 0.1, launches: 24)]),
        ])
        let note = try #require(found.first).note
        #expect(note.hasSuffix("in this run: its matrix products take 41.50 ms a pass against 35.00 ms in fp32, and quantizing activations adds 6.25 ms"),
                "\(note)")
    }

    /// On a CPU the note also says why the products are slower; not on other devices, and not when
    /// the products are not the slower part.
    @Test func onACPUTheNoteGivesTheKnownReason() throws {
        let models = [record("base", mode: "fp32", source: nil), record("base-w8a8", mode: "int8", source: "base")]
        let gemm = { (ms: Double) in KernelShare(category: "gemm", milliseconds: ms, share: 0.7, launches: 36) }
        let slowerProducts = [measurement("base", ms: 50, kernels: [gemm(35)]), measurement("base-w8a8", ms: 66, kernels: [gemm(41.5)])]
        let cpu = try #require(LatencyResults.int8SlowerThanSource(models: models, measurements: slowerProducts, deviceType: "CPU/other").first)
        #expect(cpu.note.hasSuffix("; why: " + Int8SlowerThanSource.cpuReason), "\(cpu.note)")
        let gpu = try #require(LatencyResults.int8SlowerThanSource(models: models, measurements: slowerProducts, deviceType: "GPU").first)
        #expect(!gpu.note.contains("why:"), "\(gpu.note)")
        let fasterProducts = [measurement("base", ms: 50, kernels: [gemm(35)]), measurement("base-w8a8", ms: 66, kernels: [gemm(30)])]
        let other = try #require(LatencyResults.int8SlowerThanSource(models: models, measurements: fasterProducts, deviceType: "CPU/other").first)
        #expect(!other.note.contains("why:"), "\(other.note)")
    }

    @Test func notesOnlyInt8RowsSlowerThanTheirOwnSourceAtTheSameShape() throws {
        let models = [record("base", mode: "fp32", source: nil), record("base-w8a8", mode: "int8", source: "base"),
                      record("base-w8", mode: "int8-weight-only", source: "base"), record("other-w8a8", mode: "int8", source: "other"),
                      record("base-pruned", mode: "csr", source: "base")]
        let measurements = [
            measurement("base", ms: 50), measurement("base", batch: 8, ms: 300),
            measurement("base-w8a8", ms: 66), measurement("base-w8a8", batch: 8, ms: 250),  // slower at 1, faster at 8
            measurement("base-w8", ms: 49), measurement("other-w8a8", ms: 500), measurement("base-pruned", ms: 90),
        ]
        let found = LatencyResults.int8SlowerThanSource(models: models, measurements: measurements)
        #expect(found.map(\.model) == ["base-w8a8"])
        let first = try #require(found.first)
        #expect(first.batch == 1 && first.source == "base")
        #expect(first.note.contains("int8 slower than fp32: base-w8a8 (int8) p50 66.") && first.note.contains("base (50."))
    }
}
