#!/usr/bin/env python3
"""A quick check of trained variants without the engine: pooled cosine to the large model and
linear-probe accuracy (each model's own probe, and the large model's probe on its embeddings),
5-fold cross-fitted with C chosen by inner cross-validation, on 1,000 movie snippets (which no
recipe trains on). `bertbench diverge` is the real study; this runs in minutes on a busy machine.

  .venv/bin/python scripts/train/probe.py LARGE_DIR VARIANT_DIR...
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checkpoint  # noqa: E402
import data  # noqa: E402
import recipe as recipes  # noqa: E402

ITEMS, SEED, C_GRID = 1000, 1, [1, 3, 10, 30, 100, 300, 1000]


def movie_items():
    """(texts, 0/1 labels) of ITEMS seeded movie snippets, rating 0 dropped as the study drops it."""
    lines = (recipes.REPO / "assets" / "data" / "movie_snippets.tsv").read_text(encoding="utf-8").splitlines()[1:]
    rows = [(r[2], float(r[1])) for r in (line.split("\t") for line in lines) if len(r) == 3 and r[2].strip() and float(r[1]) != 0]
    pick = np.random.default_rng(SEED).permutation(len(rows))[:ITEMS]
    return [rows[i][0] for i in pick], np.array([rows[i][1] > 0 for i in pick], int)


def embed(folder, ids):
    """L2-normalised mean-pooled embeddings of the JAX forward (padded to multiples of 32: few compiles)."""
    import jax
    from bert import forward, trainable
    config, weights = checkpoint.load(folder)
    params = trainable(weights)
    run = jax.jit(lambda i, m: forward(params, config, i, m)["pooled"])
    out = np.zeros((len(ids), config["hidden_size"]), np.float32)
    order = np.argsort([len(r) for r in ids])
    for start in range(0, len(order), 50):
        chunk = order[start:start + 50]
        width = -(-max(len(ids[i]) for i in chunk) // 32) * 32
        batch, mask = np.zeros((len(chunk), width), np.int32), np.zeros((len(chunk), width), np.float32)
        for r, i in enumerate(chunk):
            batch[r, :len(ids[i])], mask[r, :len(ids[i])] = ids[i], 1
        out[chunk] = np.asarray(run(batch, mask))
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def main():
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold
    if len(sys.argv) < 3:
        sys.exit("probe: error: give the large model's folder, then one or more variant folders")
    models = sys.argv[1:]
    texts, labels = movie_items()
    ids = data.tokenize(texts, Path(models[0]) / "tokenizer.json", 128)
    try:
        embeddings = {m: embed(m, ids) for m in models}
    except checkpoint.CheckpointError as error:
        sys.exit(f"probe: error: {error}")
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(embeddings[models[0]], labels))
    def fit(m, train):
        return LogisticRegressionCV(Cs=C_GRID, cv=5, max_iter=2000).fit(embeddings[m][train], labels[train])

    heads = [fit(models[0], train) for train, _ in folds]  # the large model's probe, one per fold
    for m in models:
        own, large = np.zeros(len(labels)), np.zeros(len(labels))
        for (train, test), head in zip(folds, heads):
            own[test] = fit(m, train).predict(embeddings[m][test])
            large[test] = head.predict(embeddings[m][test])
        cosines = (embeddings[m] * embeddings[models[0]]).sum(1)
        print(f"{Path(m).name}: own probe {np.mean(own == labels):.3f}, large model's probe {np.mean(large == labels):.3f}, "
              f"pooled cosine to the large model mean {cosines.mean():.4f}, worst {cosines.min():.4f}", flush=True)


if __name__ == "__main__":
    main()
