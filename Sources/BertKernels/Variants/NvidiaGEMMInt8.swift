/// The NVIDIA family's int8 GEMM (Kernels/nvidia/gemm_mma_s8.cl): W8A8 on the tensor cores.
extension NvidiaGEMM {
    /// W8A8 through mma.sync m16n8k32 (s8 operands, exact int32 sums), scales, bias and
    /// activation in the epilogue. It reads the weight as stored, [N, K]: through the engine's
    /// packing that is panels one column wide (`panelWidth` 1), so no engine code knows about it.
    /// Small M runs half-size blocks and split-K as nvidia-mma-f16 does, the slices' int32 sums
    /// added exactly before the epilogue, so a split result is bit for bit the unsplit one.
    /// ASYNC=1 (where K % 16 == 0) fills STAGES local stages by cp.async, as nvidia-mma-f16 does.
    public static let mmaW8A8 = KernelVariant(
        name: "nvidia-mma-w8a8", operation: .gemmW8A8, source: "nvidia/gemm_mma_s8.cl",
        entryPoints: ["gemm_w8a8_packed", "gemm_w8a8_packed_partial", "gemm_w8a8_packed_reduce", "gemm_w8a8_packed_splitk"],
        parameters: mmaTiling + asyncParameters, fixedDefines: [("BK", 64)],
        shapeDefines: { p, v in [("KALIGN16", p.k % 16 == 0 ? 1 : 0)] + mmaShapeDefines(p, v) }, panelWidth: { _ in 1 },
        summary: { mmaSummary($0, instruction: "mma.sync s8") }, kSlices: mmaKSlices, reducesInKernel: { $0["SPLITK_REDUCE"] == 1 },
        geometry: mmaGeometry)
}
