// 4-bit weight-only GEMM over weights packed into panels at load time:
//   C[M, N] = act(A[M, K] * dequant(W)ᵀ + bias), fp32 A, fp32 accumulation.
//
// Weights (WeightPacking.int4Panels): panel p holds output columns p*NR ..< p*NR+NR. Its codes
// are K-pair interleaved: byte (t, j) at p*KP*NR + t*NR + j (KP = ceil(K/2)) holds column j's
// code for k = 2t in the LOW nibble and for k = 2t+1 in the HIGH nibble (0 past K and past N).
// So one vector load of VW bytes gives two K steps of VW columns: `& 15` is step 2t, `>> 4`
// step 2t+1, with no shuffle between lanes.
// Group parameters (WeightPacking.groupPanels): per panel and group g of GS input rows of W
// (the last group shorter), NR scales then NR offsets, at p*G*2*NR + g*2*NR (+ NR), where
// offset = -zero * scale, so w = fma(code, scale, offset); zero past N. GS is even (the
// checkpoint guarantees it), so a K pair never straddles two groups.
// A micro-tile is MR rows x NV vectors of VW floats (MR*NV accumulators), as gemm_packed.cl;
// each group's scales and offsets stay in 2*NV registers while its K range streams; K pairs
// unrolled KU/2 times; work-items walk M fastest (dimension 0 = row tiles).
// Build options (variant "portable-gemm-w4-packed"): MR rows per micro-tile; VW lanes per
// vector (4, 8 or 16); NV vectors per row; KU K steps unrolled (even); NR = VW * NV.
// WG (row tiles per work-group) only shapes the launch. GS is a kernel argument: it is the
// checkpoint's data, not a tuning choice.

#if !defined(MR) || !defined(VW) || !defined(NV) || !defined(KU)
#error "build with -DMR -DVW -DNV -DKU (rows, vector width, vectors per row, K unroll)"
#endif
#if !defined(NR) || NR != VW * NV
#error "build with -DNR=VW*NV: the panel width the weights were packed with"
#endif
#if KU % 2 != 0
#error "KU must be even: the kernel steps through K in pairs of rows"
#endif

#define floatV CAT(float, VW)
#define ucharV CAT(uchar, VW)
#define vloadV CAT(vload, VW)
#define vstoreV CAT(vstore, VW)
#define convert_floatV CAT(convert_float, VW)

// The epilogue activation on a whole vector (common.cl).
#define activate_vec CAT(activate_, floatV)

// K steps kk and kk + 1 (kk even): one byte vector per NV, both nibbles dequantized in registers.
#define STEP_PAIR(kk)                                                                                \
    {                                                                                                \
        floatV lo[NV], hi[NV];                                                                       \
        _Pragma("unroll") for (int v = 0; v < NV; v++) {                                             \
            const ucharV raw = vloadV(v, bp + (size_t)((kk) >> 1) * NR);                             \
            lo[v] = fma(convert_floatV(raw & (uchar)15), s[v], o[v]);                                \
            hi[v] = fma(convert_floatV(raw >> (uchar)4), s[v], o[v]);                                \
        }                                                                                            \
        _Pragma("unroll") for (int r = 0; r < MR; r++) {                                             \
            const floatV a0 = (floatV)(a[r][kk]), a1 = (floatV)(a[r][(kk) + 1]);                     \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[r][v] = fma(a1, hi[v], fma(a0, lo[v], acc[r][v])); \
        }                                                                                            \
    }

// The last K step of an odd K: the low nibble only.
#define STEP_LOW(kk)                                                                                 \
    {                                                                                                \
        floatV lo[NV];                                                                               \
        _Pragma("unroll") for (int v = 0; v < NV; v++)                                               \
            lo[v] = fma(convert_floatV(vloadV(v, bp + (size_t)((kk) >> 1) * NR) & (uchar)15), s[v], o[v]); \
        _Pragma("unroll") for (int r = 0; r < MR; r++) {                                             \
            const floatV a0 = (floatV)(a[r][kk]);                                                    \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[r][v] = fma(a0, lo[v], acc[r][v]);   \
        }                                                                                            \
    }

__kernel void gemm_w4_packed(const int M, const int N, const int K, const int GS,
                             __global const float* A,
                             __global const uchar* B, __global const float* groupParams,
                             __global const float* bias, const int hasBias,
                             __global float* C, const int act) {
    const int m0 = get_global_id(0) * MR;
    const int panel = get_global_id(1);
    const int n0 = panel * NR;
    if (m0 >= M || n0 >= N) return;
    const int KP = (K + 1) / 2, G = (K + GS - 1) / GS;
    __global const uchar* bp = B + (size_t)panel * KP * NR;
    __global const float* gp = groupParams + (size_t)panel * G * 2 * NR;
    floatV acc[MR][NV];
    __global const float* a[MR];
#pragma unroll
    for (int r = 0; r < MR; r++) {
#pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = (floatV)(0.0f);
        a[r] = A + (size_t)min(m0 + r, M - 1) * K;  // clamped rows compute, but are not stored
    }
    for (int g = 0; g < G; g++) {
        floatV s[NV], o[NV];
#pragma unroll
        for (int v = 0; v < NV; v++) {
            s[v] = vloadV(v, gp + (size_t)g * 2 * NR);
            o[v] = vloadV(v, gp + (size_t)g * 2 * NR + NR);
        }
        const int k0 = g * GS, k1 = min(K, k0 + GS);
        const int kb = k0 + (k1 - k0) / KU * KU;
        int k = k0;
        for (; k < kb; k += KU) {
#pragma unroll
            for (int u = 0; u < KU; u += 2) STEP_PAIR(k + u)
        }
        for (; k + 1 < k1; k += 2) STEP_PAIR(k)
        if (k < k1) STEP_LOW(k)
    }

    floatV b[NV];
    for (int v = 0; v < NV; v++) b[v] = (floatV)(0.0f);
    if (hasBias && n0 + NR <= N) {
        for (int v = 0; v < NV; v++) b[v] = vloadV(v, bias + n0);
    }
    for (int r = 0; r < MR; r++) {
        const int m = m0 + r;
        if (m >= M) break;
        __global float* c = C + (size_t)m * N + n0;
        if (n0 + NR <= N) {
            for (int v = 0; v < NV; v++) vstoreV(activate_vec(acc[r][v] + b[v], act), v, c);
        } else {
            float t[NR];
            for (int v = 0; v < NV; v++) vstoreV(acc[r][v], v, t);
            for (int j = 0; n0 + j < N; j++) c[j] = apply_activation(t[j] + (hasBias ? bias[n0 + j] : 0.0f), act);
        }
    }
}
