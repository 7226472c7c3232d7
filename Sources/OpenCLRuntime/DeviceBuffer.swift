import COpenCL

/// A typed region of device memory, released when the last reference goes.
public final class DeviceBuffer<Element>: @unchecked Sendable {
    let mem: cl_mem
    public let count: Int
    public let label: String
    // Strong: a buffer may outlive every other reference to its context.
    private let context: ComputeContext

    public var byteCount: Int { count * MemoryLayout<Element>.stride }

    init(context: ComputeContext, count: Int, label: String) throws {
        let bytes = max(count, 1) * MemoryLayout<Element>.stride
        if UInt64(bytes) > context.device.maxAllocationBytes {
            throw CLError(call: "clCreateBuffer(\(label))", code: CL_INVALID_BUFFER_SIZE,
                          detail: "\(bytes) bytes is more than the device's largest allocation, \(context.device.maxAllocationBytes) bytes "
                                  + "(CL_DEVICE_MAX_MEM_ALLOC_SIZE) on \(context.device.name)")
        }
        var status: cl_int = 0
        guard let mem = clCreateBuffer(context.context, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, &status),
              status == CL_SUCCESS else {
            throw CLError(call: "clCreateBuffer(\(label))", code: status, detail: "\(bytes) bytes")
        }
        self.mem = mem
        self.count = count
        self.label = label
        self.context = context
        context.didAllocate(bytes)
    }

    deinit {
        clReleaseMemObject(mem)
        context.didRelease(max(count, 1) * MemoryLayout<Element>.stride)
    }

    /// Copies `values` (at most `count` of them) to the start of the buffer, waiting for the copy.
    public func write(_ values: [Element], offset: Int = 0) throws {
        precondition(offset + values.count <= count, "write past the end of \(label)")
        guard !values.isEmpty else { return }
        try values.withUnsafeBytes { raw in
            try check(clEnqueueWriteBuffer(context.queue, mem, cl_bool(CL_TRUE), offset * MemoryLayout<Element>.stride,
                                           raw.count, raw.baseAddress, 0, nil, nil), "clEnqueueWriteBuffer(\(label))")
        }
    }

    /// Fills the whole buffer with one value (used to poison outputs in tests, and to zero).
    public func fill(_ value: Element) throws {
        try write([Element](repeating: value, count: count))
    }

    /// Reads `range` (default: everything) back to the host, after all enqueued work.
    public func read(_ range: Range<Int>? = nil) throws -> [Element] {
        let range = range ?? 0..<count
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        guard !range.isEmpty else { return [] }
        return try [Element](unsafeUninitializedCapacity: range.count) { pointer, initialized in
            try check(clEnqueueReadBuffer(context.queue, mem, cl_bool(CL_TRUE), range.lowerBound * MemoryLayout<Element>.stride,
                                          range.count * MemoryLayout<Element>.stride, pointer.baseAddress, 0, nil, nil),
                      "clEnqueueReadBuffer(\(label))")
            initialized = range.count
        }
    }
}

/// Something a kernel can take as an argument.
public protocol KernelArgument {
    func set(on kernel: cl_kernel, index: cl_uint, kernelName: String) throws
}

extension DeviceBuffer: KernelArgument {
    public func set(on kernel: cl_kernel, index: cl_uint, kernelName: String) throws {
        var handle: cl_mem? = mem
        try check(clSetKernelArg(kernel, index, MemoryLayout<cl_mem>.size, &handle),
                  "clSetKernelArg(\(kernelName), \(index): \(label))")
    }
}

/// Scalars are passed by value; only fixed-width OpenCL types are allowed, because a Swift `Int`
/// has no OpenCL counterpart of the same size (CL_INVALID_ARG_SIZE).
public protocol ScalarKernelArgument: KernelArgument {}

extension ScalarKernelArgument {
    public func set(on kernel: cl_kernel, index: cl_uint, kernelName: String) throws {
        try withUnsafeBytes(of: self) { raw in
            try check(clSetKernelArg(kernel, index, raw.count, raw.baseAddress),
                      "clSetKernelArg(\(kernelName), \(index))")
        }
    }
}

extension Int32: ScalarKernelArgument {}
extension UInt32: ScalarKernelArgument {}
extension Float: ScalarKernelArgument {}

/// Local (work-group shared) memory of a given size, for kernels that take a `__local` pointer.
public struct LocalMemory: KernelArgument {
    public let bytes: Int
    public init(bytes: Int) { self.bytes = bytes }
    public func set(on kernel: cl_kernel, index: cl_uint, kernelName: String) throws {
        try check(clSetKernelArg(kernel, index, bytes, nil), "clSetKernelArg(\(kernelName), \(index): local \(bytes) bytes)")
    }
}
