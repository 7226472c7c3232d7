// Layer normalisation for CPUs: the same entry points, arguments and results as layernorm.cl, but
// one work-item owns a whole row and reads it as LN_VW-float vectors. On PoCL a work-group barrier is a loop
// split and a shared reduction a scalar walk over local memory, so layernorm.cl's 64-item groups
// spent more on the reduction than on the row (7% of an L6 pass for 0.1% of its arithmetic).
// The variance is taken around the mean in a second pass, as in layernorm.cl.
// Build options (the variant "portable-layer-norm-rows" passes them):
//   LN_VW  floats per vector (4, 8 or 16). The grid is one item per row; the variant sets the
//   work-group size (LN_ROWS at most, a divisor of the row count), since PoCL left to choose may put
//   every row in one group and so on one thread.

#ifndef LN_VW
#error "build with -DLN_VW=<floats per vector>"
#endif

#define floatV CAT(float, LN_VW)
#define vloadV CAT(vload, LN_VW)
#define vstoreV CAT(vstore, LN_VW)

// Vector v of the row x (+ residual).
inline floatV row_vec(__global const float* x, __global const float* res, const int hasResidual, const int v) {
    return hasResidual ? vloadV(v, x) + vloadV(v, res) : vloadV(v, x);
}

// The sum of a vector's lanes.
inline float hsum(floatV s) {
    float t[LN_VW];
    vstoreV(s, 0, t);
    float total = 0.0f;
#pragma unroll
    for (int i = 0; i < LN_VW; i++) total += t[i];
    return total;
}

// Normalises row `row` into out and returns the largest |out * inv_s| (inv_s: the next W8A8
// Linear's SmoothQuant factors, or 0) when `wantMax`, so a fused quantization needs no extra read.
inline float normalize_row(__global const float* X, __global const float* residual, const int hasResidual,
                           __global const float* gamma, __global const float* beta, __global float* out,
                           const int H, const float eps, const int row, const int wantMax, __global const float* inv_s) {
    __global const float* x = X + (size_t)row * H;
    __global const float* res = residual + (size_t)row * H;
    __global float* o = out + (size_t)row * H;
    const int vecs = H / LN_VW, tail = vecs * LN_VW;

    floatV sv = (floatV)(0.0f);
    for (int v = 0; v < vecs; v++) sv += row_vec(x, res, hasResidual, v);
    float s = hsum(sv);
    for (int i = tail; i < H; i++) s += x[i] + (hasResidual ? res[i] : 0.0f);
    const float mean = s / H;

    floatV qv = (floatV)(0.0f);
    for (int v = 0; v < vecs; v++) {
        const floatV d = row_vec(x, res, hasResidual, v) - mean;
        qv = fma(d, d, qv);
    }
    float q = hsum(qv);
    for (int i = tail; i < H; i++) {
        const float d = x[i] + (hasResidual ? res[i] : 0.0f) - mean;
        q = fma(d, d, q);
    }
    const float inv = rsqrt(q / H + eps);

    floatV mv = (floatV)(0.0f);
    for (int v = 0; v < vecs; v++) {
        const floatV d = row_vec(x, res, hasResidual, v) - mean;
        const floatV y = fma(d * inv, vloadV(v, gamma), vloadV(v, beta));
        vstoreV(y, v, o);
        if (wantMax) mv = fmax(mv, fabs(inv_s ? y * vloadV(v, inv_s) : y));
    }
    float m = 0.0f;
    if (wantMax) {
        float t[LN_VW];
        vstoreV(mv, 0, t);
        for (int i = 0; i < LN_VW; i++) m = fmax(m, t[i]);
    }
    for (int i = tail; i < H; i++) {
        const float d = x[i] + (hasResidual ? res[i] : 0.0f) - mean;
        const float y = d * inv * gamma[i] + beta[i];
        o[i] = y;
        if (wantMax) m = fmax(m, fabs(inv_s ? y * inv_s[i] : y));
    }
    return m;
}

__kernel void layer_norm(__global const float* X, __global const float* residual, const int hasResidual,
                         __global const float* gamma, __global const float* beta,
                         __global float* out, const int H, const float eps) {
    normalize_row(X, residual, hasResidual, gamma, beta, out, H, eps, get_global_id(0), 0, 0);
}

// layer_norm, then the per-row int8 quantization of its output that the next W8A8 Linear needs
// (quantize.cl's rule and arithmetic, so the codes equal those of the two kernels run apart), in
// one launch: the row is still in L1. `smoothed` selects inv_s (SmoothQuant) over plain rows.
__kernel void layer_norm_quantize(__global const float* X, __global const float* residual, const int hasResidual,
                                  __global const float* gamma, __global const float* beta,
                                  __global float* out, const int H, const float eps,
                                  __global char* Q, __global float* scales, __global const float* inv_s, const int smoothed) {
    const int row = get_global_id(0);
    __global const float* s_ = smoothed ? inv_s : 0;
    const float m = normalize_row(X, residual, hasResidual, gamma, beta, out, H, eps, row, 1, s_);
    const float scale = int8_row_scale(m);
    const float inv = 1.0f / scale;
    __global const float* o = out + (size_t)row * H;
    __global char* q = Q + (size_t)row * H;
    const int vecs = H / LN_VW, tail = vecs * LN_VW;
    for (int v = 0; v < vecs; v++) {
        const floatV y = s_ ? vloadV(v, o) * vloadV(v, s_) : vloadV(v, o);
        CAT(vstore, LN_VW)(CAT(int8_codes_, floatV)(y, inv), v, q);
    }
    for (int i = tail; i < H; i++) q[i] = int8_code(s_ ? o[i] * s_[i] : o[i], inv);
    scales[row] = scale;
}
