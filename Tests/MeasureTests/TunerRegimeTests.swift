@testable import BertMeasure
import BertKernels
import Foundation
import OpenCLRuntime
import Testing

/// The tuner's regimes, on a target whose timing is made up: the large shapes are fastest at TM=8,
/// the small ones at TM=1, so one sum over both would settle between; tuned apart, the profile
/// entry gets TM=8 with a regime of TM=1 at the small shapes' rows, and a regime that does not
/// pay is not written.
@Suite struct TunerRegime {
    static let context: ComputeContext? = try? ComputeContext(
        device: try Device.choose(ProcessInfo.processInfo.environment["BERTBENCH_TEST_DEVICE"]))

    /// Made-up milliseconds: the distance of the TM this shape runs from `best(m)`, plus one.
    func target(best: @escaping @Sendable (Int) -> Int) -> TuningTarget {
        TuningTarget(operation: .gemm, time: { kernels, shape in
            let tm = kernels.selection[.gemm].values(for: KernelProblem(m: shape[0], n: shape[1], k: shape[2]))["TM"]!
            return Double(abs(tm - best(shape[0])) + 1)
        }, flops: { _ in 1 }, difference: { _, _ in 0 }, tolerance: 0)
    }

    func tune(_ target: TuningTarget, regimeRows: Int?) throws -> TuningResult {
        let context = try #require(Self.context, "no OpenCL device")
        let base = try ProfileCatalog(profiles: try ProfileCatalog.builtIn()).selection(for: DeviceIdentity(context.device))
            .replacing(.gemm, variant: PortableGEMM.fp32, overrides: [:], by: "test")
        return try KernelTuner.tune(target, context: context, base: base, shapes: [[128, 64, 64], [2048, 64, 64]], budget: 60,
                                    regimeRows: regimeRows, allowed: { $0.name == PortableGEMM.fp32.name }) { _ in }
    }

    @Test func smallShapesGetTheirOwnRegime() throws {
        let result = try tune(target { $0 <= 384 ? 1 : 8 }, regimeRows: 384)
        #expect(result.parameters["TM"] == 8 && result.regimes == [.init(maxM: 384, parameters: ["TM": 1])], "\(result)")
        #expect(result.milliseconds == [1, 1], "each shape at its own best")
        let profile = try JSONSerialization.jsonObject(with: TunedProfile(device: Self.context!.device, slug: "test", results: [result],
                                                                          commit: "test").json()) as? [String: Any]
        let entry = (profile?["kernels"] as? [String: Any])?["gemm"] as? [String: Any]
        #expect((entry?["regimes"] as? [[String: Any]])?.first?["maxM"] as? Int == 384, "the profile carries the regime: \(entry ?? [:])")
    }

    @Test func oneSettingWhenARegimeDoesNotPay() throws {
        let result = try tune(target { _ in 5 }, regimeRows: 384)
        #expect(result.parameters["TM"] == 5 && result.regimes == nil, "\(result)")
        // Without regimes the sum over both decides, and the small shape pays for it.
        let summed = try tune(target { $0 <= 384 ? 1 : 8 }, regimeRows: nil)
        #expect(summed.regimes == nil && summed.milliseconds.reduce(0, +) > 2, "\(summed)")
    }
}
