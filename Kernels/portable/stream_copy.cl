// The device's memory bandwidth ceiling (STREAM "copy"): each work-item moves VW floats. Not an
// engine operation: the latency report divides memory-bound kernels' bytes by what this reaches.
#ifndef VW
#error "VW (floats per work-item) must be defined"
#endif
#if VW == 4
#define VTYPE float4
#elif VW == 8
#define VTYPE float8
#elif VW == 16
#define VTYPE float16
#else
#error "VW must be 4, 8 or 16"
#endif

__kernel void stream_copy(__global const VTYPE *restrict from, __global VTYPE *restrict to) {
    const size_t i = get_global_id(0);
    to[i] = from[i];
}
