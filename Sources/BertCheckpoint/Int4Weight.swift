/// A [rows, cols] weight stored in 4 bits per element, GPTQ's asymmetric group format: each row
/// is cut into groups of `groupSize` consecutive columns (the last one shorter when cols is not a
/// multiple), and each (row, group) has an fp32 scale and a zero point in 0...15, so
/// w[r, c] = scale[r, g] · (code[r, c] - zero[r, g]) with g = c / groupSize.
///
/// Asymmetric rather than symmetric [-8, 7]: a group's min and max map onto all 16 codes, where a
/// symmetric scale spends half its codes on a side a skewed group does not reach; it costs one
/// byte per group on disk and, on the device, nothing (zero and scale fold into one offset).
///
/// Codes are packed two per byte, row-major [rows, (cols + 1) / 2]: column 2j in the LOW nibble
/// of byte j, column 2j + 1 in the HIGH nibble; with odd cols the last high nibble is 0.
public struct Int4Weight: Sendable, Equatable {
    /// Output features.
    public let rows: Int
    /// Input features.
    public let cols: Int
    /// Input columns per scale and zero point (even; the last group may be shorter).
    public let groupSize: Int
    /// [rows, bytesPerRow]: two codes per byte, low nibble first.
    public let packed: [UInt8]
    /// [rows, groups], fp32.
    public let scales: [Float]
    /// [rows, groups], each in 0...15.
    public let zeros: [UInt8]

    /// Bytes of packed codes per row.
    public var bytesPerRow: Int { (cols + 1) / 2 }
    /// Groups per row (the last may hold fewer than `groupSize` columns).
    public var groups: Int { (cols + groupSize - 1) / groupSize }

    /// Checks every size and range; errors name `name` (the tensor) and what is wrong.
    public init(rows: Int, cols: Int, groupSize: Int, packed: [UInt8], scales: [Float], zeros: [UInt8], name: String = "int4 weight") throws {
        guard rows > 0, cols > 0 else { throw CheckpointError("\(name): int4 weight must have rows and columns, not [\(rows), \(cols)]") }
        guard groupSize >= 2, groupSize % 2 == 0, groupSize <= 1 << 16 else {
            throw CheckpointError("\(name): int4 group size \(groupSize) must be even and in 2...65536")
        }
        let groups = (cols + groupSize - 1) / groupSize, bytes = (cols + 1) / 2
        guard packed.count == rows * bytes else {
            throw CheckpointError("\(name): \(packed.count) packed bytes, [\(rows), \(cols)] in 4 bits needs \(rows * bytes)")
        }
        guard scales.count == rows * groups, zeros.count == rows * groups else {
            throw CheckpointError("\(name): \(scales.count) scales and \(zeros.count) zero points, \(rows) rows x \(groups) groups needs "
                                  + "\(rows * groups) of each")
        }
        if let bad = zeros.firstIndex(where: { $0 > 15 }) {
            throw CheckpointError("\(name): zero point \(zeros[bad]) at [\(bad / groups), \(bad % groups)] is not a 4-bit code (0...15)")
        }
        if let bad = scales.firstIndex(where: { !$0.isFinite || $0 <= 0 }) {
            throw CheckpointError("\(name): scale \(scales[bad]) at [\(bad / groups), \(bad % groups)] must be finite and positive")
        }
        if cols % 2 == 1, let bad = (0..<rows).first(where: { packed[$0 * bytes + bytes - 1] >> 4 != 0 }) {
            throw CheckpointError("\(name): row \(bad) has a code in the padding nibble past column \(cols - 1) (must be 0)")
        }
        self.rows = rows
        self.cols = cols
        self.groupSize = groupSize
        self.packed = packed
        self.scales = scales
        self.zeros = zeros
    }

    /// From unpacked codes [rows, cols] in 0...15 (packs them).
    public init(rows: Int, cols: Int, groupSize: Int, codes: [UInt8], scales: [Float], zeros: [UInt8]) throws {
        precondition(codes.count == rows * cols)
        let bytes = (cols + 1) / 2
        var packed = [UInt8](repeating: 0, count: rows * bytes)
        for r in 0..<rows {
            for c in 0..<cols {
                let code = codes[r * cols + c] & 0xF
                packed[r * bytes + c / 2] |= c % 2 == 0 ? code : code << 4
            }
        }
        try self.init(rows: rows, cols: cols, groupSize: groupSize, packed: packed, scales: scales, zeros: zeros)
    }

    /// The code of element [r, c], in 0...15.
    @inline(__always) public func code(_ r: Int, _ c: Int) -> UInt8 {
        let byte = packed[r * bytesPerRow + c / 2]
        return c % 2 == 0 ? byte & 0xF : byte >> 4
    }

    /// Every code, unpacked, [rows, cols].
    public var codes: [UInt8] {
        var out = [UInt8](repeating: 0, count: rows * cols)
        for r in 0..<rows { for c in 0..<cols { out[r * cols + c] = code(r, c) } }
        return out
    }

    /// The weight as fp32 [rows, cols]: scale · (code - zero), computed as the kernel does, one fused
    /// multiply-add of the code with the scale and the group's offset -zero · scale.
    public var dequantized: [Float] {
        var out = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                let g = r * groups + c / groupSize
                out[r * cols + c] = offset(g).addingProduct(Float(code(r, c)), scales[g])
            }
        }
        return out
    }

    /// -zero · scale of (row, group) index `g` (row * groups + group): the device's per-group offset.
    @inline(__always) public func offset(_ g: Int) -> Float { -Float(zeros[g]) * scales[g] }

    /// Bytes on disk: packed codes, fp32 scales, one byte per zero point.
    public var byteCount: Int { packed.count + scales.count * 4 + zeros.count }
}
