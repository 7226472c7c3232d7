import BertKernels
import Foundation
import Support

/// Times one GEMM operation (fp32 `gemm` or fp16-weight `gemm-f16`) on fresh random inputs and
/// checks its output against a float64 reference on sampled rows: what `bench-gemm --check` and
/// the GPU scripts use to prove a variant on a device where the Swift tests cannot run.
public enum GEMMCheck {
    /// A timing with the largest relative error over the checked rows (nil when not checked).
    public struct Result: Sendable {
        public let measurement: GEMMMeasurement
        /// max |c - ref| / max(1, |ref|) over the checked rows; infinity if any output is not finite.
        public let maxRelativeError: Double?
        /// How many rows of C were compared.
        public let checkedRows: Int
    }

    /// Runs `operation` (.gemm or .gemmF16) on m x n x k with the weight W [N, K] (fp32 uploaded in
    /// `layout`, .kByN or .nByK, for gemm; fp16 bits [N, K] for gemm-f16), `iterations` timed
    /// launches after one warm-up; with `checkRows` > 0, compares that many evenly spaced rows
    /// (all rows if m is smaller) in float64.
    public static func run(kernels: EncoderKernels, operation: KernelOperation, m: Int, n: Int, k: Int, layout: MatrixLayout = .nByK,
                           iterations: Int, checkRows: Int) throws -> Result {
        precondition(layout == .kByN || layout == .nByK, "GEMMCheck reads unpacked weights")
        precondition(operation == .gemm || operation == .gemmF16, "GEMMCheck times gemm or gemm-f16")
        let context = kernels.context
        var rng = SeededRandom.measurementInputs
        let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
        let w = (0..<(n * k)).map { _ in Float.random(in: -1...1, using: &rng) }
        let aBuffer = try context.upload(a)
        let c = try context.buffer(Float.self, count: m * n)
        try c.fill(.nan)  // poisoned: an element the kernel skips reads as NaN and fails the check
        let launch: () throws -> Void
        if operation == .gemmF16 {
            let wBuffer = try context.upload(w.map { Float16($0).bitPattern })
            launch = { try kernels.gemmF16(a: aBuffer, weight: wBuffer, bias: nil, c: c, m: m, n: n, k: k) }
        } else {
            // [K, N] is how the engine uploads Linear weights for variants that read them unpacked.
            let wBuffer = try context.upload(layout == .nByK ? w : (0..<(k * n)).map { w[($0 % n) * k + $0 / n] })
            launch = { try kernels.gemm(a: aBuffer, b: wBuffer, layout: layout, bias: nil, c: c, m: m, n: n, k: k) }
        }
        try launch()
        try context.finish()
        var error: Double?
        let rows = checkRows > 0 ? stride(from: 0, to: m, by: max(1, m / checkRows)).prefix(checkRows).map { $0 } : []
        if !rows.isEmpty {
            let out = try c.read()
            error = maxError(out, a: a, w: w, rows: rows, n: n, k: k, weightsF16: operation == .gemmF16)
        }
        context.startRecording()
        for _ in 0..<iterations { try launch() }
        let times = try context.stopRecording().map(\.milliseconds).sorted()
        let median = times[times.count / 2]
        let measurement = GEMMMeasurement(engine: "bertbench", m: m, n: n, k: k, medianMilliseconds: median,
                                          gflopsPerSecond: 2 * Double(m) * Double(n) * Double(k) / (median * 1e6),
                                          kernel: kernels.selection[operation].description)
        return Result(measurement: measurement, maxRelativeError: error, checkedRows: rows.count)
    }

    /// The float64 reference of the given rows (weights as their fp16 values when `weightsF16`).
    private static func maxError(_ out: [Float], a: [Float], w: [Float], rows: [Int], n: Int, k: Int, weightsF16: Bool) -> Double {
        let wd = w.map { weightsF16 ? Double(Float(Float16($0))) : Double($0) }
        var worst = 0.0
        for i in rows {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * wd[j * k + p] }
                let v = out[i * n + j]
                if !v.isFinite { return .infinity }
                worst = max(worst, abs(Double(v) - s) / max(1, abs(s)))
            }
        }
        return worst
    }
}
