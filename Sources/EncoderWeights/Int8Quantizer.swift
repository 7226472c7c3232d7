/// Symmetric int8 quantization as the project and the external int8 model define it: zero
/// point 0, codes in [-127, 127], scale = absmax / 127 per row (one row = one output channel
/// of a Linear weight, or one entry of an embedding table). An all-zero row gets scale 1.
public enum Int8Quantizer {
    /// Codes and per-row scales of a row-major [rows, cols] matrix.
    public static func quantizeRows(_ values: [Float], rows: Int, cols: Int) -> (codes: [Int8], scales: [Float]) {
        precondition(values.count == rows * cols)
        var codes = [Int8](repeating: 0, count: values.count)
        var scales = [Float](repeating: 1, count: rows)
        for r in 0..<rows {
            let row = values[(r * cols)..<((r + 1) * cols)]
            let absmax = row.reduce(Float(0)) { max($0, abs($1)) }
            let scale: Float = absmax > 0 ? absmax / 127 : 1
            scales[r] = scale
            for (i, v) in row.enumerated() {
                codes[r * cols + i] = Int8(max(-127, min(127, (v / scale).rounded(.toNearestOrEven))))
            }
        }
        return (codes, scales)
    }
}

extension HostLinear {
    /// This layer with its weight quantized per output channel (already-int8 layers unchanged).
    public func quantizedPerOutputChannel() -> HostLinear {
        guard case .float(let w) = weight else { return self }
        let (codes, scales) = Int8Quantizer.quantizeRows(w, rows: outFeatures, cols: inFeatures)
        return HostLinear(stored: .int8(codes, scales: scales), bias: bias, outFeatures: outFeatures, inFeatures: inFeatures)
    }
}

extension HostTable {
    /// This table quantized per row (already-int8 tables unchanged).
    public func quantizedPerRow() -> HostTable {
        guard case .float(let values, let rows, let width) = self else { return self }
        let (codes, scales) = Int8Quantizer.quantizeRows(values, rows: rows, cols: width)
        return .int8(codes, scales: scales, rows: rows, width: width)
    }
}
