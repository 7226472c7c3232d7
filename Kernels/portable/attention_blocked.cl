// Scaled dot-product attention as blocked products with the online softmax, for CPUs.
//
// Same arguments and result as attention.cl (qkv [B*S, 3*HIDDEN], mask [B, S], out [B*S, HIDDEN]),
// but one work-item owns QB queries of one (batch, head) and walks the keys KB at a time:
//   1. the key block is transposed into registers (kt[d] = KB keys' component d), so each
//      query's KB scores are HEAD_DIM vector FMAs instead of KB horizontal dot products;
//   2. the online softmax runs once per block (one max, one rescale, exp on a whole vector);
//   3. the output accumulates P * V as broadcast-FMAs over float8 rows of V.
// Masked keys and keys past S get -inf scores, so no weight, as in attention.cl; a query whose
// keys are all masked yields zeros. Queries past S in the last block compute but are not stored.
// With -DREL_BIAS (MPNet), each score also gets a per-head relative-position bias read from
// rel_bias [heads, 2S-1] at (head, j - i + S - 1), as in attention.cl; without it rel_bias is never read.
// Build options (the variant "portable-attention-blocked" passes them):
//   QB  queries per work-item (tunable); KB  keys per block, 8 or 16 (tunable);
//   KT_CAP  the longest sequence whose keys are staged in local memory;
//   HEAD_DIM  floats per head (from the problem).

#if !defined(QB) || !defined(KB) || !defined(HEAD_DIM)
#error "build with -DQB -DKB -DHEAD_DIM (queries per item, keys per block, head width)"
#endif
#if KB != 8 && KB != 16
#error "KB must be 8 or 16: a key block is one float8 or float16 vector of scores"
#endif

// Keys of one (sequence, head) are transposed into local memory once per work-group when the
// sequence fits (KT_CAP keys, a multiple of KB: 128 KiB at 512 keys and HEAD_DIM 64, and PoCL's
// local memory is ordinary memory): gathering them per work-item from the strided qkv rows
// repeated the same loads S / QB times. Longer sequences gather per work-item.
#ifndef KT_CAP
#error "build with -DKT_CAP (keys staged in local memory)"
#endif
#if KT_CAP % KB != 0
#error "KT_CAP must be a multiple of KB"
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define floatK CAT(float, KB)
#define vloadK CAT(vload, KB)
#define vstoreK CAT(vstore, KB)
#define DV ((HEAD_DIM + 7) / 8)

// Row `p` of a head's slice as DV float8 vectors; the tail past HEAD_DIM reads as zero.
inline float8 load_part(__global const float* p, int v) {
#if HEAD_DIM % 8 == 0
    return vload8(v, p);
#else
    float t[8];
    for (int j = 0; j < 8; j++) t[j] = (v * 8 + j < HEAD_DIM) ? p[v * 8 + j] : 0.0f;
    return vload8(0, t);
#endif
}

__kernel void attention(__global const float* qkv, __global const int* mask,
                        __global float* out, const int S, const int heads, const float scale,
                        __global const float* rel_bias) {
    const int blocks = (S + QB - 1) / QB;
    const int q0 = (get_global_id(0) % blocks) * QB;
    const int b = get_global_id(0) / blocks;
    const int head = get_global_id(1);
    if (head >= heads) return;
    const int hidden = heads * HEAD_DIM;
    const int stride = 3 * hidden;
    __global const float* base = qkv + (size_t)b * S * stride + head * HEAD_DIM;
    __global const int* m = mask + (size_t)b * S;

    __local float ktl[HEAD_DIM * KT_CAP];
    const int staged = S <= KT_CAP;
    if (staged) {
        const int padded = (S + KB - 1) / KB * KB;
        for (int j = get_local_id(0); j < padded; j += get_local_size(0)) {
            __global const float* krow = base + (size_t)min(j, S - 1) * stride + hidden;
            for (int d = 0; d < HEAD_DIM; d++) ktl[d * KT_CAP + j] = j < S ? krow[d] : 0.0f;
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    float q[QB][HEAD_DIM];
    float8 acc[QB][DV];
    float running_max[QB], running_sum[QB];
#pragma unroll
    for (int i = 0; i < QB; i++) {
        __global const float* qrow = base + (size_t)min(q0 + i, S - 1) * stride;
        for (int d = 0; d < HEAD_DIM; d++) q[i][d] = qrow[d] * scale;
#pragma unroll
        for (int v = 0; v < DV; v++) acc[i][v] = (float8)(0.0f);
        running_max[i] = -INFINITY;
        running_sum[i] = 0.0f;
    }

    for (int j0 = 0; j0 < S; j0 += KB) {
        floatK kt[HEAD_DIM];
        float keep[KB];
        if (staged) {
            for (int d = 0; d < HEAD_DIM; d++) kt[d] = vloadK(0, ktl + d * KT_CAP + j0);
        } else {
            float t[KB];
            for (int d = 0; d < HEAD_DIM; d++) {
                for (int j = 0; j < KB; j++) t[j] = (j0 + j < S) ? base[(size_t)(j0 + j) * stride + hidden + d] : 0.0f;
                kt[d] = vloadK(0, t);
            }
        }
        for (int j = 0; j < KB; j++) keep[j] = (j0 + j < S && m[j0 + j] != 0) ? 0.0f : -INFINITY;
        const floatK bias = vloadK(0, keep);
#pragma unroll
        for (int i = 0; i < QB; i++) {
            floatK s = bias;
#ifdef REL_BIAS
            {
                // Query rows past S compute with row S-1 (never stored); keys past S are masked.
                __global const float* rb = rel_bias + (size_t)head * (2 * S - 1) + (S - 1) - min(q0 + i, S - 1);
                float r[KB];
                for (int j = 0; j < KB; j++) r[j] = (j0 + j < S) ? rb[j0 + j] : 0.0f;
                s += vloadK(0, r);
            }
#endif
            for (int d = 0; d < HEAD_DIM; d++) s = fma((floatK)(q[i][d]), kt[d], s);
            float sv[KB];
            vstoreK(s, 0, sv);
            float block_max = sv[0];
            for (int j = 1; j < KB; j++) block_max = fmax(block_max, sv[j]);
            const float new_max = fmax(running_max[i], block_max);
            if (new_max == -INFINITY) continue;  // every key so far masked: nothing to add
            const float correction = exp(running_max[i] - new_max);
            const floatK p = exp(s - new_max);
            float pv[KB];
            vstoreK(p, 0, pv);
            float block_sum = 0.0f;
            for (int j = 0; j < KB; j++) block_sum += pv[j];
            running_sum[i] = running_sum[i] * correction + block_sum;
            running_max[i] = new_max;
#pragma unroll
            for (int v = 0; v < DV; v++) acc[i][v] *= correction;
            for (int j = 0; j < KB && j0 + j < S; j++) {
                __global const float* vrow = base + (size_t)(j0 + j) * stride + 2 * hidden;
#pragma unroll
                for (int v = 0; v < DV; v++) acc[i][v] = fma((float8)(pv[j]), load_part(vrow, v), acc[i][v]);
            }
        }
    }
    for (int i = 0; i < QB && q0 + i < S; i++) {
        const float inv = running_sum[i] > 0.0f ? 1.0f / running_sum[i] : 0.0f;
        float o[DV * 8];
        for (int v = 0; v < DV; v++) vstore8(acc[i][v] * inv, v, o);
        __global float* dst = out + ((size_t)b * S + q0 + i) * hidden + head * HEAD_DIM;
        for (int d = 0; d < HEAD_DIM; d++) dst[d] = o[d];
    }
}
