// The fp32 part of a mixed-precision W8A8 Linear (LLM.int8()-style): the int8 GEMM has written
// Y = X_int8 · W_int8ᵀ + bias over every input channel but a few outliers, whose codes the
// quantization zeroed; this adds those channels in fp32 and then applies the Linear's activation,
// which the int8 GEMM left out: Y[m, n] = act(Y[m, n] + sum_i X[m, col[i]] · W[i, n]).
// W is [count, N] (an outlier column of the Linear's weight per row), so consecutive work-items
// read consecutive weights. One work-item per output element.

__kernel void add_outlier_columns(__global const float* X, const int K, __global const int* col, const int count,
                                  __global const float* W, __global float* Y, const int M, const int N, const int act) {
    const int n = get_global_id(0);
    const int m = get_global_id(1);
    if (n >= N || m >= M) return;
    __global const float* x = X + (size_t)m * K;
    float acc = Y[(size_t)m * N + n];
    for (int i = 0; i < count; ++i) acc = fma(x[col[i]], W[(size_t)i * N + n], acc);
    Y[(size_t)m * N + n] = apply_activation(acc, act);
}
