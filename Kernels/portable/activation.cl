// Element-wise bias + activation over a [rows, N] matrix, in place: for results that come
// from a kernel without a fused epilogue.

__kernel void bias_activation(__global float* X, __global const float* bias, const int N,
                              const int total, const int act) {
    const int i = get_global_id(0);
    if (i >= total) return;
    X[i] = apply_activation(X[i] + bias[i % N], act);
}
