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

/// How the right-hand matrix of a GEMM is laid out in memory.
public enum MatrixLayout: Sendable {
    /// [K, N] row-major: the transposed form the engine uploads Linear weights in.
    case kByN
    /// [N, K] row-major: a Hugging Face Linear weight as stored.
    case nByK
}

/// Typed launchers for the kernels in Kernels/: each checks its sizes, builds (once, cached)
/// and enqueues. All matrices are row-major fp32 unless the name says otherwise.
public final class EncoderKernels: @unchecked Sendable {
    public let context: ComputeContext
    /// Rows of C each GEMM work-item computes (the TM build option).
    public let gemmRows: Int
    /// Bound where a kernel takes an optional buffer that is absent (OpenCL has no null buffers).
    let placeholderFloats: DeviceBuffer<Float>
    private let emptyInts: DeviceBuffer<Int32>

    public init(context: ComputeContext, gemmRows: Int = 4) throws {
        self.context = context
        self.gemmRows = gemmRows
        placeholderFloats = try context.buffer(Float.self, count: 1, label: "unused argument")
        emptyInts = try context.buffer(Int32.self, count: 1, label: "unused argument")
    }

    private func kernel(_ name: String, file: String, options: String = "") throws -> Kernel {
        try context.kernel(name, source: KernelLibrary.source(file), options: options, sourceName: "Kernels/\(file)")
    }

    /// C[M, N] = act(A[M, K] · op(B) + bias); `op(B)` is [K, N] after reading B per `layout`.
    public func gemm(a: DeviceBuffer<Float>, b: DeviceBuffer<Float>, layout: MatrixLayout,
                     bias: DeviceBuffer<Float>?, c: DeviceBuffer<Float>,
                     m: Int, n: Int, k: Int, activation: Activation = .none) throws {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "gemm operand smaller than \(m)x\(n)x\(k)")
        precondition(bias == nil || bias!.count >= n)
        let options = "-DTM=\(gemmRows)"
        let rowGroups = (m + gemmRows - 1) / gemmRows
        let ld: Int32 = layout == .kByN ? Int32(n) : Int32(k)
        let args: [any KernelArgument] = [
            Int32(m), Int32(n), Int32(k), a, Int32(k), b, ld,
            bias ?? placeholderFloats, Int32(bias == nil ? 0 : 1), c, Int32(n), activation.rawValue,
        ]
        switch layout {
        case .kByN:
            try context.launch(try kernel("gemm_nn", file: "gemm.cl", options: options),
                               global: [(n + 15) / 16, rowGroups], arguments: args, category: "gemm")
        case .nByK:
            try context.launch(try kernel("gemm_nt", file: "gemm.cl", options: options),
                               global: [n, rowGroups], arguments: args, category: "gemm")
        }
    }

    /// x[rows, n] = act(x + bias), in place.
    public func biasActivation(_ x: DeviceBuffer<Float>, bias: DeviceBuffer<Float>, rows: Int, n: Int,
                               activation: Activation) throws {
        precondition(x.count >= rows * n && bias.count >= n)
        try context.launch(try kernel("bias_activation", file: "activation.cl"), global: [rows * n],
                           arguments: [x, bias, Int32(n), Int32(rows * n), activation.rawValue],
                           category: activation == .gelu ? "gelu" : "other")
    }

    /// out[rows, h] = LayerNorm(x (+ residual)) · gamma + beta.
    public func layerNorm(_ x: DeviceBuffer<Float>, residual: DeviceBuffer<Float>?, gamma: DeviceBuffer<Float>,
                          beta: DeviceBuffer<Float>, out: DeviceBuffer<Float>, rows: Int, h: Int, eps: Float) throws {
        precondition(x.count >= rows * h && out.count >= rows * h && gamma.count >= h && beta.count >= h)
        let group = 64
        try context.launch(try kernel("layer_norm", file: "layernorm.cl", options: "-DLN_GROUP=\(group)"),
                           global: [rows * group], local: [group],
                           arguments: [x, residual ?? placeholderFloats, Int32(residual == nil ? 0 : 1), gamma, beta, out, Int32(h), eps],
                           category: "layernorm")
    }

    /// out[B*S, H] = word[ids] + position[s] + tokenType[types] (fp32 tables).
    public func embed(ids: DeviceBuffer<Int32>, tokenTypes: DeviceBuffer<Int32>?, word: DeviceBuffer<Float>,
                      position: DeviceBuffer<Float>, tokenType: DeviceBuffer<Float>?,
                      out: DeviceBuffer<Float>, tokens: Int, sequenceLength: Int, hidden: Int) throws {
        precondition(ids.count >= tokens && out.count >= tokens * hidden && tokens % sequenceLength == 0)
        let hasTypes = tokenTypes != nil && tokenType != nil
        try context.launch(try kernel("embed_sum", file: "embeddings.cl"), global: [hidden, tokens],
                           arguments: [ids, tokenTypes ?? emptyInts, Int32(hasTypes ? 1 : 0), word, position,
                                       tokenType ?? placeholderFloats, out, Int32(sequenceLength), Int32(hidden)],
                           category: "other")
    }

    /// As `embed`, with word and position tables stored int8 with one scale per row.
    public func embedInt8(ids: DeviceBuffer<Int32>, tokenTypes: DeviceBuffer<Int32>?,
                          word: DeviceBuffer<Int8>, wordScale: DeviceBuffer<Float>,
                          position: DeviceBuffer<Int8>, positionScale: DeviceBuffer<Float>,
                          tokenType: DeviceBuffer<Float>?, out: DeviceBuffer<Float>,
                          tokens: Int, sequenceLength: Int, hidden: Int) throws {
        precondition(ids.count >= tokens && out.count >= tokens * hidden && tokens % sequenceLength == 0)
        let hasTypes = tokenTypes != nil && tokenType != nil
        try context.launch(try kernel("embed_sum_int8", file: "embeddings.cl"), global: [hidden, tokens],
                           arguments: [ids, tokenTypes ?? emptyInts, Int32(hasTypes ? 1 : 0), word, wordScale,
                                       position, positionScale, tokenType ?? placeholderFloats, out,
                                       Int32(sequenceLength), Int32(hidden)],
                           category: "other")
    }

    /// out[B*S, heads*headDim] = softmax(QKᵀ·scale + mask)·V per head, from fused qkv[B*S, 3*hidden].
    public func attention(qkv: DeviceBuffer<Float>, mask: DeviceBuffer<Int32>, out: DeviceBuffer<Float>,
                          batch: Int, sequenceLength: Int, heads: Int, headDim: Int, scale: Float) throws {
        let tokens = batch * sequenceLength
        precondition(qkv.count >= tokens * 3 * heads * headDim && out.count >= tokens * heads * headDim && mask.count >= tokens)
        try context.launch(try kernel("attention", file: "attention.cl", options: "-DHEAD_DIM=\(headDim)"),
                           global: [tokens, heads],
                           arguments: [qkv, mask, out, Int32(sequenceLength), Int32(heads), scale],
                           category: "attention")
    }

    /// out[B, H] = mean of hidden[b, s, :] over s with mask 1.
    public func meanPool(hidden: DeviceBuffer<Float>, mask: DeviceBuffer<Int32>, out: DeviceBuffer<Float>,
                         batch: Int, sequenceLength: Int, width: Int) throws {
        precondition(hidden.count >= batch * sequenceLength * width && out.count >= batch * width)
        try context.launch(try kernel("mean_pool", file: "pooling.cl"), global: [width, batch],
                           arguments: [hidden, mask, out, Int32(sequenceLength), Int32(width)], category: "other")
    }

    /// out[B, H] = hidden[b, 0, :], the [CLS] token's state.
    public func clsPool(hidden: DeviceBuffer<Float>, out: DeviceBuffer<Float>, batch: Int, sequenceLength: Int, width: Int) throws {
        precondition(hidden.count >= batch * sequenceLength * width && out.count >= batch * width)
        try context.launch(try kernel("cls_pool", file: "pooling.cl"), global: [width, batch],
                           arguments: [hidden, out, Int32(sequenceLength), Int32(width)], category: "other")
    }
}
