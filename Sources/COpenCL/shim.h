// The one place the OpenCL target version is fixed: every C module that includes cl.h must agree.
#ifndef BERTBENCH_COPENCL_SHIM_H
#define BERTBENCH_COPENCL_SHIM_H
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#endif
