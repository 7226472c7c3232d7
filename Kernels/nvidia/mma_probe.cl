// One mma step on fragments given per lane, for checking the warp-level macros against the PTX
// ISA's fragment layout from outside (Tests/KernelTests/WarpMMATests.swift packs the fragments
// in Swift): lane L of each 32-wide work-group reads a0..a3, b0, b1 from regs[L*6 ..], accumulates
// onto acc[L*4 ..] and writes d0..d3 back there. With WARP_PTX=1 on an NVIDIA GPU it runs the
// tensor cores; with WARP_PTX=0 the emulation. Build options: WARP_PTX, and LDMATRIX=1 for
// ldmatrix_probe.

#ifndef WARP_PTX
#error "build with -DWARP_PTX=0 or 1"
#endif

__kernel __attribute__((reqd_work_group_size(WARP_SIZE, 1, 1)))
void mma_probe(__global const uint* regs, __global float* acc) {
#if WARP_PTX
    __local uint* scratch = 0;
#else
    __local uint scratch[WARP_SCRATCH_UINTS];
#endif
    const int lane = WARP_LANE(), base = get_group_id(0) * WARP_SIZE + lane;
    uint a[4], b[2];
    float d[4];
    for (int i = 0; i < 4; i++) a[i] = regs[base * 6 + i];
    b[0] = regs[base * 6 + 4];
    b[1] = regs[base * 6 + 5];
    for (int i = 0; i < 4; i++) d[i] = acc[base * 4 + i];
    MMA_F16_16816(d, a, b, scratch);
    for (int i = 0; i < 4; i++) acc[base * 4 + i] = d[i];
}

#if defined(LDMATRIX) && LDMATRIX
// One ldmatrix .x4 on addresses given per lane, for checking LDMATRIX_X4 against the PTX ISA from
// outside (Sources/BertMeasure/WarpMMACheck.swift, Tests/KernelTests/WarpMMATests.swift): each
// 32-wide work-group copies its 32 rows of 4 words (16 bytes, as ldmatrix reads them) from
// tile[group * 128 ..] into local memory, lane L supplies the address of local row rowOf[L], and
// its registers r0..r3 go to out[L * 4 ..].
__kernel __attribute__((reqd_work_group_size(WARP_SIZE, 1, 1)))
void ldmatrix_probe(__global const uint* tile, __global const int* rowOf, __global uint* out) {
#if WARP_PTX
    __local uint* scratch = 0;
#else
    __local uint scratch[WARP_SCRATCH_UINTS] __attribute__((aligned(16)));
#endif
    __local uint rows[WARP_SIZE * 4] __attribute__((aligned(16)));
    const int lane = WARP_LANE(), base = get_group_id(0) * WARP_SIZE + lane;
    for (int w = 0; w < 4; w++) rows[lane * 4 + w] = tile[base * 4 + w];
    barrier(CLK_LOCAL_MEM_FENCE);
    uint r[4];
    LDMATRIX_X4(r, rows + rowOf[base] * 4, scratch);
    for (int i = 0; i < 4; i++) out[base * 4 + i] = r[i];
}
#endif
