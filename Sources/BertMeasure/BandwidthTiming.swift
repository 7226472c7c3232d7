import BertKernels
import Foundation
import OpenCLRuntime

/// The device's memory bandwidth through a copy kernel (bytes read plus bytes written per
/// second), the ceiling memory-bound kernels are held to.
public struct BandwidthMeasurement: Codable, Sendable {
    public let device: String
    /// Bytes copied per pass (each is read once and written once).
    public let bytes: Int
    public let medianMilliseconds: Double
    /// (read + written) bytes / median time, in GB/s (1e9 bytes).
    public let gigabytesPerSecond: Double
}

/// Times Kernels/portable/stream_copy.cl.
public enum BandwidthTiming {
    /// Copies `bytes` (rounded down to whole vectors) `iterations` times after a warm-up; the median.
    public static func copy(context: ComputeContext, bytes: Int, iterations: Int = 10) throws -> BandwidthMeasurement {
        let width = 16, count = bytes / 4 / width * width
        let kernel = try context.kernel("stream_copy", source: KernelLibrary.source("portable/stream_copy.cl"), options: "-DVW=\(width)",
                                        sourceName: "portable/stream_copy.cl")
        let from = try context.buffer(Float.self, count: count), to = try context.buffer(Float.self, count: count)
        try from.fill(1)
        let launch = { try context.launch(kernel, global: [count / width], arguments: [from, to], category: "copy") }
        try launch()
        try context.finish()
        context.startRecording()
        for _ in 0..<iterations { try launch() }
        let times = try context.stopRecording().map(\.milliseconds).sorted()
        let median = times[times.count / 2]
        return BandwidthMeasurement(device: context.device.name, bytes: count * 4, medianMilliseconds: median,
                                    gigabytesPerSecond: 2 * Double(count * 4) / (median * 1e6))
    }
}
