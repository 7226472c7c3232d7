import BertCheckpoint
import BertKernels
import Foundation
import OpenCLRuntime
import Support
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

/// The project's SplitMix64, so failures reproduce.
typealias SeededGenerator = SeededRandom

/// The repository root, found from this file's path, for assets/ and the goldens.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every suite that touches the device nests in this one, so none of them run at once: an
/// OpenCL context here is driven from one thread at a time.
@Suite(.serialized) struct OnDevice {}
