#!/usr/bin/env python3
"""Plots for a BertBench run folder (PNG and SVG, matplotlib), named on stdout one per line so
report.md can embed them:

  latency_vs_batch   host p50 latency against batch size, one line per model and sequence length
  kernel_breakdown   device time per kernel category, stacked, per model at its first shape
  tradeoff           (when divergence results exist) latency and memory against agreement with the large model

Usage: .venv/bin/python scripts/plot_results.py RUN_FOLDER
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def save(fig, folder, name):
    for ext in ("png", "svg"):
        fig.savefig(folder / f"{name}.{ext}", dpi=120, bbox_inches="tight")
    plt.close(fig)
    print(f"{name}.png")


def latency_vs_batch(results, folder):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    groups = {}
    for m in results["measurements"]:
        groups.setdefault((m["model"], m["sequenceLength"]), []).append((m["batch"], m["host"]["p50"]))
    for (model, seq), points in sorted(groups.items()):
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{model}, seq {seq}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("host p50 latency (ms)")
    ax.set_title(f"Forward-pass latency on {results['environment']['device']['name']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    save(fig, folder, "latency_vs_batch")


def kernel_breakdown(results, folder):
    firsts = {}
    for m in results["measurements"]:
        firsts.setdefault(m["model"], m)
    if not firsts:
        return
    categories = sorted({k["category"] for m in firsts.values() for k in m["kernels"]})
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(firsts) + 1.5))
    names = list(firsts)
    left = [0.0] * len(names)
    for c in categories:
        values = [next((k["milliseconds"] for k in firsts[n]["kernels"] if k["category"] == c), 0.0) for n in names]
        ax.barh(names, values, left=left, label=c)
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel("device ms per forward pass")
    shape = next(iter(firsts.values()))
    ax.set_title(f"Where device time goes (batch {shape['batch']}, seq {shape['sequenceLength']})")
    ax.legend(fontsize=7, loc="lower right")
    save(fig, folder, "kernel_breakdown")


def tradeoff(results, divergence, folder):
    rows = divergence.get("variants", [])
    latency = {}
    for m in results["measurements"]:
        latency.setdefault(m["model"], m["host"]["p50"])
    memory = {m["name"]: m["weightBytesStored"] for m in results["models"]}
    points = [(r["name"], latency.get(r["name"]), memory.get(r["name"]), r.get("agreement"), r.get("klMean")) for r in rows]
    points = [p for p in points if p[1] is not None and p[3] is not None]
    if not points:
        return
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, lat, mem, agree, _ in points:
        axes[0].scatter(lat, agree)
        axes[0].annotate(name, (lat, agree), fontsize=7)
        if mem:
            axes[1].scatter(mem / 2**20, agree)
            axes[1].annotate(name, (mem / 2**20, agree), fontsize=7)
    axes[0].set_xlabel("host p50 latency (ms)")
    axes[1].set_xlabel("weights on disk (MiB)")
    for ax in axes:
        ax.set_ylabel("agreement with the large model")
        ax.grid(True, alpha=0.3)
    fig.suptitle("What compression saves against how differently it behaves")
    save(fig, folder, "tradeoff")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: plot_results.py RUN_FOLDER")
    folder = Path(sys.argv[1])
    results = json.loads((folder / "results.json").read_text())
    latency_vs_batch(results, folder)
    kernel_breakdown(results, folder)
    divergence_file = folder / "divergence.json"
    if divergence_file.exists():
        tradeoff(results, json.loads(divergence_file.read_text()), folder)


if __name__ == "__main__":
    main()
