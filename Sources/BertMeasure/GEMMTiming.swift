import BertKernels
import Foundation
import OpenCLRuntime
import Support

/// Times BertBench's own GEMM on one shape (device-event median of 10 after a warm-up), with the
/// variant and parameters the kernels' selection runs for the gemm operation, on B laid out as
/// the engine lays out weights for that variant (packed, when it reads panels).
public enum GEMMTiming {
    /// BertBench's GEMM on m x n x k: the median of `iterations` device-event times.
    public static func bertbench(kernels: EncoderKernels, m: Int, n: Int, k: Int, layout: MatrixLayout = .kByN,
                                 iterations: Int = 10) throws -> GEMMMeasurement {
        let context = kernels.context
        var generator = SeededRandom.measurementInputs
        let a = try context.upload(fixedValues(m * k, random: &generator))
        var values = fixedValues(k * n, random: &generator)
        var layout = layout
        if layout == .kByN, let width = kernels.selection[.gemm].panelWidth {
            values = WeightPacking.panels(values, n: n, k: k, width: width, zero: 0)  // random, so [K,N] or [N,K] alike
            layout = .panels(width: width)
        }
        let b = try context.upload(values)
        let c = try context.buffer(Float.self, count: m * n)
        try warmUp(context) { try kernels.gemm(a: a, b: b, layout: layout, bias: nil, c: c, m: m, n: n, k: k) }
        context.startRecording()
        for _ in 0..<iterations { try kernels.gemm(a: a, b: b, layout: layout, bias: nil, c: c, m: m, n: n, k: k) }
        let times = try context.stopRecording().map(\.milliseconds).sorted()
        let median = times[times.count / 2]
        return GEMMMeasurement(engine: "bertbench", m: m, n: n, k: k, medianMilliseconds: median,
                               gflopsPerSecond: 2 * Double(m) * Double(n) * Double(k) / (median * 1e6),
                               kernel: kernels.selection[.gemm].description)
    }

    /// Runs `launch` (and waits) for at least `seconds`, at least once, before a timing. On PoCL, a
    /// fresh process's first few hundred milliseconds of launches ran at half speed (about 100 against
    /// 220 GFLOP/s at 128 x 1536 x 384, 10 or 50 timed launches after one warm-up, in two of three
    /// processes), which a median of 10 launches then reported as the kernel's speed.
    static func warmUp(_ context: ComputeContext, seconds: Double = 0.3, _ launch: () throws -> Void) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        repeat {
            try launch()
            try context.finish()
        } while Double(DispatchTime.now().uptimeNanoseconds - start) < seconds * 1e9
    }

    /// `count` reproducible values in [-1, 1] from `random`: the same inputs for every selection
    /// whose outputs are compared.
    static func fixedValues(_ count: Int, random: inout SeededRandom) -> [Float] {
        (0..<count).map { _ in Float.random(in: -1...1, using: &random) }
    }

    /// C = A·B on m x n x k for fixed seeded A and B (B laid out as the engine lays out weights
    /// for the selection's variant): for comparing two selections' results.
    public static func output(kernels: EncoderKernels, m: Int, n: Int, k: Int) throws -> [Float] {
        let context = kernels.context
        var random = SeededRandom(seed: 0x7E57)
        let a = try context.upload(fixedValues(m * k, random: &random))
        var values = fixedValues(k * n, random: &random)
        var layout = MatrixLayout.kByN
        if let width = kernels.selection[.gemm].panelWidth {
            values = WeightPacking.panels(values, n: n, k: k, width: width, zero: 0)
            layout = .panels(width: width)
        }
        let b = try context.upload(values)
        let c = try context.upload([Float](repeating: .nan, count: m * n))
        try kernels.gemm(a: a, b: b, layout: layout, bias: nil, c: c, m: m, n: n, k: k)
        try context.finish()
        return try c.read()
    }
}
