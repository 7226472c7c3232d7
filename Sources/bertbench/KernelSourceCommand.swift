import ArgumentParser
import BertKernels
import Foundation
import OpenCLRuntime

/// `bertbench kernel-source`: writes the exact source and build options the profiles would build
/// for a device described by its facts, so kernels can be compiled offline for a device that is
/// not here (scripts/gpu/ptx-check.sh compiles the NVIDIA ones to PTX with clang-14).
struct KernelSourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel-source", abstract: "Write the kernel sources and -D options the profiles choose for a described device.")

    @Option(help: "Platform name of the described device.") var platform: String = "NVIDIA CUDA"
    @Option(help: "Vendor of the described device.") var vendor: String = "NVIDIA Corporation"
    @Option(help: "Device name of the described device.") var name: String = "described device"
    @Option(help: "NVIDIA compute capability, MAJOR.MINOR (none: the device reports none).") var computeCapability: String?
    @Option(help: "Only variants whose source lies in this Kernels/ family (default: every family).") var family: String?
    @Option(help: "Rows of the problem the options are for (some variants pick smaller blocks for small M).") var m: Int = 4096
    @Option(help: "Folder to write <variant>.cl (the built text, common files prepended) and <variant>.options into.")
    var out: String
    @Flag(help: ArgumentHelp("Use the OpenCL device (--device) instead of a described one, build there, and also write <variant>.bin, "
                + "the driver's program binary (PTX text on NVIDIA: feed it to ptxas -v for registers and spills)."))
    var build = false
    @OptionGroup var deviceOptions: DeviceOptions

    func validate() throws {
        if let text = computeCapability, ComputeCapability(text) == nil {
            throw ValidationError("--compute-capability must be MAJOR.MINOR, for example 9.0")
        }
    }

    func run() throws {
        var context: ComputeContext?
        let selection: KernelSelection
        if build {
            let device = try Device.choose(deviceOptions.device)
            context = try ComputeContext(device: device)
            selection = try deviceOptions.selection(for: device)
        } else {
            let identity = DeviceIdentity(vendor: vendor, name: name, driver: "offline", platform: platform,
                                          computeCapability: computeCapability.flatMap(ComputeCapability.init))
            selection = try ProfileCatalog.standard().selection(for: identity)
        }
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for operation in KernelOperation.allCases {
            let choice = selection[operation]
            if let family, !choice.variant.source.hasPrefix(family + "/") { continue }
            // Shape-dependent defines follow --m; n and k are typical (N = 1024 keeps the mma GEMMs'
            // half-size blocks under their block-count cap at M <= 384).
            let options = choice.buildOptions(for: KernelProblem(m: m, n: 1024, k: 64, batch: 1))
            let source = KernelLibrary.source(choice.variant.source)
            try Data(source.utf8).write(to: folder.appendingPathComponent(choice.variant.name + ".cl"))
            try Data((options + "\n").utf8).write(to: folder.appendingPathComponent(choice.variant.name + ".options"))
            if let context {
                let binary = try context.programBinary(source: source, options: options, sourceName: choice.variant.source)
                try Data(binary).write(to: folder.appendingPathComponent(choice.variant.name + ".bin"))
            }
            print("\(operation.rawValue)\t\(choice.variant.name)\t\(choice.variant.entryPoints.joined(separator: ","))\t\(options)")
        }
    }
}
