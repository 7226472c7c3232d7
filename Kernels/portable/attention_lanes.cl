// Scaled dot-product attention for CPUs with the queries in vector lanes.
//
// Same arguments and result as attention.cl (qkv [B*S, 3*HIDDEN], mask [B, S], out [B*S, HIDDEN]).
// One work-item owns QL queries of one (batch, head), one per lane of a QL-wide vector, and walks
// the keys KC at a time:
//   1. scores: per key, HEAD_DIM FMAs of the key's components (scalars, broadcast from its row as
//      stored) into the lanes of Q transposed (qt[d] = component d of the QL queries);
//   2. softmax: lane-wise, so the running max, the exp and the sum are whole-vector steps with no
//      horizontal reduction; the weights overwrite the scores;
//   3. P x V: O transposed, ot[d] += V[j][d] (broadcast) * P[j] (the QL weights of key j), DB
//      output dimensions in registers at a time.
// Nothing is transposed but each item's own queries (once) and outputs (once): keys and values are
// read as stored. Earlier CPU kernels put keys in lanes, which needs K transposed per (sequence,
// head) (PoCL emits a scatter for it, slow on this AMD host) and a horizontal max and sum per query.
// Masked keys get -inf scores, so no weight; a query whose keys are all masked yields zeros.
// Query lanes past S compute with row S-1 and are not stored.
// With -DREL_BIAS (MPNet), each score also gets rel_bias[head, j - i + S - 1], as in attention.cl.
// Build options (the variant "portable-attention-lanes" passes them):
//   QL  queries per work-item, the vector width (8 or 16); KC  keys per softmax pass (QL x KC
//   floats of private memory); DB  output dimensions accumulated in registers per pass over a
//   chunk; HEAD_DIM  floats per head.

#if !defined(QL) || !defined(KC) || !defined(DB) || !defined(HEAD_DIM)
#error "build with -DQL -DKC -DDB -DHEAD_DIM"
#endif
#if QL != 8 && QL != 16
#error "QL must be 8 or 16: the queries of one item fill one float8 or float16"
#endif

#define floatQ CAT(float, QL)
#define vloadQ CAT(vload, QL)
#define vstoreQ CAT(vstore, QL)

// What every score of key `key` starts from: 0 for a real key, -inf for a masked one, plus the
// relative-position bias of each lane's query (rb points at (head, S - 1); lane_row clamps lanes
// past S to row S - 1).
inline floatQ key_start(__global const int* m, const int key, __global const float* rb, const int* lane_row) {
    floatQ s = (floatQ)(m[key] != 0 ? 0.0f : -INFINITY);
#ifdef REL_BIAS
    float r[QL];
    for (int i = 0; i < QL; i++) r[i] = rb[key - lane_row[i]];
    s += vloadQ(0, r);
#endif
    return s;
}

// acc[0..W) (output dimensions d0.. of every lane) = ot[d0..] * correction + the chunk's keys'
// V[j][d] * P[j]; W a constant, so every loop over it unrolls into registers.
#define PV_BLOCK(d0, W)                                                                             \
    {                                                                                               \
        floatQ acc[W];                                                                              \
        _Pragma("unroll") for (int t = 0; t < W; t++) acc[t] = ot[(d0) + t] * correction;           \
        for (int j = 0; j < count; j++) {                                                           \
            __global const float* vrow = values + (size_t)(c0 + j) * stride + (d0);                 \
            const floatQ w = p[j];                                                                  \
            _Pragma("unroll") for (int t = 0; t < W; t++) acc[t] = fma((floatQ)(vrow[t]), w, acc[t]); \
        }                                                                                           \
        _Pragma("unroll") for (int t = 0; t < W; t++) ot[(d0) + t] = acc[t];                        \
    }

__kernel void attention(__global const float* qkv, __global const int* mask,
                        __global float* out, const int S, const int heads, const float scale,
                        __global const float* rel_bias) {
    const int blocks = (S + QL - 1) / QL;
    const int q0 = (get_global_id(0) % blocks) * QL;
    const int b = get_global_id(0) / blocks;
    const int head = get_global_id(1);
    if (head >= heads) return;
    const int hidden = heads * HEAD_DIM;
    const int stride = 3 * hidden;
    __global const float* base = qkv + (size_t)b * S * stride + head * HEAD_DIM;
    __global const float* keys = base + hidden;
    __global const float* values = base + 2 * hidden;
    __global const int* m = mask + (size_t)b * S;

    // Q transposed and scaled; lanes past S repeat row S-1.
    floatQ qt[HEAD_DIM];
    {
        float t[QL];
        for (int d = 0; d < HEAD_DIM; d++) {
            for (int i = 0; i < QL; i++) t[i] = base[(size_t)min(q0 + i, S - 1) * stride + d] * scale;
            qt[d] = vloadQ(0, t);
        }
    }
    floatQ ot[HEAD_DIM];
    for (int d = 0; d < HEAD_DIM; d++) ot[d] = (floatQ)(0.0f);
    floatQ running_max = (floatQ)(-INFINITY), running_sum = (floatQ)(0.0f);
    floatQ p[KC];  // one chunk's scores, then its weights: p[j] holds key c0+j for every query lane

    __global const float* rb = rel_bias + (size_t)head * (2 * S - 1) + (S - 1);  // read only with REL_BIAS
    int lane_row[QL];
    for (int i = 0; i < QL; i++) lane_row[i] = min(q0 + i, S - 1);

    for (int c0 = 0; c0 < S; c0 += KC) {
        const int count = min(KC, S - c0);
        // 1. Scores, four keys at a time: four independent FMA chains sharing each qt[d].
        floatQ chunk_max = (floatQ)(-INFINITY);
        int j = 0;
        for (; j + 4 <= count; j += 4) {
            __global const float* k0 = keys + (size_t)(c0 + j) * stride;
            __global const float* k1 = k0 + stride;
            __global const float* k2 = k1 + stride;
            __global const float* k3 = k2 + stride;
            floatQ s0 = key_start(m, c0 + j, rb, lane_row), s1 = key_start(m, c0 + j + 1, rb, lane_row);
            floatQ s2 = key_start(m, c0 + j + 2, rb, lane_row), s3 = key_start(m, c0 + j + 3, rb, lane_row);
#pragma unroll
            for (int d = 0; d < HEAD_DIM; d++) {
                const floatQ qv = qt[d];
                s0 = fma((floatQ)(k0[d]), qv, s0);
                s1 = fma((floatQ)(k1[d]), qv, s1);
                s2 = fma((floatQ)(k2[d]), qv, s2);
                s3 = fma((floatQ)(k3[d]), qv, s3);
            }
            p[j] = s0;
            p[j + 1] = s1;
            p[j + 2] = s2;
            p[j + 3] = s3;
            chunk_max = fmax(chunk_max, fmax(fmax(s0, s1), fmax(s2, s3)));
        }
        for (; j < count; j++) {
            __global const float* k0 = keys + (size_t)(c0 + j) * stride;
            floatQ s0 = key_start(m, c0 + j, rb, lane_row);
#pragma unroll
            for (int d = 0; d < HEAD_DIM; d++) s0 = fma((floatQ)(k0[d]), qt[d], s0);
            p[j] = s0;
            chunk_max = fmax(chunk_max, s0);
        }
        // 2. Softmax, lane-wise. A lane whose keys so far are all masked keeps -inf as its maximum
        // and takes 0 as its reference, so its weights are exp(-inf) = 0, not NaN.
        const floatQ new_max = fmax(running_max, chunk_max);
        const floatQ ref = select(new_max, (floatQ)(0.0f), new_max == (floatQ)(-INFINITY));
        const floatQ correction = exp(running_max - ref);
        floatQ sum = (floatQ)(0.0f);
        for (int j = 0; j < count; j++) {
            const floatQ e = exp(p[j] - ref);
            p[j] = e;
            sum += e;
        }
        running_sum = fma(running_sum, correction, sum);
        running_max = new_max;
        // 3. ot += V^T P over the chunk, DB output dimensions at a time.
        for (int d0 = 0; d0 + DB <= HEAD_DIM; d0 += DB) PV_BLOCK(d0, DB)
#if HEAD_DIM % DB != 0
        PV_BLOCK(HEAD_DIM / DB * DB, HEAD_DIM % DB)
#endif
    }
    const floatQ inv = select((floatQ)(0.0f), 1.0f / running_sum, running_sum > 0.0f);
    for (int d = 0; d < HEAD_DIM; d++) {
        float o[QL];
        vstoreQ(ot[d] * inv, 0, o);
        for (int i = 0; i < QL && q0 + i < S; i++) out[((size_t)b * S + q0 + i) * hidden + head * HEAD_DIM + d] = o[i];
    }
}
