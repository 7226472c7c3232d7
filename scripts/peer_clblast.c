// CLBlast SGEMM timed on an OpenCL device, as a peer of BertBench's own GEMM kernel: same
// device (index across all platforms, as `bertbench devices` numbers them), same row-major
// C = A * B. Timed with the host clock around the call and clFinish: CLBlast may enqueue
// several kernels (padding, transposes, the product) and returns the event of the last one
// only, which for large shapes measured a copy, not the product. Prints one JSON line.
// Usage: peer_clblast --m M --n N --k K [--device INDEX] [--iterations 10] [--warmup 2]
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <clblast_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef CLBLAST_PKG_VERSION
#define CLBLAST_PKG_VERSION "unknown"
#endif

// Exits with one line naming the failed call and its status.
static void check(int status, const char *call) {
    if (status != 0) { fprintf(stderr, "peer_clblast: %s failed with status %d\n", call, status); exit(1); }
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// The device at `index` across platforms; -1 picks the first GPU, else the first device.
static cl_device_id pick_device(int index, cl_platform_id *platform_out) {
    cl_platform_id platforms[16]; cl_uint np = 0;
    check(clGetPlatformIDs(16, platforms, &np), "clGetPlatformIDs");
    int seen = 0; cl_device_id first = NULL, gpu = NULL; cl_platform_id first_p = NULL, gpu_p = NULL;
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id devices[16]; cl_uint nd = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 16, devices, &nd) != CL_SUCCESS) continue;
        for (cl_uint d = 0; d < nd; d++, seen++) {
            cl_device_type type; clGetDeviceInfo(devices[d], CL_DEVICE_TYPE, sizeof type, &type, NULL);
            if (!first) { first = devices[d]; first_p = platforms[p]; }
            if (!gpu && (type & CL_DEVICE_TYPE_GPU)) { gpu = devices[d]; gpu_p = platforms[p]; }
            if (seen == index) { *platform_out = platforms[p]; return devices[d]; }
        }
    }
    if (index >= 0) { fprintf(stderr, "peer_clblast: no device %d\n", index); exit(1); }
    *platform_out = gpu ? gpu_p : first_p;
    return gpu ? gpu : first;
}

int main(int argc, char **argv) {
    long m = 0, n = 0, k = 0; int device_index = -1, iterations = 10, warmup = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--m")) m = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--n")) n = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--k")) k = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--device")) device_index = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--iterations")) iterations = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[i + 1]);
        else { fprintf(stderr, "peer_clblast: unknown option %s\n", argv[i]); return 2; }
    }
    if (m <= 0 || n <= 0 || k <= 0 || iterations <= 0) { fprintf(stderr, "peer_clblast: --m, --n, --k and --iterations must be positive\n"); return 2; }

    cl_platform_id platform; cl_device_id device = pick_device(device_index, &platform);
    char name[256] = {0}; clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof name - 1, name, NULL);
    cl_int status;
    cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &status); check(status, "clCreateContext");
    cl_command_queue queue = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, &status); check(status, "clCreateCommandQueue");

    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    unsigned long long state = 0x5EED;
    for (long i = 0; i < m * k; i++) { state = state * 6364136223846793005ULL + 1442695040888963407ULL; a[i] = (float)((state >> 40) / 8388608.0 - 1.0); }
    for (long i = 0; i < k * n; i++) { state = state * 6364136223846793005ULL + 1442695040888963407ULL; b[i] = (float)((state >> 40) / 8388608.0 - 1.0); }
    cl_mem da = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof(float) * m * k, a, &status); check(status, "clCreateBuffer(A)");
    cl_mem db = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof(float) * k * n, b, &status); check(status, "clCreateBuffer(B)");
    cl_mem dc = clCreateBuffer(context, CL_MEM_READ_WRITE, sizeof(float) * m * n, NULL, &status); check(status, "clCreateBuffer(C)");

    double *times = malloc(sizeof(double) * iterations);
    for (int i = 0; i < warmup + iterations; i++) {
        cl_event event = NULL;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        check(CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, m, n, k, 1.0f, da, 0, k, db, 0, n, 0.0f, dc, 0, n, &queue, &event), "CLBlastSgemm");
        check(clFinish(queue), "clFinish");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (i >= warmup) times[i - warmup] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
        if (event) clReleaseEvent(event);
    }
    check(clEnqueueReadBuffer(queue, dc, CL_TRUE, 0, sizeof(float) * m * n, c, 0, NULL, NULL), "clEnqueueReadBuffer");
    // Correctness on sampled entries against a double-precision product.
    double worst = 0;
    for (int s = 0; s < 64; s++) {
        long i = (s * 7919L) % m, j = (s * 104729L) % n; double ref = 0, mag = 0;
        for (long p = 0; p < k; p++) { ref += (double)a[i * k + p] * b[p * n + j]; mag += fabs((double)a[i * k + p] * b[p * n + j]); }
        double err = fabs(c[i * n + j] - ref) / (mag > 1 ? mag : 1);
        if (err > worst) worst = err;
    }
    qsort(times, iterations, sizeof(double), compare_doubles);
    double median = times[iterations / 2];
    printf("{\"peer\":\"clblast\",\"clblast_version\":\"%s\",\"device\":\"%s\",\"m\":%ld,\"n\":%ld,\"k\":%ld,\"median_ms\":%.6f,\"min_ms\":%.6f,\"gflops\":%.3f,\"timing\":\"%s\",\"max_rel_error\":%.3g}\n",
           CLBLAST_PKG_VERSION, name, m, n, k, median, times[0], 2.0 * m * n * k / (median * 1e6), "host-wall", worst);
    return worst > 1e-4 ? 1 : 0;
}
