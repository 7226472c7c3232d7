@testable import BertMeasure
import Foundation
import Testing

/// The ceilings section: the best square GEMM is the compute ceiling, the floor of a pass is the
/// longer of its FLOPs at that ceiling and its weights at the copy bandwidth.
@Suite struct CeilingReportTests {
    func gemm(_ engine: String, _ side: Int, gflops: Double) -> GEMMMeasurement {
        let flops = 2 * Double(side * side * side)
        return GEMMMeasurement(engine: engine, m: side, n: side, k: side, medianMilliseconds: flops / (gflops * 1e6), gflopsPerSecond: gflops)
    }

    func pass(flops: Double, weightBytes: Int, deviceMilliseconds: Double) -> LatencyMeasurement {
        let s = LatencySummary(milliseconds: [deviceMilliseconds])
        return LatencyMeasurement(model: "m", batch: 1, sequenceLength: 128, host: s, device: s, hostMilliseconds: [deviceMilliseconds],
                                  deviceMilliseconds: [deviceMilliseconds], sequencesPerSecond: 1,
                                  gflopsPerSecond: flops / (deviceMilliseconds * 1e6), flopsPerPass: flops, kernels: [],
                                  weightBytes: weightBytes, activationBytes: 1)
    }

    @Test func floorsUseTheBestSquareGEMMAndTheBandwidth() {
        let rows = [gemm("bertbench", 1024, gflops: 100), gemm("numpy", 1024, gflops: 200), gemm("numpy", 128, gflops: 900)]
        let copy = BandwidthMeasurement(device: "d", bytes: 1 << 28, medianMilliseconds: 1, gigabytesPerSecond: 10)
        // 4 GFLOP at 200 GFLOP/s = 20 ms; 100 MB at 10 GB/s = 10 ms: the compute floor holds, 40 ms is 2x it.
        let compute = CeilingReport.section(gemm: rows, bandwidth: [copy], measurements: [pass(flops: 4e9, weightBytes: 100_000_000,
                                                                                               deviceMilliseconds: 40)])
        #expect(compute.contains("| m | 1 | 128 | 20.000 | 10.000 | 40.00 | 2.0 | 50% |"), "\(compute)")
        #expect(compute.contains("at 1024 x 1024 x 1024") && compute.contains("200.0 GFLOP/s"))
        // 1 GB of weights at 10 GB/s = 100 ms: the memory floor holds.
        let memory = CeilingReport.section(gemm: rows, bandwidth: [copy], measurements: [pass(flops: 4e9, weightBytes: 1_000_000_000,
                                                                                              deviceMilliseconds: 150)])
        #expect(memory.contains("| 20.000 | 100.000 | 150.00 | 1.5 |"), "\(memory)")
    }

    @Test func noSquareGEMMMeansNoSection() {
        let rows = [GEMMMeasurement(engine: "numpy", m: 128, n: 384, k: 1536, medianMilliseconds: 1, gflopsPerSecond: 1)]
        #expect(CeilingReport.section(gemm: rows, bandwidth: [], measurements: []).isEmpty)
    }
}
