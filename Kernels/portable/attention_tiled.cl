// Scaled dot-product attention for GPUs in fp32: the contract of attention.cl (same arguments,
// padding mask, REL_BIAS, zeros for a row whose keys are all masked), tiled the way GPUs want it.
//
// A work-group of WG work-items owns WG consecutive queries of one (sequence, head), one query
// per work-item. Keys and values move through local memory KB at a time, loaded once per
// work-group with 128-bit loads and then read by every work-item at the same address (a
// broadcast, no bank conflicts). Each work-item scores its query against the whole key block
// first, so the online softmax rescales its output once per block instead of once per key (the
// one-query kernel spends a multiply per output element and an exp per key on that), and every
// local read feeds four FMAs.
// Why not a CPU kernel: the retired attention_blocked.cl serialised the key loop inside few
// work-items and ran 3.5x slower than attention.cl on the H100 (perf-notes, fourth session).
// Build options (variant "portable-attention-tiled"): WG, KB; HEAD_DIM (a multiple of 4) and
// REL_BIAS from the shape.

#ifndef HEAD_DIM
#error "build with -DHEAD_DIM=<hidden / heads>"
#endif
#if !defined(WG) || !defined(KB)
#error "build with -DWG (queries per work-group) -DKB (keys per local block)"
#endif
#if HEAD_DIM % 4 != 0
#error "portable-attention-tiled needs a head width that is a multiple of 4 (float4 rows)"
#endif

#define D4 (HEAD_DIM / 4)

__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void attention(__global const float* qkv, __global const int* mask,
               __global float* out, const int S, const int heads, const float scale,
               __global const float* rel_bias) {
    __local float4 ks[KB * D4];
    __local float4 vs[KB * D4];
    __local int live[KB];
    const int blocks = (S + WG - 1) / WG;
    const int b = get_group_id(0) / blocks, i = (get_group_id(0) % blocks) * WG + get_local_id(0);
    const int head = get_group_id(1), lid = get_local_id(0);
    const int hidden = heads * HEAD_DIM, stride = 3 * hidden;
    // Queries past the sequence still load blocks and reach the barriers; they store nothing.
    const bool active = i < S;
    // Every row offset is a multiple of 4 floats (HEAD_DIM and the strides are), so the rows can
    // be read as float4 directly; vload4 promises only 4-byte alignment and becomes 4 loads.
    __global const float* base = qkv + (size_t)b * S * stride + head * HEAD_DIM;

    float4 q[D4], acc[D4];
    for (int d = 0; d < D4; d++) {
        q[d] = active ? ((__global const float4*)(base + (size_t)i * stride))[d] * scale : (float4)(0.0f);
        acc[d] = (float4)(0.0f);
    }
    float running_max = -INFINITY, running_sum = 0.0f;
#ifdef REL_BIAS
    // Entry j of this row is the bias of key j for query i (read only while active).
    __global const float* rb = rel_bias + (size_t)head * (2 * S - 1) + (S - 1) - i;
#endif

    for (int j0 = 0; j0 < S; j0 += KB) {
        barrier(CLK_LOCAL_MEM_FENCE);  // the previous block is no longer read
        for (int c = lid; c < KB * D4; c += WG) {
            const int j = j0 + c / D4;
            __global const float4* row = (__global const float4*)(base + (size_t)j * stride + hidden);
            ks[c] = j < S ? row[c % D4] : (float4)(0.0f);
            vs[c] = j < S ? row[hidden / 4 + c % D4] : (float4)(0.0f);
        }
        for (int c = lid; c < KB; c += WG) live[c] = j0 + c < S && mask[(size_t)b * S + j0 + c] != 0;
        barrier(CLK_LOCAL_MEM_FENCE);

        float s[KB];
        float block_max = -INFINITY;
        for (int jj = 0; jj < KB; jj++) {
            float4 dot = (float4)(0.0f);
            for (int d = 0; d < D4; d++) dot = fma(q[d], ks[jj * D4 + d], dot);
            float score = (dot.x + dot.y) + (dot.z + dot.w);
#ifdef REL_BIAS
            if (active && live[jj]) score += rb[j0 + jj];
#endif
            s[jj] = live[jj] ? score : -INFINITY;
            block_max = fmax(block_max, s[jj]);
        }
        const float new_max = fmax(running_max, block_max);
        // Nothing real seen yet (all keys so far masked): nothing to add, and exp(-inf - -inf) is NaN.
        if (new_max == -INFINITY) continue;
        const float correction = exp(running_max - new_max);  // 0 on the first real block
        running_sum *= correction;
        for (int d = 0; d < D4; d++) acc[d] *= correction;
        for (int jj = 0; jj < KB; jj++) {
            const float p = exp(s[jj] - new_max);  // masked keys: exp(-inf) = 0
            running_sum += p;
            for (int d = 0; d < D4; d++) acc[d] = fma((float4)(p), vs[jj * D4 + d], acc[d]);
        }
        running_max = new_max;
    }
    if (!active) return;
    const float inv = running_sum > 0.0f ? 1.0f / running_sum : 0.0f;
    __global float4* o = (__global float4*)(out + (size_t)(b * S + i) * hidden + head * HEAD_DIM);
    for (int d = 0; d < D4; d++) o[d] = acc[d] * inv;
}
