// Shared by every kernel file: KernelLibrary prepends this to each source it builds.

#define ACT_NONE 0
#define ACT_GELU 1
#define ACT_TANH 2
#define ACT_RELU 3

// Exact GELU (erf form), as BERT's "gelu".
inline float gelu_erf(float x) { return 0.5f * x * (1.0f + erf(x * 0.70710678118654752440f)); }

// The epilogue activation selected at run time by an ACT_* code.
inline float apply_activation(float v, int act) {
    if (act == ACT_GELU) return gelu_erf(v);
    if (act == ACT_TANH) return tanh(v);
    if (act == ACT_RELU) return fmax(v, 0.0f);
    return v;
}
