// One mma step on fragments given per lane, for checking the warp-level macros against the PTX
// ISA's fragment layout from outside (Tests/KernelTests/WarpMMATests.swift packs the fragments
// in Swift): lane L of each 32-wide work-group reads a0..a3, b0, b1 from regs[L*6 ..], accumulates
// onto acc[L*4 ..] and writes d0..d3 back there. With WARP_PTX=1 on an NVIDIA GPU it runs the
// tensor cores; with WARP_PTX=0 the emulation. Build options: WARP_PTX.

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
