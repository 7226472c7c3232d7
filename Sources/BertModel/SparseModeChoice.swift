import BertKernels
import EncoderWeights
import Foundation
import OpenCLRuntime

/// Decides whether a pruned model's Linear layers run faster as CSR or dense on this device, by
/// timing both on its widest layer (the FFN input) at 128 tokens.
public enum SparseModeChoice {
    /// The faster mode, and a sentence saying what was measured.
    public static func choose(_ weights: HostEncoderWeights, kernels: EncoderKernels) throws -> (mode: LinearMode, reason: String) {
        guard let layer = weights.layers.max(by: { $0.intermediate.outFeatures < $1.intermediate.outFeatures }) else {
            return (.dense, "no layers")
        }
        let linear = layer.intermediate
        let zeros = linear.floatWeight.filter { $0 == 0 }.count
        let sparsity = Double(zeros) / Double(linear.outFeatures * linear.inFeatures)
        let context = kernels.context
        let rows = 128
        let input = try context.upload([Float](repeating: 0.5, count: rows * linear.inFeatures), label: "sparsity probe input")
        let output = try context.buffer(Float.self, count: rows * linear.outFeatures, label: "sparsity probe output")
        func time(_ mode: LinearMode) throws -> Double {
            let device = try DeviceLinear(linear, mode: mode, context: context, label: "sparsity probe")
            try device.apply(kernels, input: input, output: output, rows: rows, quantized: nil)  // build and warm
            try context.finish()
            context.startRecording()
            for _ in 0..<5 { try device.apply(kernels, input: input, output: output, rows: rows, quantized: nil) }
            let times = try context.stopRecording().map(\.milliseconds).sorted()
            return times[times.count / 2]
        }
        let dense = try time(.dense), sparse = try time(.sparseCSR)
        let mode: LinearMode = sparse < dense ? .sparseCSR : .dense
        let reason = String(format: "weights %.0f%% zero; FFN layer at %d tokens: dense %.3f ms, CSR %.3f ms on %@ -> %@",
                            sparsity * 100, rows, dense, sparse, context.device.name, mode.rawValue)
        return (mode, reason)
    }
}
