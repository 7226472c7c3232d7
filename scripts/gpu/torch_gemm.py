#!/usr/bin/env python3
"""The GEMM ceilings on a CUDA GPU, for scripts/gpu/nvidia.sh: torch.matmul (cuBLAS) at the given
shapes in fp32 with TF32 off (what BertBench's fp32 kernels compute), in fp16 (the tensor-core
ceiling for gemm-f16) and int8 x int8 -> int32 (torch._int_mm, the ceiling for W8A8), median of
CUDA-event times after warm-up. One JSON object per line:
{"engine": "torch-fp32"|"torch-fp16"|"torch-int8", "m", "n", "k", "median_ms", "gflops"}.

  python3 scripts/gpu/torch_gemm.py 4096x4096x4096 128x4096x1024 [--iterations 20]
"""
import argparse
import json

import torch


def time_op(op, iterations):
    """Median milliseconds of op() over `iterations` launches, each between two CUDA events."""
    for _ in range(3):
        op()
    torch.cuda.synchronize()
    times = []
    for _ in range(iterations):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        op()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def time_matmul(a, b, iterations):
    """Median milliseconds of a @ b (see time_op)."""
    return time_op(lambda: a @ b, iterations)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shapes", nargs="+", help="MxNxK")
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    for shape in args.shapes:
        m, n, k = (int(x) for x in shape.split("x"))
        for engine, dtype in (("torch-fp32", torch.float32), ("torch-fp16", torch.float16)):
            a = torch.rand(m, k, device="cuda", dtype=dtype) * 2 - 1
            b = torch.rand(k, n, device="cuda", dtype=dtype) * 2 - 1
            ms = time_matmul(a, b, args.iterations)
            print(json.dumps({"engine": engine, "m": m, "n": n, "k": k, "median_ms": ms, "gflops": 2 * m * n * k / (ms * 1e6)}))
        # The int8 ceiling (cuBLASLt int8 x int8 -> int32 through torch._int_mm; needs M > 16, K and N multiples of 8).
        if m > 16 and k % 8 == 0 and n % 8 == 0:
            a = torch.randint(-127, 128, (m, k), device="cuda", dtype=torch.int8)
            b = torch.randint(-127, 128, (k, n), device="cuda", dtype=torch.int8)
            ms = time_op(lambda: torch._int_mm(a, b), args.iterations)
            print(json.dumps({"engine": "torch-int8", "m": m, "n": n, "k": k, "median_ms": ms, "gflops": 2 * m * n * k / (ms * 1e6)}))


if __name__ == "__main__":
    main()
