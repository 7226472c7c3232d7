// Element-wise bias + activation over a [rows, N] matrix, in place: for results that come
// from a kernel without a fused epilogue.

#define ACT_NONE 0
#define ACT_GELU 1
#define ACT_TANH 2
#define ACT_RELU 3

inline float gelu_erf_act(float x) { return 0.5f * x * (1.0f + erf(x * 0.70710678118654752440f)); }

__kernel void bias_activation(__global float* X, __global const float* bias, const int N,
                              const int total, const int act) {
    const int i = get_global_id(0);
    if (i >= total) return;
    float v = X[i] + bias[i % N];
    if (act == ACT_GELU) v = gelu_erf_act(v);
    else if (act == ACT_TANH) v = tanh(v);
    else if (act == ACT_RELU) v = fmax(v, 0.0f);
    X[i] = v;
}
