// Sparse-weight GEMM for pruned Linear layers: C = act(A · Wᵀ + bias) with W [N, K] in CSR
// (rowStart[N+1], column[nnz], value[nnz]): output column n walks only the nonzeros of weight
// row n. Each work-item computes TM rows of one output column, so every nonzero is loaded once
// per TM rows of A. TM (tunable) comes from the variant "portable-gemm-csr".

#ifndef TM
#error "build with -DTM=<rows per work-item>"
#endif

__kernel void gemm_csr(const int M, const int N, const int K,
                       __global const float* A,
                       __global const int* rowStart, __global const int* column, __global const float* value,
                       __global const float* bias, const int hasBias,
                       __global float* C, const int act) {
    const int n = get_global_id(0);
    const int m0 = get_global_id(1) * TM;
    if (n >= N || m0 >= M) return;
    float acc[TM];
    __global const float* a[TM];
    for (int r = 0; r < TM; r++) {
        acc[r] = 0.0f;
        a[r] = A + (size_t)min(m0 + r, M - 1) * K;
    }
    const int end = rowStart[n + 1];
    for (int p = rowStart[n]; p < end; p++) {
        const int k = column[p];
        const float w = value[p];
        for (int r = 0; r < TM; r++) acc[r] = fma(a[r][k], w, acc[r]);
    }
    for (int r = 0; r < TM; r++) {
        if (m0 + r >= M) break;
        C[(size_t)(m0 + r) * N + n] = apply_activation(acc[r] + (hasBias ? bias[n] : 0.0f), act);
    }
}
