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

// The largest v over the group (v >= 0), as group_sum.
inline float group_max(float v, __local float* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = LN_GROUP / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] = fmax(scratch[lid], scratch[lid + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// Normalises the group's row into out; returns the work-item's largest |out * inv_s| over the
// elements it wrote (inv_s: the next W8A8 Linear's SmoothQuant factors, or 0).
inline float normalize_row(__global const float* X, __global const float* residual, const int hasResidual,
                           __global const float* gamma, __global const float* beta, __global float* out,
                           const int H, const float eps, __global const float* inv_s, __local float* scratch) {
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
    float m = 0.0f;
    for (int i = lid; i < H; i += LN_GROUP) {
        const float d = x[i] + (hasResidual ? res[i] : 0.0f) - mean;
        const float y = d * inv * gamma[i] + beta[i];
        o[i] = y;
        m = fmax(m, fabs(inv_s ? y * inv_s[i] : y));
    }
    return m;
}

__kernel __attribute__((reqd_work_group_size(LN_GROUP, 1, 1)))
void layer_norm(__global const float* X, __global const float* residual, const int hasResidual,
                __global const float* gamma, __global const float* beta,
                __global float* out, const int H, const float eps) {
    __local float scratch[LN_GROUP];
    normalize_row(X, residual, hasResidual, gamma, beta, out, H, eps, 0, scratch);
}

// layer_norm, then the per-row int8 quantization of its output that the next W8A8 Linear needs
// (quantize.cl's rule and arithmetic, so the codes equal those of the two kernels run apart), in
// one launch. Each work-item quantizes the elements it wrote. `smoothed` selects inv_s.
__kernel __attribute__((reqd_work_group_size(LN_GROUP, 1, 1)))
void layer_norm_quantize(__global const float* X, __global const float* residual, const int hasResidual,
                         __global const float* gamma, __global const float* beta,
                         __global float* out, const int H, const float eps,
                         __global char* Q, __global float* scales, __global const float* inv_s, const int smoothed) {
    __local float scratch[LN_GROUP];
    __global const float* s_ = smoothed ? inv_s : 0;
    const float m = group_max(normalize_row(X, residual, hasResidual, gamma, beta, out, H, eps, s_, scratch), scratch);
    const float scale = int8_row_scale(m);
    const float inv = 1.0f / scale;
    const int row = get_group_id(0);
    __global const float* o = out + (size_t)row * H;
    __global char* q = Q + (size_t)row * H;
    for (int i = get_local_id(0); i < H; i += LN_GROUP)
        q[i] = int8_code(s_ ? o[i] * s_[i] : o[i], inv);
    if (get_local_id(0) == 0) scales[row] = scale;
}
