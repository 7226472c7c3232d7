#!/usr/bin/env python3
"""Makes the trained variants the standard plan studies, when missing: for each standard recipe,
the initialisation (`bertbench compress`, as `run` would make it), the student (trained into the
cache, keyed by recipe, data, teacher and init), and its copy in assets/variants/<name>.

  .venv/bin/python scripts/train/students.py [--bertbench PATH]     (scripts/bench runs it)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import checkpoint  # noqa: E402
import data  # noqa: E402
import distill  # noqa: E402
import recipe as recipes  # noqa: E402

RECIPES = Path(__file__).resolve().parent / "recipes"
# The trained variants of StandardPlans.trainedVariants, and how `run` makes each one's initialisation.
STANDARD = {
    "student-l3.json": ["--method", "drop-layers", "--keep", "0,2,4"],
    "pruned-50-recovered.json": ["--method", "prune-unstructured", "--sparsity", "0.5", "--scope", "global"],
}


def say(message):
    print(f"students: {message}", file=sys.stderr, flush=True)


def ensure_init(recipe, compress_args, bertbench):
    """Makes the recipe's initialisation with `bertbench compress` from the teacher when it is missing."""
    if Path(recipe["init"]).exists():
        return
    if not bertbench or not Path(bertbench).is_file():
        raise checkpoint.CheckpointError(f"{recipe['init']}: missing, and no bertbench binary to make it (pass --bertbench)")
    say(f"making {Path(recipe['init']).name} with bertbench compress {' '.join(compress_args)}")
    subprocess.run([bertbench, "compress", "--model", recipe["teacher"], "--out", recipe["init"], *compress_args], check=True)


def install(source, target):
    """Puts a copy of the cached checkpoint at target (assets/variants/<name>), replacing an older
    copy; the new folder is built beside it and renamed, so readers never see half of one."""
    if target.exists() and checkpoint.file_sha256(target / "model.safetensors") == checkpoint.file_sha256(source / "model.safetensors"):
        return False
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the variants beside it are readable by all
    try:
        for item in source.iterdir():
            try:
                os.link(item, tmp / item.name)  # same file system: no copy of the weights
            except OSError:
                shutil.copyfile(item, tmp / item.name)
        old = target.with_name(f".{target.name}.old")
        if target.exists():
            os.rename(target, old)
        os.rename(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def main():
    parser = argparse.ArgumentParser(description="Train the standard plan's students when missing and copy them into assets/variants.")
    parser.add_argument("--bertbench", default=str(recipes.REPO / ".build" / "release" / "bertbench"),
                        help="bertbench binary that makes missing initialisations")
    parser.add_argument("--variants", default=str(recipes.REPO / "assets" / "variants"), help="where the variants go")
    args = parser.parse_args()
    try:
        for name, compress_args in STANDARD.items():
            recipe = recipes.load(RECIPES / name)
            ensure_init(recipe, compress_args, args.bertbench)
            key = recipes.cache_key(recipe)
            cached = recipes.cache_path(recipe, key)
            if cached.exists():
                say(f"{recipe['name']}: trained, in {cached}")
            else:
                say(f"{recipe['name']}: training ({recipe['steps']} steps; about 20 minutes on 2 cores) into {cached}")
                distill.train(recipe, cached)
            if install(cached, Path(args.variants) / recipe["name"]):
                say(f"{recipe['name']}: copied into {args.variants}")
    except (recipes.RecipeError, checkpoint.CheckpointError, data.DataError, subprocess.CalledProcessError) as error:
        sys.exit(f"students: error: {error}")


if __name__ == "__main__":
    main()
