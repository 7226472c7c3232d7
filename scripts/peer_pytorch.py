#!/usr/bin/env python3
"""Times PyTorch (Hugging Face transformers' BertModel) on a CUDA GPU as the peer of BertBench
on GPU hosts: the same checkpoint directory, the same batch x sequence shapes, fp32 with TF32
matrix units off (BertBench's kernels compute in plain fp32), CUDA events around each forward
pass after warm-up. Prints its rows as one JSON list; with --cells it also writes each row as a
BertBench cell file (kind "pytorch-peer", see docs/architecture/experiments.md) into a run
folder's cells/, where `bertbench report RUN` merges it. It never edits results.json.

  python3 scripts/peer_pytorch.py --model DIR --batch 1,8 --seq 128 [--iterations 20] [--cells RUN/cells]
"""
import argparse
import datetime
import json
import os
import socket
import sys
import tempfile

KIND = "pytorch-peer"


def fnv1a64(text):
    """64-bit FNV-1a of the UTF-8 bytes of text, as BertExperiments' CellID computes it."""
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def cell_id(cell):
    """The stable id of a pytorch-peer cell: kind, slug, and the hash of its inputs as sorted key=value lines."""
    inputs = {"model": cell["model"], "batch": str(cell["batch"]), "sequenceLength": str(cell["sequenceLength"]),
              "warmup": str(cell["warmup"]), "iterations": str(cell["iterations"]), "device": cell["device"]}
    text = "\n".join(f"{k}={inputs[k]}" for k in sorted(inputs))
    slug = "".join(c if c.isalnum() or c in "._-" else "_" for c in f"{cell['model']}-b{cell['batch']}-s{cell['sequenceLength']}")
    return f"{KIND}-{slug}-{fnv1a64(text):016x}"[:-4]


def write_cell(folder, cell, row):
    """Writes one finished cell as folder/<id>.json, atomically (temporary file, fsync, rename)."""
    os.makedirs(folder, exist_ok=True)
    identifier = cell_id(cell)
    record = {"schema": "bertbench.cell/1", "id": identifier, "kind": KIND, "cell": cell, "output": {"value": row},
              "host": socket.gethostname(), "finished": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    fd, temporary = tempfile.mkstemp(prefix=f".{identifier}.json.partial-", dir=folder)
    with os.fdopen(fd, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, os.path.join(folder, identifier + ".json"))
    return identifier


def main():
    import numpy as np
    import torch
    from transformers import BertConfig, BertModel

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--batch", default="1")
    parser.add_argument("--seq", default="128")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--cells", help="a run folder's cells/ directory to write one cell file per shape into (fp32 eager only)")
    parser.add_argument("--dtype", choices=["fp32", "fp16"], default="fp32", help="fp16: the model cast to half, the fp16 peer")
    parser.add_argument("--attention", choices=["eager", "sdpa"], default="eager", help="sdpa: torch's fused attention")
    parser.add_argument("--cuda-graph", action="store_true",
                        help="capture each shape's forward in a CUDA graph and time its replay: PyTorch without launch overhead")
    args = parser.parse_args()
    if args.cells and ((args.dtype, args.attention) != ("fp32", "eager") or args.cuda_graph):
        # A cell's id does not hold the dtype: only the fp32 eager peer is merged into reports.
        sys.exit("peer_pytorch: --cells takes the fp32 eager peer only")
    if not torch.cuda.is_available():
        sys.exit("peer_pytorch: no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    name = os.path.basename(os.path.normpath(args.model))
    config = BertConfig.from_pretrained(args.model)
    model = BertModel.from_pretrained(args.model, config=config, add_pooling_layer=False, attn_implementation=args.attention).cuda().eval()
    if args.dtype == "fp16":
        model = model.half()
    rng = np.random.default_rng(0x5EED)
    rows = []
    for b in [int(x) for x in args.batch.split(",")]:
        for s in [int(x) for x in args.seq.split(",")]:
            ids = torch.tensor(rng.integers(1000, config.vocab_size, size=(b, s)), device="cuda")
            mask = torch.ones_like(ids)
            times = []
            with torch.inference_mode():
                forward = lambda: model(input_ids=ids, attention_mask=mask)
                if args.cuda_graph:
                    # Every token is real; transformers checks an all-ones mask on the host, which a
                    # capture forbids, so the graph runs without one (the same computation).
                    forward = lambda: model(input_ids=ids)
                    side = torch.cuda.Stream()
                    side.wait_stream(torch.cuda.current_stream())
                    with torch.cuda.stream(side):  # warm-up on a side stream, as torch.cuda.graphs documents
                        for _ in range(3):
                            forward()
                    torch.cuda.current_stream().wait_stream(side)
                    graph = torch.cuda.CUDAGraph()
                    with torch.cuda.graph(graph):
                        forward()
                    forward = graph.replay
                for i in range(args.warmup + args.iterations):
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    forward()
                    end.record()
                    torch.cuda.synchronize()
                    if i >= args.warmup:
                        times.append(start.elapsed_time(end))
            p = lambda q: float(np.percentile(times, q, method="inverted_cdf"))
            plain = (args.dtype, args.attention, args.cuda_graph) == ("fp32", "eager", False)
            row = {"peer": "pytorch" if plain else f"pytorch-{args.dtype}-{args.attention}" + ("-graph" if args.cuda_graph else ""),
                   "version": torch.__version__,
                   "detail": f"{torch.cuda.get_device_name()}, transformers BertModel {args.dtype}, TF32 off, {args.attention} attention"
                             + (", CUDA graph replay" if args.cuda_graph else "") + ", CUDA events",
                   "model": name, "batch": b, "sequenceLength": s, "p50": p(50), "p90": p(90), "p99": p(99), "milliseconds": times}
            rows.append(row)
            if args.cells:
                cell = {"model": name, "path": args.model, "batch": b, "sequenceLength": s, "warmup": args.warmup,
                        "iterations": args.iterations, "device": torch.cuda.get_device_name()}
                write_cell(args.cells, cell, row)
            print(f"pytorch {name} batch {b} seq {s}: p50 {p(50):.3f} ms", file=sys.stderr)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
