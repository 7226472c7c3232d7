// Dense fp32 GEMM with a fused epilogue: C = act(A * op(B) + bias).
//
// A is [M, K] row-major (leading dimension lda). op(B) is [K, N]: gemm_nn reads B as [K, N]
// (ldb), gemm_nt reads B as [N, K] (ldb), the layout of a Hugging Face Linear weight.
// Each work-item of gemm_nn owns a TM x TN tile of C held in float8 registers: on PoCL, local
// memory is ordinary memory, and register blocking with wide vectors is what makes the CPU fast.
// Edge tiles take a guarded path, so every M, N, K is correct.
// Build options (the variant "portable-gemm" passes them; none has a default here):
//   TM  rows of C per work-item (tunable)
//   TN  columns of C per work-item of gemm_nn: fixed at 16, two float8 registers per row

#ifndef TM
#error "build with -DTM=<rows per work-item>"
#endif
#if !defined(TN) || TN != 16
#error "build with -DTN=16: gemm_nn holds 16 columns per row in two float8 registers"
#endif

// Writes one row of a tile (TN columns starting at n0) with bias and activation, guarding N.
inline void store_row(__global float* C, int ldc, int m, int n0, int N,
                      float8 lo, float8 hi, __global const float* bias, int hasBias, int act) {
    float v[TN];
    vstore8(lo, 0, v);
    vstore8(hi, 1, v);
    __global float* c = C + (size_t)m * ldc;
    for (int j = 0; j < TN; j++) {
        int n = n0 + j;
        if (n < N) c[n] = apply_activation(v[j] + (hasBias ? bias[n] : 0.0f), act);
    }
}

__kernel void gemm_nn(const int M, const int N, const int K,
                      __global const float* A, const int lda,
                      __global const float* B, const int ldb,
                      __global const float* bias, const int hasBias,
                      __global float* C, const int ldc, const int act) {
    const int n0 = get_global_id(0) * TN;
    const int m0 = get_global_id(1) * TM;
    if (n0 >= N || m0 >= M) return;

    float8 lo[TM], hi[TM];
    __global const float* a[TM];
    for (int r = 0; r < TM; r++) {
        lo[r] = (float8)(0.0f);
        hi[r] = (float8)(0.0f);
        a[r] = A + (size_t)min(m0 + r, M - 1) * lda;  // clamped rows compute, but are not stored
    }
    if (n0 + TN <= N) {
        __global const float* b = B + n0;
        for (int k = 0; k < K; k++, b += ldb) {
            const float8 b0 = vload8(0, b);
            const float8 b1 = vload8(1, b);
            for (int r = 0; r < TM; r++) {
                const float av = a[r][k];
                lo[r] = fma((float8)(av), b0, lo[r]);
                hi[r] = fma((float8)(av), b1, hi[r]);
            }
        }
    } else {
        for (int k = 0; k < K; k++) {
            float bv[TN];
            __global const float* b = B + (size_t)k * ldb;
            for (int j = 0; j < TN; j++) bv[j] = (n0 + j < N) ? b[n0 + j] : 0.0f;
            const float8 b0 = vload8(0, bv);
            const float8 b1 = vload8(1, bv);
            for (int r = 0; r < TM; r++) {
                const float av = a[r][k];
                lo[r] = fma((float8)(av), b0, lo[r]);
                hi[r] = fma((float8)(av), b1, hi[r]);
            }
        }
    }
    for (int r = 0; r < TM; r++) {
        if (m0 + r < M) store_row(C, ldc, m0 + r, n0, N, lo[r], hi[r], bias, hasBias, act);
    }
}

// B is [N, K]: each output is a dot product of two K-contiguous rows, accumulated 8 lanes wide
// and reduced at the end. Used where transposing a weight once is not worth it.
__kernel void gemm_nt(const int M, const int N, const int K,
                      __global const float* A, const int lda,
                      __global const float* B, const int ldb,
                      __global const float* bias, const int hasBias,
                      __global float* C, const int ldc, const int act) {
    const int n = get_global_id(0);
    const int m0 = get_global_id(1) * TM;
    if (n >= N || m0 >= M) return;
    __global const float* b = B + (size_t)n * ldb;
    float8 acc[TM];
    __global const float* a[TM];
    for (int r = 0; r < TM; r++) {
        acc[r] = (float8)(0.0f);
        a[r] = A + (size_t)min(m0 + r, M - 1) * lda;
    }
    const int K8 = K & ~7;
    for (int k = 0; k < K8; k += 8) {
        const float8 bv = vload8(0, b + k);
        for (int r = 0; r < TM; r++) acc[r] = fma(vload8(0, a[r] + k), bv, acc[r]);
    }
    for (int r = 0; r < TM; r++) {
        if (m0 + r >= M) break;
        float sum = acc[r].s0 + acc[r].s1 + acc[r].s2 + acc[r].s3 + acc[r].s4 + acc[r].s5 + acc[r].s6 + acc[r].s7;
        for (int k = K8; k < K; k++) sum = fma(a[r][k], b[k], sum);
        C[(size_t)(m0 + r) * ldc + n] = apply_activation(sum + (hasBias ? bias[n] : 0.0f), act);
    }
}
