// Sentence embeddings from the last hidden state [B, S, H]: the mean over the tokens whose
// mask is 1 (sentence-transformers' mean pooling, not normalised), and the [CLS] row.

__kernel void mean_pool(__global const float* hidden, __global const int* mask,
                        __global float* out, const int S, const int H) {
    const int h = get_global_id(0);
    const int b = get_global_id(1);
    if (h >= H) return;
    float sum = 0.0f;
    int count = 0;
    for (int s = 0; s < S; s++) {
        if (mask[(size_t)b * S + s]) {
            sum += hidden[((size_t)b * S + s) * H + h];
            count++;
        }
    }
    out[(size_t)b * H + h] = count > 0 ? sum / count : 0.0f;
}

__kernel void cls_pool(__global const float* hidden, __global float* out, const int S, const int H) {
    const int h = get_global_id(0);
    const int b = get_global_id(1);
    if (h >= H) return;
    out[(size_t)b * H + h] = hidden[(size_t)b * S * H + h];
}
