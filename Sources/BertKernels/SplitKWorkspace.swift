import OpenCLRuntime

extension EncoderKernels {
    /// The workspace split-K's partial sums go to: at least `count` 4-byte values (floats, or
    /// int32 bits for the int8 GEMMs), one buffer per launcher, grown when a larger problem needs
    /// it and otherwise reused. Reuse is safe because the queue is in order: a GEMM's reduce has
    /// read the partials before the next GEMM's slices overwrite them.
    func splitKWorkspace(_ count: Int) throws -> DeviceBuffer<Float> {
        if let partials = splitKPartials, partials.count >= count { return partials }
        let partials = try context.buffer(Float.self, count: count, label: "split-K partial sums")
        splitKPartials = partials
        return partials
    }
}
