// Warp-level steps for the NVIDIA family, prepended to every Kernels/nvidia/ file (after
// portable/common.cl). Each step is one macro with two bodies:
//   WARP_PTX=1  inline PTX for sm_80+ (NVIDIA's OpenCL, or clang-14 -target nvptx64-nvidia-nvcl);
//   WARP_PTX=0  an emulation for every other device (PoCL in CI) with EXACTLY the same per-lane
//               fragment semantics, so a tensor-core kernel's indexing, epilogue and edge tiles
//               are tested without a GPU and only the instruction differs on the GPU.
// A "warp" is 32 consecutive work-items of a 1-D work-group whose size is a multiple of 32 (on
// NVIDIA that is the hardware warp). The emulation exchanges fragments through WARP_SCRATCH_UINTS
// uints of local memory per warp, with two work-group barriers per step: every work-item of the
// group must reach each step (the kernels here call them uniformly).
//
// Fragment layouts (PTX ISA, "Matrix Fragments for mma.m16n8k16" with .f16 operands), with
// g = lane >> 2 (groupID) and t = lane % 4 (threadID_in_group); a register holds two halves, the
// lower-indexed element in bits 0..15:
//   A (16 x 16, row-major)  a0: (g, 2t..2t+1)  a1: (g+8, 2t..2t+1)  a2: (g, 2t+8..)  a3: (g+8, 2t+8..)
//   B (16 x 8, K x N, "col") b0: (2t..2t+1, g)  b1: (2t+8..2t+9, g)
//   C, D (16 x 8, fp32)      c0, c1: (g, 2t), (g, 2t+1)   c2, c3: (g+8, 2t), (g+8, 2t+1)
// WARP_QUAD_MAX / WARP_QUAD_SUM(v, scratch) reduce v over the 4 lanes that share g (one row of a
// C fragment): shfl.sync.bfly on the GPU, the scratch elsewhere (flash attention's row statistics).
// EXP2_APPROX(x) is ex2.approx.ftz on the GPU and exp2 elsewhere (per lane, no exchange).
// Fragments come from local tiles either by plain 32-bit loads or, with LDMATRIX=1, by ldmatrix
// (MMA_LOAD_A / MMA_LOAD_B_FRAGMENTS below, emulated like mma.sync off NVIDIA), and local stages
// filled by cp.async (CP_ASYNC_*, at the end; emulated by copies landed only at their wait).

#define WARP_SIZE 32
// Uints of local memory one warp's emulated mma exchanges through: 4 A and 2 B registers per lane
// (the emulated ldmatrix needs 2 per lane, one 64-bit row address).
#define WARP_SCRATCH_UINTS (6 * WARP_SIZE)

// This work-item's lane and warp within a 1-D work-group.
#define WARP_LANE() ((int)(get_local_id(0) & (WARP_SIZE - 1)))
#define WARP_INDEX() ((int)(get_local_id(0) / WARP_SIZE))

// The mma step exists only in files built with WARP_PTX (files that use it #error without it).
#if defined(WARP_PTX) && WARP_PTX

// acc[0..3] += A(a[0..3]) x B(b[0..1]): one mma.sync on the tensor cores. clang's OpenCL mode
// takes `__asm__`, not `asm`; "+f" accumulates in place (D = C).
#define MMA_F16_16816(acc, a, b, scratch)                                                        \
    __asm__ volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "                       \
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"                  \
                     : "+f"((acc)[0]), "+f"((acc)[1]), "+f"((acc)[2]), "+f"((acc)[3])          \
                     : "r"((a)[0]), "r"((a)[1]), "r"((a)[2]), "r"((a)[3]), "r"((b)[0]), "r"((b)[1]))

// The maximum / sum of v over the 4 lanes of this lane's quad (lanes 4g..4g+3, the lanes that hold
// one row of a C fragment): two butterfly shuffles, (v0 op v1) op (v2 op v3) in every lane.
inline __attribute__((always_inline)) float warp_quad_reduce_ptx(float v, const int isMax) {
    uint o;
    __asm__ volatile("shfl.sync.bfly.b32 %0, %1, 1, 0x1f, 0xffffffff;" : "=r"(o) : "r"(as_uint(v)));
    v = isMax ? fmax(v, as_float(o)) : v + as_float(o);
    __asm__ volatile("shfl.sync.bfly.b32 %0, %1, 2, 0x1f, 0xffffffff;" : "=r"(o) : "r"(as_uint(v)));
    return isMax ? fmax(v, as_float(o)) : v + as_float(o);
}

#define WARP_QUAD_MAX(v, scratch) warp_quad_reduce_ptx((v), 1)
#define WARP_QUAD_SUM(v, scratch) warp_quad_reduce_ptx((v), 0)

// 2^x for finite or -inf x (-inf gives +0): ex2.approx, relative error about 2^-22. (clang-14 with
// libclc leaves native_exp2 an unresolved exp2f call on NVPTX; the instruction is what it means.)
inline __attribute__((always_inline)) float exp2_approx_ptx(const float x) {
    float y;
    __asm__("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

#define EXP2_APPROX(x) exp2_approx_ptx(x)

#elif defined(WARP_PTX)

// The emulated mma.sync: every lane publishes its registers, then computes its own four outputs
// from the whole warp's fragments, reading each element where the PTX layout above puts it.
inline __attribute__((always_inline)) void mma_f16_16816_emulated(float acc[4], const uint a[4], const uint b[2],
                                                                   __local uint* scratch) {
    const int lane = WARP_LANE();
    for (int i = 0; i < 4; i++) scratch[lane * 4 + i] = a[i];
    scratch[4 * WARP_SIZE + lane * 2] = b[0];
    scratch[4 * WARP_SIZE + lane * 2 + 1] = b[1];
    barrier(CLK_LOCAL_MEM_FENCE);
    __local const half* h = (__local const half*)scratch;
    const int g = lane >> 2, t = lane & 3;
    for (int i = 0; i < 4; i++) {
        const int row = g + (i >> 1) * 8, col = 2 * t + (i & 1);
        float sum = acc[i];
        for (int k = 0; k < 16; k++) {
            // A(row, k): lane (row % 8) * 4 + (k % 8) / 2, register (row / 8) + 2 * (k / 8), half k % 2.
            const int aLane = (row & 7) * 4 + ((k & 7) >> 1), aReg = (row >> 3) + 2 * (k >> 3);
            // B(k, col): lane col * 4 + (k % 8) / 2, register k / 8, half k % 2.
            const int bLane = col * 4 + ((k & 7) >> 1), bReg = k >> 3;
            const float av = vload_half((aLane * 4 + aReg) * 2 + (k & 1), h);
            const float bv = vload_half((4 * WARP_SIZE + bLane * 2 + bReg) * 2 + (k & 1), h);
            sum = fma(av, bv, sum);
        }
        acc[i] = sum;
    }
    barrier(CLK_LOCAL_MEM_FENCE);  // the scratch is reused by the next step
}

#define MMA_F16_16816(acc, a, b, scratch) mma_f16_16816_emulated((acc), (a), (b), (scratch))

// The quad reductions through the warp's scratch, in the shuffles' order: (v0 op v1) op (v2 op v3).
inline __attribute__((always_inline)) float warp_quad_reduce_emulated(const float v, const int isMax, __local uint* scratch) {
    __local float* f = (__local float*)scratch;
    const int lane = WARP_LANE(), q = lane & ~3;
    f[lane] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    const float r = isMax ? fmax(fmax(f[q], f[q + 1]), fmax(f[q + 2], f[q + 3])) : (f[q] + f[q + 1]) + (f[q + 2] + f[q + 3]);
    barrier(CLK_LOCAL_MEM_FENCE);  // the scratch is reused by the next step
    return r;
}

#define WARP_QUAD_MAX(v, scratch) warp_quad_reduce_emulated((v), 1, (scratch))
#define WARP_QUAD_SUM(v, scratch) warp_quad_reduce_emulated((v), 0, (scratch))

// Elsewhere the correctly rounded library function.
#define EXP2_APPROX(x) exp2(x)

#endif

// The int8 step, m16n8k32 with s8 operands and exact int32 sums (PTX ISA, "Matrix Fragments for
// mma.m16n8k32" with .s8): a register holds four int8, the lower-indexed element in bits 0..7,
// and the registers map exactly as in the f16 step with 4 elements per register instead of 2:
//   A (16 x 32)  a0: (g, 4t..4t+3)  a1: (g+8, 4t..)  a2: (g, 4t+16..)  a3: (g+8, 4t+16..)
//   B (32 x 8)   b0: (4t..4t+3, g)  b1: (4t+16..4t+19, g)
//   C, D (16 x 8, int32) as in the f16 step.
// So LOAD_A_FRAGMENT / LOAD_B_FRAGMENT below read int8 tiles too (a uint is four K steps).
#if defined(WARP_PTX) && WARP_PTX

#define MMA_S8_16832(acc, a, b, scratch)                                                         \
    __asm__ volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 "                         \
                     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"                  \
                     : "+r"((acc)[0]), "+r"((acc)[1]), "+r"((acc)[2]), "+r"((acc)[3])          \
                     : "r"((a)[0]), "r"((a)[1]), "r"((a)[2]), "r"((a)[3]), "r"((b)[0]), "r"((b)[1]))

#elif defined(WARP_PTX)

// The emulated int8 step, the same exchange as the f16 one with bytes for halves.
inline __attribute__((always_inline)) void mma_s8_16832_emulated(int acc[4], const uint a[4], const uint b[2],
                                                                  __local uint* scratch) {
    const int lane = WARP_LANE();
    for (int i = 0; i < 4; i++) scratch[lane * 4 + i] = a[i];
    scratch[4 * WARP_SIZE + lane * 2] = b[0];
    scratch[4 * WARP_SIZE + lane * 2 + 1] = b[1];
    barrier(CLK_LOCAL_MEM_FENCE);
    __local const char* bytes = (__local const char*)scratch;
    const int g = lane >> 2, t = lane & 3;
    for (int i = 0; i < 4; i++) {
        const int row = g + (i >> 1) * 8, col = 2 * t + (i & 1);
        int sum = acc[i];
        for (int k = 0; k < 32; k++) {
            // A(row, k): lane (row % 8) * 4 + (k % 16) / 4, register (row / 8) + 2 * (k / 16), byte k % 4.
            const int aLane = (row & 7) * 4 + ((k & 15) >> 2), aReg = (row >> 3) + 2 * (k >> 4);
            // B(k, col): lane col * 4 + (k % 16) / 4, register k / 16, byte k % 4.
            const int bLane = col * 4 + ((k & 15) >> 2), bReg = k >> 4;
            sum += (int)bytes[(aLane * 4 + aReg) * 4 + (k & 3)] * (int)bytes[(4 * WARP_SIZE + bLane * 2 + bReg) * 4 + (k & 3)];
        }
        acc[i] = sum;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
}

#define MMA_S8_16832(acc, a, b, scratch) mma_s8_16832_emulated((acc), (a), (b), (scratch))

#endif

// The A fragment of the 16 x 16 block at `tile` (halves, row-major, `ld2` uints = 2 halves per row
// step): the same plain loads on every device.
#define LOAD_A_FRAGMENT(a, tile, ld2)                                                            \
    {                                                                                            \
        const int g_ = WARP_LANE() >> 2, t_ = WARP_LANE() & 3;                                   \
        (a)[0] = (tile)[g_ * (ld2) + t_];                                                        \
        (a)[1] = (tile)[(g_ + 8) * (ld2) + t_];                                                  \
        (a)[2] = (tile)[g_ * (ld2) + 4 + t_];                                                    \
        (a)[3] = (tile)[(g_ + 8) * (ld2) + 4 + t_];                                              \
    }

// The B fragment of the 16 x 8 (K x N) block at `tile`, stored N-major (each of the 8 columns is
// 16 K-contiguous halves, `ld2` uints apart): two loads per lane.
#define LOAD_B_FRAGMENT(b, tile, ld2)                                                            \
    {                                                                                            \
        const int g_ = WARP_LANE() >> 2, t_ = WARP_LANE() & 3;                                   \
        (b)[0] = (tile)[g_ * (ld2) + t_];                                                        \
        (b)[1] = (tile)[g_ * (ld2) + 4 + t_];                                                    \
    }

// ldmatrix (LDMATRIX=1; PTX ISA, "Warp-level matrix load instruction: ldmatrix"): one warp-wide
// load of 8 x 8 matrices of 16-bit elements from local memory. Lane 8i + r supplies the address of
// row r of matrix i (16 bytes, 16-byte aligned), and lane 4r + c receives word c of that row
// (elements 2c, 2c+1) in its register i. So with the four matrices of a 16 x 16 A block taken as
// (rows 0-7, k 0-7), (rows 8-15, k 0-7), (rows 0-7, k 8-15), (rows 8-15, k 8-15), register i is
// exactly a_i of the layout above, and for B stored N-major (a column is a row of the tile) the
// matrices (n 0-7, k 0-7), (n 0-7, k 8-15) are b0, b1 without .trans. For int8 a 16-byte row is 16
// K steps and a word holds four: the m16n8k32 layout above maps the same way. The result equals
// LOAD_A_FRAGMENT / LOAD_B_FRAGMENT's, with one instruction per 16 x 16 block instead of four
// loads, and rows read whole (the 80- and 144-byte row pitches keep each 8-row phase on 8
// different 16-byte bank groups).
#if defined(LDMATRIX) && LDMATRIX
#if defined(WARP_PTX) && WARP_PTX

// The address operand is a .shared window address: a __local pointer is one (address space 3) in
// clang's and NVIDIA's OpenCL, so converting it to an integer gives the offset ldmatrix wants.
#define LDMATRIX_X4(r, row, scratch)                                                             \
    __asm__ volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"            \
                     : "=r"((r)[0]), "=r"((r)[1]), "=r"((r)[2]), "=r"((r)[3])                   \
                     : "r"((uint)(size_t)(row)))
#define LDMATRIX_X2(r, row, scratch)                                                             \
    __asm__ volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];"                  \
                     : "=r"((r)[0]), "=r"((r)[1]) : "r"((uint)(size_t)(row)))

#elif defined(WARP_PTX)

// The emulated ldmatrix: every lane publishes its row address, then reads its words from the rows
// the lanes 8i + lane / 4 named, as the instruction distributes them, so a wrong address map
// fails on PoCL as it would on the GPU.
inline __attribute__((always_inline)) void ldmatrix_emulated(uint* r, const int count, __local const uint* row,
                                                              __local uint* scratch) {
    __local ulong* rows = (__local ulong*)scratch;
    const int lane = WARP_LANE();
    rows[lane] = (ulong)(size_t)row;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = 0; i < count; i++) r[i] = ((__local const uint*)(size_t)rows[8 * i + (lane >> 2)])[lane & 3];
    barrier(CLK_LOCAL_MEM_FENCE);  // the scratch is reused by the next step
}

#define LDMATRIX_X4(r, row, scratch) ldmatrix_emulated((r), 4, (row), (scratch))
#define LDMATRIX_X2(r, row, scratch) ldmatrix_emulated((r), 2, (row), (scratch))

#endif

// The A fragment of the 16 x 16 block at `tile` (as LOAD_A_FRAGMENT): lanes 0-7 address rows 0-7
// at k 0, 8-15 rows 8-15 at k 0, 16-23 rows 0-7 at k 8, 24-31 rows 8-15 at k 8.
#define MMA_LOAD_A(a, tile, ld2, scratch)                                                        \
    {                                                                                            \
        const int l_ = WARP_LANE();                                                              \
        LDMATRIX_X4(a, (tile) + ((l_ & 7) + (l_ & 8)) * (ld2) + (l_ >> 4) * 4, scratch);         \
    }

// The B fragments of two adjacent 16 x 8 blocks, columns 0-7 (b0) and 8-15 (b1) of `tile`: lanes
// 0-7 address columns 0-7 at k 0, 8-15 the same columns at k 8, 16-31 likewise columns 8-15.
#define MMA_LOAD_B_PAIR(b0, b1, tile, ld2, scratch)                                              \
    {                                                                                            \
        const int l_ = WARP_LANE();                                                              \
        uint r_[4];                                                                              \
        LDMATRIX_X4(r_, (tile) + ((l_ & 7) + (l_ >> 4) * 8) * (ld2) + ((l_ >> 3) & 1) * 4, scratch); \
        (b0)[0] = r_[0];                                                                         \
        (b0)[1] = r_[1];                                                                         \
        (b1)[0] = r_[2];                                                                         \
        (b1)[1] = r_[3];                                                                         \
    }

// One B fragment (.x2: lanes 16-31 repeat 0-15's addresses, which the instruction ignores).
#define MMA_LOAD_B(b, tile, ld2, scratch)                                                        \
    {                                                                                            \
        const int l_ = WARP_LANE();                                                              \
        LDMATRIX_X2(b, (tile) + (l_ & 7) * (ld2) + ((l_ >> 3) & 1) * 4, scratch);               \
    }

#else

#define MMA_LOAD_A(a, tile, ld2, scratch) LOAD_A_FRAGMENT(a, tile, ld2)
#define MMA_LOAD_B_PAIR(b0, b1, tile, ld2, scratch)                                              \
    {                                                                                            \
        LOAD_B_FRAGMENT(b0, tile, ld2)                                                           \
        LOAD_B_FRAGMENT(b1, (tile) + 8 * (ld2), ld2)                                             \
    }
#define MMA_LOAD_B(b, tile, ld2, scratch) LOAD_B_FRAGMENT(b, tile, ld2)

#endif

// The B fragments b[0..count) of `count` adjacent 16 x 8 blocks at `tile` (8 columns apart):
// pairs by one x4 load, an odd last one by x2 (count is a constant, so the test folds).
#define MMA_LOAD_B_FRAGMENTS(b, count, tile, ld2, scratch)                                       \
    {                                                                                            \
        _Pragma("unroll") for (int j_ = 0; j_ + 1 < (count); j_ += 2)                            \
            MMA_LOAD_B_PAIR((b)[j_], (b)[j_ + 1], (tile) + j_ * 8 * (ld2), ld2, scratch)         \
        if ((count) & 1) MMA_LOAD_B((b)[(count) - 1], (tile) + ((count) - 1) * 8 * (ld2), ld2, scratch) \
    }

// The tiled mma GEMMs' block shape (gemm_mma.cl, gemm_mma_s8.cl, built with WM, WN, MI, NI and
// SMALL_BLOCK): the fragments per warp this build uses, MI x NI or half of each for small M.
#if defined(WM) && defined(WN) && defined(MI) && defined(NI) && defined(SMALL_BLOCK)
#if SMALL_BLOCK
#define FM (MI > 1 ? MI / 2 : 1)
#define FN (NI > 1 ? NI / 2 : 1)
#else
#define FM MI
#define FN NI
#endif
#define THREADS (WM * WN * WARP_SIZE)
#define BM (WM * FM * 16)
#define BN (WN * FN * 8)
#endif

// The tiled mma GEMMs' shared start and end (gemm_mma.cl, gemm_mma_s8.cl), for a kernel that
// defines BM, BN, FM, FN, WM, WN: STAGE_COUNT stages of local tiles of A_UINTS and B_UINTS uints
// (MMA_TILE_PROLOGUE: two stages of BM and BN rows of ROW uints, LDS2 for fp16, LDS4 for int8), the
// emulation's warp scratch, and FM x FN zeroed m16n8 accumulators of type ACC. The tiles take 64- and 128-bit stores: NVIDIA's OpenCL compiler gives a uint array
// only 4-byte alignment, and without the attributes every launch faulted on the H200.
#if WARP_PTX
#define MMA_SCRATCH __local uint* scratch = 0;
#else
#define MMA_SCRATCH                                                                              \
    __local uint warpScratch[WM * WN * WARP_SCRATCH_UINTS] __attribute__((aligned(16)));         \
    __local uint* scratch = warpScratch + WARP_INDEX() * WARP_SCRATCH_UINTS;
#endif
#define MMA_TILE_LOCALS(STAGE_COUNT, A_UINTS, B_UINTS)                                          \
    __local uint sa[STAGE_COUNT][A_UINTS] __attribute__((aligned(16)));                          \
    __local uint sb[STAGE_COUNT][B_UINTS] __attribute__((aligned(16)));                          \
    MMA_SCRATCH
#define MMA_TILE_START(ACC)                                                                      \
    const int m0 = get_group_id(1) * BM, n0 = get_group_id(0) * BN;                              \
    const int wm = WARP_INDEX() / WN, wn = WARP_INDEX() % WN;                                     \
    const int g = WARP_LANE() >> 2, t = WARP_LANE() & 3;                                         \
    ACC acc[FM][FN][4];                                                                          \
    _Pragma("unroll") for (int i = 0; i < FM; i++)                                               \
    _Pragma("unroll") for (int j = 0; j < FN; j++)                                               \
    _Pragma("unroll") for (int r = 0; r < 4; r++) acc[i][j][r] = (ACC)0;
#define MMA_TILE_PROLOGUE(ACC, ROW) MMA_TILE_LOCALS(2, BM * (ROW), BN * (ROW)) MMA_TILE_START(ACC)

// Visits this lane's outputs of a tiled mma GEMM: rows g and g+8 and columns 2t, 2t+1 of every
// fragment, as (m, n, v) with v of type ACC, inside M x N.
#define FOR_EACH_MMA_OUTPUT(ACC, body)                                                           \
    _Pragma("unroll") for (int i = 0; i < FM; i++)                                               \
    _Pragma("unroll") for (int j = 0; j < FN; j++)                                               \
    _Pragma("unroll") for (int r = 0; r < 4; r++) {                                              \
        const int m = m0 + wm * FM * 16 + i * 16 + g + (r >> 1) * 8;                             \
        const int n = n0 + wn * FN * 8 + j * 8 + 2 * t + (r & 1);                                \
        const ACC v = acc[i][j][r];                                                              \
        if (m < M && n < N) { body }                                                             \
    }

// Split-K summed inside the GEMM's own launch (the mma GEMMs' `_splitk` entries, SPLITK_REDUCE=1):
// every work-group writes its K slice's raw sums, then counts itself done on its tile's counter;
// the one that finds every other slice done sums the slices, in slice order (the result of the
// separate reduce kernel, bit for bit), and applies the epilogue. No second launch, no atomics on
// the outputs. `counter` is this tile's int in a buffer that starts at zero; the last group sets
// it back to zero for the next launch. `flag` is one __local int of the kernel's.
// The release fence puts this thread's slice writes before the count, for every SM; the acquire
// fence puts the other groups' writes before the last group's reads (the PTX memory model's
// fence-fence synchronisation through the atomic: fence.acq_rel.gpu on the GPU, mem_fence elsewhere).
// So the last group reads the slices with plain loads, through the same function the separate
// reduce kernel uses, which then pays nothing for this path.
#if defined(WARP_PTX) && WARP_PTX
#define SPLITK_FENCE() __asm__ volatile("fence.acq_rel.gpu;" ::: "memory")
#else
#define SPLITK_FENCE() mem_fence(CLK_GLOBAL_MEM_FENCE)
#endif
inline int splitk_last_group(volatile __global int* counter, const int slices, volatile __local int* flag) {
    SPLITK_FENCE();
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    if (get_local_id(0) == 0) {
        const int last = atomic_inc(counter) == slices - 1;
        if (last) atomic_xchg(counter, 0);
        *flag = last;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const int last = *flag;
    if (last) SPLITK_FENCE();
    return last;
}

// This work-group's tile index among the (x, y) groups of a split launch: its counter.
#define SPLITK_TILE() (get_group_id(1) * get_num_groups(0) + get_group_id(0))

// This work-group's K slice in a split launch: layer z = get_group_id(2) of S = get_num_groups(2)
// takes the K tiles kt0 <= kt < kt1 of T = ceil(K / BK), ceil(T / S) each (the variant picks S so
// that no slice is empty); declares slices, z, kt0 and kt1.
#define SPLITK_SLICE(K)                                                                          \
    const int slices = get_num_groups(2), z = get_group_id(2), tileCount_ = ((K) + BK - 1) / BK; \
    const int perSlice_ = (tileCount_ + slices - 1) / slices, kt0 = z * perSlice_;               \
    const int kt1 = min(tileCount_, kt0 + perSlice_);

// Visits every (m, n) of this work-group's block inside M x N with all its threads, consecutive
// threads on consecutive columns: how a split launch's last group writes the tile's outputs.
#define FOR_EACH_BLOCK_OUTPUT(body)                                                              \
    for (int i_ = get_local_id(0); i_ < BM * BN; i_ += THREADS) {                                \
        const int m = m0 + i_ / BN, n = n0 + i_ % BN;                                            \
        if (m < M && n < N) { body }                                                             \
    }

// cp.async (sm_80+; the mma GEMMs with ASYNC=1): 16-byte copies from global to local memory that
// run while the tensor cores work, in commit groups. A kernel using them defines STAGES (the ring
// of local stages) and invokes CP_ASYNC_STATE(chunks per thread per group) once, after which a
// function keeps a `CpAsync st` and calls CP_ASYNC_INIT(st), CP_ASYNC_16(st, dst, src, bytes),
// CP_ASYNC_COMMIT(st) and CP_ASYNC_WAIT(st, n) (n a literal: at most n of this thread's groups
// still in flight afterwards). CP_PENDING is the n that makes a STAGES-deep ring's oldest tile land.
#if defined(STAGES)
#if STAGES == 2
#define CP_PENDING 0
#elif STAGES == 3
#define CP_PENDING 1
#else
#define CP_PENDING 2
#endif
#endif
#if defined(WARP_PTX) && WARP_PTX
// The copy (PTX ISA "cp.async"): 16 bytes from global to local memory, bypassing L1 (.cg), or 16
// zero bytes when `bytes` is 0 (the source-size operand): rows past M and columns past N cost no
// load. Groups: commit_group closes the copies issued since the last one; wait_group N returns
// once at most N of this thread's groups are still in flight.
#define CP_ASYNC_STATE(chunks) typedef int CpAsync;  // the hardware keeps the groups
#define CP_ASYNC_INIT(st)
#define CP_ASYNC_16(st, dst, src, bytes)                                                         \
    {                                                                                            \
        __asm__ volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;"                         \
                         :: "r"((uint)(size_t)(dst)), "l"((ulong)(size_t)(src)), "r"(bytes) : "memory"); \
    }
#define CP_ASYNC_COMMIT(st) { __asm__ volatile("cp.async.commit_group;" ::: "memory"); }
#define CP_ASYNC_WAIT_(n) { __asm__ volatile("cp.async.wait_group " #n ";" ::: "memory"); }
#define CP_ASYNC_WAIT(st, n) CP_ASYNC_WAIT_(n)
#else
// The emulated cp.async keeps each thread's copies and performs them only when a wait says they
// must have landed, the latest moment the hardware may land them: a tile read before its wait
// reads the stage's old contents on PoCL, as it could on the GPU.
#define CP_ASYNC_STATE(chunks)                                                                   \
    typedef struct {                                                                             \
        __local uint4* dst[STAGES][chunks];                                                      \
        __global const uint4* src[STAGES][chunks];                                               \
        int count[STAGES];                                                                       \
        int issued, landed, open; /* groups committed, groups performed, copies in the open group */ \
    } CpAsync;                                                                                   \
    inline __attribute__((always_inline)) void cp_async_wait_emulated(CpAsync* st, const int pending) { \
        for (; st->issued - st->landed > pending; st->landed++) {                                \
            const int slot = st->landed % STAGES;                                                \
            for (int j = 0; j < st->count[slot]; j++) *st->dst[slot][j] = st->src[slot][j] ? *st->src[slot][j] : (uint4)(0); \
        }                                                                                        \
    }
#define CP_ASYNC_INIT(st) (st).issued = (st).landed = (st).open = 0;
#define CP_ASYNC_16(st, dst_, src_, bytes)                                                        \
    {                                                                                            \
        const int slot_ = (st).issued % STAGES;                                                  \
        (st).dst[slot_][(st).open] = (__local uint4*)(dst_);                                     \
        (st).src[slot_][(st).open] = (bytes) ? (__global const uint4*)(src_) : 0;                \
        (st).open++;                                                                             \
    }
#define CP_ASYNC_COMMIT(st)                                                                      \
    {                                                                                            \
        (st).count[(st).issued % STAGES] = (st).open;                                            \
        (st).issued++;                                                                           \
        (st).open = 0;                                                                           \
    }
#define CP_ASYNC_WAIT(st, n) cp_async_wait_emulated(&(st), (n));
#endif

// The ring over K tiles kt0 <= kt < kt1: tiles kt+1 .. kt+STAGES-1 are in flight while COMPUTE
// works on tile kt. One barrier per tile: after it, tile kt has landed for every thread and every
// warp has finished reading the stage that tile kt+STAGES-1 then reuses. Every thread commits one
// group per tile (empty past kt1), so the wait counts stay uniform. ISSUE(stage, tile) is a braced
// statement that issues one tile's copies into a stage and commits them; COMPUTE(stage) consumes one.
#define CP_ASYNC_RING(st, kt0, kt1, ISSUE, COMPUTE)                                              \
    {                                                                                            \
        _Pragma("unroll") for (int s_ = 0; s_ < STAGES - 1; s_++) {                              \
            if ((kt0) + s_ < (kt1)) ISSUE(s_, (kt0) + s_) else CP_ASYNC_COMMIT(st)               \
        }                                                                                        \
        for (int kt_ = (kt0); kt_ < (kt1); kt_++) {                                              \
            CP_ASYNC_WAIT(st, CP_PENDING)                                                        \
            barrier(CLK_LOCAL_MEM_FENCE);                                                        \
            const int next_ = kt_ + STAGES - 1;                                                  \
            if (next_ < (kt1)) ISSUE((next_ - (kt0)) % STAGES, next_) else CP_ASYNC_COMMIT(st)   \
            COMPUTE((kt_ - (kt0)) % STAGES)                                                      \
        }                                                                                        \
        CP_ASYNC_WAIT(st, 0) /* only empty groups are left; no copy outlives the kernel */       \
    }
