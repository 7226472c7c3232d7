// Dynamic per-row (per-token) symmetric int8 quantization of activations, before an int8 GEMM:
// scale[m] = max|x[m, :]| / 127, q = round(x / scale) clamped to [-127, 127]. A row of zeros
// gets scale 1 and all-zero codes, so dequantization never divides by zero.
// One work-group per row, QG work-items (a power of two, tunable, passed by the variant
// "portable-quantize-rows") sharing the absmax reduction.

#ifndef QG
#error "build with -DQG=<work-group size, a power of two>"
#endif

// One row's quantization, shared by both entry points; `inv_s` is 0 for plain rows (the branch is
// the same for every work-item and folds away once inlined).
inline void quantize_row(__global const float* X, __global char* Q, __global float* scales, const int K,
                         __global const float* inv_s, __local float* scratch) {
    const int row = get_group_id(0);
    const int lid = get_local_id(0);
    __global const float* x = X + (size_t)row * K;
    float m = 0.0f;
    for (int k = lid; k < K; k += QG) m = fmax(m, fabs(inv_s ? x[k] * inv_s[k] : x[k]));
    scratch[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = QG / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] = fmax(scratch[lid], scratch[lid + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float absmax = scratch[0];
    const float scale = int8_row_scale(absmax);
    const float inv = 1.0f / scale;
    __global char* q = Q + (size_t)row * K;
    for (int k = lid; k < K; k += QG) q[k] = int8_code(inv_s ? x[k] * inv_s[k] : x[k], inv);
    if (lid == 0) scales[row] = scale;
}

__kernel __attribute__((reqd_work_group_size(QG, 1, 1)))
void quantize_rows(__global const float* X, __global char* Q, __global float* scales, const int K) {
    __local float scratch[QG];
    quantize_row(X, Q, scales, K, 0, scratch);
}

// quantize_rows_smoothed: the same for a SmoothQuant Linear, whose input is first divided per
// channel by its smoothing factors (inv_s = 1/s; the stored weight's columns carry s):
// q = round(x * inv_s / scale), scale[m] = max|x[m, :] * inv_s| / 127.
__kernel __attribute__((reqd_work_group_size(QG, 1, 1)))
void quantize_rows_smoothed(__global const float* X, __global char* Q, __global float* scales, const int K,
                            __global const float* inv_s) {
    __local float scratch[QG];
    quantize_row(X, Q, scales, K, inv_s, scratch);
}
