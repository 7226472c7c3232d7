// Dense fp32 GEMM for CPUs, reading weights packed into panels: C = act(A * op(B) + bias).
//
// gemm_packed reads B packed once at load time (WeightPacking.swift): panel p holds columns
// p*NR ..< p*NR+NR of the [K, N] matrix, K-contiguous (element (k, j) at p*K*NR + k*NR + j),
// zero past N. A micro-tile streams its panel front to back, so every B load is one sequential
// vector and the hardware prefetcher sees one stream, not NR/16 rows of a wide matrix.
// gemm_nn reads B as [K, N] (ldb) with the same micro-kernel (a guarded path for the last,
// partial panel), gemm_nt reads B as [N, K] as a dot product; neither is on the engine's path.
// A micro-tile is MR rows x NV vectors of VW floats held in registers (MR*NV accumulators: 12
// of 32 zmm on AVX-512 at 6 x 2 x 16), K unrolled KU times. Work-items walk M fastest
// (dimension 0 = row tiles), so neighbours on one thread share a panel that stays in cache.
// Build options (the variant "portable-gemm-packed" passes them; none has a default here):
//   MR  rows per micro-tile; VW  floats per vector (4, 8 or 16); NV  vectors per row;
//   KU  K steps unrolled; NR  panel width, which must be VW * NV.

#if !defined(MR) || !defined(VW) || !defined(NV) || !defined(KU)
#error "build with -DMR -DVW -DNV -DKU (rows, vector width, vectors per row, K unroll)"
#endif
#if !defined(NR) || NR != VW * NV
#error "build with -DNR=VW*NV: the panel width the weights were packed with"
#endif

#define floatV CAT(float, VW)
#define vloadV CAT(vload, VW)
#define vstoreV CAT(vstore, VW)

// The epilogue activation on a whole vector (common.cl).
#define activate_vec CAT(activate_, floatV)

// acc += A[rows, k0..k0+steps) * B-panel rows, with the panel read at stride bstride.
#define STEP(kk)                                                                  \
    {                                                                             \
        floatV bv[NV];                                                            \
        _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = vloadV(v, bp + (size_t)(kk) * bstride); \
        _Pragma("unroll") for (int r = 0; r < MR; r++) {                                            \
            const floatV av = (floatV)(a[r][kk]);                                                   \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[r][v] = fma(av, bv[v], acc[r][v]);   \
        }                                                                                           \
    }

// One MR x NR tile of C from a full-width panel `bp` (rows of NR floats, bstride apart).
// Every loop over MR and NV is unrolled by pragma and the function forced inline: PoCL's
// compiler leaves them rolled otherwise, and the accumulators then live on the stack.
inline __attribute__((always_inline)) void tile(const int M, const int N, const int K, __global const float* A, const int lda,
                 __global const float* bp, const int bstride, __global const float* bias, const int hasBias,
                 __global float* C, const int ldc, const int act, const int m0, const int n0) {
    floatV acc[MR][NV];
    __global const float* a[MR];
#pragma unroll
    for (int r = 0; r < MR; r++) {
#pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = (floatV)(0.0f);
        a[r] = A + (size_t)min(m0 + r, M - 1) * lda;  // clamped rows compute, but are not stored
    }
    const int KB = K - K % KU;
    for (int k = 0; k < KB; k += KU) {
#pragma unroll
        for (int u = 0; u < KU; u++) STEP(k + u)
    }
    for (int k = KB; k < K; k++) STEP(k)

    floatV b[NV];
    for (int v = 0; v < NV; v++) b[v] = (floatV)(0.0f);
    if (hasBias && n0 + NR <= N) {
        for (int v = 0; v < NV; v++) b[v] = vloadV(v, bias + n0);
    }
    for (int r = 0; r < MR; r++) {
        const int m = m0 + r;
        if (m >= M) break;
        __global float* c = C + (size_t)m * ldc + n0;
        if (n0 + NR <= N) {
            for (int v = 0; v < NV; v++) vstoreV(activate_vec(acc[r][v] + b[v], act), v, c);
        } else {
            float t[NR];
            for (int v = 0; v < NV; v++) vstoreV(acc[r][v], v, t);
            for (int j = 0; n0 + j < N; j++) c[j] = apply_activation(t[j] + (hasBias ? bias[n0 + j] : 0.0f), act);
        }
    }
}

__kernel void gemm_packed(const int M, const int N, const int K,
                          __global const float* A, const int lda,
                          __global const float* B, const int ldb,
                          __global const float* bias, const int hasBias,
                          __global float* C, const int ldc, const int act) {
    const int m0 = get_global_id(0) * MR;
    const int panel = get_global_id(1);
    if (m0 >= M || panel * NR >= N) return;
    tile(M, N, K, A, lda, B + (size_t)panel * K * NR, NR, bias, hasBias, C, ldc, act, m0, panel * NR);
}

__kernel void gemm_nn(const int M, const int N, const int K,
                      __global const float* A, const int lda,
                      __global const float* B, const int ldb,
                      __global const float* bias, const int hasBias,
                      __global float* C, const int ldc, const int act) {
    const int m0 = get_global_id(0) * MR;
    const int n0 = get_global_id(1) * NR;
    if (m0 >= M || n0 >= N) return;
    if (n0 + NR <= N) {
        tile(M, N, K, A, lda, B + n0, ldb, bias, hasBias, C, ldc, act, m0, n0);
        return;
    }
    // The last, partial panel: B columns past N read as zero, one scalar at a time.
    float acc[MR][NR];
    for (int r = 0; r < MR; r++)
        for (int j = 0; j < NR; j++) acc[r][j] = 0.0f;
    for (int k = 0; k < K; k++) {
        __global const float* b = B + (size_t)k * ldb + n0;
        for (int r = 0; r < MR; r++) {
            const float av = A[(size_t)min(m0 + r, M - 1) * lda + k];
            for (int j = 0; n0 + j < N; j++) acc[r][j] = fma(av, b[j], acc[r][j]);
        }
    }
    for (int r = 0; r < MR && m0 + r < M; r++) {
        __global float* c = C + (size_t)(m0 + r) * ldc + n0;
        for (int j = 0; n0 + j < N; j++) c[j] = apply_activation(acc[r][j] + (hasBias ? bias[n0 + j] : 0.0f), act);
    }
}

// B is [N, K]: one output per work-item, a K-contiguous dot product 8 lanes wide.
__kernel void gemm_nt(const int M, const int N, const int K,
                      __global const float* A, const int lda,
                      __global const float* B, const int ldb,
                      __global const float* bias, const int hasBias,
                      __global float* C, const int ldc, const int act) {
    const int m = get_global_id(0);
    const int n = get_global_id(1);
    if (m >= M || n >= N) return;
    __global const float* a = A + (size_t)m * lda;
    __global const float* b = B + (size_t)n * ldb;
    float8 acc = (float8)(0.0f);
    const int K8 = K & ~7;
    for (int k = 0; k < K8; k += 8) acc = fma(vload8(0, a + k), vload8(0, b + k), acc);
    float sum = acc.s0 + acc.s1 + acc.s2 + acc.s3 + acc.s4 + acc.s5 + acc.s6 + acc.s7;
    for (int k = K8; k < K; k++) sum = fma(a[k], b[k], sum);
    C[(size_t)m * ldc + n] = apply_activation(sum + (hasBias ? bias[n] : 0.0f), act);
}
