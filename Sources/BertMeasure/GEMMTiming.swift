import BertKernels
import Foundation
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
        try WarmUp.run(context) { try kernels.gemm(a: a, b: b, layout: layout, bias: nil, c: c, m: m, n: n, k: k) }
        context.startRecording()
        for _ in 0..<iterations { try kernels.gemm(a: a, b: b, layout: layout, bias: nil, c: c, m: m, n: n, k: k) }
        let times = try context.stopRecording().map(\.milliseconds).sorted()
        let median = times[times.count / 2]
        return GEMMMeasurement(engine: "bertbench", m: m, n: n, k: k, medianMilliseconds: median,
                               gflopsPerSecond: 2 * Double(m) * Double(n) * Double(k) / (median * 1e6),
                               kernel: kernels.selection[.gemm].description)
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
