import OpenCLRuntime

/// Launchers for the kernels of compressed models: int8 and int4 GEMMs and the sparse (CSR) GEMM.
extension EncoderKernels {
    /// q[M, K] = round(x / scale[m]) with scale[m] = max|x[m, :]| / 127: dynamic per-token int8.
    /// With `inverseSmoothing` ([k], SmoothQuant's 1/s), each row is divided per channel by s first.
    public func quantizeRows(_ x: DeviceBuffer<Float>, into q: DeviceBuffer<Int8>, scales: DeviceBuffer<Float>, m: Int, k: Int,
                             inverseSmoothing: DeviceBuffer<Float>? = nil) throws {
        precondition(x.count >= m * k && q.count >= m * k && scales.count >= m && (inverseSmoothing?.count ?? k) >= k)
        if let inverseSmoothing {
            try launch(.quantize, "quantize_rows_smoothed", problem: KernelProblem(m: m, k: k),
                       arguments: [x, q, scales, Int32(k), inverseSmoothing], category: "quantize")
        } else {
            try launch(.quantize, "quantize_rows", problem: KernelProblem(m: m, k: k), arguments: [x, q, scales, Int32(k)],
                       category: "quantize")
        }
    }

    /// C[M, N] = act(int32(Aq · Bq) · aScale[m] · bScale[n] + bias): W8A8 with exact int32 sums.
    /// Bq is [K, N] int8 with one scale per column, or packed into panels (`layout`) for a packed variant.
    public func gemmW8A8(a: DeviceBuffer<Int8>, aScale: DeviceBuffer<Float>, b: DeviceBuffer<Int8>, bScale: DeviceBuffer<Float>,
                         bias: DeviceBuffer<Float>?, c: DeviceBuffer<Float>, m: Int, n: Int, k: Int,
                         activation: Activation = .none, layout: MatrixLayout = .kByN) throws {
        precondition(a.count >= m * k && aScale.count >= m && b.count >= k * n && bScale.count >= n && c.count >= m * n)
        let entry = int8Entry(.gemmW8A8, "gemm_w8a8", layout: layout, b: b.count, n: n, k: k)
        let problem = KernelProblem(m: m, n: n, k: k)
        let slices = selection[.gemmW8A8].kSlices(for: problem)
        if slices > 1 {
            let partials = try splitKWorkspace(slices * m * n)
            if selection[.gemmW8A8].reducesInKernel(for: problem) {
                // One launch: the last work-group of each tile adds the slices and applies the epilogue.
                let counters = try splitKCounters(splitKTiles(.gemmW8A8, entry + "_splitk", problem: problem))
                try launch(.gemmW8A8, entry + "_splitk", problem: problem,
                           arguments: [Int32(m), Int32(n), Int32(k), a, b, partials, counters, aScale, bScale, bias ?? placeholderFloats,
                                       Int32(bias == nil ? 0 : 1), c, activation.rawValue],
                           category: "gemm")
                return
            }
            // Split-K: exact int32 sums per slice (the workspace's floats hold int32 bits), then
            // one reduce that adds them and applies the scales, bias and activation.
            try launch(.gemmW8A8, entry + "_partial", problem: problem, arguments: [Int32(m), Int32(n), Int32(k), a, b, partials],
                       category: "gemm")
            try launch(.gemmW8A8, entry + "_reduce", problem: problem,
                       arguments: [Int32(m), Int32(n), Int32(slices), partials, aScale, bScale, bias ?? placeholderFloats,
                                   Int32(bias == nil ? 0 : 1), c, activation.rawValue],
                       category: "gemm")
            return
        }
        try launch(.gemmW8A8, entry, problem: problem,
                   arguments: [Int32(m), Int32(n), Int32(k), a, aScale, b, bScale, bias ?? placeholderFloats,
                               Int32(bias == nil ? 0 : 1), c, activation.rawValue],
                   category: "gemm")
    }

    /// C[M, N] = act(A · dequant(Bq) + bias) with fp32 A and int8 Bq [K, N], one scale per column.
    public func gemmW8(a: DeviceBuffer<Float>, b: DeviceBuffer<Int8>, bScale: DeviceBuffer<Float>, bias: DeviceBuffer<Float>?,
                       c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, activation: Activation = .none,
                       layout: MatrixLayout = .kByN) throws {
        precondition(a.count >= m * k && b.count >= k * n && bScale.count >= n && c.count >= m * n)
        let entry = int8Entry(.gemmW8, "gemm_w8", layout: layout, b: b.count, n: n, k: k)
        try launch(.gemmW8, entry, problem: KernelProblem(m: m, n: n, k: k),
                   arguments: [Int32(m), Int32(n), Int32(k), a, b, bScale, bias ?? placeholderFloats,
                               Int32(bias == nil ? 0 : 1), c, activation.rawValue],
                   category: "gemm")
    }

    /// C[M, N] = act(A · dequant(W)ᵀ + bias) with fp32 A and 4-bit W [N, K] packed by
    /// `WeightPacking.int4Panels` (`width` wide, the width the variant reads) and its per-group
    /// scales and offsets by `WeightPacking.groupPanels`; `groupSize` input columns per group (even).
    public func gemmW4(a: DeviceBuffer<Float>, b: DeviceBuffer<UInt8>, groupParams: DeviceBuffer<Float>, groupSize: Int,
                       bias: DeviceBuffer<Float>?, c: DeviceBuffer<Float>, m: Int, n: Int, k: Int, width: Int,
                       activation: Activation = .none) throws {
        let groups = (k + groupSize - 1) / groupSize
        precondition(groupSize >= 2 && groupSize % 2 == 0, "int4 group size \(groupSize) must be even")
        precondition(selection[.gemmW4].panelWidth == width, "int4 weights packed \(width) wide, but \(selection[.gemmW4]) reads otherwise")
        precondition(a.count >= m * k && c.count >= m * n && b.count >= WeightPacking.int4PackedCount(n: n, k: k, width: width))
        precondition(groupParams.count >= tiles(n, width) * groups * 2 * width)
        try launch(.gemmW4, "gemm_w4_packed", problem: KernelProblem(m: m, n: n, k: k),
                   arguments: [Int32(m), Int32(n), Int32(k), Int32(groupSize), a, b, groupParams, bias ?? placeholderFloats,
                               Int32(bias == nil ? 0 : 1), c, activation.rawValue],
                   category: "gemm")
    }

    /// The entry point of an int8 GEMM for weights in `layout`: [K, N] runs `plain`, panels run
    /// `plain`_packed, which only the variant packed that wide has.
    private func int8Entry(_ operation: KernelOperation, _ plain: String, layout: MatrixLayout, b: Int, n: Int, k: Int) -> String {
        switch layout {
        case .kByN: return plain
        case .nByK: preconditionFailure("\(plain) reads int8 weights [K, N] or packed, not [N, K]")
        case .panels(let width):
            let reads = selection[operation].panelWidth.map(String.init) ?? "none"
            precondition(selection[operation].panelWidth == width, "int8 weights packed \(width) wide, but \(selection[operation]) reads \(reads)")
            precondition(b >= WeightPacking.packedCount(n: n, k: k, width: width))
            return plain + "_packed"
        }
    }

    /// C[M, N] = act(A · Wᵀ + bias) with W [N, K] in CSR form.
    public func gemmCSR(a: DeviceBuffer<Float>, rowStart: DeviceBuffer<Int32>, column: DeviceBuffer<Int32>, value: DeviceBuffer<Float>,
                        bias: DeviceBuffer<Float>?, c: DeviceBuffer<Float>, m: Int, n: Int, k: Int,
                        activation: Activation = .none) throws {
        precondition(a.count >= m * k && rowStart.count >= n + 1 && c.count >= m * n)
        try launch(.gemmCSR, "gemm_csr", problem: KernelProblem(m: m, n: n, k: k),
                   arguments: [Int32(m), Int32(n), Int32(k), a, rowStart, column, value, bias ?? placeholderFloats,
                               Int32(bias == nil ? 0 : 1), c, activation.rawValue],
                   category: "gemm")
    }
}
