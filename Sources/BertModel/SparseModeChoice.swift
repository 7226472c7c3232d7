import BertKernels
import EncoderWeights
import Foundation
import OpenCLRuntime

/// What the CSR-vs-dense probe measured on a device, and which mode it chose: stored with the
/// model in results.json so reports quote the measurement, not a sentence about it.
public struct SparseModeMeasurement: Codable, Sendable, Equatable {
    /// Fraction of zero weights in the probed layer.
    public let sparsity: Double
    /// Rows (tokens) of the probe's input.
    public let tokens: Int
    /// Median device time of the dense GEMM.
    public let denseMilliseconds: Double
    /// Median device time of the CSR GEMM.
    public let csrMilliseconds: Double
    public let device: String
    /// The faster mode's name (a `LinearMode` raw value).
    public let chosen: String

    /// A measurement.
    public init(sparsity: Double, tokens: Int, denseMilliseconds: Double, csrMilliseconds: Double, device: String, chosen: String) {
        self.sparsity = sparsity
        self.tokens = tokens
        self.denseMilliseconds = denseMilliseconds
        self.csrMilliseconds = csrMilliseconds
        self.device = device
        self.chosen = chosen
    }

    /// The sentence reports have always printed (results.json's `linearModeReason`).
    public var sentence: String {
        String(format: "weights %.0f%% zero; FFN layer at %d tokens: dense %.3f ms, CSR %.3f ms on %@ -> %@",
               sparsity * 100, tokens, denseMilliseconds, csrMilliseconds, device, chosen)
    }
}

/// Decides whether a pruned model's Linear layers run faster as CSR or dense on this device, by
/// timing both on its widest layer (the FFN input) at 128 tokens.
public enum SparseModeChoice {
    /// The faster mode with what was measured; nil when the model has no layers to probe.
    public static func choose(_ weights: HostEncoderWeights,
                              kernels: EncoderKernels) throws -> (mode: LinearMode, measurement: SparseModeMeasurement?) {
        guard let layer = weights.layers.max(by: { $0.intermediate.outFeatures < $1.intermediate.outFeatures }) else {
            return (.dense, nil)
        }
        let linear = layer.intermediate
        let zeros = linear.floatWeight.filter { $0 == 0 }.count
        let sparsity = Double(zeros) / Double(linear.outFeatures * linear.inFeatures)
        let context = kernels.context
        let rows = 128
        let input = try context.upload([Float](repeating: 0.5, count: rows * linear.inFeatures), label: "sparsity probe input")
        let output = try context.buffer(Float.self, count: rows * linear.outFeatures, label: "sparsity probe output")
        func time(_ mode: LinearMode) throws -> Double {
            let device = try DeviceLinear(linear, mode: mode, kernels: kernels, label: "sparsity probe")
            try device.apply(kernels, input: input, output: output, rows: rows, quantized: nil)  // build and warm
            try context.finish()
            context.startRecording()
            for _ in 0..<5 { try device.apply(kernels, input: input, output: output, rows: rows, quantized: nil) }
            let times = try context.stopRecording().map(\.milliseconds).sorted()
            return times[times.count / 2]
        }
        let dense = try time(.dense), sparse = try time(.sparseCSR)
        let mode: LinearMode = sparse < dense ? .sparseCSR : .dense
        return (mode, SparseModeMeasurement(sparsity: sparsity, tokens: rows, denseMilliseconds: dense, csrMilliseconds: sparse,
                                            device: context.device.name, chosen: mode.rawValue))
    }
}
