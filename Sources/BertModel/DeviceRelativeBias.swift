import EncoderWeights
import OpenCLRuntime

/// The relative-position bias on the device: expanded per sequence length once into [heads, 2S-1]
/// (what the attention kernels read) and kept, so every layer and every later batch of that length
/// reads the same buffer; at most one buffer per length the model can take.
final class DeviceRelativeBias {
    let host: HostRelativeBias
    private var byLength: [Int: DeviceBuffer<Float>] = [:]

    init(_ host: HostRelativeBias) { self.host = host }

    /// Bytes of the bias table as stored (the expanded buffers are activations, not weights).
    var byteCount: Int { host.table.count * MemoryLayout<Float>.size }

    /// The expanded bias for sequences of `length` tokens, uploaded on first use.
    func perDistance(length: Int, context: ComputeContext) throws -> DeviceBuffer<Float> {
        if let buffer = byLength[length] { return buffer }
        let buffer = try context.upload(host.perDistance(length: length), label: "relative position bias (S=\(length))")
        byLength[length] = buffer
        return buffer
    }
}
