// Per-row symmetric int8 quantization for CPUs: the same entry points, arguments and result as
// quantize.cl (scale[m] = max|x[m, :]| / 127, q = round-to-even(x / scale) clamped to [-127, 127],
// a zero row gets scale 1 and zero codes), but one work-item owns a whole row and reads it as
// QV-float vectors. quantize.cl with one item per row (QG=1) walked the row one float at a time:
// 8% of the W8A8 L6 pass.
// Build options (the variant "portable-quantize-rows-vec" passes them):
//   QV  floats per vector (4, 8 or 16). The grid is one item per row; the variant sets the
//   work-group size (QR at most, a divisor of the row count), as for portable-layer-norm-rows.

#ifndef QV
#error "build with -DQV=<floats per vector>"
#endif

#define floatV CAT(float, QV)
#define vloadV CAT(vload, QV)
#define vstoreV CAT(vstore, QV)

// Vector v of row x, divided per channel by the smoothing factors when inv_s is given.
inline floatV row_part(__global const float* x, __global const float* inv_s, const int v) {
    return inv_s ? vloadV(v, x) * vloadV(v, inv_s) : vloadV(v, x);
}

// One row's quantization, shared by both entry points; `inv_s` is 0 for plain rows.
inline void quantize_row(__global const float* X, __global char* Q, __global float* scales, const int K,
                         __global const float* inv_s) {
    const int row = get_global_id(0);
    __global const float* x = X + (size_t)row * K;
    __global char* q = Q + (size_t)row * K;
    const int vecs = K / QV, tail = vecs * QV;

    floatV mv = (floatV)(0.0f);
    for (int v = 0; v < vecs; v++) mv = fmax(mv, fabs(row_part(x, inv_s, v)));
    float t[QV];
    vstoreV(mv, 0, t);
    float m = 0.0f;
    for (int i = 0; i < QV; i++) m = fmax(m, t[i]);
    for (int k = tail; k < K; k++) m = fmax(m, fabs(inv_s ? x[k] * inv_s[k] : x[k]));

    const float scale = int8_row_scale(m);
    const float inv = 1.0f / scale;
    for (int v = 0; v < vecs; v++)
        CAT(vstore, QV)(CAT(int8_codes_, floatV)(row_part(x, inv_s, v), inv), v, q);
    for (int k = tail; k < K; k++) q[k] = int8_code(inv_s ? x[k] * inv_s[k] : x[k], inv);
    scales[row] = scale;
}

__kernel void quantize_rows(__global const float* X, __global char* Q, __global float* scales, const int K) {
    quantize_row(X, Q, scales, K, 0);
}

// quantize_rows_smoothed: the SmoothQuant form, x * inv_s quantized (as in quantize.cl).
__kernel void quantize_rows_smoothed(__global const float* X, __global char* Q, __global float* scales, const int K,
                                     __global const float* inv_s) {
    quantize_row(X, Q, scales, K, inv_s);
}
