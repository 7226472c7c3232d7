/// The input channels of an int8 Linear that run in fp32 beside the int8 GEMM (LLM.int8()-style
/// mixed precision): y = int8 part over the other channels + x[:, columns] · weightᵀ. Stored as
/// `<weight>_outlier_columns` (I32 [n]) and `<weight>_outlier_weight` (F32 [out, n]); the int8
/// codes and smoothing factors of these columns are ignored (written as 0 and 1).
public struct OutlierColumns: Sendable, Equatable {
    /// Input channel indices, distinct, each in 0..<inFeatures.
    public let columns: [Int32]
    /// Their effective weight columns, [out, columns.count] row-major.
    public let weight: [Float]

    /// Checks what a checkpoint cannot be trusted with: `name` says where, for the one-line error.
    public init(columns: [Int32], weight: [Float], outFeatures: Int, inFeatures: Int, name: String) throws {
        guard !columns.isEmpty, weight.count == outFeatures * columns.count else {
            throw CheckpointError("\(name): \(columns.count) outlier columns need a weight of \(outFeatures) x \(columns.count), "
                                  + "found \(weight.count) values")
        }
        if let bad = columns.first(where: { $0 < 0 || Int($0) >= inFeatures }) {
            throw CheckpointError("\(name): outlier column \(bad) is outside 0..<\(inFeatures)")
        }
        guard Set(columns).count == columns.count else { throw CheckpointError("\(name): outlier columns repeat a channel") }
        self.columns = columns
        self.weight = weight
    }

    /// Writes these columns of `effective` ([out, inFeatures] row-major) with their fp32 weights.
    public func replace(in effective: inout [Float], inFeatures: Int) {
        let n = columns.count
        for o in 0..<(weight.count / n) {
            for (i, c) in columns.enumerated() { effective[o * inFeatures + Int(c)] = weight[o * n + i] }
        }
    }
}
