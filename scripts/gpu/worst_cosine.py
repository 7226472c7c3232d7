"""The worst pooled cosine between two `bertbench embed` outputs under OUT (embed-A.jsonl and
embed-B.jsonl), printed with LABEL and BOUND; exit 1 below BOUND. nvidia.sh's model-level checks.
Usage: worst_cosine.py OUT A B BOUND LABEL"""
import json
import sys

import numpy as np


def rows(out, name):
    return [np.array(json.loads(line)["embedding"], dtype=np.float64) for line in open(f"{out}/embed-{name}.jsonl")]


def main():
    out, a, b, bound, label = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
    worst = min(float(x @ y / np.linalg.norm(x) / np.linalg.norm(y)) for x, y in zip(rows(out, a), rows(out, b)))
    print(f"{label}: worst pooled cosine {worst:.9f} (target >= {sys.argv[4]})")
    sys.exit(0 if worst >= bound else 1)


if __name__ == "__main__":
    main()
