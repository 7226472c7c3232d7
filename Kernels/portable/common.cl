// Shared by every kernel file: KernelLibrary prepends this to each source it builds.

// Token pasting after macro expansion: CAT(float, VW) is float16 when VW is 16 (the vector kernels'
// float types and their vload/vstore names).
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

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

// erf(x) as x P(x^2) / Q(x^2) on |x| <= 4, clamped to [-1, 1]: coefficients fitted by
// scripts/kernels/fit_erf.py, within 3.2e-8 of erf in exact arithmetic and 4.3e-7 in float.
// PoCL lowers erf() on a vector to one libm call per lane; in the packed CPU GEMMs' GELU epilogues
// that was 6% of an L6 forward pass. This form is FMAs and one division on whole vectors.
#define DEFINE_VECTOR_ACTIVATION(T)                                                                    \
    inline T erf_rational_##T(T x) {                                                                   \
        const T c = clamp(x, (T)(-4.0f), (T)(4.0f)), z = c * c;                                        \
        T p = fma(z, (T)(1.9965790400665517e-06f), (T)(0.0002866055826852739f));                       \
        p = fma(p, z, (T)(0.003918436728817618f));                                                     \
        p = fma(p, z, (T)(0.05320517243012257f));                                                      \
        p = fma(p, z, (T)(0.19419476387837492f));                                                      \
        p = fma(p, z, (T)(1.1283790220054717f));                                                       \
        T q = fma(z, (T)(3.7632022426331444e-05f), (T)(0.0011966202835715966f));                       \
        q = fma(q, z, (T)(0.015273079233591483f));                                                     \
        q = fma(q, z, (T)(0.11563571692665431f));                                                      \
        q = fma(q, z, (T)(0.5054322578911067f));                                                       \
        q = fma(q, z, (T)(1.0f));                                                                      \
        return clamp(c * p / q, (T)(-1.0f), (T)(1.0f));                                                \
    }                                                                                                  \
    /* The epilogue activation of an ACT_* code on a whole vector. */                                  \
    inline T activate_##T(T x, int act) {                                                              \
        if (act == ACT_GELU) return 0.5f * x * (1.0f + erf_rational_##T(x * 0.70710678118654752440f)); \
        if (act == ACT_TANH) return tanh(x);                                                           \
        if (act == ACT_RELU) return fmax(x, (T)(0.0f));                                                \
        return x;                                                                                      \
    }
DEFINE_VECTOR_ACTIVATION(float4)
DEFINE_VECTOR_ACTIVATION(float8)
DEFINE_VECTOR_ACTIVATION(float16)

// Per-row symmetric int8 quantization, the one rule every quantizing kernel applies (quantize.cl,
// quantize_vec.cl and the fused layer norms, whose codes must equal each other's bit for bit): a row
// whose largest |value| is absmax gets scale absmax / 127 (1 for a zero row), and value x the code
// round-to-even(x / scale) clamped to [-127, 127], computed as x * (1 / scale).
inline float int8_row_scale(float absmax) { return absmax > 0.0f ? absmax / 127.0f : 1.0f; }
inline char int8_code(float x, float inv) { return (char)clamp(rint(x * inv), -127.0f, 127.0f); }
#define DEFINE_INT8_CODES(N)                                                                           \
    inline char##N int8_codes_float##N(float##N x, float inv) {                                        \
        return convert_char##N##_rte(clamp(x * inv, -127.0f, 127.0f));                                \
    }
DEFINE_INT8_CODES(4)
DEFINE_INT8_CODES(8)
DEFINE_INT8_CODES(16)
