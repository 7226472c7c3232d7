#!/usr/bin/env python3
"""Derives the word-substitution attack's linguistic resources from two Debian packages:

  assets/data/attack_lexicon.tsv       per lower-case word: its WordNet parts of speech (n, v, a, r,
                                       through WordNet's morphy: exception lists and suffix rules),
                                       the Penn tags Lingua::EN::Tagger's lexicon has seen it with,
                                       and its WordNet antonyms (direct `!` pointers and, for
                                       adjectives, WordNet's indirect antonyms through the `&`
                                       clusters), on lemmas, expanded to every listed word form
  assets/data/<data>.pos.tsv           per text of a data file: the Penn tag of each whitespace
                                       word in context (Lingua::EN::Tagger), "-" where none

Sources: wordnet-base (WordNet 3.0 database files under /usr/share/wordnet) and
liblingua-en-tagger-perl (an HMM tagger trained on the Penn Treebank). Outputs are written
atomically and regenerated when missing or when this script changes (its hash is in the SOURCE
note). Usage: make_attack_resources.py [--data FILE ...] [--out DIR] [--force]
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORDNET = Path("/usr/share/wordnet")
TAGGER_WORDS = Path("/usr/share/perl5/Lingua/EN/Tagger/words.yml")
POS = "nvar"
FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
# WordNet's morphy: detachment rules per part of speech (wn's morph.c).
SUFFIXES = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}
# Words the tagger reads word by word: letters with inner apostrophes or hyphens.
WORD = re.compile(r"^[a-z][a-z'-]*$")


def fail(message):
    sys.exit(f"make_attack_resources: error: {message}")


def write_atomically(path, text):
    """Writes `text` to a temporary file beside `path`, then renames it over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.chmod(tmp, 0o644)  # readable like the other assets (mkstemp creates 0600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_wordnet():
    """(lemmas per pos, exceptions per pos, antonym pairs of lemmas) from the database files."""
    lemmas = {p: set() for p in POS}
    exceptions = {p: {} for p in POS}
    antonyms = set()  # (pos, lemma, pos, lemma)
    for p, name in FILES.items():
        index, data, exc = WORDNET / f"index.{name}", WORDNET / f"data.{name}", WORDNET / f"{name}.exc"
        for path in (index, data, exc):
            if not path.exists():
                fail(f"{path} is missing (install the Debian package wordnet-base)")
        for line in index.read_text(encoding="latin-1").splitlines():
            if line and not line.startswith(" "):
                lemmas[p].add(line.split(" ", 1)[0])
        for line in exc.read_text(encoding="latin-1").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                exceptions[p].setdefault(parts[0], set()).update(parts[1:])
    synsets = {}
    for p, name in FILES.items():
        for line in (WORDNET / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if not line or line.startswith(" "):
                continue
            fields = line.split(" | ", 1)[0].split()
            offset, kind, count = fields[0], fields[2], int(fields[3], 16)
            words = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).lower() for i in range(count)]
            at = 4 + 2 * count
            pointers = [fields[at + 1 + 4 * j: at + 5 + 4 * j] for j in range(int(fields[at]))]
            synsets[(p, offset)] = (kind, words, pointers)
    # Direct antonyms are lexical: word `source` of this synset against word `target` of the other.
    heads = {}
    for (p, offset), (kind, words, pointers) in synsets.items():
        for symbol, other, other_pos, st in pointers:
            other_pos = "a" if other_pos == "s" else other_pos
            if symbol == "!":
                source, target = int(st[:2], 16), int(st[2:], 16)
                theirs = synsets[(other_pos, other)][1]
                pairs = [(words[source - 1], theirs[target - 1])] if source and target else [(a, b) for a in words for b in theirs]
                antonyms.update((p, a, other_pos, b) for a, b in pairs)
            elif symbol == "&" and kind == "s":
                heads.setdefault((p, offset), []).append((other_pos, other))
    # Indirect antonyms (WordNet's own relation for satellites): a satellite adjective is opposed
    # to the direct antonyms of its cluster's head.
    direct = {}
    for p, a, q, b in antonyms:
        direct.setdefault((p, a), set()).add((q, b))
    for key, head_keys in heads.items():
        for head in head_keys:
            for word in synsets[head][1]:
                for q, opposite in direct.get(("a", word), ()):
                    for satellite in synsets[key][1]:
                        antonyms.add(("a", satellite, q, opposite))
    antonyms |= {(q, b, p, a) for p, a, q, b in antonyms}
    return lemmas, exceptions, antonyms


def morphy(word, p, lemmas, exceptions):
    """WordNet's base forms of `word` as part of speech `p` (itself included when a lemma)."""
    found = {word} & lemmas[p]
    found |= exceptions[p].get(word, set()) & lemmas[p]
    for suffix, ending in SUFFIXES[p]:
        if word.endswith(suffix) and len(word) > len(suffix):
            base = word[: -len(suffix)] + ending
            if base in lemmas[p]:
                found.add(base)
    return found


def tagger_lexicon():
    """{lower-case word: Penn tags} from Lingua::EN::Tagger's lexicon (case variants merged)."""
    if not TAGGER_WORDS.exists():
        fail(f"{TAGGER_WORDS} is missing (install the Debian package liblingua-en-tagger-perl)")
    tags = {}
    entry = re.compile(r'^"?(.*?)"?: \{ (.*) \}$')
    for line in TAGGER_WORDS.read_text(encoding="utf-8", errors="replace").splitlines():
        match = entry.match(line)
        if match:
            seen = {pair.split(":")[0].strip().upper() for pair in match.group(2).split(",")}
            tags.setdefault(match.group(1).lower(), set()).update(seen)
    return tags


def texts_of(path):
    """The `text` column of a TSV data file, as the study reads it (trimmed)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        fail(f"{path}: empty file")
    header = [c.lower() for c in lines[0].split("\t")]
    if "text" not in header:
        fail(f"{path}:1: the header has no 'text' column")
    column = header.index("text")
    texts = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            fail(f"{path}:{number}: {len(fields)} fields, the header has {len(header)}")
        if fields[column].strip():
            texts.append(fields[column].strip())
    return texts


def alnum(text):
    return "".join(c for c in text if c.isalnum()).lower()


def align(words, tokens):
    """The tag of each whitespace word: the tag of its first tagger token with letters or digits.
    Tokens are matched to words by their letters and digits alone (the tagger rewrites quotes and
    dashes and splits clitics); from the first word that does not match, words stay untagged."""
    tags = ["-"] * len(words)
    t = 0
    for i, word in enumerate(words):
        key = alnum(word)
        if not key:
            continue
        joined, first = "", None
        while t < len(tokens) and len(joined) < len(key):
            piece = alnum(tokens[t][1])
            if piece:
                first = first or tokens[t][0]
                joined += piece
            t += 1
        if joined != key:
            break
        tags[i] = first.upper()
    return tags


def tag_texts(texts):
    """Penn tags per whitespace word of each text, in context, by Lingua::EN::Tagger."""
    program = 'BEGIN { $t = Lingua::EN::Tagger->new() } chomp; print $t->add_tags($_), "\\n"'
    run = subprocess.run(["perl", "-CSD", "-MLingua::EN::Tagger", "-ne", program], input="\n".join(texts) + "\n",
                         capture_output=True, text=True, encoding="utf-8")
    if run.returncode != 0:
        fail(f"Lingua::EN::Tagger failed: {run.stderr.strip()[:300]} (install liblingua-en-tagger-perl)")
    lines = run.stdout.split("\n")[: len(texts)]
    if len(lines) != len(texts):
        fail(f"the tagger returned {len(lines)} lines for {len(texts)} texts")
    token = re.compile(r"<([^<>/ ]+)>(.*?)</\1>")
    return [align(text.split(" "), token.findall(line)) for text, line in zip(texts, lines)]


def vocabulary_words():
    """Whole-word entries of the models' vocab.txt files: substitute candidates come from them."""
    words = set()
    for vocab in (REPO / "assets" / "models").glob("*/vocab.txt"):
        words |= {w for w in vocab.read_text(encoding="utf-8").split("\n") if WORD.match(w)}
    return words


def build_lexicon(data_texts):
    lemmas, exceptions, antonyms = read_wordnet()
    penn = tagger_lexicon()
    words = {w for p in POS for w in lemmas[p] if WORD.match(w)}
    words |= {w for p in POS for w in exceptions[p] if WORD.match(w)}
    words |= {w for w in penn if WORD.match(w)} | vocabulary_words()
    for text in data_texts:
        words |= {w for w in (re.sub(r"^\W+|\W+$", "", x.lower()) for x in text.split(" ")) if WORD.match(w)}
    bases = {w: {p: morphy(w, p, lemmas, exceptions) for p in POS} for w in words}
    # Antonymy holds between lemmas of one part of speech: a word is opposed to every listed form
    # whose base form, in that part of speech, is an antonym of one of its own base forms.
    forms = {}
    for w, by_pos in bases.items():
        for p, found in by_pos.items():
            for base in found:
                forms.setdefault((p, base), set()).add(w)
    opposed = {}
    for p, a, q, b in antonyms:
        opposed.setdefault((p, a), set()).add((q, b))
    rows = ["word\twordnet\tpenn\tantonyms"]
    for w in sorted(words):
        pos = "".join(p for p in POS if bases[w][p])
        opposite = set()
        for p, found in bases[w].items():
            for base in found:
                for q, other in opposed.get((p, base), ()):
                    opposite |= {other} | forms.get((q, other), set())
        opposite = {o for o in opposite if WORD.match(o)} - {w}
        rows.append(f"{w}\t{pos or '-'}\t{','.join(sorted(penn.get(w, ()))) or '-'}\t{','.join(sorted(opposite)) or '-'}")
    return rows


def script_hash():
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", type=Path, help="TSV data file to tag (repeat); default: the movie snippets")
    parser.add_argument("--out", type=Path, default=REPO / "assets" / "data")
    parser.add_argument("--force", action="store_true", help="regenerate even when the outputs are current")
    args = parser.parse_args()
    data = args.data or [REPO / "assets" / "data" / "movie_snippets.tsv"]
    for path in data:
        if not path.exists():
            fail(f"{path}: no such data file (run scripts/setup)")
    lexicon = args.out / "attack_lexicon.tsv"
    tagged = [args.out / f"{path.stem}.pos.tsv" for path in data]
    source = args.out / "attack_resources.SOURCE.txt"
    stamp = f"make_attack_resources.py {script_hash()}"
    current = source.exists() and stamp in source.read_text(encoding="utf-8")
    if current and not args.force and lexicon.exists() and all(p.exists() for p in tagged):
        print("attack resources: present")
        return
    texts = {path: texts_of(path) for path in data}
    rows = build_lexicon([t for ts in texts.values() for t in ts])
    write_atomically(lexicon, "\n".join(rows) + "\n")
    print(f"attack resources: {lexicon.name}: {len(rows) - 1} words")
    for path, out in zip(data, tagged):
        tags = tag_texts(texts[path])
        words = sum(len(t) for t in tags)
        untagged = sum(1 for text, t in zip(texts[path], tags) for w, g in zip(text.split(" "), t) if g == "-" and alnum(w))
        write_atomically(out, "text\ttags\n" + "".join(f"{x}\t{' '.join(t)}\n" for x, t in zip(texts[path], tags)))
        print(f"attack resources: {out.name}: {len(tags)} texts, {words} words, {untagged} words with letters left untagged")
    write_atomically(source, (
        f"Generated by scripts/{stamp}.\n"
        "attack_lexicon.tsv: WordNet 3.0 (Debian wordnet-base; Princeton University, WordNet licence):\n"
        "parts of speech via morphy and antonyms (direct and indirect); Penn tags from the lexicon of\n"
        "Lingua::EN::Tagger (Debian liblingua-en-tagger-perl, GPL/Artistic). Columns: word, wordnet (subset\n"
        "of n v a r, '-' none), penn (comma-separated tags, '-' none), antonyms (comma-separated, '-' none).\n"
        "*.pos.tsv: Penn tag in context of each whitespace word of each text, by Lingua::EN::Tagger;\n"
        "'-' where a word has no letters or digits or could not be aligned with the tagger's tokens.\n"))


if __name__ == "__main__":
    main()
