"""Training recipes (JSON): what to distil from what, on which data, how long; and the cache key
that names a trained checkpoint by the recipe, the data, the teacher and the initialisation."""
import hashlib
import json
import os
from pathlib import Path

from checkpoint import file_sha256

REPO = Path(__file__).resolve().parent.parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bertbench" / "trained"
# Bumped when the trainer changes what it computes, so cached students are retrained.
TRAINER_VERSION = 1

FIELDS = {
    "name": str, "teacher": str, "init": str, "data": list, "exclude_study_items": int, "study_seed": int,
    "max_texts": (int, type(None)), "max_length": int, "buckets": list, "batch_size": int, "steps": int,
    "learning_rate": float, "warmup": float, "weight_decay": float, "seed": int, "layer_map": list,
    "losses": dict, "keep_zeros": bool, "eval_texts": int,
}
LOSSES = ("hidden", "attention", "value", "pooled")


class RecipeError(Exception):
    """A recipe that cannot be used; the message names the file and the field."""


def load(path):
    """The recipe at `path` as a dict, every field present and of its type, paths resolved against the repository."""
    path = Path(path)
    try:
        recipe = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise RecipeError(f"{path}: unreadable recipe ({error})") from None
    if not isinstance(recipe, dict):
        raise RecipeError(f"{path}: a recipe is a JSON object")
    for field, kind in FIELDS.items():
        value = recipe.get(field)
        if field not in recipe or isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
            if not (kind is float and isinstance(value, int) and not isinstance(value, bool)):
                raise RecipeError(f"{path}: field '{field}' is missing or not {getattr(kind, '__name__', kind)}")
    unknown = sorted(set(recipe) - set(FIELDS))
    if unknown:
        raise RecipeError(f"{path}: unknown fields {unknown}")
    if sorted(recipe["losses"]) != sorted(LOSSES) or not all(isinstance(v, (int, float)) for v in recipe["losses"].values()):
        raise RecipeError(f"{path}: 'losses' must give a weight to each of {list(LOSSES)}")
    if recipe["steps"] < 1 or recipe["batch_size"] < 1 or sorted(recipe["buckets"]) != recipe["buckets"] or not recipe["buckets"]:
        raise RecipeError(f"{path}: steps and batch_size must be positive and buckets ascending")
    if recipe["buckets"][-1] != recipe["max_length"]:
        raise RecipeError(f"{path}: the last bucket must equal max_length {recipe['max_length']}")
    for field in ("teacher", "init"):
        recipe[field] = str((REPO / recipe[field]).resolve()) if not os.path.isabs(recipe[field]) else recipe[field]
    recipe["data"] = [str(REPO / d) if not os.path.isabs(d) else d for d in recipe["data"]]
    return recipe


def canonical(recipe):
    """The recipe's fields that decide the result, with paths reduced to names (hosts differ)."""
    kept = dict(recipe)
    for field in ("teacher", "init"):
        kept[field] = Path(recipe[field]).name
    kept["data"] = [Path(d).name for d in recipe["data"]]
    return json.dumps(kept, sort_keys=True, separators=(",", ":"))


def recipe_hash(recipe):
    """SHA-256 of the canonical recipe."""
    return hashlib.sha256(canonical(recipe).encode()).hexdigest()


def cache_key(recipe):
    """The hash that names a trained checkpoint: recipe, trainer version, teacher and init weights, data bytes."""
    parts = [canonical(recipe), str(TRAINER_VERSION),
             file_sha256(Path(recipe["teacher"]) / "model.safetensors"), file_sha256(Path(recipe["init"]) / "model.safetensors")]
    parts += [file_sha256(d) for d in recipe["data"]]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cache_path(recipe, key):
    """Where the checkpoint trained from `recipe` lives: ~/.cache/bertbench/trained/<name>-<key prefix>."""
    return CACHE / f"{recipe['name']}-{key[:16]}"
