#!/usr/bin/env python3
"""Tests of the trainer: the JAX forward against onnxruntime (nobody here wrote it), the study's
seeded sample, the data split, recipe errors, and a tiny recipe end to end whose checkpoint the
engine (`bertbench embed`, when built) reproduces to cosine >= 0.9999.

  .venv/bin/python -m unittest scripts/train/test_train.py     (scripts/test runs it)
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import checkpoint  # noqa: E402
import data  # noqa: E402
import recipe as recipes  # noqa: E402

REPO = HERE.parent.parent
L6 = REPO / "assets" / "models" / "all-MiniLM-L6-v2"
L3 = REPO / "assets" / "models" / "paraphrase-MiniLM-L3-v2"
SENTENCES = ["The movie was surprisingly good.", "A dull, lifeless and overlong film.",
             "Café au lait in Zürich costs 4.50 CHF — naïve tourists pay more!", "hello",
             "The quick brown fox jumps over the lazy dog while the cat watches from the windowsill."]


def encode(texts, folder=L6, max_length=128):
    """Token ids of texts from the `tokenizers` library."""
    return data.tokenize(texts, folder / "tokenizer.json", max_length)


def padded(rows):
    """(ids, mask) with rows padded to the longest."""
    t = max(len(r) for r in rows)
    ids, mask = np.zeros((len(rows), t), np.int32), np.zeros((len(rows), t), np.float32)
    for i, r in enumerate(rows):
        ids[i, :len(r)], mask[i, :len(r)] = r, 1
    return ids, mask


def jax_forward(folder, rows):
    """Last hidden states and pooled embeddings of the JAX forward on padded rows."""
    from bert import forward, trainable
    config, weights = checkpoint.load(folder)
    ids, mask = padded(rows)
    out = forward(trainable(weights), config, ids, mask)
    return np.asarray(out["hidden"][-1]), np.asarray(out["pooled"])


class ForwardTests(unittest.TestCase):
    def test_forward_matches_onnxruntime_on_the_l3_onnx_file(self):
        import onnxruntime
        from fetch_assets import wheel_member
        session = onnxruntime.InferenceSession(wheel_member("l3", "paraphrase-MiniLM-L3-v2.onnx"), providers=["CPUExecutionProvider"])
        rows = encode(SENTENCES, L3)
        hidden, _ = jax_forward(L3, rows)  # one padded batch: padding must not change the real tokens
        for i, r in enumerate(rows):
            ids = np.array([r], np.int64)
            reference = session.run(["onnx::Shape_422"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]
            np.testing.assert_allclose(hidden[i, :len(r)], reference, atol=1e-4, rtol=0, err_msg=SENTENCES[i])


class DataTests(unittest.TestCase):
    def test_shuffle_matches_swift_golden(self):
        # The same golden is pinned in Tests/SupportTests (SeededRandomTests): Swift's shuffle with SeededRandom.
        order = data.SeededRandom(20241021).shuffled(range(4200))
        self.assertEqual(order[:10], [1593, 2303, 754, 3995, 3247, 2247, 309, 3304, 3427, 3436])
        self.assertEqual(data.SeededRandom(20241021).shuffled(range(20)), [7, 11, 5, 19, 16, 13, 0, 17, 6, 8, 12, 1, 14, 15, 4, 10, 3, 18, 9, 2])

    def test_study_sample_is_excluded(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ood.tsv"
            rows = ["id\tmean_sentiment\ttext"] + [f"{i}\t{1 if i % 7 else 0}\ttext {i}" for i in range(300)]
            path.write_text("\n".join(rows) + "\n")
            texts = data.read_texts(path)
            self.assertEqual(len(texts), 300 - 43)  # rating 0 rows are dropped, as TextDataset drops them
            kept, excluded = data.distillation_texts(path, 50, 20241021)
            study = [texts[i] for i in data.SeededRandom(20241021).shuffled(range(len(texts)))[:50]]
            self.assertEqual((excluded, len(kept)), (50, len(texts) - 50))
            self.assertFalse(set(study) & set(kept))

    def test_bad_data_names_file_and_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bad.tsv"
            path.write_text("id\tmean_sentiment\ttext\n1\tx\thello\n")
            with self.assertRaisesRegex(data.DataError, r"bad.tsv:2: mean_sentiment"):
                data.read_texts(path)

    def test_buckets_hold_their_rows(self):
        rows = [[1] * n for n in range(2, 41)]
        batches = data.bucket_batches(rows, 4, [16, 32, 48], np.random.default_rng(0))
        whole = data.bucket_batches(rows, 4, [16, 32, 48], np.random.default_rng(0), partial=True)
        self.assertEqual((len(batches), sum(int(m.any(1).sum()) for _, m in whole)), (3 + 4 + 2, len(rows)))
        for ids, mask in batches + whole:
            lengths = mask.sum(1)[mask.any(1)]
            smaller = {16: 0, 32: 16, 48: 32}[ids.shape[1]]
            self.assertTrue(np.all((lengths > smaller) & (lengths <= ids.shape[1])), (ids.shape, lengths))


class RecipeTests(unittest.TestCase):
    def test_missing_field_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r.json"
            body = json.loads((HERE / "recipes" / "tiny.json").read_text())
            del body["steps"]
            path.write_text(json.dumps(body))
            with self.assertRaisesRegex(recipes.RecipeError, "field 'steps'"):
                recipes.load(path)


def tiny_init(folder):
    """A 3-layer student of L6 (layers 0, 2, 4) with half of each encoder matrix's smallest weights
    zeroed: the initialisation of the tiny recipe, made here so the test needs no built variant."""
    config, weights = checkpoint.load(L6)
    kept = {}
    for key, value in weights.items():
        if key.startswith("encoder.layer."):
            layer = int(key.split(".")[2])
            if layer % 2:
                continue
            key = key.replace(f"encoder.layer.{layer}.", f"encoder.layer.{layer // 2}.", 1)
            if value.ndim == 2:
                value = np.where(np.abs(value) < np.median(np.abs(value)), 0, value).astype(np.float32)
        kept[key] = value
    config = dict(config, num_hidden_layers=3, compression={"method": "drop-layers", "kept_layers": [0, 2, 4], "note": "test"})
    return checkpoint.write(folder, config, kept, L6)


def engine_embeddings(folder, texts, tmp):
    """(ids, mean-pooled embeddings) from `bertbench embed` on the checkpoint folder."""
    binary = os.environ.get("BERTBENCH", str(REPO / ".build" / "debug" / "bertbench"))
    if not Path(binary).is_file():
        raise unittest.SkipTest(f"no bertbench binary at {binary} (scripts/test builds it; or set BERTBENCH)")
    source, out = Path(tmp) / "texts.txt", Path(tmp) / "embedded.jsonl"
    source.write_text("\n".join(texts) + "\n")
    subprocess.run([binary, "embed", "--model", str(folder), "--input", str(source), "--output", str(out), "--quiet"], check=True)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return [r["ids"] for r in rows], np.array([r["embedding"] for r in rows])


class TinyRecipeTests(unittest.TestCase):
    def test_tiny_recipe_trains_keeps_zeros_and_loads_in_the_engine(self):
        import distill
        with tempfile.TemporaryDirectory() as tmp:
            init = tiny_init(Path(tmp) / "init")
            body = json.loads((HERE / "recipes" / "tiny.json").read_text())
            body.update(init=str(init), keep_zeros=True)
            (Path(tmp) / "tiny.json").write_text(json.dumps(body))
            recipe = recipes.load(Path(tmp) / "tiny.json")
            out = Path(tmp) / "student"
            summary = distill.train(recipe, out, quiet=True)
            config, trained = checkpoint.load(out)
            _, before = checkpoint.load(init)
            record = config["compression"]
            self.assertEqual((record["method"], record["steps"], record["init"]["name"]), ("distilled", 4, "init"))
            self.assertEqual(summary["kept_zero_tensors"], 18)  # 6 matrices x 3 layers
            rows = (out / "training_log.csv").read_text().splitlines()
            self.assertEqual(len(rows), 1 + 4)
            self.assertTrue((out / "loss_curve.png").is_file() and (out / "vocab.txt").is_file())
            for key, value in before.items():
                if key.startswith("encoder.layer.") and value.ndim == 2:
                    self.assertTrue(np.all(trained[key][value == 0] == 0), key)
                    self.assertFalse(np.array_equal(trained[key], value), key)
            ids, engine = engine_embeddings(out, SENTENCES, tmp)
            self.assertEqual(ids, encode(SENTENCES))
            _, pooled = jax_forward(out, ids)
            cos = (engine * pooled).sum(1) / (np.linalg.norm(engine, axis=1) * np.linalg.norm(pooled, axis=1))
            self.assertGreaterEqual(float(cos.min()), 0.9999, f"engine vs JAX pooled cosines {cos}")


if __name__ == "__main__":
    unittest.main()
