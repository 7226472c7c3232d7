// int8 GEMMs over weights stored [K, N] as int8 with one fp32 scale per output column
// (symmetric, zero point 0: a per-output-channel quantized Linear weight, transposed).
//
// gemm_w8a8: A is int8 [M, K] with one scale per row (quantize_rows); products accumulate in
//   int32 exactly, then C = act(acc * aScale[m] * bScale[n] + bias[n]).
// gemm_w8: A is fp32 [M, K]; the int8 weights are widened inside the loop and, because the
//   scale is per column, applied once after the sum: C = act(scale[n] * sum_k a*q + bias[n]).
// Each work-item owns a TM x TN tile; edges are guarded, so every M, N, K is correct.
// Build options (the variants "portable-gemm-w8a8" and "portable-gemm-w8" pass them):
//   TM  rows of C per work-item (tunable)
//   TN  columns of C per work-item: fixed at 8, one char8 load and one 8-wide accumulator per row

#ifndef TM
#error "build with -DTM=<rows per work-item>"
#endif
#if !defined(TN) || TN != 8
#error "build with -DTN=8: each row of a tile is one 8-wide vector"
#endif

inline char8 load_b8(__global const char* b, int n0, int N) {
    if (n0 + TN <= N) return vload8(0, b + n0);
    char t[TN];
    for (int j = 0; j < TN; j++) t[j] = (n0 + j < N) ? b[n0 + j] : (char)0;
    return vload8(0, t);
}

__kernel void gemm_w8a8(const int M, const int N, const int K,
                        __global const char* A, __global const float* aScale,
                        __global const char* B, __global const float* bScale,
                        __global const float* bias, const int hasBias,
                        __global float* C, const int act) {
    const int n0 = get_global_id(0) * TN;
    const int m0 = get_global_id(1) * TM;
    if (n0 >= N || m0 >= M) return;
    int8 acc[TM];
    __global const char* a[TM];
    for (int r = 0; r < TM; r++) {
        acc[r] = (int8)(0);
        a[r] = A + (size_t)min(m0 + r, M - 1) * K;
    }
    for (int k = 0; k < K; k++) {
        const int8 b = convert_int8(load_b8(B + (size_t)k * N, n0, N));
        for (int r = 0; r < TM; r++) acc[r] += (int)a[r][k] * b;
    }
    for (int r = 0; r < TM; r++) {
        const int m = m0 + r;
        if (m >= M) break;
        int v[TN];
        vstore8(acc[r], 0, v);
        for (int j = 0; j < TN && n0 + j < N; j++) {
            const int n = n0 + j;
            C[(size_t)m * N + n] = apply_activation((float)v[j] * aScale[m] * bScale[n] + (hasBias ? bias[n] : 0.0f), act);
        }
    }
}

__kernel void gemm_w8(const int M, const int N, const int K,
                      __global const float* A,
                      __global const char* B, __global const float* bScale,
                      __global const float* bias, const int hasBias,
                      __global float* C, const int act) {
    const int n0 = get_global_id(0) * TN;
    const int m0 = get_global_id(1) * TM;
    if (n0 >= N || m0 >= M) return;
    float8 acc[TM];
    __global const float* a[TM];
    for (int r = 0; r < TM; r++) {
        acc[r] = (float8)(0.0f);
        a[r] = A + (size_t)min(m0 + r, M - 1) * K;
    }
    for (int k = 0; k < K; k++) {
        const float8 b = convert_float8(load_b8(B + (size_t)k * N, n0, N));
        for (int r = 0; r < TM; r++) acc[r] = fma((float8)(a[r][k]), b, acc[r]);
    }
    for (int r = 0; r < TM; r++) {
        const int m = m0 + r;
        if (m >= M) break;
        float v[TN];
        vstore8(acc[r], 0, v);
        for (int j = 0; j < TN && n0 + j < N; j++) {
            const int n = n0 + j;
            C[(size_t)m * N + n] = apply_activation(v[j] * bScale[n] + (hasBias ? bias[n] : 0.0f), act);
        }
    }
}
