#!/usr/bin/env python3
"""Plots for a BertBench run folder (PNG and SVG, matplotlib), named on stdout one per line so
report.md can embed them:

  latency_vs_batch   host p50 latency against batch size, one line per model and sequence length
  kernel_breakdown   device time per kernel category, stacked, per model at its first shape
  tradeoff           (with divergence.json) accuracy against agreement; latency against KL; memory against agreement

and, with divergence.json, each divergence metric's own figure from the specs bertbench passes in
--metric-plots (a JSON list of MetricPlot, Sources/BertDivergence/Metrics/MetricPlot.swift):

  layerHeatmaps      one heatmap per variant of a [large layer][variant layer] field (CKA: cka_heatmaps)
  seededIntervals    per variant, a seeded estimate (dotted field path) with its 95% interval and
                     each seed's value, against 0 (excess disagreement: excess_disagreement)

Usage: .venv/bin/python scripts/plot_results.py RUN_FOLDER [--metric-plots JSON]
"""
import argparse
import json
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
    """Accuracy against agreement, and latency and memory against divergence from the large model."""
    latency = {}
    for m in results["measurements"]:
        if m["batch"] == min(results["batches"]):
            latency.setdefault(m["model"], m["host"]["p50"])
    memory = {m["name"]: m["weightBytesStored"] for m in results["models"]}
    variants = divergence.get("variants", [])
    if not variants:
        return
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    large = divergence["models"][0]
    axes[0].scatter([1.0], [large["accuracy"]["estimate"]], marker="*", s=120)
    axes[0].annotate(divergence["large"] + " (large)", (1.0, large["accuracy"]["estimate"]), fontsize=7)
    for v in variants:
        acc, agree, kl = v["accuracy"]["estimate"], v["agreement"], v["kl"]["mean"]
        axes[0].scatter(agree, acc)
        axes[0].annotate(v["name"], (agree, acc), fontsize=7)
        if v["name"] in latency:
            axes[1].scatter(latency[v["name"]], kl)
            axes[1].annotate(v["name"], (latency[v["name"]], kl), fontsize=7)
        if v["name"] in memory:
            axes[2].scatter(memory[v["name"]] / 2**20, agree)
            axes[2].annotate(v["name"], (memory[v["name"]] / 2**20, agree), fontsize=7)
    axes[0].set_xlabel("agreement with the large model")
    axes[0].set_ylabel("accuracy (own probe)")
    axes[1].set_xlabel(f"host p50 latency (ms, batch {min(results['batches'])})")
    axes[1].set_ylabel("mean KL(large || variant)")
    axes[1].set_yscale("symlog", linthresh=1e-3)
    axes[2].set_xlabel("weights on disk (MiB)")
    axes[2].set_ylabel("agreement with the large model")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    fig.suptitle("What compression saves against how differently it behaves")
    save(fig, folder, "tradeoff")


def layer_heatmaps(divergence, folder, spec):
    """One heatmap per variant of a layer-by-layer field: large model's layers against the variant's."""
    variants = [v for v in divergence.get("variants", []) if spec["field"] in v]
    if not variants:
        return
    columns = min(4, len(variants))
    rows = (len(variants) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.6 * rows), squeeze=False)
    fig.subplots_adjust(hspace=0.45, wspace=0.35)
    for ax in axes.flat:
        ax.axis("off")
    for ax, v in zip(axes.flat, variants):
        ax.axis("on")
        image = ax.imshow(v[spec["field"]], vmin=spec["minimum"], vmax=spec["maximum"], origin="lower", cmap="viridis", aspect="auto")
        ax.set_title(v["name"], fontsize=8)
        ax.set_xlabel("variant layer", fontsize=7)
        ax.set_ylabel(f"{divergence['large']} layer", fontsize=7)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label=spec["label"])
    save(fig, folder, spec["file"])


def seeded_intervals(divergence, folder, spec):
    """Per variant: a seeded estimate's bootstrap interval as a bar, each seed's value as a dot, 0 marked."""
    def field(v):
        for part in spec["field"].split("."):
            v = v.get(part) if isinstance(v, dict) else None
        return v
    rows = [(v["name"], field(v)) for v in divergence.get("variants", []) if field(v) is not None]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.2))
    for y, (name, e) in enumerate(rows):
        i = e["interval"]
        ax.errorbar([i["estimate"]], [y], xerr=[[i["estimate"] - i["lower"]], [i["upper"] - i["estimate"]]], fmt="o", capsize=4)
        ax.scatter(e["bySeed"], [y] * len(e["bySeed"]), s=10, color="grey", zorder=3)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [name for name, _ in rows], fontsize=7)
    ax.set_xlim(spec["minimum"], spec["maximum"])
    ax.set_xlabel(spec["label"] + " (95% paired bootstrap; grey: each seed)")
    ax.grid(True, axis="x", alpha=0.3)
    save(fig, folder, spec["file"])


# The figure kinds a metric's MetricPlot may name.
PLOT_KINDS = {"layerHeatmaps": layer_heatmaps, "seededIntervals": seeded_intervals}


def main():
    parser = argparse.ArgumentParser(description="Plots for a BertBench run folder.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--metric-plots", default="[]", help="JSON list of the divergence metrics' plot specs")
    args = parser.parse_args()
    folder = args.folder
    results = json.loads((folder / "results.json").read_text())
    latency_vs_batch(results, folder)
    kernel_breakdown(results, folder)
    divergence_file = folder / "divergence.json"
    if divergence_file.exists():
        divergence = json.loads(divergence_file.read_text())
        tradeoff(results, divergence, folder)
        for spec in json.loads(args.metric_plots):
            PLOT_KINDS[spec["kind"]](divergence, folder, spec)


if __name__ == "__main__":
    main()
