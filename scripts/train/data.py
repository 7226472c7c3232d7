"""Distillation texts: the out-of-domain files minus the items the study samples from them, read
the way the study reads them (Sources/BertDivergence/TextDataset.swift), tokenised and batched by
length bucket."""
from pathlib import Path

import numpy as np

MASK64 = (1 << 64) - 1


class DataError(Exception):
    """A data file that cannot be used; the message names the file and line."""


class SeededRandom:
    """Support's SeededRandom (SplitMix64) with Swift's Array.shuffle(using:) on top, so Python
    draws the same samples as TextDataset.sample; pinned by a golden in both test suites."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        """The next 64 random bits."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, bound):
        """Uniform integer in [0, bound): Lemire's multiply-and-reject, as the standard library's next(upperBound:)."""
        m = self.next() * bound
        if m & MASK64 < bound:
            threshold = ((1 << 64) - bound) % bound
            while m & MASK64 < threshold:
                m = self.next() * bound
        return m >> 64

    def shuffled(self, items):
        """A copy of items in the order Swift's shuffle(using:) leaves them."""
        a, i, amount = list(items), 0, len(items)
        while amount > 1:
            j = self.below(amount)
            amount -= 1
            a[i], a[i + j] = a[i + j], a[i]
            i += 1
        return a


def read_texts(path):
    """The texts of a TSV file with a header naming `text` (and maybe `mean_sentiment`), keeping
    the rows TextDataset keeps: non-empty text, and a rating other than 0 when there is one."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: unreadable ({error})") from None
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise DataError(f"{path}: empty file")
    columns = [c.lower() for c in lines[0].split("\t")]
    if "text" not in columns:
        raise DataError(f"{path}:1: the header has no 'text' column")
    text_at, rating_at = columns.index("text"), columns.index("mean_sentiment") if "mean_sentiment" in columns else None
    texts = []
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != len(columns):
            raise DataError(f"{path}:{number}: {len(fields)} fields, the header has {len(columns)}")
        body = fields[text_at].strip(" \t")
        if not body:
            continue
        if rating_at is not None:
            try:
                if float(fields[rating_at]) == 0:
                    continue
            except ValueError:
                raise DataError(f"{path}:{number}: mean_sentiment {fields[rating_at]!r} is not a number") from None
        texts.append(body)
    return texts


def distillation_texts(path, exclude_first, seed):
    """(texts to train on, number excluded): the file's texts minus the first `exclude_first` of
    the study's seeded shuffle, which hold every out-of-domain sample of up to that many items."""
    texts = read_texts(path)
    order = SeededRandom(seed).shuffled(range(len(texts)))
    held = set(order[:exclude_first])
    return [t for i, t in enumerate(texts) if i not in held], len(held)


def tokenize(texts, tokenizer_json, max_length):
    """Token id lists ([CLS] ... [SEP], truncated to max_length) from the model's tokenizer.json."""
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return [e.ids for e in tokenizer.encode_batch(texts)]


def bucket_batches(ids, batch_size, buckets, rng, partial=False):
    """Batches of (ids [B, T] int32, mask [B, T] float32), each from one length bucket (T the
    smallest bucket length that holds its rows), shuffled within and across buckets by rng; with
    `partial`, a bucket's last rows form a batch padded with empty rows (mask 0) at its end."""
    by_bucket = {}
    for row in ids:
        length = next(b for b in buckets if len(row) <= b)
        by_bucket.setdefault(length, []).append(row)
    batches = []
    for length, rows in sorted(by_bucket.items()):
        order = rng.permutation(len(rows))
        end = len(rows) if partial else len(rows) - batch_size + 1  # whole batches: one shape per bucket
        for start in range(0, end, batch_size):
            chosen = [rows[i] for i in order[start:start + batch_size]]
            batch = np.zeros((batch_size, length), np.int32)
            mask = np.zeros((batch_size, length), np.float32)
            for r, row in enumerate(chosen):
                batch[r, :len(row)] = row
                mask[r, :len(row)] = 1
            batches.append((batch, mask))
    return [batches[i] for i in rng.permutation(len(batches))]
