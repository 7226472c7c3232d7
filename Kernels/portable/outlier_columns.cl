// The fp32 part of a mixed-precision W8A8 Linear (LLM.int8()-style): the int8 GEMM has written
// Y = X_int8 · W_int8ᵀ + bias over every input channel but a few outliers, whose codes the
// quantization zeroed; this adds those channels in fp32 and then applies the Linear's activation,
// which the int8 GEMM left out: Y[m, n] = act(Y[m, n] + sum_i X[m, col[i]] · W[i, n]).
// W is [count, N] (an outlier column of the Linear's weight per row), so consecutive outputs read
// consecutive weights. Each work-item does OV consecutive outputs of one row: OV = 1 on GPUs
// (neighbouring work-items read neighbouring words); 16 on CPUs, where one work-item per element
// ran scalar code, at about 9 ns an element on PoCL (docs/perf-notes.md).

#ifndef OV
#error "build with -DOV=<outputs per work-item: 1, 4, 8 or 16>"
#endif

__kernel void add_outlier_columns(__global const float* X, const int K, __global const int* col, const int count,
                                  __global const float* W, __global float* Y, const int M, const int N, const int act) {
    const int n0 = get_global_id(0) * OV;
    const int m = get_global_id(1);
    if (n0 >= N || m >= M) return;
    __global const float* x = X + (size_t)m * K;
    __global float* y = Y + (size_t)m * N;
#if OV > 1
#define floatO CAT(float, OV)
    if (n0 + OV <= N) {
        floatO acc = CAT(vload, OV)(0, y + n0);
        for (int i = 0; i < count; ++i) acc = fma((floatO)(x[col[i]]), CAT(vload, OV)(0, W + (size_t)i * N + n0), acc);
        CAT(vstore, OV)(CAT(activate_, floatO)(acc, act), 0, y + n0);
        return;
    }
#endif
    // OV = 1, or the last, partial group of a row.
    for (int n = n0; n < min(n0 + OV, N); ++n) {
        float acc = y[n];
        for (int i = 0; i < count; ++i) acc = fma(x[col[i]], W[(size_t)i * N + n], acc);
        y[n] = apply_activation(acc, act);
    }
}
