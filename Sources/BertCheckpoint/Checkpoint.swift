import Foundation
import Support

/// A Linear or embedding weight as stored: fp32 (F16/BF16 widened), int8 with one fp32
/// scale per row (per output channel of a Linear, per entry of a table), or (Linear only) 4-bit
/// codes with a scale and zero point per row and group of input columns.
public enum StoredWeight: Sendable, Equatable {
    case float([Float])
    case int8([Int8], scales: [Float])
    case int4(Int4Weight)
}

/// A checkpoint directory opened and checked: config.json, model.safetensors, the key layout,
/// and every tensor's shape and dtype against what the config implies.
public final class Checkpoint: @unchecked Sendable {
    public let directory: URL
    public let config: BertConfig
    public let file: SafeTensorsFile
    public let layout: TensorLayout
    /// Input columns of each 4-bit weight, from the config (packed codes round odd widths up).
    private var int4Columns: [String: Int] = [:]

    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError("\(directory.path): no such model directory")
        }
        self.directory = directory
        config = try BertConfig(contentsOf: directory.appendingPathComponent("config.json"))
        file = try SafeTensorsFile(url: directory.appendingPathComponent("model.safetensors"))
        layout = try TensorLayout.detect(keys: Set(file.tensors.keys), config: config, path: file.url.path)
        try checkShapes()
    }

    private var path: String { file.url.path }

    /// Every tensor the engine will read exists, with the shape and dtype the config implies.
    private func checkShapes() throws {
        let h = config.hiddenSize, d = config.headDim
        try checkTable(layout.wordEmbeddings, rows: config.vocabSize, width: h)
        try checkTable(layout.positionEmbeddings, rows: config.maxPositions, width: h)
        if let tokenType = layout.tokenTypeEmbeddings { try checkFloat(tokenType, shape: [config.typeVocabSize, h]) }
        try checkNorm(layout.embeddingNorm, h)
        for (i, layer) in layout.layers.enumerated() {
            let attention = config.heads(layer: i) * d, inter = config.intermediate(layer: i)
            for names in [layer.query, layer.key, layer.value] { try checkLinear(names, out: attention, in: h) }
            try checkLinear(layer.attentionOutput, out: h, in: attention)
            try checkNorm(layer.attentionNorm, h)
            try checkLinear(layer.intermediate, out: inter, in: h)
            try checkLinear(layer.output, out: h, in: inter)
            try checkNorm(layer.outputNorm, h)
        }
        if let bias = layout.relativeAttentionBias, let relative = config.relativeAttention {
            try checkFloat(bias, shape: [relative.buckets, config.headCount])
        }
        if let pooler = layout.pooler { try checkLinear(pooler, out: h, in: h, allowInt8: false) }
        if let head = layout.head {
            let classifier = head.classifier
            try checkLinear(head.first, out: h, in: h, allowInt8: false)
            let classes = try file.info(classifier.weight).shape.first ?? 0
            if let labels = config.labels, labels.count != classes {
                throw CheckpointError("\(path): \(classifier.weight) has \(classes) classes, config.json names \(labels.count) labels")
            }
            try checkLinear(classifier, out: classes, in: h, allowInt8: false)
        }
    }

    private func require(_ name: String) throws -> TensorInfo {
        guard let info = file.tensors[name] else { throw CheckpointError("\(path): missing tensor \(name)") }
        return info
    }

    private func checkFloat(_ name: String, shape: [Int]) throws {
        let info = try require(name)
        guard info.dtype.isFloatingPoint else {
            throw CheckpointError("\(path): \(name) is \(info.dtype.rawValue), expected a floating-point tensor")
        }
        guard info.shape == shape else {
            throw CheckpointError("\(path): \(name) has shape \(info.shape), config.json implies \(shape)")
        }
    }

    private func checkNorm(_ names: NormNames, _ h: Int) throws {
        try checkFloat(names.weight, shape: [h])
        try checkFloat(names.bias, shape: [h])
    }

    /// A weight matrix [rows, width]: fp32, or I8 with a [rows] scale when the config says quantized.
    private func checkMatrix(_ name: String, rows: Int, width: Int, allowInt8: Bool = true) throws {
        let info = try require(name)
        let scale = name + "_scale"
        if info.dtype == .u8 {
            guard allowInt8 else { throw CheckpointError("\(path): \(name) is U8 (4-bit), but BertBench keeps this tensor in fp32") }
            try checkInt4(name, info: info, rows: rows, width: width)
        } else if info.dtype == .i8 {
            guard allowInt8 else { throw CheckpointError("\(path): \(name) is I8, but BertBench keeps this tensor in fp32") }
            guard config.quantizationMethod != nil else {
                throw CheckpointError("\(path): \(name) is I8 but config.json has no quantization entry")
            }
            guard info.shape == [rows, width] else {
                throw CheckpointError("\(path): \(name) has shape \(info.shape), config.json implies [\(rows), \(width)]")
            }
            guard let s = file.tensors[scale] else { throw CheckpointError("\(path): \(name) is I8 but \(scale) is missing") }
            guard s.dtype == .f32, s.shape == [rows] else {
                throw CheckpointError("\(path): \(scale) must be F32 [\(rows)], found \(s.dtype.rawValue) \(s.shape)")
            }
            if let smoothing = file.tensors[name + "_smoothing"], smoothing.dtype != .f32 || smoothing.shape != [width] {
                throw CheckpointError("\(path): \(name)_smoothing must be F32 [\(width)], found \(smoothing.dtype.rawValue) \(smoothing.shape)")
            }
            try checkOutliers(name, rows: rows)
        } else {
            if file.tensors[scale] != nil || file.tensors[name + "_smoothing"] != nil || file.tensors[name + "_outlier_columns"] != nil
                || file.tensors[name + "_outlier_weight"] != nil {
                throw CheckpointError("\(path): \(name) is \(info.dtype.rawValue) but has a scale, smoothing or outlier tensor: "
                                      + "int8 weights must be I8")
            }
            try checkFloat(name, shape: [rows, width])
        }
    }

    /// An int8 weight's fp32 outlier channels: both tensors or neither, I32 [n] and F32 [rows, n].
    private func checkOutliers(_ name: String, rows: Int) throws {
        let columns = file.tensors[name + "_outlier_columns"], weight = file.tensors[name + "_outlier_weight"]
        guard let columns, let weight else {
            if columns != nil || weight != nil {
                throw CheckpointError("\(path): \(name) has only one of \(name)_outlier_columns and \(name)_outlier_weight")
            }
            return
        }
        guard columns.dtype == .i32, columns.shape.count == 1, let n = columns.shape.first, n > 0 else {
            throw CheckpointError("\(path): \(name)_outlier_columns must be I32 [n], found \(columns.dtype.rawValue) \(columns.shape)")
        }
        guard weight.dtype == .f32, weight.shape == [rows, n] else {
            throw CheckpointError("\(path): \(name)_outlier_weight must be F32 [\(rows), \(n)], found \(weight.dtype.rawValue) \(weight.shape)")
        }
    }

    /// 4-bit codes: U8 [rows, ceil(width/2)] with F32 `_scale` and U8 `_zero` [rows, groups], and a
    /// config.json quantization record with bits 4 and the group size.
    private func checkInt4(_ name: String, info: TensorInfo, rows: Int, width: Int) throws {
        guard config.quantizationBits == 4, let group = config.quantizationGroupSize else {
            throw CheckpointError("\(path): \(name) is U8 (4-bit codes) but config.json's quantization has no bits 4 and group_size")
        }
        guard info.shape == [rows, (width + 1) / 2] else {
            throw CheckpointError("\(path): \(name) has shape \(info.shape), 4-bit codes of [\(rows), \(width)] are [\(rows), \((width + 1) / 2)]")
        }
        let groups = (width + group - 1) / group
        int4Columns[name] = width
        for (suffix, dtype) in [("_scale", DType.f32), ("_zero", DType.u8)] {
            guard let t = file.tensors[name + suffix] else { throw CheckpointError("\(path): \(name) is 4-bit but \(name + suffix) is missing") }
            guard t.dtype == dtype, t.shape == [rows, groups] else {
                throw CheckpointError("\(path): \(name + suffix) must be \(dtype.rawValue) [\(rows), \(groups)] (group size \(group)), "
                                      + "found \(t.dtype.rawValue) \(t.shape)")
            }
        }
    }

    private func checkTable(_ name: String, rows: Int, width: Int) throws {
        if file.tensors[name]?.dtype == .u8 { throw CheckpointError("\(path): \(name) is U8: embedding tables cannot be 4-bit") }
        try checkMatrix(name, rows: rows, width: width)
    }

    private func checkLinear(_ names: LinearNames, out: Int, in inFeatures: Int, allowInt8: Bool = true) throws {
        try checkMatrix(names.weight, rows: out, width: inFeatures, allowInt8: allowInt8)
        try checkFloat(names.bias, shape: [out])
    }

    // MARK: Reading

    /// SmoothQuant's input factors stored beside an int8 weight, or nil.
    public func smoothing(_ name: String) throws -> [Float]? {
        file.tensors[name + "_smoothing"] == nil ? nil : try file.floats(name + "_smoothing")
    }

    /// The fp32 outlier channels stored beside an int8 weight [rows, width], or nil (values checked here).
    public func outliers(_ name: String, rows: Int, width: Int) throws -> OutlierColumns? {
        guard file.tensors[name + "_outlier_columns"] != nil else { return nil }
        return try OutlierColumns(columns: try file.int32s(name + "_outlier_columns"), weight: try file.floats(name + "_outlier_weight"),
                                  outFeatures: rows, inFeatures: width, name: "\(path): \(name)")
    }

    /// A weight matrix as stored (fp32, int8 codes with their row scales, or 4-bit codes with group scales and zero points).
    public func weight(_ name: String) throws -> StoredWeight {
        let info = try file.info(name)
        if info.dtype == .u8, let group = config.quantizationGroupSize, info.shape.count == 2 {
            // Shapes were checked when the checkpoint opened; values (zero points, scales, padding) are checked here.
            guard let cols = int4Columns[name] else { throw CheckpointError("\(path): \(name) is U8 but is not a Linear weight") }
            let rows = info.shape[0]
            return .int4(try Int4Weight(rows: rows, cols: cols, groupSize: group, packed: try file.uint8s(name),
                                        scales: try file.floats(name + "_scale"), zeros: try file.uint8s(name + "_zero"), name: "\(path): \(name)"))
        }
        if info.dtype == .i8 {
            return .int8(try file.int8s(name), scales: try file.floats(name + "_scale"))
        }
        return .float(try file.floats(name))
    }

    /// A floating-point vector or matrix, flattened.
    public func floats(_ name: String) throws -> [Float] { try file.floats(name) }

    /// The first dimension of a tensor (classes of a classifier, rows of a table).
    public func rows(_ name: String) throws -> Int { try file.info(name).shape.first ?? 0 }

    /// A 64-bit FNV-1a hash of model.safetensors, hex: provenance for derived checkpoints and
    /// reports (not a cryptographic hash).
    public func sourceHash() throws -> String {
        try FNV1a64.fileHash(file.url)
    }
}
