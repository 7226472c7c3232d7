#!/usr/bin/env python3
"""Writes Tests/MetricsTests/Fixtures/cka_interval_reference.json: an independent reference for
debiased CKA's half-sampling interval (BertMetrics HalfSampling + UnbiasedGram.restricted).

For a fixed small data set (two "models" embedding the same 60 items), it draws the half-samples
exactly as the Swift code documents them (SplitMix64 from Vigna's splitmix64.c, Lemire's
multiply-and-reject bounded integers, a partial Fisher-Yates shuffle of 0..n-1 per resample whose
first n//2 entries are the subset), recomputes debiased CKA on each subset from the raw rows
(column-centred on the subset, Kornblith et al.'s `cka(gram_linear(x), gram_linear(y),
debiased=True)` written out in NumPy: not the Swift shortcut of restricting the full Gram), and
takes numpy's linear percentiles. Nothing is copied from a BertBench report.

Usage: .venv/bin/python scripts/make_cka_interval_reference.py   (numpy)
"""

import json
import os

import numpy as np

from cka_reference import debiased_cka

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MetricsTests", "Fixtures", "cka_interval_reference.json")
N, D, RESAMPLES, SEED, CONFIDENCE = 60, 8, 200, 20240717, 0.95
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def index_below(self, bound):
        """Lemire's method: the high word of next * bound, rejecting low words below 2^64 mod bound."""
        m = self.next() * bound
        low = m & MASK
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                m = self.next() * bound
                low = m & MASK
        return m >> 64


def grid(a):
    """Multiples of 1/256: exact in float32 (the Swift side stores embeddings as Float)."""
    return np.round(np.asarray(a, dtype=np.float64) * 256) / 256


rng = np.random.default_rng(20251126)
shared = rng.standard_normal((N, 3))
X = grid(shared @ rng.standard_normal((3, D)) + 0.8 * rng.standard_normal((N, D)) + 1.5)
Y = grid(shared @ rng.standard_normal((3, D)) + 0.8 * rng.standard_normal((N, D)) - 0.5)

random = SplitMix64(SEED)
order = list(range(N))
half = N // 2
subsets, replicates = [], []
for _ in range(RESAMPLES):
    for i in range(half):
        j = i + random.index_below(N - i)
        order[i], order[j] = order[j], order[i]
    subset = sorted(order[:half])
    subsets.append(subset)
    replicates.append(debiased_cka(X[subset], Y[subset]))
tail = 100 * (1 - CONFIDENCE) / 2
lower, upper = np.percentile(replicates, [tail, 100 - tail])

out = {
    "generator": "scripts/make_cka_interval_reference.py",
    "versions": {"numpy": np.__version__},
    "rows": N, "columns": D, "large": [float(v) for v in X.ravel()], "variant": [float(v) for v in Y.ravel()],
    "resamples": RESAMPLES, "seed": SEED, "confidence": CONFIDENCE,
    "firstSubset": subsets[0], "firstReplicate": replicates[0],
    "estimate": debiased_cka(X, Y), "lower": float(lower), "upper": float(upper),
}
with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"debiased CKA {out['estimate']:.4f} [{lower:.4f}, {upper:.4f}] from {RESAMPLES} half-samples")
