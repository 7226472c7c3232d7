// Scaled dot-product attention over heads, with the padding mask, fused with its softmax.
//
// qkv is [B*S, 3*HIDDEN]: per token the query, key and value of every head side by side
// (head h at columns h*HEAD_DIM of each third). out is [B*S, HIDDEN]. mask is [B, S], 1 for
// real tokens. One work-item per (query token, head) runs an online softmax (running maximum
// and sum, rescaling the accumulated output), so the S x S score matrix is never stored and
// any S works. Masked keys get no weight at all (not merely -10000), as with an additive
// mask of the dtype's minimum; a row whose keys are all masked yields zeros.
// HEAD_DIM is a build option, so the per-item arrays have a fixed size.
// With -DREL_BIAS (MPNet), each score also gets a per-head relative-position bias: rel_bias is
// [heads, 2S-1] and query i, key j read entry (head, j - i + S - 1). Without it rel_bias is
// never read (bind any buffer) and the kernel is BERT's, unchanged.

#ifndef HEAD_DIM
#error "build with -DHEAD_DIM=<hidden / heads>"
#endif

__kernel void attention(__global const float* qkv, __global const int* mask,
                        __global float* out, const int S, const int heads, const float scale,
                        __global const float* rel_bias) {
    const int token = get_global_id(0);   // b * S + i
    const int head = get_global_id(1);
    if (head >= heads) return;
    const int hidden = heads * HEAD_DIM;
    const int stride = 3 * hidden;
    const int b = token / S;

    float q[HEAD_DIM];
    float acc[HEAD_DIM];
    __global const float* qrow = qkv + (size_t)token * stride + head * HEAD_DIM;
    for (int d = 0; d < HEAD_DIM; d++) { q[d] = qrow[d] * scale; acc[d] = 0.0f; }

    float running_max = -INFINITY;
    float running_sum = 0.0f;
    __global const int* m = mask + (size_t)b * S;
    __global const float* base = qkv + (size_t)b * S * stride + head * HEAD_DIM;
#ifdef REL_BIAS
    // Entry j of this row is the bias of key j for query i = token - b * S.
    __global const float* rb = rel_bias + (size_t)head * (2 * S - 1) + (S - 1) - (token - b * S);
#endif
    for (int j = 0; j < S; j++) {
        if (m[j] == 0) continue;
        __global const float* k = base + (size_t)j * stride + hidden;
        float s = 0.0f;
        for (int d = 0; d < HEAD_DIM; d++) s = fma(q[d], k[d], s);
#ifdef REL_BIAS
        s += rb[j];
#endif
        const float new_max = fmax(running_max, s);
        const float correction = exp(running_max - new_max);
        const float w = exp(s - new_max);
        running_sum = running_sum * correction + w;
        __global const float* v = base + (size_t)j * stride + 2 * hidden;
        for (int d = 0; d < HEAD_DIM; d++) acc[d] = fma(w, v[d], acc[d] * correction);
        running_max = new_max;
    }
    const float inv = running_sum > 0.0f ? 1.0f / running_sum : 0.0f;
    __global float* o = out + (size_t)token * hidden + head * HEAD_DIM;
    for (int d = 0; d < HEAD_DIM; d++) o[d] = acc[d] * inv;
}
