// Layer normalisation over the last dimension, optionally of (x + residual):
// out = (v - mean) / sqrt(var + eps) * gamma + beta, with v = x (+ residual).
// One work-group per row; the group size (a power of two, LN_GROUP, tunable, passed by the
// variant "portable-layer-norm") shares the reductions.
// The variance is taken around the mean in a second pass, so it stays exact for rows whose
// mean is large compared with their spread.

#ifndef LN_GROUP
#error "build with -DLN_GROUP=<work-group size, a power of two>"
#endif

inline float group_sum(float v, __local float* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = LN_GROUP / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

__kernel __attribute__((reqd_work_group_size(LN_GROUP, 1, 1)))
void layer_norm(__global const float* X, __global const float* residual, const int hasResidual,
                __global const float* gamma, __global const float* beta,
                __global float* out, const int H, const float eps) {
    __local float scratch[LN_GROUP];
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    __global const float* x = X + (size_t)row * H;
    __global const float* res = residual + (size_t)row * H;
    __global float* o = out + (size_t)row * H;

    float s = 0.0f;
    for (int i = lid; i < H; i += LN_GROUP) s += x[i] + (hasResidual ? res[i] : 0.0f);
    const float mean = group_sum(s, scratch) / H;
    float q = 0.0f;
    for (int i = lid; i < H; i += LN_GROUP) {
        const float d = x[i] + (hasResidual ? res[i] : 0.0f) - mean;
        q += d * d;
    }
    const float inv = rsqrt(group_sum(q, scratch) / H + eps);
    for (int i = lid; i < H; i += LN_GROUP) {
        const float d = x[i] + (hasResidual ? res[i] : 0.0f) - mean;
        o[i] = d * inv * gamma[i] + beta[i];
    }
}
