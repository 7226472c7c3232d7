// GEMM with fp16 weights for every OpenCL device: C = act(A * W^T + bias) + R, in fp32.
//
// A is fp32 [M, K] (lda); W holds fp16 bits [N, K] (ldb; a Linear weight as stored), widened with
// vload_half, which is core OpenCL: no cl_khr_fp16 needed (PoCL and NVIDIA's OpenCL lack it).
// A and the accumulation stay fp32, so the only rounding beyond fp32's is the weights'.
// bias [N] and the residual R [M, N] (ldc) are optional. A work-item computes MR rows x NC
// columns, each a K-contiguous dot product 8 lanes wide (the same entry point and arguments as
// nvidia/gemm_mma.cl, which runs it on the tensor cores).
// Build options (variant "portable-gemm-f16"): MR rows and NC columns per work-item.

#if !defined(MR) || !defined(NC)
#error "build with -DMR -DNC (rows and columns of C per work-item)"
#endif

__kernel void gemm_f16_nt(const int M, const int N, const int K,
                          __global const float* A, const int lda,
                          __global const ushort* B, const int ldb,
                          __global const float* bias, const int hasBias,
                          __global const float* R, const int hasResidual,
                          __global float* C, const int ldc, const int act) {
    const int m0 = get_global_id(0) * MR, n0 = get_global_id(1) * NC;
    if (m0 >= M || n0 >= N) return;
    __global const float* a[MR];
    __global const half* b[NC];
    float8 acc[MR][NC];
#pragma unroll
    for (int r = 0; r < MR; r++) {
        a[r] = A + (size_t)min(m0 + r, M - 1) * lda;  // clamped rows compute, but are not stored
#pragma unroll
        for (int j = 0; j < NC; j++) acc[r][j] = (float8)(0.0f);
    }
#pragma unroll
    for (int j = 0; j < NC; j++) b[j] = (__global const half*)B + (size_t)min(n0 + j, N - 1) * ldb;
    const int K8 = K & ~7;
    for (int k = 0; k < K8; k += 8) {
        float8 bv[NC];
#pragma unroll
        for (int j = 0; j < NC; j++) bv[j] = vload_half8(0, b[j] + k);
#pragma unroll
        for (int r = 0; r < MR; r++) {
            const float8 av = vload8(0, a[r] + k);
#pragma unroll
            for (int j = 0; j < NC; j++) acc[r][j] = fma(av, bv[j], acc[r][j]);
        }
    }
    float sum[MR][NC];
#pragma unroll
    for (int r = 0; r < MR; r++)
#pragma unroll
        for (int j = 0; j < NC; j++) {
            const float8 s = acc[r][j];
            float t = (s.s0 + s.s1) + (s.s2 + s.s3) + (s.s4 + s.s5) + (s.s6 + s.s7);
            for (int k = K8; k < K; k++) t = fma(a[r][k], vload_half(k, b[j]), t);
            sum[r][j] = t;
        }
    for (int r = 0; r < MR && m0 + r < M; r++)
        for (int j = 0; j < NC && n0 + j < N; j++) {
            const int m = m0 + r, n = n0 + j;
            float v = apply_activation(sum[r][j] + (hasBias ? bias[n] : 0.0f), act);
            if (hasResidual) v += R[(size_t)m * ldc + n];
            C[(size_t)m * ldc + n] = v;
        }
}
