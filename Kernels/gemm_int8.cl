// int8 GEMMs over weights stored [K, N] as int8 with one fp32 scale per output column
// (symmetric, zero point 0: a per-output-channel quantized Linear weight, transposed).
//
// gemm_w8a8: A is int8 [M, K] with one scale per row (quantize_rows); products accumulate in
//   int32 exactly, then C = act(acc * aScale[m] * bScale[n] + bias[n]).
// gemm_w8: A is fp32 [M, K]; the int8 weights are widened inside the loop and, because the
//   scale is per column, applied once after the sum: C = act(scale[n] * sum_k a*q + bias[n]).
// Each work-item owns a TM x 8 tile; edges are guarded, so every M, N, K is correct.

#ifndef TM
#define TM 4
#endif

inline char8 load_b8(__global const char* b, int n0, int N) {
    if (n0 + 8 <= N) return vload8(0, b + n0);
    char t[8];
    for (int j = 0; j < 8; j++) t[j] = (n0 + j < N) ? b[n0 + j] : (char)0;
    return vload8(0, t);
}

__kernel void gemm_w8a8(const int M, const int N, const int K,
                        __global const char* A, __global const float* aScale,
                        __global const char* B, __global const float* bScale,
                        __global const float* bias, const int hasBias,
                        __global float* C, const int act) {
    const int n0 = get_global_id(0) * 8;
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
        int v[8];
        vstore8(acc[r], 0, v);
        for (int j = 0; j < 8 && n0 + j < N; j++) {
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
    const int n0 = get_global_id(0) * 8;
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
        float v[8];
        vstore8(acc[r], 0, v);
        for (int j = 0; j < 8 && n0 + j < N; j++) {
            const int n = n0 + j;
            C[(size_t)m * N + n] = apply_activation(v[j] * bScale[n] + (hasBias ? bias[n] : 0.0f), act);
        }
    }
}
