import BertCheckpoint

/// Asymmetric 4-bit quantization of one group of weights, as GPTQ's reference quantizer does it:
/// the range [min(0, min w), max(0, max w)] (zero always representable) split into 15 steps,
/// zero point round(-min / scale) in 0...15; a constant-zero group gets the range [-1, 1].
public struct Int4GroupQuantizer: Sendable, Equatable {
    /// The stored fp32 scale (every computation uses this rounded value, so the host's
    /// dequantization is the device's).
    public let scale: Float
    /// The zero point, 0...15.
    public let zero: UInt8

    /// The parameters of a group with minimum `low` and maximum `high`.
    public init(low: Double, high: Double) {
        var lo = min(0, low), hi = max(0, high)
        if lo == 0 && hi == 0 { (lo, hi) = (-1, 1) }
        let s = Float((hi - lo) / 15)
        scale = s > 0 && s.isFinite ? s : Float.leastNormalMagnitude
        zero = UInt8(max(0, min(15, (-lo / Double(scale)).rounded(.toNearestOrEven))))
    }

    /// The parameters of `values` (one row's slice of a group).
    public init<C: Collection>(_ values: C) where C.Element == Double {
        self.init(low: values.min() ?? 0, high: values.max() ?? 0)
    }

    /// The code of `w`: round(w / scale) + zero, clamped to 0...15.
    @inline(__always) public func code(_ w: Double) -> UInt8 {
        UInt8(max(0, min(15, (w / Double(scale)).rounded(.toNearestOrEven) + Double(zero))))
    }

    /// The value a code stands for, exactly as the device computes it (one fused multiply-add in fp32).
    @inline(__always) public func value(_ code: UInt8) -> Double {
        Double((-Float(zero) * scale).addingProduct(Float(code), scale))
    }
}

/// Round-to-nearest 4-bit quantization of whole matrices, group by group: the baseline GPTQ is
/// measured against.
public enum Int4Quantizer {
    /// A [rows, cols] row-major fp32 matrix quantized per (row, group of `groupSize` columns).
    public static func roundToNearest(_ values: [Float], rows: Int, cols: Int, groupSize: Int) throws -> Int4Weight {
        precondition(values.count == rows * cols)
        let groups = (cols + groupSize - 1) / groupSize
        var codes = [UInt8](repeating: 0, count: rows * cols)
        var scales = [Float](repeating: 1, count: rows * groups), zeros = [UInt8](repeating: 0, count: rows * groups)
        for r in 0..<rows {
            for g in 0..<groups {
                let range = (r * cols + g * groupSize)..<(r * cols + min(cols, (g + 1) * groupSize))
                let q = Int4GroupQuantizer(values[range].lazy.map(Double.init))
                scales[r * groups + g] = q.scale
                zeros[r * groups + g] = q.zero
                for i in range { codes[i] = q.code(Double(values[i])) }
            }
        }
        return try Int4Weight(rows: rows, cols: cols, groupSize: groupSize, codes: codes, scales: scales, zeros: zeros)
    }
}

extension HostLinear {
    /// This layer with its weight rounded to 4 bits per (output row, group of input columns).
    public func quantizedInt4(groupSize: Int) throws -> HostLinear {
        let q = try Int4Quantizer.roundToNearest(floatWeight, rows: outFeatures, cols: inFeatures, groupSize: groupSize)
        return HostLinear(stored: .int4(q), bias: bias, outFeatures: outFeatures, inFeatures: inFeatures)
    }
}
