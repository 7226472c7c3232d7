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
// ASYNC=1 replaces the register staging with a ring of STAGES (2-4) local stages filled by cp.async
// (sm_80+): each thread issues its 16-byte chunks of tile k+STAGES-1 straight into local memory
// and computes on tile k while up to STAGES-1 tiles are in flight, so no prefetch registers and no
// conversion stores sit between global memory and the tensor cores. A stays fp32 in local memory
// (cp.async moves bytes, it cannot round) and each A fragment is rounded to fp16 (nearest even, as
// the register path rounds it) as it is read: the same products, the same sums. cp.async needs
// 16-byte aligned sources, so the variant sets KALIGN8 (K % 8 == 0: every row of A and W starts
// 16-byte aligned and no chunk straddles K); other K take the register path.
// Build options (variant "nvidia-mma-f16"): WM, WN, MI, NI, BK (16, 32, 64), SMALL_BLOCK, ASYNC,
// STAGES, KALIGN8, WARP_PTX and LDMATRIX (common.cl).

#if !defined(WM) || !defined(WN) || !defined(MI) || !defined(NI) || !defined(BK) || !defined(SMALL_BLOCK)
#error "build with -DWM -DWN -DMI -DNI -DBK -DSMALL_BLOCK (warps along M and N, fragments per warp along M and N, K tile, small-M blocks)"
#endif
#ifndef WARP_PTX
#error "build with -DWARP_PTX=1 (inline PTX, NVIDIA sm_80+) or -DWARP_PTX=0 (emulation through local memory)"
#endif
#ifndef LDMATRIX
#error "build with -DLDMATRIX=1 (fragments by ldmatrix) or -DLDMATRIX=0 (32-bit local loads)"
#endif
#if !defined(ASYNC) || !defined(STAGES) || !defined(KALIGN8)
#error "build with -DASYNC (1: cp.async stages), -DSTAGES (2-4) and -DKALIGN8 (1 when K % 8 == 0)"
#endif
#if BK != 16 && BK != 32 && BK != 64
#error "BK must be 16, 32 or 64: the loaders move 8 halves per chunk and the pad keeps rows 16-byte aligned"
#endif
#if STAGES < 2 || STAGES > 4
#error "STAGES must be 2, 3 or 4"
#endif
// cp.async runs only where every chunk is a whole, aligned 16 bytes.
#define USE_ASYNC (ASYNC && KALIGN8)

// FM, FN, THREADS, BM, BN: the tiled mma GEMMs' block shape, in common.cl.
// Row stride of a local tile in halves: BK plus 8 halves of padding against bank conflicts (48, 80
// or 144 bytes: 8 consecutive rows start in 8 different 16-byte bank groups, which both the 32-bit
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

#if USE_ASYNC
// ---- cp.async stages (ASYNC=1) ----
// Floats per A row in local memory: BK plus 8 of padding (96, 160 or 288 bytes), so that the 64-bit
// fragment reads of a half-warp (rows g = 0..3 or 4..7, columns 2t) fall on 16 different bank pairs,
// and rows stay 16-byte aligned for cp.async.
#define LDAF (BK + 8)
#define A_STAGE_UINTS (BM * LDAF)
#define B_STAGE_UINTS (BN * LDS2)
// This thread's 16-byte chunks per tile: A rows of BK/4, W rows of BK/8.
#define CP_CHUNKS (A_PER_THREAD + B_PER_THREAD)

// Two floats rounded to fp16 (nearest even) in one register, the lower-indexed in bits 0..15.
#if WARP_PTX
inline __attribute__((always_inline)) uint pack_half2(const float2 v) {
    uint r;
    __asm__("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(v.y), "f"(v.x));
    return r;
}
#else
inline __attribute__((always_inline)) uint pack_half2(const float2 v) {
    ushort h[2] __attribute__((aligned(4)));
    vstore_half2_rte(v, 0, (__private half*)h);
    return as_uint(vload2(0, h));
}
#endif
CP_ASYNC_STATE(CP_CHUNKS)

// Issues this thread's copies of the A and W tiles at k0 into one stage and closes the group.
// With K % 8 == 0 a chunk is wholly inside K or wholly past it; rows past M, columns past N and
// chunks past K are zero-filled (source size 0, read from the matrix's start, which exists).
inline __attribute__((always_inline)) void issue_tiles(CpAsync* st, const int M, const int N, const int K,
                                                       __global const float* A, const int lda,
                                                       __global const ushort* B, const int ldb,
                                                       const int m0, const int n0, const int k0,
                                                       __local uint* sa, __local uint* sb) {
    const int tid = get_local_id(0);
#pragma unroll
    for (int i = 0; i < A_PER_THREAD; i++) {
        const int c = tid + i * THREADS, row = c / (BK / 4), kc = (c % (BK / 4)) * 4;
        const int m = m0 + row, k = k0 + kc;
        const int inside = m < M && k < K;
        if (c < A_CHUNKS) CP_ASYNC_16(*st, (__local float*)sa + row * LDAF + kc, inside ? A + (size_t)m * lda + k : A, inside ? 16 : 0)
    }
#pragma unroll
    for (int i = 0; i < B_PER_THREAD; i++) {
        const int c = tid + i * THREADS, col = c / (BK / 8), kc = (c % (BK / 8)) * 8;
        const int n = n0 + col, k = k0 + kc;
        const int inside = n < N && k < K;
        if (c < B_CHUNKS) CP_ASYNC_16(*st, (__local ushort*)sb + col * LDS + kc, inside ? B + (size_t)n * ldb + k : B, inside ? 16 : 0)
    }
    CP_ASYNC_COMMIT(*st)
}

// The A fragment of the 16 x 16 block at `tile` (fp32, `ld` floats per row), rounded to fp16 as
// it is read: LOAD_A_FRAGMENT's elements, each register from one 64-bit local load.
#define LOAD_A_FRAGMENT_F32(a, tile, ld)                                                         \
    {                                                                                            \
        const int g_ = WARP_LANE() >> 2, t_ = WARP_LANE() & 3;                                   \
        (a)[0] = pack_half2(*(__local const float2*)((tile) + g_ * (ld) + 2 * t_));              \
        (a)[1] = pack_half2(*(__local const float2*)((tile) + (g_ + 8) * (ld) + 2 * t_));        \
        (a)[2] = pack_half2(*(__local const float2*)((tile) + g_ * (ld) + 8 + 2 * t_));          \
        (a)[3] = pack_half2(*(__local const float2*)((tile) + (g_ + 8) * (ld) + 8 + 2 * t_));    \
    }

// Accumulates K tiles kt0 <= kt < kt1 through the cp.async ring (CP_ASYNC_RING, common.cl).
inline __attribute__((always_inline)) void mma_tiles_async(const int M, const int N, const int K, __global const float* A,
                                                           const int lda, __global const ushort* B, const int ldb,
                                                           const int m0, const int n0, const int kt0, const int kt1,
                                                           __local uint sa[STAGES][A_STAGE_UINTS],
                                                           __local uint sb[STAGES][B_STAGE_UINTS],
                                                           __local uint* scratch, float acc[FM][FN][4]) {
    const int warp = WARP_INDEX(), wm = warp / WN, wn = warp % WN;
    CpAsync st;
    CP_ASYNC_INIT(st)
#define F16_ISSUE(stage, tile) { issue_tiles(&st, M, N, K, A, lda, B, ldb, m0, n0, (tile) * BK, sa[stage], sb[stage]); }
#define F16_COMPUTE(stage)                                                                       \
    {                                                                                            \
        __local const float* at = (__local const float*)sa[stage] + wm * FM * 16 * LDAF;        \
        _Pragma("unroll") for (int kk = 0; kk < BK; kk += 16) {                                  \
            uint a[FM][4], b[FN][2];                                                             \
            _Pragma("unroll") for (int i = 0; i < FM; i++) LOAD_A_FRAGMENT_F32(a[i], at + i * 16 * LDAF + kk, LDAF) \
            MMA_LOAD_B_FRAGMENTS(b, FN, sb[stage] + wn * FN * 8 * LDS2 + kk / 2, LDS2, scratch)  \
            _Pragma("unroll") for (int i = 0; i < FM; i++)                                       \
            _Pragma("unroll") for (int j = 0; j < FN; j++) MMA_F16_16816(acc[i][j], a[i], b[j], scratch); \
        }                                                                                        \
    }
    CP_ASYNC_RING(st, kt0, kt1, F16_ISSUE, F16_COMPUTE)
#undef F16_ISSUE
#undef F16_COMPUTE
}

#define F16_TILE_PROLOGUE                                                                        \
    MMA_TILE_LOCALS(STAGES, A_STAGE_UINTS, B_STAGE_UINTS)                                        \
    MMA_TILE_START(float)
#define F16_TILES(kt0, kt1) mma_tiles_async(M, N, K, A, lda, B, ldb, m0, n0, (kt0), (kt1), sa, sb, scratch, acc)
#else
#define F16_TILE_PROLOGUE MMA_TILE_PROLOGUE(float, LDS2)
#define F16_TILES(kt0, kt1) mma_tiles(M, N, K, A, lda, B, ldb, m0, n0, (kt0), (kt1), sa, sb, scratch, acc)
#endif

__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void gemm_f16_nt(const int M, const int N, const int K,
                 __global const float* A, const int lda,
                 __global const ushort* B, const int ldb,
                 __global const float* bias, const int hasBias,
                 __global const float* R, const int hasResidual,
                 __global float* C, const int ldc, const int act) {
    F16_TILE_PROLOGUE
    F16_TILES(0, (K + BK - 1) / BK);
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
    F16_TILE_PROLOGUE
    SPLITK_SLICE(K)
    F16_TILES(kt0, kt1);
    __global float* slice = P + (size_t)z * M * N;
    FOR_EACH_MMA_OUTPUT(float, { slice[(size_t)m * N + n] = v; })
}

// The sum of output (m, n)'s K slices in slice order, then bias, activation and residual exactly
// once, as gemm_f16_nt applies them: split-K's step 2, in the reduce kernel or in the GEMM's last
// work-group of the tile (the same arithmetic in both, so the same bits).
inline void f16_reduce_output(const int M, const int N, const int slices, __global const float* P,
                              const int m, const int n, __global const float* bias, const int hasBias,
                              __global const float* R, const int hasResidual, __global float* C, const int ldc, const int act) {
    const size_t at = (size_t)m * N + n;
    float s = P[at];
    for (int z = 1; z < slices; z++) s += P[(size_t)z * M * N + at];
    float y = s + (hasBias ? bias[n] : 0.0f);
    if (act != ACT_NONE) y = apply_activation(y, act);
    if (hasResidual) y += R[(size_t)m * ldc + n];
    C[(size_t)m * ldc + n] = y;
}

// Split-K, step 2, one work-item per output: the slices' sums added in slice order (the same
// result every run), then the epilogue.
__kernel void gemm_f16_nt_reduce(const int M, const int N, const int slices, __global const float* P,
                                 __global const float* bias, const int hasBias,
                                 __global const float* R, const int hasResidual,
                                 __global float* C, const int ldc, const int act) {
    const int i = get_global_id(0);
    if (i >= M * N) return;
    f16_reduce_output(M, N, slices, P, i / N, i % N, bias, hasBias, R, hasResidual, C, ldc, act);
}

// Split-K in one launch (SPLITK_REDUCE=1): step 1 as gemm_f16_nt_partial, then the tile's last
// work-group to finish does step 2 for the tile (common.cl, splitk_last_group). One launch per
// split GEMM instead of two: at batch 1 a bert-large fp16 pass launches 96 fewer kernels.
__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void gemm_f16_nt_splitk(const int M, const int N, const int K,
                        __global const float* A, const int lda,
                        __global const ushort* B, const int ldb,
                        __global float* P, __global int* counters,
                        __global const float* bias, const int hasBias,
                        __global const float* R, const int hasResidual,
                        __global float* C, const int ldc, const int act) {
    __local int lastFlag;
    F16_TILE_PROLOGUE
    SPLITK_SLICE(K)
    F16_TILES(kt0, kt1);
    __global float* slice = P + (size_t)z * M * N;
    FOR_EACH_MMA_OUTPUT(float, { slice[(size_t)m * N + n] = v; })
    if (!splitk_last_group(counters + SPLITK_TILE(), slices, &lastFlag)) return;
    FOR_EACH_BLOCK_OUTPUT({ f16_reduce_output(M, N, slices, P, m, n, bias, hasBias, R, hasResidual, C, ldc, act); })
}
