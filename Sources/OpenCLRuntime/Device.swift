import COpenCL
import Foundation

/// One OpenCL device and the properties that matter for choosing and sizing work on it.
public struct Device: @unchecked Sendable, CustomStringConvertible {
    public let id: cl_device_id
    public let platform: cl_platform_id
    public let platformName: String
    public let platformVersion: String
    public let name: String
    public let vendor: String
    public let version: String
    public let driverVersion: String
    public let openCLCVersion: String
    public let isGPU: Bool
    public let computeUnits: Int
    public let maxClockMHz: Int
    public let globalMemoryBytes: UInt64
    public let maxAllocationBytes: UInt64
    public let localMemoryBytes: UInt64
    public let maxWorkGroupSize: Int
    public let extensions: [String]
    /// NVIDIA's compute capability (8.0 on A100, 9.0 on H100) from cl_nv_device_attribute_query;
    /// nil on devices without that extension. Profiles match on it (`minComputeCapability`).
    public let computeCapability: ComputeCapability?
    /// Position in `Device.all()`: what `--device N` selects.
    public let index: Int

    public var typeName: String { isGPU ? "GPU" : "CPU/other" }
    public var description: String { "\(name) (\(platformName), \(version))" }

    /// Every device of every platform, in platform order; looked up once because PoCL's first
    /// `clGetDeviceIDs` is not thread-safe.
    public static func all() throws -> [Device] { try discovered.get() }

    private static let discovered: Result<[Device], CLError> = Result { try discover() }.mapError {
        $0 as? CLError ?? CLError(call: "clGetPlatformIDs", code: -1001)
    }

    private static func discover() throws -> [Device] {
        var platformCount: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &platformCount)
        if status == -1001 || platformCount == 0 {
            throw CLError(call: "clGetPlatformIDs", code: -1001,
                          detail: "no OpenCL platform is installed (on Debian: apt-get install pocl-opencl-icd, or a GPU driver's ICD)")
        }
        try check(status, "clGetPlatformIDs")
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        try check(clGetPlatformIDs(platformCount, &platforms, nil), "clGetPlatformIDs")
        var devices: [Device] = []
        for case let platform? in platforms {
            var deviceCount: cl_uint = 0
            let found = clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &deviceCount)
            if found == CL_DEVICE_NOT_FOUND || deviceCount == 0 { continue }
            try check(found, "clGetDeviceIDs")
            var ids = [cl_device_id?](repeating: nil, count: Int(deviceCount))
            try check(clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), deviceCount, &ids, nil), "clGetDeviceIDs")
            for case let id? in ids {
                devices.append(try Device(id: id, platform: platform, index: devices.count))
            }
        }
        if devices.isEmpty {
            throw CLError(call: "clGetDeviceIDs", code: CL_DEVICE_NOT_FOUND, detail: "OpenCL platforms exist but none has a device")
        }
        return devices
    }

    init(id: cl_device_id, platform: cl_platform_id, index: Int) throws {
        self.id = id
        self.platform = platform
        self.index = index
        platformName = try platformString(platform, cl_platform_info(CL_PLATFORM_NAME))
        platformVersion = try platformString(platform, cl_platform_info(CL_PLATFORM_VERSION))
        name = try deviceString(id, cl_device_info(CL_DEVICE_NAME))
        vendor = try deviceString(id, cl_device_info(CL_DEVICE_VENDOR))
        version = try deviceString(id, cl_device_info(CL_DEVICE_VERSION))
        driverVersion = try deviceString(id, cl_device_info(CL_DRIVER_VERSION))
        openCLCVersion = try deviceString(id, cl_device_info(CL_DEVICE_OPENCL_C_VERSION))
        let type: cl_device_type = try deviceValue(id, cl_device_info(CL_DEVICE_TYPE))
        isGPU = type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0
        computeUnits = Int(try deviceValue(id, cl_device_info(CL_DEVICE_MAX_COMPUTE_UNITS)) as cl_uint)
        maxClockMHz = Int(try deviceValue(id, cl_device_info(CL_DEVICE_MAX_CLOCK_FREQUENCY)) as cl_uint)
        globalMemoryBytes = try deviceValue(id, cl_device_info(CL_DEVICE_GLOBAL_MEM_SIZE))
        maxAllocationBytes = try deviceValue(id, cl_device_info(CL_DEVICE_MAX_MEM_ALLOC_SIZE))
        localMemoryBytes = try deviceValue(id, cl_device_info(CL_DEVICE_LOCAL_MEM_SIZE))
        maxWorkGroupSize = Int(try deviceValue(id, cl_device_info(CL_DEVICE_MAX_WORK_GROUP_SIZE)) as Int)
        extensions = try deviceString(id, cl_device_info(CL_DEVICE_EXTENSIONS)).split(separator: " ").map(String.init)
        computeCapability = extensions.contains("cl_nv_device_attribute_query") ? ComputeCapability(device: id) : nil
    }

    /// The device a `--device` option names: an index, or a case-insensitive fragment of the
    /// device, vendor or platform name; with none, the first GPU, else the first device.
    public static func choose(_ spec: String?) throws -> Device {
        let devices = try all()
        guard let spec, !spec.isEmpty else {
            return devices.first(where: \.isGPU) ?? devices[0]
        }
        if let index = Int(spec) {
            guard devices.indices.contains(index) else {
                throw DeviceChoiceError(message: "--device \(index): no such device; there are \(devices.count) (see `bertbench devices`)")
            }
            return devices[index]
        }
        let needle = spec.lowercased()
        if let match = devices.first(where: {
            ($0.name + " " + $0.vendor + " " + $0.platformName).lowercased().contains(needle)
        }) { return match }
        throw DeviceChoiceError(message: "--device \(spec): no device name contains '\(spec)' (have: \(devices.map(\.name).joined(separator: ", ")))")
    }
}

/// An NVIDIA compute capability, major.minor (sm_90 is 9.0).
public struct ComputeCapability: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    /// A capability from its parts.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// "8.6" parsed; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".").map { Int($0) }
        guard parts.count == 2, let major = parts[0], let minor = parts[1] else { return nil }
        self.init(major: major, minor: minor)
    }

    /// CL_DEVICE_COMPUTE_CAPABILITY_MAJOR_NV (0x4000) and _MINOR_NV (0x4001); nil if the query
    /// fails (the values are not in Khronos' headers, so they are written here).
    init?(device id: cl_device_id) {
        guard let major: cl_uint = try? deviceValue(id, cl_device_info(0x4000)),
              let minor: cl_uint = try? deviceValue(id, cl_device_info(0x4001)) else { return nil }
        self.init(major: Int(major), minor: Int(minor))
    }

    public static func < (a: ComputeCapability, b: ComputeCapability) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "\(major).\(minor)" }
}

/// A `--device` value that matches no device.
public struct DeviceChoiceError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

private func deviceString(_ id: cl_device_id, _ param: cl_device_info) throws -> String {
    var size = 0
    try check(clGetDeviceInfo(id, param, 0, nil, &size), "clGetDeviceInfo")
    var bytes = [CChar](repeating: 0, count: size + 1)
    try check(clGetDeviceInfo(id, param, size, &bytes, nil), "clGetDeviceInfo")
    return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        .trimmingCharacters(in: .whitespaces)
}

private func platformString(_ id: cl_platform_id, _ param: cl_platform_info) throws -> String {
    var size = 0
    try check(clGetPlatformInfo(id, param, 0, nil, &size), "clGetPlatformInfo")
    var bytes = [CChar](repeating: 0, count: size + 1)
    try check(clGetPlatformInfo(id, param, size, &bytes, nil), "clGetPlatformInfo")
    return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        .trimmingCharacters(in: .whitespaces)
}

private func deviceValue<T: FixedWidthInteger>(_ id: cl_device_id, _ param: cl_device_info) throws -> T {
    var value: T = 0
    try check(clGetDeviceInfo(id, param, MemoryLayout<T>.size, &value, nil), "clGetDeviceInfo")
    return value
}

