import BertCheckpoint
import BertKernels
import Foundation
import OpenCLRuntime
import Support
import Testing

/// The device the kernel tests run on: BERTBENCH_TEST_DEVICE if set, else the default choice.
/// One context for the whole suite, because OpenCL discovery on PoCL must not race.
enum TestDevice {
    static let kernels: EncoderKernels = {
        do {
            let spec = ProcessInfoEnvironment.value("BERTBENCH_TEST_DEVICE")
            let context = try ComputeContext(device: try Device.choose(spec))
            return try EncoderKernels(context: context)
        } catch {
            fatalError("no OpenCL device for the kernel tests: \(error)")
        }
    }()
    static var context: ComputeContext { kernels.context }

    /// Kernels on the suite's context with `operation` run by its default variant with
    /// `parameters`: how each test proves a kernel correct at several parameter values.
    /// With `variant`, that variant runs the operation instead of the one the profiles chose.
    static func kernels(_ operation: KernelOperation, _ parameters: [String: Int], variant: KernelVariant? = nil) throws -> EncoderKernels {
        let selection = try kernels.selection.replacing(operation, variant: variant, overrides: parameters, by: "test")
        return try EncoderKernels(context: context, selection: selection)
    }
}

enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}

/// The project's SplitMix64, so failures reproduce.
typealias SeededGenerator = SeededRandom

func randomFloats(_ count: Int, _ rng: inout SeededGenerator, range: ClosedRange<Float> = -1...1) -> [Float] {
    (0..<count).map { _ in Float.random(in: range, using: &rng) }
}

/// Largest |a - b| / max(1, |b|) over all elements; NaN anywhere (an unwritten, poisoned output) gives infinity.
func maxRelativeError(_ actual: [Float], _ expected: [Double]) -> Double {
    precondition(actual.count == expected.count)
    var worst = 0.0
    for (a, e) in zip(actual, expected) {
        if !a.isFinite { return .infinity }
        worst = max(worst, abs(Double(a) - e) / max(1.0, abs(e)))
    }
    return worst
}

/// A device buffer filled with NaN, so elements a kernel fails to write show up in the comparison.
func poisoned(_ count: Int) throws -> DeviceBuffer<Float> {
    let buffer = try TestDevice.context.buffer(Float.self, count: count, label: "poisoned output")
    try buffer.fill(.nan)
    return buffer
}

/// The CPU reference of BERT's exact GELU.
func geluReference(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

@Suite(.serialized) struct Kernels {}
