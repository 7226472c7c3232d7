import ArgumentParser
import BertKernels
import OpenCLRuntime

/// The `--device` option every device-using command shares.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: "OpenCL device: index or name fragment (see `bertbench devices`); default: first GPU, else first device.")
    var device: String?

    @Option(name: .customLong("kernels"),
            help: "Kernel families: auto (what the device profiles choose) or portable (only Kernels/portable/, to compare).")
    var kernelFamily: String = "auto"

    func validate() throws {
        guard ["auto", "portable"].contains(kernelFamily) else {
            throw ValidationError("--kernels must be auto or portable, not '\(kernelFamily)'")
        }
    }

    /// Kernels on the chosen device, with a context of their own, running what its profile chooses.
    func kernels() throws -> EncoderKernels {
        let context = try ComputeContext(device: try Device.choose(device))
        return try EncoderKernels(context: context, selection: try selection(for: context.device))
    }

    /// What the profiles (restricted by `--kernels`) choose for `device`.
    func selection(for device: Device) throws -> KernelSelection {
        try ProfileCatalog.forKernels(kernelFamily).selection(for: DeviceIdentity(device))
    }
}
