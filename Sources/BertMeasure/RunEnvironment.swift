import BertKernels
import Foundation
import OpenCLRuntime

/// Where and with what a run happened: host, device, software versions, commit, command line.
public struct RunEnvironment: Codable, Sendable {
    public struct DeviceInfo: Codable, Sendable {
        public let name, vendor, type, platform, platformVersion, version, driver, openCLC: String
        public let computeUnits, clockMHz: Int
        public let globalMemoryBytes: UInt64
    }
    public let created: String
    public let commandLine: String
    public let gitCommit: String
    public let gitDirty: Bool
    public let hostCPU: String
    public let hostCores: Int
    public let hostMemoryBytes: UInt64
    public let os: String
    public let swiftVersion: String
    public let device: DeviceInfo
    /// The device profiles that chose the kernels, most specific first (absent in older files).
    public let kernelProfiles: [String]?
    /// Which variant and parameters run each operation on the device (absent in older files).
    public let kernels: [KernelRecord]?

    /// Captures the environment of this process on `device`, with the kernels `selection` runs.
    public static func capture(device: Device, kernels selection: KernelSelection? = nil) -> RunEnvironment {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        var uts = utsname()
        uname(&uts)
        let os = [uts.sysname, uts.release, uts.machine].map { field in
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }.joined(separator: " ")
        // A binary carried to a GPU host names the commit it was built from (scripts/gpu/env.sh);
        // that wins over whatever checkout the host's working directory happens to be: on the
        // H200 it was a copy whose HEAD was older than the binary.
        let given = ProcessInfo.processInfo.environment["BERTBENCH_COMMIT"].flatMap { $0.isEmpty ? nil : $0 }
        let commit = given ?? shell("git", "rev-parse", "HEAD") ?? "unknown"
        let dirty = given == nil && !(shell("git", "status", "--porcelain", "--untracked-files=no") ?? "").isEmpty
        return RunEnvironment(
            created: ISO8601DateFormatter().string(from: Date()),
            commandLine: CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "),
            gitCommit: commit, gitDirty: dirty, hostCPU: cpu, hostCores: ProcessInfo.processInfo.activeProcessorCount,
            hostMemoryBytes: ProcessInfo.processInfo.physicalMemory, os: os, swiftVersion: compilerVersion,
            device: DeviceInfo(name: device.name, vendor: device.vendor, type: device.typeName, platform: device.platformName,
                               platformVersion: device.platformVersion, version: device.version, driver: device.driverVersion,
                               openCLC: device.openCLCVersion, computeUnits: device.computeUnits, clockMHz: device.maxClockMHz,
                               globalMemoryBytes: device.globalMemoryBytes),
            kernelProfiles: selection?.profiles, kernels: selection?.records)
    }

    /// A file-system-safe name for the device: "pthread-haswell-amd-epyc", "nvidia-h100-80gb-hbm3".
    public var deviceSlug: String {
        let lowered = device.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(lowered).split(separator: "-").joined(separator: "-")
    }
}

#if compiler(>=6.3)
let compilerVersion = "Swift 6.3+"
#elseif compiler(>=6.2)
let compilerVersion = "Swift 6.2"
#else
let compilerVersion = "Swift 6.0/6.1"
#endif

/// Runs `executable` with `arguments` (in `directory` when given) and returns its standard
/// output, or nil when it could not start or exited non-zero. Standard error is discarded.
public func commandOutput(_ executable: URL, _ arguments: [String], in directory: URL? = nil) -> String? {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}

func shell(_ arguments: String...) -> String? {
    commandOutput(URL(fileURLWithPath: "/usr/bin/env"), arguments)?.trimmingCharacters(in: .whitespacesAndNewlines)
}
