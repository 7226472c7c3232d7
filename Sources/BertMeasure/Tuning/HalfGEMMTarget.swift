import BertKernels
import Foundation
import Support

extension TuningTarget {
    /// The fp16-weight GEMM (`gemm-f16`: fp32 A, fp16 W [N, K]) on [m, n, k]. Variants may round A
    /// to fp16 (the tensor-core one does) or keep it fp32 (the portable one), so two correct
    /// settings differ by up to ~1e-3 of the output's scale: the tolerance allows that, and a
    /// setting that skips or repeats a term is still far outside it.
    public static let gemmF16 = TuningTarget(operation: .gemmF16, time: halfTime, flops: gemmFLOPs, difference: halfDifference,
                                             tolerance: 5e-3)

    @Sendable static func halfTime(_ kernels: EncoderKernels, _ s: [Int]) throws -> Double {
        try GEMMCheck.run(kernels: kernels, operation: .gemmF16, m: s[0], n: s[1], k: s[2], iterations: 5, checkRows: 0)
            .measurement.medianMilliseconds
    }

    /// The worst over odd problems that reach each path a setting may take: small-M and full blocks
    /// (M 37 and 400, either side of the mma GEMMs' SMALL_M), K % 8 != 0 and == 0 (cp.async stages
    /// run only at the latter), and K long enough to split.
    @Sendable static func halfDifference(_ candidate: EncoderKernels, _ reference: EncoderKernels) throws -> Double {
        try [(37, 53, 61), (37, 53, 64), (400, 53, 72), (37, 53, 2056)].map { m, n, k in
            relativeDifference(try halfOutput(candidate, m: m, n: n, k: k), try halfOutput(reference, m: m, n: n, k: k))
        }.max()!
    }

    /// The output of one gemm-f16 call on fixed pseudo-random inputs (the same for every selection).
    static func halfOutput(_ kernels: EncoderKernels, m: Int, n: Int, k: Int) throws -> [Float] {
        let context = kernels.context
        var random = SeededRandom(seed: 0xF16)
        let a = try context.upload(GEMMTiming.fixedValues(m * k, random: &random))
        let w = try context.upload(GEMMTiming.fixedValues(n * k, random: &random).map { Float16($0).bitPattern })
        let c = try context.upload([Float](repeating: .nan, count: m * n))
        try kernels.gemmF16(a: a, weight: w, bias: nil, c: c, m: m, n: n, k: k)
        try context.finish()
        return try c.read()
    }
}
