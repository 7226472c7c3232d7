import ArgumentParser
import BertKernels
import OpenCLRuntime

/// The `--device` option every device-using command shares.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: "OpenCL device: index or name fragment (see `bertbench devices`); default: first GPU, else first device.")
    var device: String?

    /// Kernels on the chosen device, with a context of their own, running what its profile chooses.
    func kernels() throws -> EncoderKernels {
        try EncoderKernels(context: try ComputeContext(device: try Device.choose(device)))
    }
}
