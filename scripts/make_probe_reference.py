#!/usr/bin/env python3
"""Writes Tests/MetricsTests/Fixtures/probe_reference.json: an independent reference for the
divergence study's probe and its comparison statistics, computed with scikit-learn and NumPy only.

For a fixed small data set (two "models" embedding the same 150 labelled items: the large one X
and a noisy rotated variant Y), it computes what BertMetrics must reproduce:

- the choice of C: 5 folds, fold 0 held out, each other fold validated by sklearn's
  LogisticRegression fitted on the remaining three, pooled held-out log-loss per C, ties to the
  smaller C; features L2-normalised per row (sklearn.preprocessing.normalize);
- cross-fitted probabilities P(y = 1) of X and Y with the chosen C (to 1e-4 in the Swift test);
- the null design: halves A and B of every training fold set, large-A, large-B and variant-B
  predictions; agreement, null and cross disagreement and the sign-test counts (exact counts);
- Cohen's kappa of the two probes' labels and of their error indicators (sklearn's
  cohen_kappa_score);
- debiased linear CKA of X and Y (raw, column-centred) in NumPy after Kornblith et al.'s
  published `cka(gram_linear(x), gram_linear(y), debiased=True)`: unbiased centring of the Gram
  matrices (Song et al. 2012) and a normalised inner product.

The folds and halves are drawn here with NumPy and written to the fixture, so the Swift test feeds
the same partitions to its own code; nothing is copied from a BertBench report.

Usage: .venv/bin/python scripts/make_probe_reference.py   (numpy, scikit-learn)
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, log_loss
from sklearn.preprocessing import normalize

from cka_reference import debiased_cka

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MetricsTests", "Fixtures", "probe_reference.json")
rng = np.random.default_rng(20251125)
N, D, FOLDS, GRID = 150, 16, 5, [0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]


def grid(a):
    """Multiples of 1/256: exact in float32 (the Swift side stores embeddings as Float)."""
    return np.round(np.asarray(a, dtype=np.float64) * 256) / 256


def fit(X, y, C):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return LogisticRegression(C=C, solver="lbfgs", tol=1e-12, max_iter=100000).fit(X, y)


def cross_fit(X, y, folds, C, include=None):
    include = np.ones(len(y), bool) if include is None else include
    p = np.full(len(y), np.nan)
    for f in range(FOLDS):
        train = (folds != f) & include
        p[folds == f] = fit(X[train], y[train], C).predict_proba(X[folds == f])[:, 1]
    return p


def choose_c(X, y, folds, held_out=0):
    losses = []
    for C in GRID:
        probs, truth = [], []
        for g in range(FOLDS):
            if g == held_out:
                continue
            train = (folds != held_out) & (folds != g)
            probs.append(fit(X[train], y[train], C).predict_proba(X[folds == g])[:, 1])
            truth.append(y[folds == g])
        losses.append(log_loss(np.concatenate(truth), np.concatenate(probs), labels=[0, 1]))
    best = int(np.argmin(losses))  # first minimum: the smaller C on a tie
    return GRID[best], losses


# The data: a shared mean direction (as mean-pooled embeddings have) plus item-specific parts; the
# variant is a rotation of the large model's space with noise, so the two probes mostly agree.
common = rng.standard_normal(D) * 2
X = grid(common + rng.standard_normal((N, D)))
rotation, _ = np.linalg.qr(rng.standard_normal((D, D)))
Y = grid(X @ rotation * 0.7 + 0.6 * rng.standard_normal((N, D)))
w = rng.standard_normal(D)
y = (rng.random(N) < 1 / (1 + np.exp(-(X - X.mean(0)) @ w))).astype(int)
folds = rng.permutation(np.arange(N) % FOLDS)
halves = rng.permutation(np.arange(N) % 2)

Xn, Yn = normalize(X), normalize(Y)
C, losses = choose_c(Xn, y, folds)
pX, pY = cross_fit(Xn, y, folds, C), cross_fit(Yn, y, folds, C)
large, variant = (pX >= 0.5).astype(int), (pY >= 0.5).astype(int)
largeA = (cross_fit(Xn, y, folds, C, halves == 0) >= 0.5).astype(int)
largeB = (cross_fit(Xn, y, folds, C, halves == 1) >= 0.5).astype(int)
variantB = (cross_fit(Yn, y, folds, C, halves == 1) >= 0.5).astype(int)
null, cross = largeA != largeB, largeA != variantB

out = {
    "generator": "scripts/make_probe_reference.py",
    "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
    "rows": N, "columns": D, "large": [float(v) for v in X.ravel()], "variant": [float(v) for v in Y.ravel()],
    "labels": [int(v) for v in y], "folds": [int(v) for v in folds], "halves": [int(v) for v in halves],
    "grid": GRID, "logLoss": [float(v) for v in losses], "chosenC": C,
    "largeProbabilities": [float(v) for v in pX], "variantProbabilities": [float(v) for v in pY],
    "agreeing": int((large == variant).sum()),
    "nullDisagreeing": int(null.sum()), "crossDisagreeing": int(cross.sum()),
    "onlyVariantDisagrees": int((cross & ~null).sum()), "onlyNullDisagrees": int((null & ~cross).sum()),
    "kappa": float(cohen_kappa_score(large, variant)),
    "errorKappa": float(cohen_kappa_score((large != y).astype(int), (variant != y).astype(int))),
    "debiasedCKA": debiased_cka(X, Y),
}
with open(OUT, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"C = {C}, log-loss {np.round(losses, 4)}, agreement {out['agreeing']}/{N}, null {out['nullDisagreeing']}, "
      f"cross {out['crossDisagreeing']}, kappa {out['kappa']:.4f}, CKA {out['debiasedCKA']:.4f}")
