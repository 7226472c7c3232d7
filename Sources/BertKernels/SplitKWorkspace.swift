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

    /// Zeroed tile counters for a split GEMM that sums its slices in its own launch (`_splitk`
    /// entries): at least `count` ints. The kernels leave each counter they use at zero again, so
    /// one buffer serves every launch; it is replaced by a larger zeroed one when a problem needs more.
    func splitKCounters(_ count: Int) throws -> DeviceBuffer<Int32> {
        if let counters = splitKTileCounters, counters.count >= count { return counters }
        let counters = try context.upload([Int32](repeating: 0, count: max(count, 1024)), label: "split-K tile counters")
        splitKTileCounters = counters
        return counters
    }

    /// The work-groups along x and y of `entry`'s launch for `problem`: one counter each.
    func splitKTiles(_ operation: KernelOperation, _ entry: String, problem: KernelProblem) -> Int {
        let geometry = selection[operation].geometry(entry, for: problem)
        let local = geometry.local ?? [1, 1, 1]
        return (geometry.global[0] / local[0]) * (geometry.global.count > 1 ? geometry.global[1] / local[1] : 1)
    }
}
