import OpenCLRuntime

extension EncoderKernels {
    /// C[M, N] = act(A[M, K] · Wᵀ + bias) + residual, with W [N, K] stored as fp16 bits (a Linear
    /// weight as stored); A, bias, residual and C are fp32. The residual, when given, is [M, N].
    public func gemmF16(a: DeviceBuffer<Float>, weight: DeviceBuffer<UInt16>, bias: DeviceBuffer<Float>?,
                        residual: DeviceBuffer<Float>? = nil, c: DeviceBuffer<Float>,
                        m: Int, n: Int, k: Int, activation: Activation = .none) throws {
        precondition(a.count >= m * k && weight.count >= n * k && c.count >= m * n, "gemmF16 operand smaller than \(m)x\(n)x\(k)")
        precondition(bias == nil || bias!.count >= n)
        precondition(residual == nil || residual!.count >= m * n)
        let problem = KernelProblem(m: m, n: n, k: k)
        let slices = selection[.gemmF16].kSlices(for: problem)
        if slices > 1 {
            let partials = try splitKWorkspace(slices * m * n)
            if selection[.gemmF16].reducesInKernel(for: problem) {
                // One launch: the last work-group of each tile adds the slices and applies the epilogue.
                let counters = try splitKCounters(splitKTiles(.gemmF16, "gemm_f16_nt_splitk", problem: problem))
                try launch(.gemmF16, "gemm_f16_nt_splitk", problem: problem,
                           arguments: [Int32(m), Int32(n), Int32(k), a, Int32(k), weight, Int32(k), partials, counters,
                                       bias ?? placeholderFloats, Int32(bias == nil ? 0 : 1), residual ?? placeholderFloats,
                                       Int32(residual == nil ? 0 : 1), c, Int32(n), activation.rawValue],
                           category: "gemm")
                return
            }
            // Split-K: the slices' raw sums, then one reduce that adds them and applies the epilogue.
            try launch(.gemmF16, "gemm_f16_nt_partial", problem: problem,
                       arguments: [Int32(m), Int32(n), Int32(k), a, Int32(k), weight, Int32(k), partials], category: "gemm")
            try launch(.gemmF16, "gemm_f16_nt_reduce", problem: problem,
                       arguments: [Int32(m), Int32(n), Int32(slices), partials, bias ?? placeholderFloats, Int32(bias == nil ? 0 : 1),
                                   residual ?? placeholderFloats, Int32(residual == nil ? 0 : 1), c, Int32(n), activation.rawValue],
                       category: "gemm")
            return
        }
        let args: [any KernelArgument] = [
            Int32(m), Int32(n), Int32(k), a, Int32(k), weight, Int32(k),
            bias ?? placeholderFloats, Int32(bias == nil ? 0 : 1),
            residual ?? placeholderFloats, Int32(residual == nil ? 0 : 1),
            c, Int32(n), activation.rawValue,
        ]
        try launch(.gemmF16, "gemm_f16_nt", problem: problem, arguments: args, category: "gemm")
    }
}
