"""BERT checkpoint folders (config.json, model.safetensors, tokenizer files) in and out, and the
hashes that name them; the safetensors reader and writer are fetch_assets' (one of each)."""
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fetch_assets import TOKENIZER_FILES, read_safetensors, write_safetensors  # noqa: E402

LAYER_MODULES = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                 "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm")


class CheckpointError(Exception):
    """A checkpoint folder that cannot be used; the message names the folder and the problem."""


def load(folder):
    """(config dict, {HF key without 'bert.': float32 array}) of a BERT checkpoint folder."""
    folder = Path(folder)
    for name in ("config.json", "model.safetensors"):
        if not (folder / name).is_file():
            raise CheckpointError(f"{folder}: no {name}")
    try:
        config = json.loads((folder / "config.json").read_text())
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{folder}/config.json: not JSON ({error})") from None
    raw = (folder / "model.safetensors").read_bytes()
    try:
        tensors = read_safetensors(raw)
    except (KeyError, ValueError) as error:
        raise CheckpointError(f"{folder}/model.safetensors: unreadable ({error})") from None
    weights = {}
    for key, array in tensors.items():
        key = key[len("bert."):] if key.startswith("bert.") else key
        if array.dtype == np.float32:
            weights[key] = np.array(array)
        elif array.dtype != np.int64:  # position_ids is the only integer tensor a float BERT carries
            raise CheckpointError(f"{folder}/model.safetensors: {key} is {array.dtype}; training needs float32 weights")
    layers = config.get("num_hidden_layers")
    missing = [f"encoder.layer.{i}.{m}.weight" for i in range(layers or 0) for m in LAYER_MODULES
               if f"encoder.layer.{i}.{m}.weight" not in weights]
    if not isinstance(layers, int) or missing or "embeddings.word_embeddings.weight" not in weights:
        raise CheckpointError(f"{folder}: not a BERT checkpoint with {layers} layers (missing {missing[:3] or 'embeddings'})")
    return config, weights


def file_sha256(path):
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write(folder, config, weights, tokenizer_from, extra_files=None):
    """Writes a checkpoint folder whole: built in a temporary sibling, then renamed into place, so
    an interrupted run leaves nothing half-written; an existing folder is refused."""
    folder = Path(folder)
    if folder.exists():
        raise CheckpointError(f"{folder}: already exists; not overwritten")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; a checkpoint is readable like the other assets
    try:
        write_safetensors(tmp / "model.safetensors", {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()},
                          {"format": "pt", "writer": "scripts/train"})
        (tmp / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        for name in TOKENIZER_FILES:
            if (Path(tokenizer_from) / name).is_file():
                shutil.copyfile(Path(tokenizer_from) / name, tmp / name)
        for name, data in (extra_files or {}).items():
            (tmp / name).write_bytes(data)
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
