// fp32 SGEMM for GPUs: C = act(A * op(B) + bias), the `gemm` operation's entry points.
//
// A work-group of TX x TY threads computes a BM x BN block of C (BM = TY*RM, BN = TX*RN); each
// thread keeps an RM x RN block of accumulators in registers. K advances BK at a time through two
// local stages: the next tiles are read from global memory (float4 where they lie inside the
// matrix) into registers while the current ones are multiplied, then stored into the other stage,
// so one barrier per K tile suffices. A is stored K-major in local memory (As[k][m]) so a thread's
// RM rows for one k are contiguous, as are its RN columns of Bs[k][n].
// gemm_nn reads B as [K, N] (ldb), gemm_nt as [N, K] (ldb). Edges load zeros and are not stored.
// HALF_TILE=1 (the variant sets it for small M: batch 1 x 128 tokens) halves the register block,
// so a quarter-size block gives 4x the work-groups to fill the GPU's SMs; no split-K yet.
// Build options (variant "nvidia-sgemm-tiled"): TX, TY, RM, RN, BK, HALF_TILE.

#if !defined(TX) || !defined(TY) || !defined(RM) || !defined(RN) || !defined(BK) || !defined(HALF_TILE)
#error "build with -DTX -DTY -DRM -DRN -DBK -DHALF_TILE (threads along N and M, register block, K tile, small-M blocks)"
#endif
// The register block this build uses: RM x RN, or half of each for small M.
#if HALF_TILE
#define TRM (RM > 1 ? RM / 2 : 1)
#define TRN (RN > 1 ? RN / 2 : 1)
#else
#define TRM RM
#define TRN RN
#endif
#if BK % 4 != 0 || (TX * TRN) % 4 != 0
#error "BK and TX*RN must be multiples of 4: tiles move in float4 chunks"
#endif

#define THREADS (TX * TY)
#define BM (TY * TRM)
#define BN (TX * TRN)
#define PAD 4
#define A_CHUNKS (BM * BK / 4)
#define B_CHUNKS (BN * BK / 4)
#define A_PER_THREAD ((A_CHUNKS + THREADS - 1) / THREADS)
#define B_PER_THREAD ((B_CHUNKS + THREADS - 1) / THREADS)

// Four floats of a row-major matrix at (r, c..c+3), zero outside rows x cols.
inline __attribute__((always_inline)) float4 load4(__global const float* X, const int ld, const int rows, const int cols,
                                                   const int r, const int c) {
    if (r >= rows) return (float4)(0.0f);
    __global const float* p = X + (size_t)r * ld + c;
    // c is a multiple of 4: with ld % 4 == 0 the chunk is 16-byte aligned and one 128-bit load is
    // safe (vload4 promises only 4-byte alignment, which NVIDIA's compiler splits into 4 loads).
    if (c + 4 <= cols) return (ld & 3) == 0 ? *(__global const float4*)p : vload4(0, p);
    return (float4)(c < cols ? p[0] : 0.0f, c + 1 < cols ? p[1] : 0.0f, c + 2 < cols ? p[2] : 0.0f, 0.0f);
}

// This thread's share of the A and B tiles at k0, into registers.
inline __attribute__((always_inline)) void fetch(const int M, const int N, const int K, __global const float* A, const int lda,
                                                 __global const float* B, const int ldb, const int bIsNK,
                                                 const int m0, const int n0, const int k0,
                                                 float4 ra[A_PER_THREAD], float4 rb[B_PER_THREAD]) {
    const int tid = get_local_id(1) * TX + get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        ra[i] = c < A_CHUNKS ? load4(A, lda, M, K, m0 + c / (BK / 4), k0 + (c % (BK / 4)) * 4) : (float4)(0.0f);
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        if (c >= B_CHUNKS) { rb[i] = (float4)(0.0f); continue; }
        rb[i] = bIsNK ? load4(B, ldb, N, K, n0 + c / (BK / 4), k0 + (c % (BK / 4)) * 4)
                      : load4(B, ldb, K, N, k0 + c / (BN / 4), n0 + (c % (BN / 4)) * 4);
    }
}

// The fetched registers into one local stage, both tiles K-major.
inline __attribute__((always_inline)) void stage(__local float* as, __local float* bs, const int bIsNK,
                                                 const float4 ra[A_PER_THREAD], const float4 rb[B_PER_THREAD]) {
    const int tid = get_local_id(1) * TX + get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        if (c >= A_CHUNKS) continue;
        const int m = c / (BK / 4), k = (c % (BK / 4)) * 4;
        as[(k + 0) * (BM + PAD) + m] = ra[i].s0;
        as[(k + 1) * (BM + PAD) + m] = ra[i].s1;
        as[(k + 2) * (BM + PAD) + m] = ra[i].s2;
        as[(k + 3) * (BM + PAD) + m] = ra[i].s3;
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        if (c >= B_CHUNKS) continue;
        if (bIsNK) {
            const int n = c / (BK / 4), k = (c % (BK / 4)) * 4;
            bs[(k + 0) * (BN + PAD) + n] = rb[i].s0;
            bs[(k + 1) * (BN + PAD) + n] = rb[i].s1;
            bs[(k + 2) * (BN + PAD) + n] = rb[i].s2;
            bs[(k + 3) * (BN + PAD) + n] = rb[i].s3;
        } else {
            vstore4(rb[i], 0, bs + (c / (BN / 4)) * (BN + PAD) + (c % (BN / 4)) * 4);
        }
    }
}

inline __attribute__((always_inline)) void sgemm(const int M, const int N, const int K, __global const float* A, const int lda,
                                                 __global const float* B, const int ldb, const int bIsNK,
                                                 __global const float* bias, const int hasBias,
                                                 __global float* C, const int ldc, const int act,
                                                 __local float* as, __local float* bs) {
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int m0 = get_group_id(1) * BM, n0 = get_group_id(0) * BN;
    float acc[TRM][TRN];
#pragma unroll
    for (int i = 0; i < TRM; i++)
#pragma unroll
        for (int j = 0; j < TRN; j++) acc[i][j] = 0.0f;
    float4 ra[A_PER_THREAD], rb[B_PER_THREAD];
    const int tileCount = (K + BK - 1) / BK;
    fetch(M, N, K, A, lda, B, ldb, bIsNK, m0, n0, 0, ra, rb);
    stage(as, bs, bIsNK, ra, rb);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int kt = 0; kt < tileCount; kt++) {
        const int s = kt & 1;
        __local const float* at = as + s * BK * (BM + PAD);
        __local const float* bt = bs + s * BK * (BN + PAD);
        if (kt + 1 < tileCount) fetch(M, N, K, A, lda, B, ldb, bIsNK, m0, n0, (kt + 1) * BK, ra, rb);
#pragma unroll
        for (int k = 0; k < BK; k++) {
            float av[TRM], bv[TRN];
#pragma unroll
            for (int i = 0; i < TRM; i++) av[i] = at[k * (BM + PAD) + ty * TRM + i];
#pragma unroll
            for (int j = 0; j < TRN; j++) bv[j] = bt[k * (BN + PAD) + tx * TRN + j];
#pragma unroll
            for (int i = 0; i < TRM; i++)
#pragma unroll
                for (int j = 0; j < TRN; j++) acc[i][j] = fma(av[i], bv[j], acc[i][j]);
        }
        if (kt + 1 < tileCount) stage(as + (s ^ 1) * BK * (BM + PAD), bs + (s ^ 1) * BK * (BN + PAD), bIsNK, ra, rb);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#pragma unroll
    for (int i = 0; i < TRM; i++) {
        const int m = m0 + ty * TRM + i;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < TRN; j++) {
            const int n = n0 + tx * TRN + j;
            if (n < N) C[(size_t)m * ldc + n] = apply_activation(acc[i][j] + (hasBias ? bias[n] : 0.0f), act);
        }
    }
}

__kernel __attribute__((reqd_work_group_size(TX, TY, 1)))
void gemm_nn(const int M, const int N, const int K, __global const float* A, const int lda,
             __global const float* B, const int ldb, __global const float* bias, const int hasBias,
             __global float* C, const int ldc, const int act) {
    __local float as[2 * BK * (BM + PAD)];
    __local float bs[2 * BK * (BN + PAD)];
    sgemm(M, N, K, A, lda, B, ldb, 0, bias, hasBias, C, ldc, act, as, bs);
}

__kernel __attribute__((reqd_work_group_size(TX, TY, 1)))
void gemm_nt(const int M, const int N, const int K, __global const float* A, const int lda,
             __global const float* B, const int ldb, __global const float* bias, const int hasBias,
             __global float* C, const int ldc, const int act) {
    __local float as[2 * BK * (BM + PAD)];
    __local float bs[2 * BK * (BN + PAD)];
    sgemm(M, N, K, A, lda, B, ldb, 1, bias, hasBias, C, ldc, act, as, bs);
}
