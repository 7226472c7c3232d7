#!/usr/bin/env python3
"""The GEMM ceilings on a CUDA GPU, for scripts/gpu/nvidia.sh: torch.matmul (cuBLAS) at the given
shapes in fp32 with TF32 off (what BertBench's fp32 kernels compute) and in fp16 (the tensor-core
ceiling for gemm-f16), median of CUDA-event times after warm-up. One JSON object per line:
{"engine": "torch-fp32"|"torch-fp16", "m", "n", "k", "median_ms", "gflops"}.

  python3 scripts/gpu/torch_gemm.py 4096x4096x4096 128x4096x1024 [--iterations 20]
"""
import argparse
import json

import torch


def time_matmul(a, b, iterations):
    """Median milliseconds of a @ b over `iterations` launches, each between two CUDA events."""
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    times = []
    for _ in range(iterations):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        a @ b
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


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


if __name__ == "__main__":
    main()
