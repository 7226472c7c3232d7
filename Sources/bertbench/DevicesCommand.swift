import ArgumentParser
import BertKernels
import OpenCLRuntime
import Support

/// `bertbench devices`: the OpenCL platforms and devices, the properties that matter here, and
/// the device profile and kernel variants each would run.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices", abstract: "List OpenCL platforms and devices.")

    @Option(name: .customLong("kernels"), help: "Kernel families: auto (what the device profiles choose) or portable.")
    var kernelFamily: String = "auto"

    func validate() throws {
        guard ["auto", "portable"].contains(kernelFamily) else { throw ValidationError("--kernels must be auto or portable") }
    }

    func run() throws {
        let devices = try Device.all()
        let chosen = try Device.choose(nil)
        let catalog = try ProfileCatalog.forKernels(kernelFamily)
        for device in devices {
            let mark = device.index == chosen.index ? " (default)" : ""
            print("[\(device.index)] \(device.name)\(mark)")
            print("    platform:  \(device.platformName) — \(device.platformVersion)")
            print("    type:      \(device.typeName), vendor \(device.vendor)")
            print("    version:   \(device.version); \(device.openCLCVersion); driver \(device.driverVersion)")
            let capability = device.computeCapability.map { ", compute capability \($0)" } ?? ""
            print("    compute:   \(device.computeUnits) units at \(device.maxClockMHz) MHz, max work-group \(device.maxWorkGroupSize)\(capability)")
            print("    memory:    \(formatBytes(device.globalMemoryBytes)) global, \(formatBytes(device.maxAllocationBytes)) max allocation, "
                  + "\(formatBytes(device.localMemoryBytes)) local")
            let interesting = device.extensions.filter { name in ["fp16", "fp64", "integer_dot", "subgroup"].contains { name.contains($0) } }
            print("    features:  \(interesting.isEmpty ? "none of fp16/fp64/integer-dot/subgroups" : interesting.joined(separator: " "))")
            let selection = try catalog.selection(for: DeviceIdentity(device))
            print("    profile:   \(selection.profileSummary)")
            for (index, line) in selection.lines.enumerated() { print("    \(index == 0 ? "kernels:  " : "          ") \(line)") }
        }
    }
}
