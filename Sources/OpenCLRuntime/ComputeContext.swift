import COpenCL
import Foundation

/// A context and in-order profiling queue on one device, with the program cache, buffer
/// accounting and the kernel-time recorder that everything device-side goes through.
///
/// Not thread-safe: one context is driven from one thread at a time (the OpenCL queue is in
/// order, so launches need no explicit dependencies).
public final class ComputeContext: @unchecked Sendable {
    public let device: Device
    let context: cl_context
    let queue: cl_command_queue
    private var programs: [String: cl_program] = [:]
    private var kernels: [String: Kernel] = [:]
    private var recording: [(kernel: String, category: String, event: cl_event)]? = nil

    /// Bytes currently held in device buffers created through this context.
    public private(set) var allocatedBytes = 0
    /// The most bytes held at once since creation or the last `resetPeakAllocation()`.
    public private(set) var peakAllocatedBytes = 0

    public init(device: Device) throws {
        self.device = device
        var status: cl_int = 0
        var deviceID: cl_device_id? = device.id
        guard let context = clCreateContext(nil, 1, &deviceID, nil, nil, &status), status == CL_SUCCESS else {
            throw CLError(call: "clCreateContext", code: status)
        }
        self.context = context
        let queue = clCreateCommandQueue(context, device.id, cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE), &status)
        guard let queue, status == CL_SUCCESS else {
            clReleaseContext(context)
            throw CLError(call: "clCreateCommandQueue", code: status)
        }
        self.queue = queue
    }

    deinit {
        for kernel in kernels.values { clReleaseKernel(kernel.handle) }
        for program in programs.values { clReleaseProgram(program) }
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    // MARK: Buffers

    /// An uninitialised device buffer of `count` elements.
    public func buffer<T>(_ type: T.Type = T.self, count: Int, label: String = "buffer") throws -> DeviceBuffer<T> {
        try DeviceBuffer<T>(context: self, count: count, label: label)
    }

    /// A device buffer holding a copy of `values`.
    public func upload<T>(_ values: [T], label: String = "buffer") throws -> DeviceBuffer<T> {
        let buffer = try DeviceBuffer<T>(context: self, count: values.count, label: label)
        try buffer.write(values)
        return buffer
    }

    /// A device buffer holding a copy of raw bytes interpreted as `count` elements of `T`.
    public func upload<T>(_ type: T.Type, bytes: UnsafeRawBufferPointer, label: String = "buffer") throws -> DeviceBuffer<T> {
        precondition(bytes.count % MemoryLayout<T>.stride == 0)
        let buffer = try DeviceBuffer<T>(context: self, count: bytes.count / MemoryLayout<T>.stride, label: label)
        if bytes.count > 0 {
            try check(clEnqueueWriteBuffer(queue, buffer.mem, cl_bool(CL_TRUE), 0, bytes.count, bytes.baseAddress, 0, nil, nil),
                      "clEnqueueWriteBuffer(\(label))")
        }
        return buffer
    }

    func didAllocate(_ bytes: Int) {
        allocatedBytes += bytes
        peakAllocatedBytes = max(peakAllocatedBytes, allocatedBytes)
    }

    func didRelease(_ bytes: Int) { allocatedBytes -= bytes }

    /// Starts a new peak measurement from the bytes held now.
    public func resetPeakAllocation() { peakAllocatedBytes = allocatedBytes }

    // MARK: Programs and kernels

    /// The kernel `name` from `source` built with `options`; programs and kernels are cached,
    /// so asking again costs a dictionary lookup.
    public func kernel(_ name: String, source: String, options: String = "", sourceName: String = "program") throws -> Kernel {
        let programKey = options + "\u{0}" + source
        let kernelKey = name + "\u{0}" + programKey
        if let cached = kernels[kernelKey] { return cached }
        let program = try programs[programKey] ?? build(source: source, options: options, sourceName: sourceName)
        programs[programKey] = program
        var status: cl_int = 0
        guard let handle = clCreateKernel(program, name, &status), status == CL_SUCCESS else {
            throw CLError(call: "clCreateKernel(\(name))", code: status, detail: "in \(sourceName)")
        }
        let kernel = Kernel(handle: handle, name: name)
        kernels[kernelKey] = kernel
        return kernel
    }

    /// The driver's binary of `source` built with `options` for this device (PTX text on NVIDIA):
    /// what its own compiler made of a kernel, for ptxas -v and cuobjdump on a GPU host.
    public func programBinary(source: String, options: String = "", sourceName: String = "program") throws -> [UInt8] {
        let programKey = options + "\u{0}" + source
        let program = try programs[programKey] ?? build(source: source, options: options, sourceName: sourceName)
        programs[programKey] = program
        var size = 0
        try check(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARY_SIZES), MemoryLayout<Int>.size, &size, nil),
                  "clGetProgramInfo(\(sourceName), CL_PROGRAM_BINARY_SIZES)")
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            try check(clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARIES), MemoryLayout<UnsafeMutablePointer<UInt8>?>.size,
                                       &pointer, nil), "clGetProgramInfo(\(sourceName), CL_PROGRAM_BINARIES)")
        }
        return bytes
    }

    private func build(source: String, options: String, sourceName: String) throws -> cl_program {
        var status: cl_int = 0
        let program: cl_program? = source.withCString { pointer in
            var p: UnsafePointer<CChar>? = pointer
            var length = strlen(pointer)
            return clCreateProgramWithSource(context, 1, &p, &length, &status)
        }
        guard let program, status == CL_SUCCESS else {
            throw CLError(call: "clCreateProgramWithSource(\(sourceName))", code: status)
        }
        var deviceID: cl_device_id? = device.id
        let built = clBuildProgram(program, 1, &deviceID, options, nil, nil)
        if built != CL_SUCCESS {
            let log = buildLog(program)
            clReleaseProgram(program)
            throw CLError(call: "clBuildProgram(\(sourceName)\(options.isEmpty ? "" : ", options: \(options)"))",
                          code: built, detail: log.isEmpty ? nil : "build log: " + log)
        }
        return program
    }

    private func buildLog(_ program: cl_program) -> String {
        var size = 0
        guard clGetProgramBuildInfo(program, device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size) == CL_SUCCESS,
              size > 1 else { return "" }
        var bytes = [CChar](repeating: 0, count: size + 1)
        _ = clGetProgramBuildInfo(program, device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &bytes, nil)
        let text = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A build log is many lines; errors must stay one line.
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " | ")
    }

    // MARK: Launches

    /// Enqueues `kernel` over `global` work items (rounded up to multiples of `local` when given),
    /// setting `arguments` in order. `category` groups device time in per-kernel breakdowns.
    public func launch(_ kernel: Kernel, global: [Int], local: [Int]? = nil,
                       arguments: [any KernelArgument], category: String) throws {
        precondition((1...3).contains(global.count) && (local == nil || local!.count == global.count))
        for (index, argument) in arguments.enumerated() {
            try argument.set(on: kernel.handle, index: cl_uint(index), kernelName: kernel.name)
        }
        var globalSize = global
        if let local {
            for i in globalSize.indices { globalSize[i] = (globalSize[i] + local[i] - 1) / local[i] * local[i] }
        }
        if globalSize.contains(0) { return }
        var localSize = local ?? []
        var event: cl_event? = nil
        let wantEvent = recording != nil
        let status = globalSize.withUnsafeBufferPointer { g in
            localSize.withUnsafeMutableBufferPointer { l in
                withUnsafeMutablePointer(to: &event) { e in
                    clEnqueueNDRangeKernel(queue, kernel.handle, cl_uint(global.count), nil, g.baseAddress,
                                           local == nil ? nil : l.baseAddress, 0, nil, wantEvent ? e : nil)
                }
            }
        }
        try check(status, "clEnqueueNDRangeKernel(\(kernel.name))",
                  detail: "global \(globalSize), local \(local.map { "\($0)" } ?? "auto")")
        if let event { recording!.append((kernel.name, category, event)) }
    }

    /// Waits for everything enqueued.
    public func finish() throws { try check(clFinish(queue), "clFinish") }

    // MARK: Event timing

    /// Starts recording an event per launch; `stopRecording()` returns their device times.
    public func startRecording() {
        discardRecording()
        recording = []
    }

    /// Waits for the recorded launches and returns each one's device time, in launch order.
    public func stopRecording() throws -> [KernelTiming] {
        guard let recorded = recording else { return [] }
        recording = nil
        try finish()
        defer { for entry in recorded { clReleaseEvent(entry.event) } }
        return try recorded.map { entry in
            var start: cl_ulong = 0, end: cl_ulong = 0
            try check(clGetEventProfilingInfo(entry.event, cl_profiling_info(CL_PROFILING_COMMAND_START),
                                              MemoryLayout<cl_ulong>.size, &start, nil), "clGetEventProfilingInfo")
            try check(clGetEventProfilingInfo(entry.event, cl_profiling_info(CL_PROFILING_COMMAND_END),
                                              MemoryLayout<cl_ulong>.size, &end, nil), "clGetEventProfilingInfo")
            return KernelTiming(kernel: entry.kernel, category: entry.category,
                                startNanoseconds: start, endNanoseconds: end)
        }
    }

    private func discardRecording() {
        for entry in recording ?? [] { clReleaseEvent(entry.event) }
        recording = nil
    }
}

/// A compiled kernel, cached by its context.
public struct Kernel: @unchecked Sendable {
    let handle: cl_kernel
    public let name: String
}

/// Device time of one launch, from its profiling event.
public struct KernelTiming: Sendable {
    public let kernel: String
    public let category: String
    public let startNanoseconds: UInt64
    public let endNanoseconds: UInt64
    public var milliseconds: Double { Double(endNanoseconds &- startNanoseconds) / 1e6 }
}
