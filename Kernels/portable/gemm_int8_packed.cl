// int8 GEMMs for CPUs over weights packed into panels, the layout of gemm_packed.cl:
// panel p holds output columns p*NR ..< p*NR+NR of the [K, N] int8 matrix, K-contiguous
// (element (k, j) at p*K*NR + k*NR + j), zero past N (WeightPacking.panels on the int8 codes).
// Scales stay one fp32 per output column, unpadded; the epilogue folds them in with the bias.
//
// gemm_w8a8_packed: A is int8 [M, K] with one scale per row (quantize_rows). Each product is
//   int8 x int8 widened to int and summed in int32 registers, exactly:
//   C = act(float(acc) * aScale[m] * bScale[n] + bias[n]). Pairs of K steps multiply in 16
//   bits and add the pair before widening (STEP_I2): PoCL's LLVM turns a multiply of widened
//   chars into vpmulld, not vpmaddwd, and PoCL targets skylake-avx512 here, so no VNNI.
// gemm_w8_packed: A is fp32 [M, K]; the int8 weights are widened to float in registers and the
//   per-column scale applied once after the sum: C = act(scale[n] * sum_k a*q + bias[n]).
// A micro-tile is MR rows x NV vectors of VW lanes (int or float accumulators), K unrolled KU
// times; work-items walk M fastest (dimension 0 = row tiles), as gemm_packed does.
// Build options (the variants "portable-gemm-w8a8-packed" and "portable-gemm-w8-packed"):
//   MR  rows per micro-tile; VW  lanes per vector (4, 8 or 16); NV  vectors per row;
//   KU  K steps unrolled; NR  panel width, which must be VW * NV.

#if !defined(MR) || !defined(VW) || !defined(NV) || !defined(KU)
#error "build with -DMR -DVW -DNV -DKU (rows, vector width, vectors per row, K unroll)"
#endif
#if !defined(NR) || NR != VW * NV
#error "build with -DNR=VW*NV: the panel width the weights were packed with"
#endif

#define floatV CAT(float, VW)
#define intV CAT(int, VW)
#define shortV CAT(short, VW)
#define convert_shortV CAT(convert_short, VW)
#define vloadV CAT(vload, VW)
#define vstoreV CAT(vstore, VW)
#define convert_intV CAT(convert_int, VW)
#define convert_floatV CAT(convert_float, VW)

// The epilogue activation on a whole vector (common.cl).
#define activate_vec CAT(activate_, floatV)

// acc[r][v] += a[r][kk] * panel row kk, in int32 (W8A8).
#define STEP_I(kk)                                                                                   \
    {                                                                                                \
        intV bv[NV];                                                                                 \
        _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = convert_intV(vloadV(v, bp + (size_t)(kk) * NR)); \
        _Pragma("unroll") for (int r = 0; r < MR; r++) {                                             \
            const intV av = (intV)((int)a[r][kk]);                                                   \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[r][v] += av * bv[v];                  \
        }                                                                                            \
    }

// Two K steps at once: the two products of a column are summed in 16 bits before widening,
// exact because A's codes are in [-127, 127] (quantize_rows clamps there) and B's in
// [-128, 127], so |a0*b0 + a1*b1| <= 2 * 127 * 128 = 32512 < 2^15. Half the widenings and
// int32 adds of two STEP_I, and 16-bit multiplies (vpmullw) instead of 32-bit ones (vpmulld).
#define STEP_I2(kk)                                                                                  \
    {                                                                                                \
        shortV b0[NV], b1[NV];                                                                       \
        _Pragma("unroll") for (int v = 0; v < NV; v++) {                                             \
            b0[v] = convert_shortV(vloadV(v, bp + (size_t)(kk) * NR));                               \
            b1[v] = convert_shortV(vloadV(v, bp + (size_t)(kk + 1) * NR));                           \
        }                                                                                            \
        _Pragma("unroll") for (int r = 0; r < MR; r++) {                                             \
            const shortV a0 = (shortV)((short)a[r][kk]), a1 = (shortV)((short)a[r][kk + 1]);         \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[r][v] += convert_intV(a0 * b0[v] + a1 * b1[v]); \
        }                                                                                            \
    }

// acc[r][v] += a[r][kk] * float(panel row kk) (W8).
#define STEP_F(kk)                                                                                   \
    {                                                                                                \
        floatV bv[NV];                                                                               \
        _Pragma("unroll") for (int v = 0; v < NV; v++) bv[v] = convert_floatV(vloadV(v, bp + (size_t)(kk) * NR)); \
        _Pragma("unroll") for (int r = 0; r < MR; r++) {                                             \
            const floatV av = (floatV)(a[r][kk]);                                                    \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[r][v] = fma(av, bv[v], acc[r][v]);   \
        }                                                                                            \
    }

// Stores one row of a tile: full panels as vectors, the last partial panel lane by lane.
// `y` holds float(sum) * rowScale already; colScale and bias are per column.
inline void store_row(__global float* c, const int n0, const int N, floatV y[NV], __global const float* colScale,
                      __global const float* bias, const int hasBias, const int act) {
    if (n0 + NR <= N) {
        for (int v = 0; v < NV; v++) {
            floatV t = y[v] * vloadV(v, colScale + n0);
            if (hasBias) t += vloadV(v, bias + n0);
            vstoreV(activate_vec(t, act), v, c + n0);
        }
    } else {
        float t[NR];
        for (int v = 0; v < NV; v++) vstoreV(y[v], v, t);
        for (int j = 0; n0 + j < N; j++)
            c[n0 + j] = apply_activation(t[j] * colScale[n0 + j] + (hasBias ? bias[n0 + j] : 0.0f), act);
    }
}

__kernel void gemm_w8a8_packed(const int M, const int N, const int K,
                               __global const char* A, __global const float* aScale,
                               __global const char* B, __global const float* bScale,
                               __global const float* bias, const int hasBias,
                               __global float* C, const int act) {
    const int m0 = get_global_id(0) * MR;
    const int panel = get_global_id(1);
    const int n0 = panel * NR;
    if (m0 >= M || n0 >= N) return;
    __global const char* bp = B + (size_t)panel * K * NR;
    intV acc[MR][NV];
    __global const char* a[MR];
#pragma unroll
    for (int r = 0; r < MR; r++) {
#pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = (intV)(0);
        a[r] = A + (size_t)min(m0 + r, M - 1) * K;  // clamped rows compute, but are not stored
    }
    const int KB = K - K % KU;
    for (int k = 0; k < KB; k += KU) {
#if KU == 1
        STEP_I(k)
#else
#pragma unroll
        for (int u = 0; u < KU; u += 2) STEP_I2(k + u)
#endif
    }
    for (int k = KB; k < K; k++) STEP_I(k)

    for (int r = 0; r < MR; r++) {
        const int m = m0 + r;
        if (m >= M) break;
        const float s = aScale[m];
        floatV y[NV];
        for (int v = 0; v < NV; v++) y[v] = convert_floatV(acc[r][v]) * s;
        store_row(C + (size_t)m * N, n0, N, y, bScale, bias, hasBias, act);
    }
}

__kernel void gemm_w8_packed(const int M, const int N, const int K,
                             __global const float* A,
                             __global const char* B, __global const float* bScale,
                             __global const float* bias, const int hasBias,
                             __global float* C, const int act) {
    const int m0 = get_global_id(0) * MR;
    const int panel = get_global_id(1);
    const int n0 = panel * NR;
    if (m0 >= M || n0 >= N) return;
    __global const char* bp = B + (size_t)panel * K * NR;
    floatV acc[MR][NV];
    __global const float* a[MR];
#pragma unroll
    for (int r = 0; r < MR; r++) {
#pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = (floatV)(0.0f);
        a[r] = A + (size_t)min(m0 + r, M - 1) * K;
    }
    const int KB = K - K % KU;
    for (int k = 0; k < KB; k += KU) {
#pragma unroll
        for (int u = 0; u < KU; u++) STEP_F(k + u)
    }
    for (int k = KB; k < K; k++) STEP_F(k)

    for (int r = 0; r < MR; r++) {
        const int m = m0 + r;
        if (m >= M) break;
        store_row(C + (size_t)m * N, n0, N, acc[r], bScale, bias, hasBias, act);
    }
}
