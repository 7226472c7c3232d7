import OpenCLRuntime

/// Which activation a kernel applies after adding the bias.
public enum Activation: Int32, Sendable {
    case none = 0
    /// Exact GELU, 0.5·x·(1 + erf(x/√2)), as BERT's "gelu".
    case gelu = 1
    /// tanh, as BERT's pooler.
    case tanh = 2
    /// max(0, x), as DistilBERT's pre-classifier.
    case relu = 3
}

/// Where a layer norm fused with int8 row quantization writes the codes and scales, and the SmoothQuant
/// factors (1/s per channel) of the W8A8 Linear that reads them, if it has any.
public struct RowQuantization {
    public let codes: DeviceBuffer<Int8>
    public let scales: DeviceBuffer<Float>
    public let inverseSmoothing: DeviceBuffer<Float>?

    /// Codes and scales for a Linear reading the layer norm's output.
    public init(codes: DeviceBuffer<Int8>, scales: DeviceBuffer<Float>, inverseSmoothing: DeviceBuffer<Float>?) {
        self.codes = codes
        self.scales = scales
        self.inverseSmoothing = inverseSmoothing
    }
}

/// How the right-hand matrix of a GEMM is laid out in memory.
public enum MatrixLayout: Sendable, Equatable {
    /// [K, N] row-major: the transposed form the engine uploads Linear weights in.
    case kByN
    /// [N, K] row-major: a Hugging Face Linear weight as stored.
    case nByK
    /// Panels of `width` columns, K-contiguous (`WeightPacking.panels`): what a packed GEMM
    /// variant reads; only the variant whose `panelWidth` is `width` can run it.
    case panels(width: Int)
}

/// Typed launchers for the kernels in Kernels/: each checks its sizes and runs the variant the
/// device's profile chose for its operation (built once per set of build options, cached).
/// All matrices are row-major fp32 unless the name says otherwise.
public final class EncoderKernels: @unchecked Sendable {
    public let context: ComputeContext
    /// Which variant and parameters run each operation here.
    public let selection: KernelSelection
    /// The operations launched so far, with what ran them: the record of "which variant ran".
    public private(set) var ran: [KernelOperation: KernelChoice] = [:]
    /// Bound where a kernel takes an optional buffer that is absent (OpenCL has no null buffers).
    let placeholderFloats: DeviceBuffer<Float>
    private let emptyInts: DeviceBuffer<Int32>
    /// Split-K's partial sums (SplitKWorkspace.swift), kept and grown across launches.
    var splitKPartials: DeviceBuffer<Float>?
    /// Split GEMMs' tile counters (`splitKCounters`), zero between launches.
    var splitKTileCounters: DeviceBuffer<Int32>?

    /// Kernels on `context` running `selection`.
    public init(context: ComputeContext, selection: KernelSelection) throws {
        self.context = context
        self.selection = selection
        placeholderFloats = try context.buffer(Float.self, count: 1, label: "unused argument")
        emptyInts = try context.buffer(Int32.self, count: 1, label: "unused argument")
    }

    /// Kernels on `context` running what the standard profile catalog (built-in profiles plus the
    /// user's folder) chooses for its device.
    public convenience init(context: ComputeContext) throws {
        try self.init(context: context, selection: try ProfileCatalog.standard().selection(for: DeviceIdentity(context.device)))
    }

    /// Kernels already built by this launcher, by source, entry point and options.
    private var built: [String: Kernel] = [:]
    /// What a launch site needs, by operation, entry point and problem: the built kernel and its
    /// geometry. A forward pass repeats the same few dozen launches; deriving the build options
    /// (string formatting, dictionary merges) for each was the largest host cost per launch
    /// (docs/perf-notes.md).
    private var prepared: [PreparedKey: (kernel: Kernel, geometry: LaunchGeometry)] = [:]

    private struct PreparedKey: Hashable {
        let operation: KernelOperation
        let entry: String
        let problem: KernelProblem
    }

    /// Launches `entry` of the variant chosen for `operation` over `problem`.
    func launch(_ operation: KernelOperation, _ entry: String, problem: KernelProblem, arguments: [any KernelArgument],
                category: String) throws {
        let key = PreparedKey(operation: operation, entry: entry, problem: problem)
        let ready = try prepared[key] ?? prepare(key)
        try context.launch(ready.kernel, global: ready.geometry.global, local: ready.geometry.local, arguments: arguments,
                           category: category)
    }

    /// Builds (or finds) the kernel for a new launch site, works out its geometry and keeps both;
    /// the selection never changes, so this is also where `ran` learns what runs the operation.
    private func prepare(_ site: PreparedKey) throws -> (kernel: Kernel, geometry: LaunchGeometry) {
        let (operation, entry, problem) = (site.operation, site.entry, site.problem)
        let choice = selection[operation]
        let options = choice.buildOptions(for: problem)
        // Looked up by a short key here: the context's own cache keys on the whole source text.
        let key = choice.variant.source + "\u{0}" + entry + "\u{0}" + options
        let kernel = try built[key] ?? context.kernel(entry, source: KernelLibrary.source(choice.variant.source),
                                                      options: options, sourceName: "Kernels/\(choice.variant.source)")
        built[key] = kernel
        let ready = (kernel: kernel, geometry: choice.geometry(entry, for: problem))
        prepared[site] = ready
        ran[operation] = choice
        return ready
    }

    /// C[M, N] = act(A[M, K] · op(B) + bias); `op(B)` is [K, N] after reading B per `layout`.
    public func gemm(a: DeviceBuffer<Float>, b: DeviceBuffer<Float>, layout: MatrixLayout,
                     bias: DeviceBuffer<Float>?, c: DeviceBuffer<Float>,
                     m: Int, n: Int, k: Int, activation: Activation = .none) throws {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "gemm operand smaller than \(m)x\(n)x\(k)")
        precondition(bias == nil || bias!.count >= n)
        let entry: String, ld: Int32
        switch layout {
        case .kByN: (entry, ld) = ("gemm_nn", Int32(n))
        case .nByK: (entry, ld) = ("gemm_nt", Int32(k))
        case .panels(let width):
            precondition(selection[.gemm].panelWidth == width,
                         "weights packed \(width) wide, but \(selection[.gemm]) reads \(selection[.gemm].panelWidth.map(String.init) ?? "none")")
            precondition(b.count >= WeightPacking.packedCount(n: n, k: k, width: width))
            (entry, ld) = ("gemm_packed", Int32(width))
        }
        let args: [any KernelArgument] = [
            Int32(m), Int32(n), Int32(k), a, Int32(k), b, ld,
            bias ?? placeholderFloats, Int32(bias == nil ? 0 : 1), c, Int32(n), activation.rawValue,
        ]
        try launch(.gemm, entry, problem: KernelProblem(m: m, n: n, k: k),
                   arguments: args, category: "gemm")
    }

    /// x[rows, n] = act(x + bias), in place.
    public func biasActivation(_ x: DeviceBuffer<Float>, bias: DeviceBuffer<Float>, rows: Int, n: Int,
                               activation: Activation) throws {
        precondition(x.count >= rows * n && bias.count >= n)
        try launch(.biasActivation, "bias_activation", problem: KernelProblem(m: rows, n: n),
                   arguments: [x, bias, Int32(n), Int32(rows * n), activation.rawValue],
                   category: activation == .gelu ? "gelu" : "other")
    }

    /// y[rows, n] = act(y + x[:, columns] · weight): the fp32 outlier channels of a mixed-precision
    /// W8A8 Linear (`weight` [count, n]), after its int8 GEMM ran with no activation.
    public func addOutlierColumns(_ x: DeviceBuffer<Float>, k: Int, columns: DeviceBuffer<Int32>, count: Int, weight: DeviceBuffer<Float>,
                                  into y: DeviceBuffer<Float>, rows: Int, n: Int, activation: Activation) throws {
        precondition(x.count >= rows * k && columns.count >= count && weight.count >= count * n && y.count >= rows * n)
        try launch(.outlierColumns, "add_outlier_columns", problem: KernelProblem(m: rows, n: n),
                   arguments: [x, Int32(k), columns, Int32(count), weight, y, Int32(rows), Int32(n), activation.rawValue],
                   category: "gemm")
    }

    /// out[rows, h] = LayerNorm(x (+ residual)) · gamma + beta. With `quantizeInto`, the same launch
    /// also writes out's per-row int8 codes and scales for a W8A8 Linear that reads out (exactly what
    /// `quantizeRows` would write, with the Linear's SmoothQuant factors when given).
    public func layerNorm(_ x: DeviceBuffer<Float>, residual: DeviceBuffer<Float>?, gamma: DeviceBuffer<Float>,
                          beta: DeviceBuffer<Float>, out: DeviceBuffer<Float>, rows: Int, h: Int, eps: Float,
                          quantizeInto: RowQuantization? = nil) throws {
        precondition(x.count >= rows * h && out.count >= rows * h && gamma.count >= h && beta.count >= h)
        let arguments: [any KernelArgument] = [x, residual ?? placeholderFloats, Int32(residual == nil ? 0 : 1), gamma, beta, out,
                                               Int32(h), eps]
        guard let q = quantizeInto else {
            return try launch(.layerNorm, "layer_norm", problem: KernelProblem(m: rows, n: h), arguments: arguments, category: "layernorm")
        }
        precondition(q.codes.count >= rows * h && q.scales.count >= rows && (q.inverseSmoothing?.count ?? h) >= h)
        try launch(.layerNorm, "layer_norm_quantize", problem: KernelProblem(m: rows, n: h),
                   arguments: arguments + [q.codes, q.scales, q.inverseSmoothing ?? placeholderFloats,
                                           Int32(q.inverseSmoothing == nil ? 0 : 1)],
                   category: "layernorm")
    }

    /// out[B*S, H] = word[ids] + position[s + positionOffset] + tokenType[types] (fp32 tables).
    public func embed(ids: DeviceBuffer<Int32>, tokenTypes: DeviceBuffer<Int32>?, word: DeviceBuffer<Float>,
                      position: DeviceBuffer<Float>, tokenType: DeviceBuffer<Float>?,
                      out: DeviceBuffer<Float>, tokens: Int, sequenceLength: Int, hidden: Int, positionOffset: Int = 0) throws {
        precondition(ids.count >= tokens && out.count >= tokens * hidden && tokens % sequenceLength == 0)
        precondition(positionOffset >= 0 && position.count >= (sequenceLength + positionOffset) * hidden)
        let hasTypes = tokenTypes != nil && tokenType != nil
        try launch(.embeddings, "embed_sum", problem: KernelProblem(m: tokens, n: hidden),
                   arguments: [ids, tokenTypes ?? emptyInts, Int32(hasTypes ? 1 : 0), word, position,
                               tokenType ?? placeholderFloats, out, Int32(sequenceLength), Int32(hidden), Int32(positionOffset)],
                   category: "other")
    }

    /// As `embed`, with word and position tables stored int8 with one scale per row.
    public func embedInt8(ids: DeviceBuffer<Int32>, tokenTypes: DeviceBuffer<Int32>?,
                          word: DeviceBuffer<Int8>, wordScale: DeviceBuffer<Float>,
                          position: DeviceBuffer<Int8>, positionScale: DeviceBuffer<Float>,
                          tokenType: DeviceBuffer<Float>?, out: DeviceBuffer<Float>,
                          tokens: Int, sequenceLength: Int, hidden: Int, positionOffset: Int = 0) throws {
        precondition(ids.count >= tokens && out.count >= tokens * hidden && tokens % sequenceLength == 0)
        precondition(positionOffset >= 0 && position.count >= (sequenceLength + positionOffset) * hidden)
        let hasTypes = tokenTypes != nil && tokenType != nil
        try launch(.embeddings, "embed_sum_int8", problem: KernelProblem(m: tokens, n: hidden),
                   arguments: [ids, tokenTypes ?? emptyInts, Int32(hasTypes ? 1 : 0), word, wordScale,
                               position, positionScale, tokenType ?? placeholderFloats, out,
                               Int32(sequenceLength), Int32(hidden), Int32(positionOffset)],
                   category: "other")
    }

    /// out[B*S, heads*headDim] = softmax(QKᵀ·scale + relativeBias + mask)·V per head, from fused
    /// qkv[B*S, 3*hidden]; `relativeBias` [heads, 2S-1] (entry j - i + S - 1 for query i, key j) or nil.
    /// `operation` is .attentionF16 where the model allows fp16 attention (fp16 and W8A8 Linear layers).
    public func attention(qkv: DeviceBuffer<Float>, mask: DeviceBuffer<Int32>, out: DeviceBuffer<Float>,
                          batch: Int, sequenceLength: Int, heads: Int, headDim: Int, scale: Float,
                          relativeBias: DeviceBuffer<Float>? = nil, operation: KernelOperation = .attention) throws {
        precondition(operation == .attention || operation == .attentionF16)
        let tokens = batch * sequenceLength
        precondition(qkv.count >= tokens * 3 * heads * headDim && out.count >= tokens * heads * headDim && mask.count >= tokens)
        precondition(relativeBias == nil || relativeBias!.count >= heads * (2 * sequenceLength - 1))
        let problem = KernelProblem(m: tokens, n: heads, k: headDim, batch: batch, relativeBias: relativeBias != nil)
        try launch(operation, "attention", problem: problem,
                   arguments: [qkv, mask, out, Int32(sequenceLength), Int32(heads), scale, relativeBias ?? placeholderFloats],
                   category: "attention")
    }

    /// out[B, H] = mean of hidden[b, s, :] over s with mask 1.
    public func meanPool(hidden: DeviceBuffer<Float>, mask: DeviceBuffer<Int32>, out: DeviceBuffer<Float>,
                         batch: Int, sequenceLength: Int, width: Int) throws {
        precondition(hidden.count >= batch * sequenceLength * width && out.count >= batch * width)
        try launch(.pooling, "mean_pool", problem: KernelProblem(m: batch, n: width),
                   arguments: [hidden, mask, out, Int32(sequenceLength), Int32(width)], category: "other")
    }

    /// out[B, H] = hidden[b, 0, :], the [CLS] token's state.
    public func clsPool(hidden: DeviceBuffer<Float>, out: DeviceBuffer<Float>, batch: Int, sequenceLength: Int, width: Int) throws {
        precondition(hidden.count >= batch * sequenceLength * width && out.count >= batch * width)
        try launch(.pooling, "cls_pool", problem: KernelProblem(m: batch, n: width),
                   arguments: [hidden, out, Int32(sequenceLength), Int32(width)], category: "other")
    }
}
