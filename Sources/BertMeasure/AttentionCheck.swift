import BertKernels
import Foundation
import Support
import OpenCLRuntime

/// nvidia-attention-mma (WARP_PTX=1 on an NVIDIA GPU, 0 anywhere) and the fp32 GPU candidate
/// portable-attention-tiled against float64 on odd shapes, and their times beside portable-attention's at bert-large's shapes: what `bertbench
/// check-attention` prints, so a GPU session checks the PTX path of the kernel itself (not only
/// through a model's cosine) and A/B-times attention in one command.
public enum AttentionCheck {
    /// (batch, sequence length, heads, head width, relative bias): lengths around the 16-row
    /// fragments and 64-key blocks, padded keys (every sequence after the first is shorter), the
    /// models' head widths (64, MiniLM's 32) and one padded width (24), MPNet's bias.
    public static let shapes: [(batch: Int, seq: Int, heads: Int, headDim: Int, bias: Bool)] = [
        (3, 1, 2, 64, false), (3, 17, 3, 64, false), (3, 65, 2, 64, false), (2, 130, 2, 64, false), (2, 384, 2, 64, false),
        (3, 63, 2, 32, false), (2, 33, 2, 24, false), (3, 65, 2, 64, true), (2, 130, 3, 32, true),
    ]

    public struct Row: Sendable {
        public let shape: String
        public let maxRelativeError: Double
    }

    /// Each shape's max relative error (|a - e| / max(1, |e|), infinity for a non-finite output or
    /// a write past the output) against float64 on Q, K, V rounded to fp16, as the kernel feeds
    /// them to the mma. The fp16 rounding of P bounds what is left by 2^-11 · max|v| (1.5e-3 here).
    public static func check(context: ComputeContext, selection: KernelSelection, ptx: Bool) throws -> [Row] {
        try check(context: context, selection: selection, variant: NvidiaAttention.mma, overrides: ["WARP_PTX": ptx ? 1 : 0],
                  roundHalf: true)
    }

    /// Each shape's max relative error of `variant` (with `overrides`) against float64, on Q, K, V
    /// rounded to fp16 first where `roundHalf` (a variant that multiplies in fp16).
    public static func check(context: ComputeContext, selection: KernelSelection, variant: KernelVariant, overrides: [String: Int],
                             roundHalf: Bool) throws -> [Row] {
        let chosen = try selection.replacing(.attention, variant: variant, overrides: overrides, by: "check")
        let kernels = try EncoderKernels(context: context, selection: chosen)
        var rng = SeededRandom.measurementInputs
        var rows: [Row] = []
        for s in shapes {
            let hidden = s.heads * s.headDim, tokens = s.batch * s.seq
            let qkv = (0..<tokens * 3 * hidden).map { _ in Float.random(in: -3...3, using: &rng) }
            let mask = (0..<s.batch).flatMap { b in (0..<s.seq).map { Int32($0 < max(1, s.seq - 2 * b - 1) ? 1 : 0) } }
            let bias = s.bias ? (0..<s.heads * (2 * s.seq - 1)).map { _ in Float.random(in: -4...4, using: &rng) } : nil
            let out = try context.buffer(Float.self, count: tokens * hidden + 3, label: "check output")
            try out.fill(.nan)
            try kernels.attention(qkv: try context.upload(qkv), mask: try context.upload(mask), out: out, batch: s.batch,
                                  sequenceLength: s.seq, heads: s.heads, headDim: s.headDim, scale: 1 / Float(s.headDim).squareRoot(),
                                  relativeBias: try bias.map { try context.upload($0) })
            let result = try out.read()
            let expected = reference(qkv: roundHalf ? qkv.map { Float(Float16($0)) } : qkv, mask: mask, batch: s.batch, seq: s.seq, heads: s.heads,
                                     headDim: s.headDim, bias: bias)
            var worst = result[(tokens * hidden)...].allSatisfy { $0.isNaN } ? 0.0 : Double.infinity
            for (a, e) in zip(result, expected) {
                worst = a.isFinite ? max(worst, abs(Double(a) - e) / max(1, abs(e))) : .infinity
            }
            rows.append(Row(shape: "\(s.batch)x\(s.seq) \(s.heads) heads of \(s.headDim)\(s.bias ? " + rel bias" : "")",
                            maxRelativeError: worst))
        }
        return rows
    }

    /// Median device milliseconds of `iterations` launches of `variant` (with `overrides`) at
    /// batch x seq tokens, heads x headDim (no padding).
    public static func time(context: ComputeContext, selection: KernelSelection, variant: KernelVariant, overrides: [String: Int],
                            batch: Int, seq: Int, heads: Int, headDim: Int, iterations: Int) throws -> Double {
        let kernels = try EncoderKernels(context: context,
                                         selection: try selection.replacing(.attention, variant: variant, overrides: overrides, by: "time"))
        let tokens = batch * seq, hidden = heads * headDim
        var rng = SeededRandom.measurementInputs
        let qkv = try context.upload((0..<tokens * 3 * hidden).map { _ in Float.random(in: -1...1, using: &rng) })
        let mask = try context.upload([Int32](repeating: 1, count: tokens))
        let out = try context.buffer(Float.self, count: tokens * hidden, label: "time output")
        func once() throws {
            try kernels.attention(qkv: qkv, mask: mask, out: out, batch: batch, sequenceLength: seq, heads: heads, headDim: headDim,
                                  scale: 1 / Float(headDim).squareRoot())
        }
        try once()  // builds the kernel
        try context.finish()
        var times: [Double] = []
        for _ in 0..<iterations {
            context.startRecording()
            try once()
            times.append(try context.stopRecording().reduce(0) { $0 + $1.milliseconds })
        }
        return times.sorted()[times.count / 2]
    }

    /// Scaled dot-product attention in float64, masked keys excluded, `bias` [heads, 2·seq − 1]
    /// adding entry (h, j − i + seq − 1) to the score of query i, key j; a query whose keys are
    /// all masked gets zeros. The kernel tests compare every attention variant with it too.
    public static func reference(qkv: [Float], mask: [Int32], batch: Int, seq: Int, heads: Int, headDim: Int, bias: [Float]?) -> [Double] {
        let hidden = heads * headDim, stride = 3 * hidden
        let scale = 1.0 / Double(headDim).squareRoot()
        var out = [Double](repeating: 0, count: batch * seq * hidden)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<seq {
                    let q = b * seq + i
                    var scores = [Double](repeating: -.infinity, count: seq)
                    for j in 0..<seq where mask[b * seq + j] != 0 {
                        var s = 0.0
                        for d in 0..<headDim {
                            s += Double(qkv[q * stride + h * headDim + d]) * Double(qkv[(b * seq + j) * stride + hidden + h * headDim + d])
                        }
                        scores[j] = s * scale + (bias.map { Double($0[h * (2 * seq - 1) + j - i + seq - 1]) } ?? 0)
                    }
                    let top = scores.max()!
                    let weights = scores.map { $0 == -.infinity ? 0 : exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for d in 0..<headDim {
                        var v = 0.0
                        for j in 0..<seq { v += weights[j] * Double(qkv[(b * seq + j) * stride + 2 * hidden + h * headDim + d]) }
                        out[q * hidden + h * headDim + d] = total > 0 ? v / total : 0
                    }
                }
            }
        }
        return out
    }
}
