import BertKernels
import Foundation

/// An operation `bertbench tune` can search, with the harness that times it on one shape: a new
/// tunable operation is one more `TuningTarget` in `all`, never edits to the tuner.
public struct TuningTarget: Sendable {
    /// The operation whose variant and parameters are searched.
    public let operation: KernelOperation
    /// Median device milliseconds of the operation on `shape` with the kernels of a selection.
    public let time: @Sendable (_ kernels: EncoderKernels, _ shape: [Int]) throws -> Double
    /// Floating-point operations of one call on `shape`, for GFLOP/s in reports.
    public let flops: @Sendable (_ shape: [Int]) -> Double
    /// The largest difference between two selections' outputs on a fixed odd-sized problem,
    /// relative to the output's magnitude: a tuned setting must compute what the profile's does.
    public let difference: @Sendable (_ candidate: EncoderKernels, _ reference: EncoderKernels) throws -> Double
    /// The largest `difference` a setting may have and still count as computing the same thing.
    public let tolerance: Double

    /// The fp32 GEMM on [m, n, k], B in the layout the engine gives weights.
    public static let gemm = TuningTarget(operation: .gemm, time: gemmTime, flops: gemmFLOPs, difference: gemmDifference, tolerance: 1e-4)

    /// Every operation with a timing harness.
    public static let all: [TuningTarget] = [.gemm, .gemmF16]

    @Sendable static func gemmTime(_ kernels: EncoderKernels, _ s: [Int]) throws -> Double {
        try GEMMTiming.bertbench(kernels: kernels, m: s[0], n: s[1], k: s[2], iterations: 5).medianMilliseconds
    }

    @Sendable static func gemmFLOPs(_ s: [Int]) -> Double { 2 * Double(s[0]) * Double(s[1]) * Double(s[2]) }

    /// The worst over odd problems either side of the tiled SGEMM's half-size-block threshold (M 256).
    @Sendable static func gemmDifference(_ candidate: EncoderKernels, _ reference: EncoderKernels) throws -> Double {
        try [(37, 53, 61), (300, 53, 61)].map { m, n, k in
            relativeDifference(try GEMMTiming.output(kernels: candidate, m: m, n: n, k: k),
                               try GEMMTiming.output(kernels: reference, m: m, n: n, k: k))
        }.max()!
    }

    /// max |got - want| / max |want|; NaN (an unwritten output) counts as the largest.
    static func relativeDifference(_ got: [Float], _ want: [Float]) -> Double {
        let scale = max(want.map { abs($0) }.max() ?? 0, 1e-30)
        var worst: Float = 0
        for (a, b) in zip(got, want) {
            let d = abs(a - b)
            if d.isNaN { return .infinity }
            worst = max(worst, d)
        }
        return Double(worst / scale)
    }
}
