import BertKernels
import Foundation
import OpenCLRuntime
import Testing

/// One OpenCL context for the model tests (BERTBENCH_TEST_DEVICE selects the device).
enum TestDevice {
    static let kernels: EncoderKernels = {
        do {
            let spec = getenv("BERTBENCH_TEST_DEVICE").map { String(cString: $0) }
            return try EncoderKernels(context: try ComputeContext(device: try Device.choose(spec)))
        } catch {
            fatalError("no OpenCL device for the model tests: \(error)")
        }
    }()
}

/// SplitMix64, so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The repository root, found from this file's path, for assets/ and the goldens.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every suite that touches the device nests in this one, so none of them run at once: an
/// OpenCL context here is driven from one thread at a time.
@Suite(.serialized) struct OnDevice {}
