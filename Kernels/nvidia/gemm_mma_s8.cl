// Tensor-core W8A8 GEMM: C = act(float(A · Wᵀ) · aScale[m] · bScale[n] + bias[n]), int32 sums.
//
// A is int8 [M, K] with one scale per row (quantize_rows); W is int8 [N, K] (a Linear weight as
// stored, which is the "col" operand mma.sync wants; the engine hands it over through the packing
// machinery as panels one column wide, hence the entry point's name and -DNR=1); C is fp32.
// The same tiling as gemm_mma.cl: a work-group of WM x WN warps computes a BM x BN block, each
// warp MI x NI m16n8 fragments; K advances BK = 64 int8 at a time (two m16n8k32 steps) through
// two local stages, the next tile read into registers while the tensor cores work on this one.
// The sums are exact (|sum| <= K · 128 · 127 fits int32 for any K the models have), so they
// match the portable kernels' bit for bit; the scales follow in the portable order (acc · aScale,
// then · bScale + bias), though the compiler may fuse the last step differently.
// Edge tiles: rows, columns and K past the matrix are loaded as zero and never stored.
// Small M and split-K as in gemm_mma.cl: SMALL_BLOCK=1 halves MI and NI; gemm_w8a8_packed_partial
// writes each K slice's int32 sums to a workspace [slices][M][N] and gemm_w8a8_packed_reduce adds
// them (exact, so the result is bit for bit the unsplit kernel's) and applies the epilogue once.
// ASYNC=1: a ring of STAGES local stages filled by cp.async (common.cl) in place of the register
// staging, as in gemm_mma.cl; int8 tiles are copied as they are, so the stages and fragment reads
// are the register path's. Where K % 16 == 0 (KALIGN16, set per shape by the variant) every chunk is
// a whole, aligned 16 bytes; other K take the register path.
// Build options (variant "nvidia-mma-w8a8"): WM, WN, MI, NI, BK (64), SMALL_BLOCK, ASYNC, STAGES,
// KALIGN16, WARP_PTX and LDMATRIX (common.cl), NR (1).

#if !defined(WM) || !defined(WN) || !defined(MI) || !defined(NI) || !defined(BK) || !defined(SMALL_BLOCK)
#error "build with -DWM -DWN -DMI -DNI -DBK -DSMALL_BLOCK (warps along M and N, fragments per warp along M and N, K tile, small-M blocks)"
#endif
#ifndef WARP_PTX
#error "build with -DWARP_PTX=1 (inline PTX, NVIDIA sm_80+) or -DWARP_PTX=0 (emulation through local memory)"
#endif
#ifndef LDMATRIX
#error "build with -DLDMATRIX=1 (fragments by ldmatrix) or -DLDMATRIX=0 (32-bit local loads)"
#endif
#if BK != 64
#error "BK must be 64: the loaders move 16 bytes per chunk and the pad keeps rows 16-byte aligned"
#endif
#if !defined(ASYNC) || !defined(STAGES) || !defined(KALIGN16)
#error "build with -DASYNC (1: cp.async stages), -DSTAGES (2-4) and -DKALIGN16 (1 when K % 16 == 0)"
#endif
#define USE_ASYNC (ASYNC && KALIGN16)

// FM, FN, THREADS, BM, BN: the tiled mma GEMMs' block shape, in common.cl.
// Row stride of a local tile in bytes: BK plus 16 bytes of padding against bank conflicts (the
// same 20-uint pitch as the f16 kernel's 40 halves), and in uints.
#define LDS (BK + 16)
#define LDS4 (LDS / 4)
// 16-byte chunks of the A and W tiles, and how many each thread moves.
#define A_CHUNKS (BM * BK / 16)
#define B_CHUNKS (BN * BK / 16)
#define A_PER_THREAD ((A_CHUNKS + THREADS - 1) / THREADS)
#define B_PER_THREAD ((B_CHUNKS + THREADS - 1) / THREADS)

// The last, partial chunk along K, out of line so that the loaders' loops stay small (see gemm_mma.cl).
// Built from bytes in registers: a private byte array here went to the stack.
__attribute__((noinline)) uint s8_tail_word(__global const char* p, const int count) {
    uint w = 0;
    for (int j = 0; j < 4; j++) w |= j < count ? (uint)(uchar)p[j] << (8 * j) : 0u;
    return w;
}

__attribute__((noinline)) uint4 s8_tail(__global const char* p, const int count) {
    return (uint4)(s8_tail_word(p, count), s8_tail_word(p + 4, count - 4), s8_tail_word(p + 8, count - 8),
                   s8_tail_word(p + 12, count - 12));
}

__attribute__((noinline)) float s8_activation(const float v, const int act) { return apply_activation(v, act); }

// One 16-byte chunk of row `r` (of `rows`) at column k of a [rows, K] int8 matrix, zero outside.
inline __attribute__((always_inline)) uint4 s8_chunk(__global const char* X, const int rows, const int K, const int r, const int k) {
    if (r >= rows) return (uint4)(0);
    __global const char* p = X + (size_t)r * K + k;
    // vload16 promises only 1-byte alignment (16 byte loads on NVIDIA); with K % 16 == 0 every
    // chunk is 16-byte aligned and one 128-bit load is safe.
    return k + 16 > K ? s8_tail(p, K - k) : (K & 15) == 0 ? *(__global const uint4*)p : as_uint4(vload16(0, p));
}

// Reads this thread's share of the A and W tiles at k0 into registers.
inline __attribute__((always_inline)) void fetch_s8_tiles(const int M, const int N, const int K, __global const char* A,
                                                          __global const char* B, const int m0, const int n0, const int k0,
                                                          uint4 ra[A_PER_THREAD], uint4 rb[B_PER_THREAD]) {
    const int tid = get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        ra[i] = c < A_CHUNKS ? s8_chunk(A, M, K, m0 + c / (BK / 16), k0 + (c % (BK / 16)) * 16) : (uint4)(0);
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        rb[i] = c < B_CHUNKS ? s8_chunk(B, N, K, n0 + c / (BK / 16), k0 + (c % (BK / 16)) * 16) : (uint4)(0);
    }
}

// Stores the fetched registers into one local stage: one 128-bit store per chunk (rows are
// LDS = 80 bytes apart, so every chunk stays 16-byte aligned).
inline __attribute__((always_inline)) void stage_s8_tiles(__local uint* sa, __local uint* sb, const uint4 ra[A_PER_THREAD],
                                                          const uint4 rb[B_PER_THREAD]) {
    const int tid = get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        if (c < A_CHUNKS) *(__local uint4*)(sa + (c / (BK / 16)) * LDS4 + (c % (BK / 16)) * 4) = ra[i];
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        if (c < B_CHUNKS) *(__local uint4*)(sb + (c / (BK / 16)) * LDS4 + (c % (BK / 16)) * 4) = rb[i];
    }
}

// One staged K tile (BK = 64: two m16n8k32 steps) into acc, from the stage's A and W tiles.
inline __attribute__((always_inline)) void mma_s8_stage(__local const uint* sa, __local const uint* sb, const int wm, const int wn,
                                                        __local uint* scratch, int acc[FM][FN][4]) {
#pragma unroll
    for (int kk = 0; kk < BK; kk += 32) {
        uint a[FM][4], b[FN][2];
#pragma unroll
        for (int i = 0; i < FM; i++) MMA_LOAD_A(a[i], sa + (wm * FM * 16 + i * 16) * LDS4 + kk / 4, LDS4, scratch)
        MMA_LOAD_B_FRAGMENTS(b, FN, sb + wn * FN * 8 * LDS4 + kk / 4, LDS4, scratch)
#pragma unroll
        for (int i = 0; i < FM; i++)
#pragma unroll
            for (int j = 0; j < FN; j++) MMA_S8_16832(acc[i][j], a[i], b[j], scratch);
    }
}

// Accumulates K tiles kt0 <= kt < kt1 of the block at (m0, n0) into acc (see gemm_mma.cl).
inline __attribute__((always_inline)) void mma_s8_tiles(const int M, const int N, const int K, __global const char* A,
                                                        __global const char* B, const int m0, const int n0,
                                                        const int kt0, const int kt1,
                                                        __local uint sa[2][BM * LDS4], __local uint sb[2][BN * LDS4],
                                                        __local uint* scratch, int acc[FM][FN][4]) {
    const int warp = WARP_INDEX(), wm = warp / WN, wn = warp % WN;
    uint4 ra[A_PER_THREAD], rb[B_PER_THREAD];
    fetch_s8_tiles(M, N, K, A, B, m0, n0, kt0 * BK, ra, rb);
    stage_s8_tiles(sa[0], sb[0], ra, rb);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int kt = kt0; kt < kt1; kt++) {
        const int stage = (kt - kt0) & 1;
        if (kt + 1 < kt1) fetch_s8_tiles(M, N, K, A, B, m0, n0, (kt + 1) * BK, ra, rb);
        mma_s8_stage(sa[stage], sb[stage], wm, wn, scratch, acc);
        if (kt + 1 < kt1) stage_s8_tiles(sa[stage ^ 1], sb[stage ^ 1], ra, rb);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

#if USE_ASYNC
// ---- cp.async stages (ASYNC=1) ----
#define S8_STAGE_UINTS(ROWS) ((ROWS) * LDS4)
CP_ASYNC_STATE(A_PER_THREAD + B_PER_THREAD)

// Issues this thread's copies of the A and W tiles at k0 into one stage and closes the group; with
// K % 16 == 0 a chunk is wholly inside K or past it, and chunks outside the matrices are zero-filled.
inline __attribute__((always_inline)) void issue_s8_tiles(CpAsync* st, const int M, const int N, const int K,
                                                          __global const char* A, __global const char* B,
                                                          const int m0, const int n0, const int k0, __local uint* sa, __local uint* sb) {
    const int tid = get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS, row = c / (BK / 16), kc = (c % (BK / 16)) * 16;
        const int inside = m0 + row < M && k0 + kc < K;
        if (c < A_CHUNKS) CP_ASYNC_16(*st, sa + row * LDS4 + kc / 4, inside ? A + (size_t)(m0 + row) * K + k0 + kc : A, inside ? 16 : 0)
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS, col = c / (BK / 16), kc = (c % (BK / 16)) * 16;
        const int inside = n0 + col < N && k0 + kc < K;
        if (c < B_CHUNKS) CP_ASYNC_16(*st, sb + col * LDS4 + kc / 4, inside ? B + (size_t)(n0 + col) * K + k0 + kc : B, inside ? 16 : 0)
    }
    CP_ASYNC_COMMIT(*st)
}

// Accumulates K tiles kt0 <= kt < kt1 through the cp.async ring (CP_ASYNC_RING, common.cl).
inline __attribute__((always_inline)) void mma_s8_tiles_async(const int M, const int N, const int K, __global const char* A,
                                                              __global const char* B, const int m0, const int n0,
                                                              const int kt0, const int kt1,
                                                              __local uint sa[STAGES][S8_STAGE_UINTS(BM)],
                                                              __local uint sb[STAGES][S8_STAGE_UINTS(BN)],
                                                              __local uint* scratch, int acc[FM][FN][4]) {
    const int warp = WARP_INDEX(), wm = warp / WN, wn = warp % WN;
    CpAsync st;
    CP_ASYNC_INIT(st)
#define S8_ISSUE(stage, tile) { issue_s8_tiles(&st, M, N, K, A, B, m0, n0, (tile) * BK, sa[stage], sb[stage]); }
#define S8_COMPUTE(stage) { mma_s8_stage(sa[stage], sb[stage], wm, wn, scratch, acc); }
    CP_ASYNC_RING(st, kt0, kt1, S8_ISSUE, S8_COMPUTE)
#undef S8_ISSUE
#undef S8_COMPUTE
}

#define S8_TILE_PROLOGUE                                                                         \
    MMA_TILE_LOCALS(STAGES, S8_STAGE_UINTS(BM), S8_STAGE_UINTS(BN))                              \
    MMA_TILE_START(int)
#define S8_TILES(kt0, kt1) mma_s8_tiles_async(M, N, K, A, B, m0, n0, (kt0), (kt1), sa, sb, scratch, acc)
#else
#define S8_TILE_PROLOGUE MMA_TILE_PROLOGUE(int, LDS4)
#define S8_TILES(kt0, kt1) mma_s8_tiles(M, N, K, A, B, m0, n0, (kt0), (kt1), sa, sb, scratch, acc)
#endif

__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void gemm_w8a8_packed(const int M, const int N, const int K,
                      __global const char* A, __global const float* aScale,
                      __global const char* B, __global const float* bScale,
                      __global const float* bias, const int hasBias,
                      __global float* C, const int act) {
    S8_TILE_PROLOGUE
    S8_TILES(0, (K + BK - 1) / BK);
    FOR_EACH_MMA_OUTPUT(int, {
        float y = (float)v * aScale[m] * bScale[n] + (hasBias ? bias[n] : 0.0f);
        if (act != ACT_NONE) y = s8_activation(y, act);
        C[(size_t)m * N + n] = y;
    })
}

// Split-K, step 1: layer z of S sums the K tiles [z*p, min(T, (z+1)*p)), p = ceil(T / S), into
// P[z][M][N] as exact int32 (no scales, no bias). The variant keeps every slice non-empty.
__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void gemm_w8a8_packed_partial(const int M, const int N, const int K,
                              __global const char* A, __global const char* B, __global int* P) {
    S8_TILE_PROLOGUE
    SPLITK_SLICE(K)
    S8_TILES(kt0, kt1);
    __global int* slice = P + (size_t)z * M * N;
    FOR_EACH_MMA_OUTPUT(int, { slice[(size_t)m * N + n] = v; })
}

// The int32 slices of output (m, n) added (exact, any order gives the same sum), then the epilogue
// of gemm_w8a8_packed, written the same way, applied once: split-K's step 2 in the reduce kernel
// or in the GEMM's last work-group of the tile.
inline void s8_reduce_output(const int M, const int N, const int slices, __global const int* P, const int m, const int n,
                             __global const float* aScale, __global const float* bScale,
                             __global const float* bias, const int hasBias, __global float* C, const int act) {
    const size_t at = (size_t)m * N + n;
    int s = P[at];
    for (int z = 1; z < slices; z++) s += P[(size_t)z * M * N + at];
    float y = (float)s * aScale[m] * bScale[n] + (hasBias ? bias[n] : 0.0f);
    if (act != ACT_NONE) y = s8_activation(y, act);
    C[(size_t)m * N + n] = y;
}

// Split-K, step 2, one work-item per output.
__kernel void gemm_w8a8_packed_reduce(const int M, const int N, const int slices, __global const int* P,
                                      __global const float* aScale, __global const float* bScale,
                                      __global const float* bias, const int hasBias,
                                      __global float* C, const int act) {
    const int i = get_global_id(0);
    if (i >= M * N) return;
    s8_reduce_output(M, N, slices, P, i / N, i % N, aScale, bScale, bias, hasBias, C, act);
}

// Split-K in one launch (SPLITK_REDUCE=1): step 1 as gemm_w8a8_packed_partial, then the tile's last
// work-group to finish does step 2 for the tile (common.cl, splitk_last_group).
__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void gemm_w8a8_packed_splitk(const int M, const int N, const int K,
                             __global const char* A, __global const char* B, __global int* P, __global int* counters,
                             __global const float* aScale, __global const float* bScale,
                             __global const float* bias, const int hasBias,
                             __global float* C, const int act) {
    __local int lastFlag;
    S8_TILE_PROLOGUE
    SPLITK_SLICE(K)
    S8_TILES(kt0, kt1);
    __global int* slice = P + (size_t)z * M * N;
    FOR_EACH_MMA_OUTPUT(int, { slice[(size_t)m * N + n] = v; })
    if (!splitk_last_group(counters + SPLITK_TILE(), slices, &lastFlag)) return;
    FOR_EACH_BLOCK_OUTPUT({ s8_reduce_output(M, N, slices, P, m, n, aScale, bScale, bias, hasBias, C, act); })
}
