import BertKernels
import Foundation
import Support

/// The weight formats `bench-gemm` can time side by side, each through the kernel the engine
/// runs for it (the selection's variant, weights packed as the engine packs them at load).
public enum GEMMWeights: String, CaseIterable, Sendable {
    /// fp32 weights (operation gemm).
    case fp32
    /// int8 weights per output channel, fp32 activations (operation gemm-w8).
    case int8 = "int8-weight-only"
    /// int8 weights and per-token int8 activations (operation gemm-w8a8, quantize_rows not timed).
    case w8a8 = "int8"
    /// 4-bit weights with a scale and zero point per group (operation gemm-w4).
    case int4

    /// The kernel operation that runs these weights.
    public var operation: KernelOperation {
        switch self {
        case .fp32: return .gemm
        case .int8: return .gemmW8
        case .w8a8: return .gemmW8A8
        case .int4: return .gemmW4
        }
    }
}

extension GEMMTiming {
    /// The GEMM for `weights` on m x n x k (random operands): the median of `iterations` device-event
    /// times after a warm-up; int4 in groups of `groupSize` input columns.
    public static func bertbench(kernels: EncoderKernels, weights: GEMMWeights, m: Int, n: Int, k: Int, groupSize: Int = 128,
                                 iterations: Int = 10) throws -> GEMMMeasurement {
        if weights == .fp32 { return try bertbench(kernels: kernels, m: m, n: n, k: k, iterations: iterations) }
        let context = kernels.context
        var rng = SeededRandom.measurementInputs
        let a = try context.upload((0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) })
        let c = try context.buffer(Float.self, count: m * n)
        let width = kernels.selection[weights.operation].panelWidth
        let layout: MatrixLayout = width.map { .panels(width: $0) } ?? .kByN
        let run: () throws -> Void
        switch weights {
        case .fp32: preconditionFailure("timed above")
        case .int8, .w8a8:
            let codes = (0..<(k * n)).map { _ in Int8.random(in: -127...127, using: &rng) }
            let b = try context.upload(width.map { WeightPacking.panels(codes, n: n, k: k, width: $0, zero: Int8(0)) } ?? codes)
            let scales = try context.upload([Float](repeating: 0.01, count: n))
            if weights == .int8 {
                run = { try kernels.gemmW8(a: a, b: b, bScale: scales, bias: nil, c: c, m: m, n: n, k: k, layout: layout) }
            } else {
                let aq = try context.upload((0..<(m * k)).map { _ in Int8.random(in: -127...127, using: &rng) })
                let aScale = try context.upload([Float](repeating: 0.01, count: m))
                run = { try kernels.gemmW8A8(a: aq, aScale: aScale, b: b, bScale: scales, bias: nil, c: c, m: m, n: n, k: k, layout: layout) }
            }
        case .int4:
            guard let width else { throw GEMMTimingError("\(kernels.selection[.gemmW4]) reads no packed panels: no int4 GEMM to time") }
            let groups = (k + groupSize - 1) / groupSize
            let codes = (0..<(n * k)).map { _ in UInt8.random(in: 0...15, using: &rng) }
            let b = try context.upload(WeightPacking.int4Panels(codes, n: n, k: k, width: width))
            let params = try context.upload(WeightPacking.groupPanels(scales: [Float](repeating: 0.01, count: n * groups),
                                                                      offsets: [Float](repeating: -0.08, count: n * groups),
                                                                      n: n, groups: groups, width: width))
            run = { try kernels.gemmW4(a: a, b: b, groupParams: params, groupSize: groupSize, bias: nil, c: c, m: m, n: n, k: k, width: width) }
        }
        try WarmUp.run(context, run)
        context.startRecording()
        for _ in 0..<iterations { try run() }
        let times = try context.stopRecording().map(\.milliseconds).sorted()
        let median = times[times.count / 2]
        return GEMMMeasurement(engine: "bertbench \(weights.rawValue)", m: m, n: n, k: k, medianMilliseconds: median,
                               gflopsPerSecond: 2 * Double(m) * Double(n) * Double(k) / (median * 1e6),
                               kernel: kernels.selection[weights.operation].description)
    }
}

/// A GEMM that cannot be timed as asked: one line saying why.
public struct GEMMTimingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
