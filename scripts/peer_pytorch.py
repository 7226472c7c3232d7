#!/usr/bin/env python3
"""Times PyTorch (Hugging Face transformers' BertModel) on a CUDA GPU as the peer of BertBench
on GPU hosts: the same checkpoint directory, the same batch x sequence shapes, fp32 with TF32
matrix units off (BertBench's kernels compute in plain fp32), CUDA events around each forward
pass after warm-up. With --merge it appends its rows to a BertBench results.json `peers` list.

  python3 scripts/peer_pytorch.py --model DIR --batch 1,8 --seq 128 [--iterations 20] [--merge RUN/results.json]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from transformers import BertConfig, BertModel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--batch", default="1")
    parser.add_argument("--seq", default="128")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--merge", help="a results.json whose peers list gets these rows")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("peer_pytorch: no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    name = os.path.basename(os.path.normpath(args.model))
    config = BertConfig.from_pretrained(args.model)
    model = BertModel.from_pretrained(args.model, config=config, add_pooling_layer=False, attn_implementation="eager").cuda().eval()
    rng = np.random.default_rng(0x5EED)
    rows = []
    for b in [int(x) for x in args.batch.split(",")]:
        for s in [int(x) for x in args.seq.split(",")]:
            ids = torch.tensor(rng.integers(1000, config.vocab_size, size=(b, s)), device="cuda")
            mask = torch.ones_like(ids)
            times = []
            with torch.inference_mode():
                for i in range(args.warmup + args.iterations):
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    model(input_ids=ids, attention_mask=mask)
                    end.record()
                    torch.cuda.synchronize()
                    if i >= args.warmup:
                        times.append(start.elapsed_time(end))
            p = lambda q: float(np.percentile(times, q, method="inverted_cdf"))
            rows.append({"peer": "pytorch", "version": torch.__version__,
                         "detail": f"{torch.cuda.get_device_name()}, transformers BertModel fp32, TF32 off, eager attention, CUDA events",
                         "model": name, "batch": b, "sequenceLength": s, "p50": p(50), "p90": p(90), "p99": p(99), "milliseconds": times})
            print(f"pytorch {name} batch {b} seq {s}: p50 {p(50):.3f} ms", file=sys.stderr)
    if args.merge:
        with open(args.merge) as f:
            results = json.load(f)
        results["peers"] = [r for r in results["peers"] if not (r["peer"] == "pytorch" and r["model"] == name)] + rows
        with open(args.merge + ".tmp", "w") as f:
            json.dump(results, f, indent=2, sort_keys=True)
        os.replace(args.merge + ".tmp", args.merge)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
