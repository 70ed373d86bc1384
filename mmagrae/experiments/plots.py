"""PNG plots of an experiment summary (matplotlib, Agg backend; imported only when plotting)."""

from __future__ import annotations

from pathlib import Path

STYLE = {"grpo": "k-", "dr_grpo": "k--", "rloo": "k:", "agrae": "C3-", "agrae_a0.5": "C3--",
         "agrae_ddas_only": "C1-", "agrae_ass_only": "C1--", "positive_dominant": "C0-",
         "negative_dominant": "C2-", "easy_focused": "C4-", "hard_focused": "C5-"}


def plot_summary(summary: dict, path: Path, title: str = "") -> None:
    """Four panels: final pass@k vs k (mean ± std), and pass@1, entropy, coverage over training."""
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
    axes[0].set(xscale="log", xlabel="k", ylabel="pass@k (final, mean ± std over seeds)")
    axes[1].set(xlabel="step", ylabel="pass@1")
    axes[2].set(xlabel="step", ylabel="entropy (nats)")
    axes[3].set(xlabel="step", ylabel="coverage of correct trajectories")
    axes[0].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
