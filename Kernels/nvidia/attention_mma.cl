// Flash attention on the tensor cores (FlashAttention-2 structure, mma.sync m16n8k16, fp16
// operands, fp32 accumulation): the same `attention` entry point, arguments and results as
// Kernels/portable/attention.cl.
//
// qkv is [B*S, 3*HIDDEN] (per token the query, key and value of every head side by side, head h
// at columns h*HEAD_DIM of each third); mask is [B, S], 1 for real tokens; out is [B*S, HIDDEN].
// Masked keys and keys past S get no weight at all (score -inf); a row whose keys are all masked
// yields zeros. With -DREL_BIAS (MPNet) each score gets rel_bias[head, j - i + S - 1] added.
//
// One work-group of WARPS warps per (query block of BQ = 16*WARPS rows, head, sequence); warp w
// owns query rows 16w..16w+15 of the block. The Q block is rounded to fp16 into local memory once
// and each warp keeps its A fragments in registers. Then per block of KB keys: K (key-major, the
// "col" operand of S = Q K^T) and V (stored transposed, dimension-major, the "col" operand of
// O = P V) are rounded to fp16 into local memory; S = Q K^T by mma (fp32), scaled, biased and
// masked; the online softmax keeps each row's running maximum and (per-lane partial) sum in
// registers; P = exp(S - max) is rounded to fp16 straight from the S accumulators into the A
// fragments of the next mma (the C fragment of two adjacent m16n8 tiles is exactly the A fragment
// of one m16k16 tile: c0,c1 / c2,c3 of n-tile 2k are a0 / a1 and those of n-tile 2k+1 are a2 / a3,
// see the layouts in common.cl), and O += P V by mma. At the end O / rowsum is written as fp32.
// HEAD_DIM may be any width up to 128: it is padded with zeros to DP, a multiple of 16 (the mma's
// K for S, and a whole number of 8-wide n-tiles for O); padded columns are never stored.
// Build options (variant "nvidia-attention-mma"): WARPS, KB, WARP_PTX (common.cl), HEAD_DIM and
// REL_BIAS (from the problem).

#ifndef HEAD_DIM
#error "build with -DHEAD_DIM=<hidden / heads>"
#endif
#if HEAD_DIM < 1 || HEAD_DIM > 128
#error "nvidia-attention-mma supports head widths 1..128 (DP = HEAD_DIM rounded up to 16 sizes its register tiles)"
#endif
#if !defined(WARPS) || !defined(KB)
#error "build with -DWARPS (warps per work-group, 16 query rows each) -DKB (keys per block)"
#endif
#if KB != 16 && KB != 32 && KB != 64
#error "KB must be 16, 32 or 64 (whole 16-key mma steps)"
#endif
#ifndef WARP_PTX
#error "build with -DWARP_PTX=1 (inline PTX, NVIDIA sm_80+) or -DWARP_PTX=0 (emulation through local memory)"
#endif

#define THREADS (WARPS * WARP_SIZE)
#define BQ (WARPS * 16)
// The head width padded to whole 16-wide mma steps.
#define DP ((HEAD_DIM + 15) / 16 * 16)
// Row strides of the local tiles in halves: 8 halves of padding against bank conflicts, which
// keeps every row 16-byte aligned (DP and KB are multiples of 16).
#define LDK (DP + 8)
#define LDK2 (LDK / 2)
#define LDV (KB + 8)
#define LDV2 (LDV / 2)
// Rows of the tile Q is staged in, shared with K: the larger of the two blocks.
#define QK_ROWS (BQ > KB ? BQ : KB)
// Floats moved per global load: 4 when every head's slice is 16-byte aligned.
#if HEAD_DIM % 4 == 0
#define CH 4
#else
#define CH 1
#endif
#define LOG2E 1.4426950408889634f

// Two floats rounded to fp16 (round to nearest even) in one register, `lo` in bits 0..15.
inline __attribute__((always_inline)) uint pack_half2(const float lo, const float hi) {
    ushort h[2] __attribute__((aligned(4)));
    vstore_half2_rte((float2)(lo, hi), 0, (__private half*)h);
    return (uint)h[0] | ((uint)h[1] << 16);
}

// CH consecutive floats of one row of `src` at column d, zero past HEAD_DIM or when `valid` is false.
inline __attribute__((always_inline)) float4 load_chunk(__global const float* src, const int d, const int valid) {
#if CH == 4
    return valid && d < HEAD_DIM ? *(__global const float4*)(src + d) : (float4)(0.0f);
#else
    return (float4)(valid && d < HEAD_DIM ? src[d] : 0.0f, 0.0f, 0.0f, 0.0f);
#endif
}

// Stages `rows` rows (from token row0 of sequence base, column offset col) of qkv into `tile`
// ([rows][LDK] halves, row-major), rounded to fp16; rows at or past S are zero.
inline __attribute__((always_inline)) void stage_rows(__local uint* tile, __global const float* base, const int stride,
                                                      const int row0, const int rows, const int S) {
    const int tid = get_local_id(0);
    for (int c = tid; c < rows * (DP / CH); c += THREADS) {
        const int r = c / (DP / CH), d = (c % (DP / CH)) * CH;
        const float4 v = load_chunk(base + (size_t)(row0 + r) * stride, d, row0 + r < S);
        __local ushort* dst = (__local ushort*)tile + r * LDK + d;
#if CH == 4
        *(__local uint2*)dst = (uint2)(pack_half2(v.x, v.y), pack_half2(v.z, v.w));
#else
        vstore_half_rte(v.x, 0, (__local half*)dst);
#endif
    }
}

// Stages KB rows of V transposed into `vt` ([DP][LDV] halves: row d holds dimension d of every
// key), so that the B fragments of O += P V load with LOAD_B_FRAGMENT like K's.
inline __attribute__((always_inline)) void stage_v_transposed(__local uint* vt, __global const float* base, const int stride,
                                                              const int key0, const int S) {
    const int tid = get_local_id(0);
    __local ushort* h = (__local ushort*)vt;
    for (int c = tid; c < KB * (DP / CH); c += THREADS) {
        // Consecutive work-items take consecutive keys of one chunk column: their 16-bit stores
        // fall in one row of the transposed tile.
        const int key = c % KB, d = (c / KB) * CH;
        const float4 v = load_chunk(base + (size_t)(key0 + key) * stride, d, key0 + key < S);
        ushort t[4] __attribute__((aligned(8)));
        vstore_half4_rte(v, 0, (__private half*)t);
#pragma unroll
        for (int i = 0; i < CH; i++) h[(d + i) * LDV + key] = t[i];
    }
}

__kernel __attribute__((reqd_work_group_size(THREADS, 1, 1)))
void attention(__global const float* qkv, __global const int* mask, __global float* out, const int S, const int heads,
               const float scale, __global const float* rel_bias) {
    // 16-byte aligned: the stagers store 64-bit vectors (NVIDIA's compiler aligns a uint array
    // to 4 bytes only, and misaligned vector stores fault).
    __local uint qk[QK_ROWS * LDK2] __attribute__((aligned(16)));
    __local uint vt[DP * LDV2] __attribute__((aligned(16)));
    __local int keyValid[KB] __attribute__((aligned(16)));
#if WARP_PTX
    __local uint* scratch = 0;
#else
    __local uint warpScratch[WARPS * WARP_SCRATCH_UINTS] __attribute__((aligned(16)));
    __local uint* scratch = warpScratch + WARP_INDEX() * WARP_SCRATCH_UINTS;
#endif
    const int q0 = get_group_id(0) * BQ, head = get_group_id(1), b = get_group_id(2);
    const int hidden = heads * HEAD_DIM, stride = 3 * hidden;
    const int warp = WARP_INDEX(), lane = WARP_LANE(), g = lane >> 2, t = lane & 3;
    __global const float* seq = qkv + (size_t)b * S * stride + head * HEAD_DIM;

    // Q: staged once, then each warp's 16 rows kept as DP/16 A fragments.
    uint qf[DP / 16][4];
    stage_rows(qk, seq, stride, q0, BQ, S);
    barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
    for (int kd = 0; kd < DP / 16; kd++) LOAD_A_FRAGMENT(qf[kd], qk + warp * 16 * LDK2 + kd * 8, LDK2)

    // This lane's rows of the block: g and g + 8 of the warp's 16 (index 0 and 1 below).
    const int row[2] = {q0 + warp * 16 + g, q0 + warp * 16 + g + 8};
    float o[DP / 8][4];
#pragma unroll
    for (int n = 0; n < DP / 8; n++)
#pragma unroll
        for (int r = 0; r < 4; r++) o[n][r] = 0.0f;
    // Running maximum (log2 units, shared by the row's 4 lanes) and this lane's part of the sum.
    float runMax[2] = {-INFINITY, -INFINITY}, runSum[2] = {0.0f, 0.0f};
    const float scale2 = scale * LOG2E;
    __global const int* m = mask + (size_t)b * S;
#ifdef REL_BIAS
    __global const float* rb = rel_bias + (size_t)head * (2 * S - 1) + (S - 1);
#endif

    for (int key0 = 0; key0 < S; key0 += KB) {
        barrier(CLK_LOCAL_MEM_FENCE);  // every warp is done with the previous K, V (and Q) tiles
        stage_rows(qk, seq + hidden, stride, key0, KB, S);
        stage_v_transposed(vt, seq + 2 * hidden, stride, key0, S);
        for (int j = get_local_id(0); j < KB; j += THREADS) keyValid[j] = key0 + j < S && m[key0 + j] != 0;
        barrier(CLK_LOCAL_MEM_FENCE);

        // S = Q K^T: KB/8 m16n8 tiles per warp.
        float s[KB / 8][4];
#pragma unroll
        for (int j = 0; j < KB / 8; j++) {
#pragma unroll
            for (int r = 0; r < 4; r++) s[j][r] = 0.0f;
#pragma unroll
            for (int kd = 0; kd < DP / 16; kd++) {
                uint kf[2];
                LOAD_B_FRAGMENT(kf, qk + j * 8 * LDK2 + kd * 8, LDK2)
                MMA_F16_16816(s[j], qf[kd], kf, scratch);
            }
        }

        // Scale (into log2 units), bias, mask; the block's maximum of each row.
        float blockMax[2] = {-INFINITY, -INFINITY};
#pragma unroll
        for (int j = 0; j < KB / 8; j++)
#pragma unroll
            for (int r = 0; r < 4; r++) {
                const int key = j * 8 + 2 * t + (r & 1);
                float v = -INFINITY;
                if (keyValid[key]) {
                    v = s[j][r] * scale2;
#ifdef REL_BIAS
                    // Rows past S (never stored) would index outside the bias: no bias there.
                    if (row[r >> 1] < S) v += rb[key0 + key - row[r >> 1]] * LOG2E;
#endif
                }
                s[j][r] = v;
                blockMax[r >> 1] = fmax(blockMax[r >> 1], v);
            }
        float correction[2], useMax[2];
#pragma unroll
        for (int i = 0; i < 2; i++) {
            const float newMax = fmax(runMax[i], WARP_QUAD_MAX(blockMax[i], scratch));
            // While every key so far is masked the maximum is -inf: subtract 0 instead, so that
            // exp2(-inf - 0) = 0 (not NaN) for the masked scores.
            useMax[i] = newMax == -INFINITY ? 0.0f : newMax;
            correction[i] = EXP2_APPROX(runMax[i] - useMax[i]);
            runMax[i] = newMax;
            runSum[i] *= correction[i];
        }
#pragma unroll
        for (int n = 0; n < DP / 8; n++)
#pragma unroll
            for (int r = 0; r < 4; r++) o[n][r] *= correction[r >> 1];

        // P = exp2(S - max), summed in fp32 and rounded to fp16 A fragments; O += P V.
#pragma unroll
        for (int kk = 0; kk < KB / 16; kk++) {
            uint pf[4];
#pragma unroll
            for (int hk = 0; hk < 2; hk++) {
                float p[4];
#pragma unroll
                for (int r = 0; r < 4; r++) {
                    p[r] = EXP2_APPROX(s[2 * kk + hk][r] - useMax[r >> 1]);
                    runSum[r >> 1] += p[r];
                }
                pf[2 * hk] = pack_half2(p[0], p[1]);      // a0 / a2: row g, keys 2t, 2t+1 (+8)
                pf[2 * hk + 1] = pack_half2(p[2], p[3]);  // a1 / a3: row g+8
            }
#pragma unroll
            for (int n = 0; n < DP / 8; n++) {
                uint vf[2];
                LOAD_B_FRAGMENT(vf, vt + n * 8 * LDV2 + kk * 8, LDV2)
                MMA_F16_16816(o[n], pf, vf, scratch);
            }
        }
    }

    // O / rowsum: each lane owns rows g, g+8 and columns 2t, 2t+1 of every n-tile.
    float inv[2];
#pragma unroll
    for (int i = 0; i < 2; i++) {
        const float total = WARP_QUAD_SUM(runSum[i], scratch);
        inv[i] = total > 0.0f ? 1.0f / total : 0.0f;
    }
#pragma unroll
    for (int n = 0; n < DP / 8; n++)
#pragma unroll
        for (int r = 0; r < 4; r++) {
            const int i = row[r >> 1], d = n * 8 + 2 * t + (r & 1);
            if (i < S && d < HEAD_DIM) out[((size_t)b * S + i) * hidden + head * HEAD_DIM + d] = o[n][r] * inv[r >> 1];
        }
}
