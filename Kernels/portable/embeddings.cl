// Embedding gather + add: hidden[t] = word[ids[t]] + position[t % S + offset] + tokenType[types[t]],
// for t over the B*S tokens of a padded batch (layer norm follows in its own kernel). offset is 0
// for BERT and pad_token_id + 1 for RoBERTa-style positions (MPNet); padded positions then read a
// position past the real tokens instead of the padding row, which only the masked rows see.
// The int8 form dequantizes rows stored as int8 with one fp32 scale per row.

__kernel void embed_sum(__global const int* ids, __global const int* types, const int hasTypes,
                        __global const float* word, __global const float* position,
                        __global const float* tokenType,
                        __global float* out, const int S, const int H, const int offset) {
    const int h = get_global_id(0);
    const int t = get_global_id(1);
    if (h >= H) return;
    const int id = ids[t];
    float v = word[(size_t)id * H + h] + position[(size_t)(t % S + offset) * H + h];
    if (hasTypes) v += tokenType[(size_t)types[t] * H + h];
    out[(size_t)t * H + h] = v;
}

__kernel void embed_sum_int8(__global const int* ids, __global const int* types, const int hasTypes,
                             __global const char* word, __global const float* wordScale,
                             __global const char* position, __global const float* positionScale,
                             __global const float* tokenType,
                             __global float* out, const int S, const int H, const int offset) {
    const int h = get_global_id(0);
    const int t = get_global_id(1);
    if (h >= H) return;
    const int id = ids[t];
    const int p = t % S + offset;
    float v = (float)word[(size_t)id * H + h] * wordScale[id]
            + (float)position[(size_t)p * H + h] * positionScale[p];
    if (hasTypes) v += tokenType[(size_t)types[t] * H + h];
    out[(size_t)t * H + h] = v;
}
