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
        rows = [[1] * n for n in range(2, 40)]
        batches = data.bucket_batches(rows, 4, [16, 32, 48], np.random.default_rng(0))
        self.assertTrue(batches)
        for ids, mask in batches:
            self.assertIn(ids.shape[1], (16, 32, 48))
            self.assertGreater(mask[:, ids.shape[1] // 3:].sum() if ids.shape[1] > 16 else 1, 0)


class RecipeTests(unittest.TestCase):
    def test_missing_field_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "r.json"
            body = json.loads((HERE / "recipes" / "tiny.json").read_text())
            del body["steps"]
            path.write_text(json.dumps(body))
            with self.assertRaisesRegex(recipes.RecipeError, "field 'steps'"):
                recipes.load(path)


if __name__ == "__main__":
    unittest.main()
