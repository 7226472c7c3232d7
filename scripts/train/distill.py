#!/usr/bin/env python3
"""Distils a student BERT from a teacher with a recipe (scripts/train/recipes/*.json) and writes
it as a checkpoint folder the engine loads, with its loss curve (CSV + PNG) inside.

  .venv/bin/python scripts/train/distill.py --recipe scripts/train/recipes/student-l3.json [--out DIR]

Without --out the checkpoint goes to the cache (~/.cache/bertbench/trained/<name>-<key>), and an
existing one is kept. The folder appears whole (built beside it, then renamed), so an interrupted
run leaves nothing half-written.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checkpoint  # noqa: E402
import curve  # noqa: E402
import data  # noqa: E402
import recipe as recipes  # noqa: E402
from progress import Progress  # noqa: E402


def prepare(recipe, teacher_dir):
    """(training id lists, evaluation id lists, the data record config.json keeps)."""
    texts, record = [], []
    for path in recipe["data"]:
        kept, excluded = data.distillation_texts(path, recipe["exclude_study_items"], recipe["study_seed"])
        kept = kept[:recipe["max_texts"]] if recipe["max_texts"] else kept
        texts += kept
        record.append({"file": Path(path).name, "sha256": checkpoint.file_sha256(path), "items": len(kept),
                       "excluded_study_items": excluded})
    tokenizer = Path(teacher_dir) / "tokenizer.json"
    ids = data.tokenize(texts, tokenizer, recipe["max_length"])
    # Held-out evaluation: movie snippets, which the study uses and training never sees.
    movies = data.read_texts(recipes.REPO / "assets" / "data" / "movie_snippets.tsv")
    chosen = np.random.default_rng(recipe["seed"]).permutation(len(movies))[:recipe["eval_texts"]]
    evaluation = data.tokenize([movies[i] for i in sorted(chosen)], tokenizer, recipe["max_length"])
    return ids, evaluation, record


def pooled_cosines(forward, student, teacher, batches):
    """Cosine between the student's and the teacher's pooled embeddings, per evaluation text."""
    values = [np.asarray(forward(student, teacher, ids, mask))[: int(mask.any(1).sum())] for ids, mask in batches]
    return np.concatenate(values)


def train(recipe, out, quiet=False):
    """Trains the student `recipe` describes and writes it to `out`; returns the summary config.json records."""
    import jax
    import jax.numpy as jnp
    import optax

    from bert import forward, trainable
    from losses import cosine, distillation_losses

    started = time.time()
    teacher_config, teacher_weights = checkpoint.load(recipe["teacher"])
    config, init_weights = checkpoint.load(recipe["init"])
    if len(recipe["layer_map"]) != config["num_hidden_layers"] or max(recipe["layer_map"]) >= teacher_config["num_hidden_layers"]:
        raise recipes.RecipeError(f"{recipe['name']}: layer_map {recipe['layer_map']} does not fit a "
                                  f"{config['num_hidden_layers']}-layer student of a {teacher_config['num_hidden_layers']}-layer teacher")
    ids, evaluation, data_record = prepare(recipe, recipe["teacher"])
    teacher, student = trainable(teacher_weights), trainable(init_weights)
    # Fixed sparsity: tensors with zeros (a pruned init) keep them; their gradients and updates are masked.
    masks = {k: (v != 0).astype(jnp.float32) for k, v in student.items() if recipe["keep_zeros"] and float((v == 0).mean()) > 0.01}
    schedule = optax.warmup_cosine_decay_schedule(0.0, recipe["learning_rate"], max(1, int(recipe["warmup"] * recipe["steps"])),
                                                  recipe["steps"], 0.0)
    decay = {k: v.ndim == 2 and "embeddings" not in k for k, v in student.items()}
    optimizer = optax.adamw(schedule, weight_decay=recipe["weight_decay"], mask=decay)
    state = optimizer.init(student)
    weights = recipe["losses"]

    def loss_fn(params, ids, mask):
        s = forward(params, config, ids, mask)
        t = jax.tree.map(jax.lax.stop_gradient, forward(teacher, teacher_config, ids, mask))
        parts = distillation_losses(s, t, mask, recipe["layer_map"])
        return sum(weights[k] * v for k, v in parts.items()), parts

    @jax.jit
    def step(params, state, ids, mask):
        (total, parts), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, ids, mask)
        grads = {k: g * masks[k] if k in masks else g for k, g in grads.items()}
        updates, state = optimizer.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        params = {k: p * masks[k] if k in masks else p for k, p in params.items()}
        return params, state, total, parts

    @jax.jit
    def eval_cosine(params, teacher_params, ids, mask):
        return cosine(forward(params, config, ids, mask)["pooled"], forward(teacher_params, teacher_config, ids, mask)["pooled"])

    rng = np.random.default_rng(recipe["seed"])
    eval_batches = data.bucket_batches(evaluation, min(32, len(evaluation)), recipe["buckets"], np.random.default_rng(0), partial=True)
    before = pooled_cosines(eval_cosine, student, teacher, eval_batches)
    rows, batches, epoch = [], [], 0
    progress = Progress(recipe["steps"], f"distilling {recipe['name']}", quiet)
    for number in range(1, recipe["steps"] + 1):
        if not batches:
            batches, epoch = data.bucket_batches(ids, recipe["batch_size"], recipe["buckets"], rng), epoch + 1
            if not batches:
                raise recipes.RecipeError(f"{recipe['name']}: fewer texts than one batch of {recipe['batch_size']}")
        batch, mask = batches.pop()
        student, state, total, parts = step(student, state, jnp.asarray(batch), jnp.asarray(mask))
        rows.append({"step": number, "epoch": epoch, "loss": float(total), **{k: float(v) for k, v in parts.items()},
                     "learning_rate": float(schedule(number - 1)), "tokens": int(mask.sum()), "seconds": time.time() - started})
        progress.update(number, f"loss {rows[-1]['loss']:.4f}")
    progress.close()
    after = pooled_cosines(eval_cosine, student, teacher, eval_batches)
    trained = dict(init_weights)
    trained.update({k: np.asarray(v) for k, v in student.items()})
    for k, m in masks.items():
        if np.any(trained[k][np.asarray(m) == 0] != 0):
            raise AssertionError(f"{k}: a pruned weight became non-zero")
    summary = {
        "seconds": round(time.time() - started, 1), "epochs": epoch, "final_losses": curve.tail_means(rows, 20),
        "eval": {"texts": len(before), "source": "movie_snippets.tsv (never trained on)",
                 "pooled_cosine_before": {"mean": float(before.mean()), "min": float(before.min())},
                 "pooled_cosine_after": {"mean": float(after.mean()), "min": float(after.min())}},
        "kept_zero_tensors": len(masks), "data": data_record,
    }
    record_config = dict(config)
    record_config["compression"] = compression_record(recipe, summary, config, teacher_config)
    files = {"training_log.csv": curve.csv_bytes(rows)}
    png = curve.png_bytes(rows, recipe["name"])
    if png:
        files["loss_curve.png"] = png
    checkpoint.write(out, record_config, trained, recipe["teacher"], files)
    return summary


def compression_record(recipe, summary, init_config, teacher_config):
    """config.json's `compression`: how the checkpoint was made, in enough detail to make it again."""
    init = init_config.get("compression", {})
    teacher_file = Path(recipe["teacher"]) / "model.safetensors"
    teacher_hash = init.get("source_hash") if init.get("source_bytes") == teacher_file.stat().st_size else None
    return {
        "method": "distilled",
        "purpose": "recovery of a pruned model" if recipe["keep_zeros"] else "student",
        "note": "trained by distillation from the teacher (scripts/train); not a one-shot compression",
        "source": recipe["teacher"], "source_bytes": teacher_file.stat().st_size, "source_hash": teacher_hash,
        "teacher": {"name": Path(recipe["teacher"]).name, "sha256": checkpoint.file_sha256(teacher_file),
                    "layers": teacher_config["num_hidden_layers"]},
        "init": {"name": Path(recipe["init"]).name, "method": init.get("method"), "record": init},
        "recipe": json_safe(recipe), "recipe_sha256": recipes.recipe_hash(recipe), "seed": recipe["seed"],
        "steps": recipe["steps"], "losses": recipe["losses"], "layer_map": recipe["layer_map"],
        "training": summary,
    }


def json_safe(recipe):
    """The recipe with paths as names, as the cache key sees it."""
    import json
    return json.loads(recipes.canonical(recipe))


def main():
    parser = argparse.ArgumentParser(description="Distil a BERT student from a teacher with a recipe.")
    parser.add_argument("--recipe", required=True, help="recipe JSON (scripts/train/recipes/)")
    parser.add_argument("--out", help="checkpoint folder to write (must not exist); default: the cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()
    try:
        recipe = recipes.load(args.recipe)
        out = Path(args.out) if args.out else recipes.cache_path(recipe, recipes.cache_key(recipe))
        if out.exists() and not args.out:
            print(out)
            return
        summary = train(recipe, out, args.quiet)
    except (recipes.RecipeError, checkpoint.CheckpointError, data.DataError) as error:
        sys.exit(f"train: error: {error}")
    e = summary["eval"]
    print(f"train: {recipe['name']}: {summary['seconds']} s, final losses {summary['final_losses']}, pooled cosine to the teacher on "
          f"{e['texts']} movie snippets: mean {e['pooled_cosine_before']['mean']:.4f} -> {e['pooled_cosine_after']['mean']:.4f}, "
          f"worst {e['pooled_cosine_before']['min']:.4f} -> {e['pooled_cosine_after']['min']:.4f}", file=sys.stderr)
    print(out)


if __name__ == "__main__":
    main()
