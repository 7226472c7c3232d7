import BertModel
import BertTokens
import Foundation
import OpenCLRuntime

/// How long to measure: warm-up passes (not timed; at least 0.3 s of them, `WarmUp`), then a fixed count or until a time budget.
public struct LatencySettings: Codable, Sendable {
    public var warmup: Int
    /// Timed passes, each run twice (plain, for the host time; with an event per launch, for the
    /// device time); when nil, passes run until `minTime` seconds have gone by.
    public var iterations: Int?
    public var minTime: Double
    /// A floor on passes under `minTime`, so percentiles rest on enough samples.
    public var minIterations: Int

    public init(warmup: Int = 3, iterations: Int? = nil, minTime: Double = 2, minIterations: Int = 10) {
        self.warmup = warmup
        self.iterations = iterations
        self.minTime = minTime
        self.minIterations = minIterations
    }
}

/// Device time and share of one kernel category, averaged over the timed passes.
public struct KernelShare: Codable, Sendable {
    public let category: String
    public let milliseconds: Double
    public let share: Double
    public let launches: Int
}

/// One model x batch x sequence-length measurement, with every per-pass value kept.
public struct LatencyMeasurement: Codable, Sendable {
    public let model: String
    public let batch: Int
    public let sequenceLength: Int
    /// Host wall time of a whole forward pass (upload, kernels, wait), ms, with no profiling event
    /// per launch: what an application would see.
    public let host: LatencySummary
    /// Device time from the first kernel's start to the last one's end, ms.
    public let device: LatencySummary
    public let hostMilliseconds: [Double]
    public let deviceMilliseconds: [Double]
    /// Sequences per second at the median host time.
    public let sequencesPerSecond: Double
    /// Matrix-product GFLOP/s at the median device time.
    public let gflopsPerSecond: Double
    public let flopsPerPass: Double
    public let kernels: [KernelShare]
    public let weightBytes: Int
    /// Activation buffers the pass needed on the device.
    public let activationBytes: Int
    /// The OpenCL device that ran it (nil in results written before the field): a merged sweep's
    /// rows come from many devices.
    public var deviceName: String? = nil
    /// Kernel launches in one pass (nil in older results).
    public var launchesPerPass: Int? = nil
    /// Mean ms per pass in which the device sat between kernels (its span minus the kernels'
    /// own times): launch overhead and host-side gaps, which fused kernels would save (nil in older results).
    public var idleMilliseconds: Double? = nil
    /// Host wall time of the passes that recorded an event per launch, interleaved with the
    /// `host` passes; device times and the kernel breakdown come from these. Its difference from
    /// `host` is what the instrumentation costs (nil in older results, whose `host` was these).
    public var instrumentedHost: LatencySummary? = nil
}

/// Times forward passes of one encoder on synthetic token ids (every token real, so the FLOP
/// count holds exactly); ids are drawn from a fixed seed so runs are comparable.
public enum LatencyRunner {
    public static func measure(_ encoder: BertEncoder, model: String, batch: Int, sequenceLength: Int,
                               settings: LatencySettings, progress: ((Int, Int?) -> Void)? = nil) throws -> LatencyMeasurement {
        let input = syntheticInput(vocabSize: encoder.shape.vocabSize, batch: batch, sequenceLength: sequenceLength)
        let context = encoder.context
        try WarmUp.run(context, passes: settings.warmup) { try encoder.forward(input, outputs: .none) }
        var hostTimes: [Double] = [], instrumentedTimes: [Double] = [], deviceTimes: [Double] = [], idleTimes: [Double] = []
        var launches = 0
        var categoryTotals: [String: (ms: Double, launches: Int)] = [:]
        let started = Date()
        while true {
            if let n = settings.iterations {
                if hostTimes.count >= n { break }
            } else if hostTimes.count >= settings.minIterations && Date().timeIntervalSince(started) >= settings.minTime {
                break
            }
            // A plain pass for the host time: an event per launch costs the host time per launch
            // (creating, and later reading and releasing, each event), which the model does not.
            let t0 = DispatchTime.now().uptimeNanoseconds
            try encoder.forward(input, outputs: .none)
            try context.finish()
            hostTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            // Then the same pass with an event per launch, for the device's side.
            context.startRecording()
            let r0 = DispatchTime.now().uptimeNanoseconds
            try encoder.forward(input, outputs: .none)
            try context.finish()
            instrumentedTimes.append(Double(DispatchTime.now().uptimeNanoseconds - r0) / 1e6)
            let timings = try context.stopRecording()
            let first = timings.map(\.startNanoseconds).min() ?? 0, last = timings.map(\.endNanoseconds).max() ?? 0
            deviceTimes.append(Double(last &- first) / 1e6)
            // The queue is in order, so kernels do not overlap: what the span holds beyond them is idle.
            idleTimes.append(max(0, deviceTimes.last! - timings.map(\.milliseconds).reduce(0, +)))
            launches = timings.count
            for timing in timings {
                let entry = categoryTotals[timing.category] ?? (0, 0)
                categoryTotals[timing.category] = (entry.ms + timing.milliseconds, entry.launches + 1)
            }
            progress?(hostTimes.count, settings.iterations)
        }
        let passes = Double(hostTimes.count)
        let kernelTotal = categoryTotals.values.map(\.ms).reduce(0, +)
        let shares = categoryTotals.map { category, value in
            KernelShare(category: category, milliseconds: value.ms / passes, share: kernelTotal > 0 ? value.ms / kernelTotal : 0,
                        launches: value.launches / hostTimes.count)
        }.sorted { $0.milliseconds > $1.milliseconds }
        let host = LatencySummary(milliseconds: hostTimes), device = LatencySummary(milliseconds: deviceTimes)
        let flops = encoder.flopCount.forward(batch: batch, sequenceLength: sequenceLength)
        return LatencyMeasurement(
            model: model, batch: batch, sequenceLength: sequenceLength, host: host, device: device,
            hostMilliseconds: hostTimes, deviceMilliseconds: deviceTimes,
            sequencesPerSecond: Double(batch) / (host.p50 / 1000), gflopsPerSecond: flops / (device.p50 / 1000) / 1e9,
            flopsPerPass: flops, kernels: shares, weightBytes: encoder.weightBytes, activationBytes: encoder.workspaceBytes,
            deviceName: context.device.name, launchesPerPass: launches,
            idleMilliseconds: idleTimes.reduce(0, +) / Double(max(idleTimes.count, 1)),
            instrumentedHost: LatencySummary(milliseconds: instrumentedTimes))
    }

    /// Token ids drawn uniformly from the vocabulary (past the first 1000, BERT's special and
    /// unused entries), with [CLS]-like and [SEP]-like ends left to chance: latency does not
    /// depend on which ids they are.
    public static func syntheticInput(vocabSize: Int, batch: Int, sequenceLength: Int, seed: UInt64 = 0x5EED) -> TokenBatch {
        var state = seed
        let low = vocabSize > 2000 ? 1000 : 0
        let ids = (0..<(batch * sequenceLength)).map { _ -> Int32 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32(low + Int((state >> 33) % UInt64(vocabSize - low)))
        }
        return TokenBatch(ids: ids, attentionMask: [Int32](repeating: 1, count: ids.count), batchSize: batch, sequenceLength: sequenceLength)
    }
}

/// Peak resident memory of this process (VmHWM from /proc), in bytes; nil where unavailable.
public func peakResidentBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
    }
    return nil
}
