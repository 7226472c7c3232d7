// Tensor-core GEMM with fp16 weights: C = act(A * W^T + bias) + R, fp32 accumulation.
//
// A is fp32 [M, K] (lda), rounded to fp16 (round to nearest even) as it is staged into local
// memory; W is fp16 bits [N, K] (ldb; a Linear weight as stored, which is the "col" operand
// mma.sync wants); bias [N] and the residual R [M, N] (ldc) are fp32 and optional; C is fp32.
// A work-group of WM x WN warps computes a BM x BN block (BM = WM*MI*16, BN = WN*NI*8); each warp
// owns MI x NI m16n8 accumulator fragments. K advances BK (32 or 64) at a time through two local
// stages: the next tile is read from global memory into registers while the tensor cores work on
// the current one, then stored into the other stage, so one barrier per K tile suffices.
// Edge tiles: rows, columns and K past the matrix are loaded as zero and never stored.
// SMALL_BLOCK=1 (the variant sets it for small M: batch 1 x 128 or 384 tokens) halves MI and NI,
// so a quarter-size block gives 4x the work-groups to fill the GPU's SMs.
// Split-K (the variant decides, the launcher runs it, for small-M shapes whose blocks still number
// fewer than the GPU holds): gemm_f16_nt_partial writes each K slice's raw sums to a workspace
// [slices][M][N], one slice per work-group layer (get_group_id(2)); gemm_f16_nt_reduce then adds
// the slices in a fixed order and applies the epilogue once: deterministic, no atomics.
// Build options (variant "nvidia-mma-f16"): WM, WN, MI, NI, BK (32, 64), SMALL_BLOCK, WARP_PTX and LDMATRIX (common.cl).

#if !defined(WM) || !defined(WN) || !defined(MI) || !defined(NI) || !defined(BK) || !defined(SMALL_BLOCK)
#error "build with -DWM -DWN -DMI -DNI -DBK -DSMALL_BLOCK (warps along M and N, fragments per warp along M and N, K tile, small-M blocks)"
#endif
#ifndef WARP_PTX
#error "build with -DWARP_PTX=1 (inline PTX, NVIDIA sm_80+) or -DWARP_PTX=0 (emulation through local memory)"
#endif
#ifndef LDMATRIX
#error "build with -DLDMATRIX=1 (fragments by ldmatrix) or -DLDMATRIX=0 (32-bit local loads)"
#endif
#if BK != 32 && BK != 64
#error "BK must be 32 or 64: the loaders move 8 halves per chunk and the pad keeps rows 16-byte aligned"
#endif

// FM, FN, THREADS, BM, BN: the tiled mma GEMMs' block shape, in common.cl.
// Row stride of a local tile in halves: BK plus 8 halves of padding against bank conflicts (80 or
// 144 bytes: 8 consecutive rows start in 8 different 16-byte bank groups, which both the 32-bit
// fragment loads and ldmatrix's 8-row phases need, and every row stays 16-byte aligned). Two
// stages of a 128 x 128 block take 40,960 bytes at BK = 32 and 73,728 at 64: more than the 48 KiB
// the H100 reports, yet NVIDIA's OpenCL built and ran such blocks correctly (docs/perf-notes.md).
#define LDS (BK + 8)
#define LDS2 (LDS / 2)
// 4-float chunks of an A tile and 8-half chunks of a W tile, and how many each thread moves.
#define A_CHUNKS (BM * BK / 4)
#define B_CHUNKS (BN * BK / 8)
#define A_PER_THREAD ((A_CHUNKS + THREADS - 1) / THREADS)
#define B_PER_THREAD ((B_CHUNKS + THREADS - 1) / THREADS)

// The last, partial chunks along K, out of line so that the loaders' loops stay small enough to
// unroll (clang refused with them inline, and the prefetch registers then went to the stack).
__attribute__((noinline)) float4 a_tail(__global const float* p, const int count) {
    return (float4)(count > 0 ? p[0] : 0.0f, count > 1 ? p[1] : 0.0f, count > 2 ? p[2] : 0.0f, 0.0f);
}

__attribute__((noinline)) ushort8 b_tail(__global const ushort* p, const int count) {
    ushort t[8] __attribute__((aligned(16)));
    for (int j = 0; j < 8; j++) t[j] = j < count ? p[j] : (ushort)0;
    return vload8(0, t);
}

// The epilogue activation out of line: inlined 4*MI*NI times, erf and tanh made the epilogue too
// large for clang to unroll, and the accumulators then went to the stack.
__attribute__((noinline)) float activation_call(const float v, const int act) { return apply_activation(v, act); }

// Reads this thread's share of the A and W tiles at k0 into registers (zero outside the matrices).
inline __attribute__((always_inline)) void fetch_tiles(const int M, const int N, const int K, __global const float* A,
                                                       const int lda, __global const ushort* B, const int ldb,
                                                       const int m0, const int n0, const int k0,
                                                       float4 ra[A_PER_THREAD], ushort8 rb[B_PER_THREAD]) {
    const int tid = get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS, row = c / (BK / 4), k = k0 + (c % (BK / 4)) * 4;
        const int m = m0 + row;
        float4 v = (float4)(0.0f);
        if (c < A_CHUNKS && m < M) {
            __global const float* p = A + (size_t)m * lda + k;
            // vload4 promises only 4-byte alignment, so NVIDIA's compiler emits four scalar loads;
            // with lda % 4 == 0 every chunk is 16-byte aligned and one 128-bit load is safe.
            v = k + 4 > K ? a_tail(p, K - k) : (lda & 3) == 0 ? *(__global const float4*)p : vload4(0, p);
        }
        ra[i] = v;
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS, col = c / (BK / 8), k = k0 + (c % (BK / 8)) * 8;
        const int n = n0 + col;
        ushort8 v = (ushort8)(0);
        if (c < B_CHUNKS && n < N) {
            __global const ushort* p = B + (size_t)n * ldb + k;
            v = k + 8 > K ? b_tail(p, K - k) : (ldb & 7) == 0 ? as_ushort8(*(__global const uint4*)p) : vload8(0, p);
        }
        rb[i] = v;
    }
}

// Stores the fetched registers into one local stage: A rounded to fp16, W copied as bits.
inline __attribute__((always_inline)) void stage_tiles(__local uint* sa, __local uint* sb,
                                                       const float4 ra[A_PER_THREAD], const ushort8 rb[B_PER_THREAD]) {
    const int tid = get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        if (c >= A_CHUNKS) continue;
        // Rounded in registers, then one 64-bit store: vstore_half4 straight to local memory
        // became four 16-bit stores.
        ushort h[4] __attribute__((aligned(8)));
        vstore_half4_rte(ra[i], 0, (__private half*)h);
        *(__local uint2*)((__local ushort*)sa + (c / (BK / 4)) * LDS + (c % (BK / 4)) * 4) = as_uint2(vload4(0, h));
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS;
        // Rows are LDS halves (80 or 144 bytes) apart and chunks 16 bytes: one 128-bit store each.
        if (c < B_CHUNKS) *(__local uint4*)((__local ushort*)sb + (c / (BK / 8)) * LDS + (c % (BK / 8)) * 8) = as_uint4(rb[i]);
    }
}

// Accumulates K tiles kt0 <= kt < kt1 of the block at (m0, n0) into acc: the next tile is fetched
// into registers while the tensor cores work on this one, then stored into the other stage.
inline __attribute__((always_inline)) void mma_tiles(const int M, const int N, const int K, __global const float* A,
                                                     const int lda, __global const ushort* B, const int ldb,
                                                     const int m0, const int n0, const int kt0, const int kt1,
                                                     __local uint sa[2][BM * LDS2], __local uint sb[2][BN * LDS2],
                                                     __local uint* scratch, float acc[FM][FN][4]) {
    const int warp = WARP_INDEX(), wm = warp / WN, wn = warp % WN;
    float4 ra[A_PER_THREAD];
    ushort8 rb[B_PER_THREAD];
    fetch_tiles(M, N, K, A, lda, B, ldb, m0, n0, kt0 * BK, ra, rb);
    stage_tiles(sa[0], sb[0], ra, rb);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int kt = kt0; kt < kt1; kt++) {
        const int stage = (kt - kt0) & 1;
        if (kt + 1 < kt1) fetch_tiles(M, N, K, A, lda, B, ldb, m0, n0, (kt + 1) * BK, ra, rb);
#pragma unroll
        for (int kk = 0; kk < BK; kk += 16) {
            uint a[FM][4], b[FN][2];
#pragma unroll
            for (int i = 0; i < FM; i++) MMA_LOAD_A(a[i], sa[stage] + (wm * FM * 16 + i * 16) * LDS2 + kk / 2, LDS2, scratch)
            MMA_LOAD_B_FRAGMENTS(b, FN, sb[stage] + wn * FN * 8 * LDS2 + kk / 2, LDS2, scratch)
#pragma unroll
            for (int i = 0; i < FM; i++)
#pragma unroll
                for (int j = 0; j < FN; j++) MMA_F16_16816(acc[i][j], a[i], b[j], scratch);
        }
        if (kt + 1 < kt1) stage_tiles(sa[stage ^ 1], sb[stage ^ 1], ra, rb);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void gemm_f16_nt(const int M, const int N, const int K,
                 __global const float* A, const int lda,
                 __global const ushort* B, const int ldb,
                 __global const float* bias, const int hasBias,
                 __global const float* R, const int hasResidual,
                 __global float* C, const int ldc, const int act) {
    MMA_TILE_PROLOGUE(float, LDS2)
    mma_tiles(M, N, K, A, lda, B, ldb, m0, n0, 0, (K + BK - 1) / BK, sa, sb, scratch, acc);
    FOR_EACH_MMA_OUTPUT(float, {
        float y = v + (hasBias ? bias[n] : 0.0f);
        if (act != ACT_NONE) y = activation_call(y, act);
        if (hasResidual) y += R[(size_t)m * ldc + n];
        C[(size_t)m * ldc + n] = y;
    })
}

// Split-K, step 1: work-group layer z = get_group_id(2) of S = get_num_groups(2) sums the K tiles
// [z*p, min(T, (z+1)*p)) with p = ceil(T / S) into P[z][M][N], raw (no bias, no activation).
// The variant picks S so that no slice is empty (S = ceil(T / ceil(T / S))).
__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void gemm_f16_nt_partial(const int M, const int N, const int K,
                         __global const float* A, const int lda,
                         __global const ushort* B, const int ldb,
                         __global float* P) {
    MMA_TILE_PROLOGUE(float, LDS2)
    const int tileCount = (K + BK - 1) / BK, slices = get_num_groups(2), z = get_group_id(2);
    const int perSlice = (tileCount + slices - 1) / slices, kt0 = z * perSlice;
    mma_tiles(M, N, K, A, lda, B, ldb, m0, n0, kt0, min(tileCount, kt0 + perSlice), sa, sb, scratch, acc);
    __global float* slice = P + (size_t)z * M * N;
    FOR_EACH_MMA_OUTPUT(float, { slice[(size_t)m * N + n] = v; })
}

// Split-K, step 2, one work-item per output: the slices' sums added in slice order (the same
// result every run), then bias, activation and residual exactly once, as gemm_f16_nt applies them.
__kernel void gemm_f16_nt_reduce(const int M, const int N, const int slices, __global const float* P,
                                 __global const float* bias, const int hasBias,
                                 __global const float* R, const int hasResidual,
                                 __global float* C, const int ldc, const int act) {
    const int i = get_global_id(0);
    if (i >= M * N) return;
    const int m = i / N, n = i % N;
    float s = P[i];
    for (int z = 1; z < slices; z++) s += P[(size_t)z * M * N + i];
    float y = s + (hasBias ? bias[n] : 0.0f);
    if (act != ACT_NONE) y = apply_activation(y, act);
    if (hasResidual) y += R[(size_t)m * ldc + n];
    C[(size_t)m * ldc + n] = y;
}
