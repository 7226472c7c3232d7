"""The loss curve of a training run: rows of per-step losses as CSV, and as a PNG when matplotlib is there."""
import csv
import io

PARTS = ("loss", "hidden", "attention", "value", "pooled")


def csv_bytes(rows):
    """The rows (dicts with the same keys) as CSV bytes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def tail_means(rows, count):
    """Each loss averaged over the last `count` steps (one step's loss is noisy)."""
    tail = rows[-count:]
    return {k: round(sum(r[k] for r in tail) / len(tail), 5) for k in PARTS}


def png_bytes(rows, title):
    """A log-scale plot of every loss against the step, or None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    steps = [r["step"] for r in rows]
    figure, axis = plt.subplots(figsize=(7, 4))
    for part in PARTS:
        axis.plot(steps, [max(r[part], 1e-6) for r in rows], label=part, linewidth=1.5 if part == "loss" else 0.8)
    axis.set_yscale("log")
    axis.set_xlabel("step")
    axis.set_ylabel("loss (log scale)")
    axis.set_title(f"distillation of {title}")
    axis.legend()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=100)
    plt.close(figure)
    return out.getvalue()
