import BertCheckpoint
import BertKernels
import EncoderWeights
import OpenCLRuntime

/// How the engine runs Linear layers: the GEMM kernel and the weight storage on the device.
public enum LinearMode: String, Codable, Sendable, CaseIterable {
    /// fp32 weights, dense GEMM (int8 checkpoints are dequantized at load).
    case dense = "fp32"
    /// int8 weights with per-output-channel scales, widened inside the GEMM; fp32 activations.
    case int8WeightOnly = "int8-weight-only"
    /// int8 weights and per-token dynamically quantized int8 activations, int32 sums (W8A8).
    case int8 = "int8"
    /// Pruned weights in CSR form, sparse GEMM.
    case sparseCSR = "csr"
    /// fp16 weights on the device ([out, in] halves, the gemm-f16 operation): fp32 activations and
    /// accumulation on the portable path, tensor cores on NVIDIA sm_80+.
    case fp16 = "fp16"
    /// 4-bit weights with a scale and zero point per output row and group of input columns,
    /// dequantized inside the GEMM's K loop; fp32 activations.
    case int4 = "int4"

    /// Whether attention may run in fp16 (the `attention-f16` operation, tensor cores on NVIDIA):
    /// in fp16 models, and in W8A8 ones, whose Linear inputs are already rounded to int8, far
    /// coarser than fp16; fp32 and weight-only models keep fp32 attention, so their baselines stay
    /// what they claim on every device.
    public var allowsHalfAttention: Bool { self == .fp16 || self == .int8 }
}

/// A Linear layer on the device in the form its `LinearMode` runs.
struct DeviceLinear {
    enum Storage {
        /// [in, out] (transposed), or packed into panels for a GEMM variant that reads them.
        case dense(DeviceBuffer<Float>, layout: MatrixLayout)
        /// [in, out] int8 codes, or packed into panels for a packed int8 GEMM variant, and one
        /// scale per output column; W8A8 with SmoothQuant also divides the input by `smoothing`'s s
        /// (the buffer holds 1/s) before quantizing it.
        case int8(DeviceBuffer<Int8>, scales: DeviceBuffer<Float>, quantizeActivations: Bool, layout: MatrixLayout,
                  inverseSmoothing: DeviceBuffer<Float>? = nil)
        /// [out, in] fp16 bits, as a Linear weight is stored: what gemm-f16 reads.
        case half(DeviceBuffer<UInt16>)
        /// 4-bit codes in K-pair-interleaved panels and per-group scales and offsets, `width` wide.
        case int4(DeviceBuffer<UInt8>, groupParams: DeviceBuffer<Float>, groupSize: Int, width: Int)
        /// [out, in] in CSR: row starts, column indices, values.
        case csr(rowStart: DeviceBuffer<Int32>, column: DeviceBuffer<Int32>, value: DeviceBuffer<Float>, nonzeros: Int)
    }

    /// A mixed-precision W8A8 layer's fp32 input channels: their indices and weight [count, out].
    struct Outliers {
        let columns: DeviceBuffer<Int32>
        let weight: DeviceBuffer<Float>
        let count: Int
        var byteCount: Int { columns.byteCount + weight.byteCount }
    }

    let storage: Storage
    let bias: DeviceBuffer<Float>
    let inFeatures: Int
    let outFeatures: Int
    /// Only in W8A8 mode: elsewhere the outlier columns are part of the effective weight.
    let outliers: Outliers?

    /// Uploads one Linear, or several with the same input fused side by side along the output
    /// (query, key and value: one GEMM produces all three). Dense weights are laid out for the
    /// GEMM variant `kernels` runs: packed into its panels once here, or transposed.
    init(_ parts: [HostLinear], mode: LinearMode, kernels: EncoderKernels, label: String) throws {
        let context = kernels.context
        let inFeatures = parts[0].inFeatures
        precondition(parts.allSatisfy { $0.inFeatures == inFeatures })
        let out = parts.map(\.outFeatures).reduce(0, +)
        var outliers: Outliers? = nil
        switch mode {
        case .dense:
            let rows = parts.flatMap(\.floatWeight)  // [out, in], parts stacked
            if let width = kernels.selection[.gemm].panelWidth {
                let packed = WeightPacking.panels(rows, n: out, k: inFeatures, width: width, zero: Float(0))
                storage = .dense(try context.upload(packed, label: label + ".weight (packed \(width) wide)"), layout: .panels(width: width))
            } else {
                storage = .dense(try context.upload(transposed(rows, rows: out, cols: inFeatures), label: label + ".weight"), layout: .kByN)
            }
        case .int8WeightOnly, .int8:
            var codes: [Int8] = [], scales: [Float] = []
            let smoothing = parts[0].inputSmoothing, columns = parts[0].outliers?.columns
            guard parts.allSatisfy({ $0.inputSmoothing == smoothing && $0.outliers?.columns == columns }) else {
                throw EncoderLoadError(message: "\(label): Linears fused on one input carry different SmoothQuant factors or outlier columns")
            }
            for var part in parts {
                // Weight-only GEMMs read the input as it is: requantize the effective weight instead.
                if (smoothing != nil || columns != nil) && mode == .int8WeightOnly {
                    part = HostLinear(weight: part.floatWeight, bias: part.bias, outFeatures: part.outFeatures,
                                      inFeatures: part.inFeatures).quantizedPerOutputChannel()
                }
                guard case .int8(let q, let s) = part.weight else {
                    throw EncoderLoadError(message: "\(label): mode \(mode.rawValue) needs int8 weights, but the checkpoint stores "
                            + "\(part.weight.kindName) (run `bertbench compress --method \(mode.rawValue)` first)")
                }
                codes += q
                scales += s
            }
            let codesOnDevice: DeviceBuffer<Int8>, layout: MatrixLayout
            if let width = kernels.selection[mode == .int8 ? .gemmW8A8 : .gemmW8].panelWidth {
                let packed = WeightPacking.panels(codes, n: out, k: inFeatures, width: width, zero: Int8(0))
                codesOnDevice = try context.upload(packed, label: label + ".weight (packed \(width) wide)")
                layout = .panels(width: width)
            } else {
                codesOnDevice = try context.upload(transposed(codes, rows: out, cols: inFeatures), label: label + ".weight")
                layout = .kByN
            }
            var inverse: DeviceBuffer<Float>? = nil
            if mode == .int8 && (smoothing != nil || columns != nil) {
                // The outlier channels get 1/s = 0: their int8 codes are 0 and they leave the row's scale alone.
                var factors = smoothing.map { $0.map { 1 / $0 } } ?? [Float](repeating: 1, count: inFeatures)
                for c in columns ?? [] { factors[Int(c)] = 0 }
                inverse = try context.upload(factors, label: label + ".inverse_smoothing")
            }
            if mode == .int8, let columns {
                // [count, out]: the parts' [out_p, count] weights stacked along the output, transposed.
                let stacked = parts.flatMap { $0.outliers!.weight }
                outliers = Outliers(columns: try context.upload(columns, label: label + ".outlier_columns"),
                                    weight: try context.upload(transposed(stacked, rows: out, cols: columns.count),
                                                               label: label + ".outlier_weight"),
                                    count: columns.count)
            }
            storage = .int8(codesOnDevice, scales: try context.upload(scales, label: label + ".weight_scale"),
                            quantizeActivations: mode == .int8, layout: layout, inverseSmoothing: inverse)
        case .fp16:
            // F16 checkpoints arrive widened exactly; rounding fp32 ones here is what fp16 means.
            let halves = parts.flatMap(\.floatWeight).map { Float16($0).bitPattern }
            storage = .half(try context.upload(halves, label: label + ".weight (fp16)"))
        case .int4:
            storage = try Self.int4Storage(parts, out: out, kernels: kernels, label: label)
        case .sparseCSR:
            let rows = parts.flatMap(\.floatWeight)
            var rowStart: [Int32] = [0], column: [Int32] = [], value: [Float] = []
            for o in 0..<out {
                for i in 0..<inFeatures where rows[o * inFeatures + i] != 0 {
                    column.append(Int32(i))
                    value.append(rows[o * inFeatures + i])
                }
                rowStart.append(Int32(column.count))
            }
            storage = .csr(rowStart: try context.upload(rowStart, label: label + ".row_start"),
                           column: try context.upload(column.isEmpty ? [0] : column, label: label + ".column"),
                           value: try context.upload(value.isEmpty ? [0] : value, label: label + ".value"), nonzeros: value.count)
        }
        bias = try context.upload(parts.flatMap(\.bias), label: label + ".bias")
        self.inFeatures = inFeatures
        outFeatures = out
        self.outliers = outliers
    }

    init(_ linear: HostLinear, mode: LinearMode, kernels: EncoderKernels, label: String) throws {
        try self.init([linear], mode: mode, kernels: kernels, label: label)
    }

    /// 4-bit parts (one group size) stacked along the output and packed for the int4 GEMM variant.
    private static func int4Storage(_ parts: [HostLinear], out: Int, kernels: EncoderKernels, label: String) throws -> Storage {
        var codes: [UInt8] = [], scales: [Float] = [], offsets: [Float] = []
        var groupSize: Int? = nil
        for part in parts {
            guard case .int4(let q) = part.weight else {
                throw EncoderLoadError(message: "\(label): mode int4 needs 4-bit weights, but the checkpoint stores "
                        + "\(part.weight.kindName) (run `bertbench compress --method int4-rtn` first)")
            }
            guard groupSize == nil || groupSize == q.groupSize else {
                throw EncoderLoadError(message: "\(label): fused parts have group sizes \(groupSize!) and \(q.groupSize)")
            }
            groupSize = q.groupSize
            codes += q.codes
            scales += q.scales
            offsets += q.scales.indices.map(q.offset)
        }
        guard let width = kernels.selection[.gemmW4].panelWidth, let groupSize else {
            throw EncoderLoadError(message: "\(label): \(kernels.selection[.gemmW4]) reads no packed panels; int4 needs a packed variant")
        }
        let k = parts[0].inFeatures, groups = (k + groupSize - 1) / groupSize
        let packed = WeightPacking.int4Panels(codes, n: out, k: k, width: width)
        let params = WeightPacking.groupPanels(scales: scales, offsets: offsets, n: out, groups: groups, width: width)
        return .int4(try kernels.context.upload(packed, label: label + ".weight (4-bit, packed \(width) wide)"),
                     groupParams: try kernels.context.upload(params, label: label + ".weight_groups"), groupSize: groupSize, width: width)
    }

    /// Bytes this layer holds on the device.
    var byteCount: Int {
        bias.byteCount + (outliers?.byteCount ?? 0) + {
            switch storage {
            case .dense(let w, _): return w.byteCount
            case .int8(let w, let s, _, _, let smoothing): return w.byteCount + s.byteCount + (smoothing?.byteCount ?? 0)
            case .half(let w): return w.byteCount
            case .int4(let w, let g, _, _): return w.byteCount + g.byteCount
            case .csr(let r, let c, let v, _): return r.byteCount + c.byteCount + v.byteCount
            }
        }()
    }

    var needsActivationQuantization: Bool {
        if case .int8(_, _, true, _, _) = storage { return true }
        return false
    }

    /// Where a layer norm writing this layer's input can put its int8 codes (W8A8 layers only), with
    /// this layer's SmoothQuant factors: the quantization `apply` would otherwise launch itself.
    func fusedQuantization(into buffer: QuantizedActivations?) -> RowQuantization? {
        guard case .int8(_, _, true, _, let smoothing) = storage, let buffer else { return nil }
        return RowQuantization(codes: buffer.codes, scales: buffer.scales, inverseSmoothing: smoothing)
    }

    /// output[rows, out] = act(input[rows, in] · Wᵀ + bias), with the kernel this layer's storage needs.
    /// `inputQuantized`: a W8A8 layer's codes of `input` are in `quantized` already (a fused layer norm
    /// wrote them), so it skips its own quantization.
    func apply(_ k: EncoderKernels, input: DeviceBuffer<Float>, output: DeviceBuffer<Float>, rows: Int,
               activation: Activation = .none, quantized: QuantizedActivations?, inputQuantized: Bool = false) throws {
        switch storage {
        case .dense(let weight, let layout):
            try k.gemm(a: input, b: weight, layout: layout, bias: bias, c: output, m: rows, n: outFeatures, k: inFeatures,
                       activation: activation)
        case .int8(let weight, let scales, let quantize, let layout, let inverseSmoothing):
            if quantize {
                guard let quantized else { preconditionFailure("W8A8 layer without an activation buffer") }
                if !inputQuantized {
                    try k.quantizeRows(input, into: quantized.codes, scales: quantized.scales, m: rows, k: inFeatures,
                                       inverseSmoothing: inverseSmoothing)
                }
                try k.gemmW8A8(a: quantized.codes, aScale: quantized.scales, b: weight, bScale: scales, bias: bias, c: output,
                               m: rows, n: outFeatures, k: inFeatures, activation: outliers == nil ? activation : .none, layout: layout)
                if let outliers {
                    try k.addOutlierColumns(input, k: inFeatures, columns: outliers.columns, count: outliers.count, weight: outliers.weight,
                                            into: output, rows: rows, n: outFeatures, activation: activation)
                }
            } else {
                try k.gemmW8(a: input, b: weight, bScale: scales, bias: bias, c: output, m: rows, n: outFeatures, k: inFeatures,
                             activation: activation, layout: layout)
            }
        case .half(let weight):
            try k.gemmF16(a: input, weight: weight, bias: bias, c: output, m: rows, n: outFeatures, k: inFeatures,
                          activation: activation)
        case .int4(let weight, let params, let groupSize, let width):
            try k.gemmW4(a: input, b: weight, groupParams: params, groupSize: groupSize, bias: bias, c: output, m: rows, n: outFeatures,
                         k: inFeatures, width: width, activation: activation)
        case .csr(let rowStart, let column, let value, _):
            try k.gemmCSR(a: input, rowStart: rowStart, column: column, value: value, bias: bias, c: output,
                          m: rows, n: outFeatures, k: inFeatures, activation: activation)
        }
    }
}

/// Per-token int8 activations and their scales, for W8A8 layers.
struct QuantizedActivations {
    let codes: DeviceBuffer<Int8>
    let scales: DeviceBuffer<Float>
}

/// A model that cannot be loaded as asked: says what and where.
public struct EncoderLoadError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

struct DeviceNorm {
    let gamma: DeviceBuffer<Float>
    let beta: DeviceBuffer<Float>
    var byteCount: Int { gamma.byteCount + beta.byteCount }

    init(_ norm: HostNorm, context: ComputeContext, label: String) throws {
        gamma = try context.upload(norm.gamma, label: label + ".weight")
        beta = try context.upload(norm.beta, label: label + ".bias")
    }
}

enum DeviceTable {
    case float(DeviceBuffer<Float>)
    case int8(DeviceBuffer<Int8>, scales: DeviceBuffer<Float>)

    var byteCount: Int {
        switch self {
        case .float(let t): return t.byteCount
        case .int8(let t, let s): return t.byteCount + s.byteCount
        }
    }

    init(_ table: HostTable, context: ComputeContext, label: String) throws {
        switch table {
        case .float(let values, _, _): self = .float(try context.upload(values, label: label))
        case .int8(let values, let scales, _, _):
            self = .int8(try context.upload(values, label: label), scales: try context.upload(scales, label: label + ".scale"))
        }
    }
}

struct DeviceLayer {
    let qkv: DeviceLinear
    let attentionOutput: DeviceLinear
    let attentionNorm: DeviceNorm
    let intermediate: DeviceLinear
    let output: DeviceLinear
    let outputNorm: DeviceNorm
    let heads: Int

    var byteCount: Int {
        qkv.byteCount + attentionOutput.byteCount + attentionNorm.byteCount + intermediate.byteCount
            + output.byteCount + outputNorm.byteCount
    }
}

/// The classifier head on the device: logits = classifier(activation(first([CLS]))).
struct DeviceHead {
    let first: DeviceLinear
    let activation: Activation
    let classifier: DeviceLinear
}

/// Every weight uploaded once to one device.
struct DeviceEncoderWeights {
    let word: DeviceTable
    let position: DeviceTable
    let tokenType: DeviceBuffer<Float>?
    let embeddingNorm: DeviceNorm
    let layers: [DeviceLayer]
    let head: DeviceHead?
    /// MPNet's shared relative-position bias, or nil.
    let relativeBias: DeviceRelativeBias?

    /// Bytes of every weight on the device.
    var byteCount: Int {
        word.byteCount + position.byteCount + (tokenType?.byteCount ?? 0) + embeddingNorm.byteCount + (relativeBias?.byteCount ?? 0)
            + layers.map(\.byteCount).reduce(0, +) + (head.map { $0.first.byteCount + $0.classifier.byteCount } ?? 0)
    }

    init(_ host: HostEncoderWeights, mode: LinearMode, kernels: EncoderKernels) throws {
        let context = kernels.context
        if let bias = host.relativeAttentionBias, let layer = host.layers.firstIndex(where: { $0.heads != bias.heads }) {
            // The one table has a column per original head; which columns a pruned layer kept is not recorded.
            throw EncoderLoadError(message: "layer \(layer) has \(host.layers[layer].heads) heads, but the shared relative-position "
                                   + "bias has \(bias.heads): head pruning is not supported for this architecture")
        }
        relativeBias = host.relativeAttentionBias.map(DeviceRelativeBias.init)
        word = try DeviceTable(host.wordEmbeddings, context: context, label: "embeddings.word")
        position = try DeviceTable(host.positionEmbeddings, context: context, label: "embeddings.position")
        tokenType = try host.tokenTypeEmbeddings.map { try context.upload($0, label: "embeddings.token_type") }
        embeddingNorm = try DeviceNorm(host.embeddingNorm, context: context, label: "embeddings.LayerNorm")
        // A quantized checkpoint may keep some Linears in fp32 on purpose (mixed precision, e.g.
        // int8-smoothquant keeps those whose inputs it cannot smooth); they run dense in an int8 mode.
        let quantized = host.layers.contains { $0.linears.contains { if case .int8 = $0.linear.weight { true } else { false } } }
            || { if case .int8 = host.wordEmbeddings { true } else { false } }()
        func modeOf(_ parts: [HostLinear]) -> LinearMode {
            let float = parts.allSatisfy { if case .float = $0.weight { true } else { false } }
            return quantized && float && (mode == .int8 || mode == .int8WeightOnly) ? .dense : mode
        }
        layers = try host.layers.enumerated().map { index, layer in
            let prefix = "layer.\(index)"
            let qkv = [layer.query, layer.key, layer.value]
            return DeviceLayer(
                qkv: try DeviceLinear(qkv, mode: modeOf(qkv), kernels: kernels, label: prefix + ".qkv"),
                attentionOutput: try DeviceLinear(layer.attentionOutput, mode: modeOf([layer.attentionOutput]), kernels: kernels,
                                                  label: prefix + ".attention.output"),
                attentionNorm: try DeviceNorm(layer.attentionNorm, context: context, label: prefix + ".attention.LayerNorm"),
                intermediate: try DeviceLinear(layer.intermediate, mode: modeOf([layer.intermediate]), kernels: kernels,
                                               label: prefix + ".intermediate"),
                output: try DeviceLinear(layer.output, mode: modeOf([layer.output]), kernels: kernels, label: prefix + ".output"),
                outputNorm: try DeviceNorm(layer.outputNorm, context: context, label: prefix + ".output.LayerNorm"),
                heads: layer.heads)
        }
        head = try host.head.map { head in
            DeviceHead(first: try DeviceLinear(head.first, mode: .dense, kernels: kernels, label: "head.first"),
                       activation: Activation(head.activation),
                       classifier: try DeviceLinear(head.classifier, mode: .dense, kernels: kernels, label: "classifier"))
        }
    }
}

extension Activation {
    /// The kernel activation that applies a classifier head's nonlinearity.
    init(_ head: HeadActivation) {
        switch head {
        case .tanh: self = .tanh
        case .relu: self = .relu
        }
    }
}

/// [rows, cols] row-major to [cols, rows].
func transposed<T>(_ values: [T], rows: Int, cols: Int) -> [T] {
    precondition(values.count == rows * cols)
    guard let first = values.first else { return [] }
    var t = [T](repeating: first, count: values.count)
    for r in 0..<rows {
        for c in 0..<cols { t[c * rows + r] = values[r * cols + c] }
    }
    return t
}
