"""PNG plots of an experiment summary (matplotlib, Agg backend; imported only when plotting)."""

from __future__ import annotations

from pathlib import Path

STYLE = {"grpo": "k-", "dr_grpo": "k--", "rloo": "k:", "agrae": "C3-", "agrae_a0.5": "C3--",
         "agrae_ddas_only": "C1-", "agrae_ass_only": "C1--", "positive_dominant": "C0-",
         "negative_dominant": "C2-", "easy_focused": "C4-", "hard_focused": "C5-", "negative_only": "C2--"}


def plot_summary(summary: dict, path: Path, title: str = "", baseline: dict | None = None) -> None:
    """Four panels: final pass@k vs k (mean ± std; the untrained policy's as a grey dotted line), and pass@1,
    entropy, coverage over training."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 4, figsize=(20, 4.5))
    for name, entry in summary.items():
        curves, style = entry["curves"], STYLE.get(name, "-")
        mean, std = np.array(curves["final_pass_at_k_mean"]), np.array(curves["final_pass_at_k_std"])
        ks = np.arange(1, len(mean) + 1)
        axes[0].plot(ks, mean, style, label=name)
        axes[0].fill_between(ks, mean - std, mean + std, alpha=0.1, color=axes[0].lines[-1].get_color())
        for axis, key in zip(axes[1:], ("pass@1", "entropy", "coverage"), strict=True):
            axis.plot(curves["step"], curves[key], style, label=name)
    if baseline is not None:
        ks = np.arange(1, len(baseline["pass_at_k"]) + 1)
        axes[0].plot(ks, baseline["pass_at_k"], color="grey", ls=":", lw=2, label="baseline (step 0)")
    axes[0].set(xscale="log", xlabel="k", ylabel="pass@k (final, mean ± std over seeds)")
    axes[1].set(xlabel="step", ylabel="pass@1")
    axes[2].set(xlabel="step", ylabel="entropy (nats)")
    axes[3].set(xlabel="step", ylabel="coverage of correct trajectories")
    axes[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_sweep(record: dict, path: Path, title: str = "") -> None:
    """Learning-rate sweep: final pass@1 and pass@max_k vs learning rate (mean ± 95% interval over seeds),
    the untrained policy's values as grey dotted lines, and final entropy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    lrs = record["lrs"]
    parts = [record["by_lr"][str(lr)] for lr in lrs]
    max_k = len(record["baseline"]["pass_at_k"])
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for name in parts[0]["summary"]:
        style = STYLE.get(name, "-")
        for axis, key in zip(axes, ("pass@1", f"pass@{max_k}", "entropy"), strict=True):
            stats = [part["summary"][name].get(key) for part in parts]
            if any(s is None for s in stats):
                continue
            mean = np.array([s["mean"] for s in stats])
            half = np.nan_to_num(np.array([s["ci95"] if s["ci95"] is not None else np.nan for s in stats]))
            axis.errorbar(lrs, mean, yerr=half, fmt=style, capsize=3, label=name)
    for axis, key in zip(axes, ("pass@1", f"pass@{max_k}", "entropy"), strict=True):
        axis.axhline(record["baseline"][key]["mean"], color="grey", ls=":", lw=2, label="baseline (step 0)")
        axis.set(xscale="log", xlabel="learning rate", ylabel=f"final {key} (mean ± 95% CI)")
    axes[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_mass_curves(paths: list[Path], out: Path, variants: list[str] | None = None) -> None:
    """Mode mass (probability of the most likely response, mean over seeds) and entropy over training, one line
    per (file, learning rate, estimator): the squeezing figure of docs/EXPERIMENTS.md."""
    import json

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for path in paths:
        record = json.loads(Path(path).read_text())
        parts = ({lr: record["by_lr"][str(lr)] for lr in record["lrs"]} if "by_lr" in record
                 else {record["config"]["lr"]: record})
        optimizer = record["config"].get("optimizer", "sgd" if record["experiment"] == "tabular" else "adam")
        for lr, part in parts.items():
            for name, entry in part["summary"].items():
                curves = entry["curves"]
                if "mode_mass" not in curves or (variants and name not in variants):
                    continue
                label = f"{record['experiment']} {optimizer} lr={lr} {name}"
                line = "-" if name == "grpo" else "--"
                axes[0].plot(curves["step"], curves["mode_mass"], line, label=label)
                axes[1].plot(curves["step"], curves["entropy"], line, color=axes[0].lines[-1].get_color())
    axes[0].set(xlabel="step", ylabel="mode mass: max_y π(y) (mean over prompts, seeds)")
    axes[1].set(xlabel="step", ylabel="entropy (nats)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="mode mass and entropy over training (the squeezing figure)")
    parser.add_argument("what", choices=("mass",))
    parser.add_argument("out", type=Path)
    parser.add_argument("inputs", type=Path, nargs="+", help="experiment JSONs")
    parser.add_argument("--variants", default=None, help="comma-separated estimators to draw (default: all)")
    args = parser.parse_args()
    plot_mass_curves(args.inputs, args.out, args.variants.split(",") if args.variants else None)
