"""``mmagrae plot RUN_DIR``: draw a run's training curves from ``metrics.jsonl`` to PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmagrae.trainer.tracking import read_metrics

PANELS = [
    ("reward/mean", "mean reward"),
    ("reward/accuracy", "accuracy"),
    ("reward/format", "format rate"),
    ("response/length_mean", "response length (tokens)"),
    ("adv/omega", "ω (batch success)"),
    ("adv/group_sum_mean", "mean group Σ A"),
    ("loss/entropy", "entropy"),
    ("loss/kl", "KL to reference"),
    ("loss/clipfrac", "clip fraction"),
    ("grad_norm", "grad norm"),
    ("perf/tokens_per_s", "tokens / s"),
    ("time/step", "seconds / step"),
]


def smooth(values: list[float], window: int) -> list[float]:
    out, acc = [], []
    for v in values:
        acc.append(v)
        if len(acc) > window:
            acc.pop(0)
        out.append(sum(acc) / len(acc))
    return out


def plot_run(run_dir: str | Path, out: str | Path | None = None, window: int = 5) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    target = Path(out) if out else run_dir / "curves.png"
    if target.suffix.lower() not in (".png", ".svg", ".pdf", ".jpg", ".jpeg"):
        from mmagrae.preflight import UserError

        what = target.suffix or "a name without a suffix"
        raise UserError(f"--out {target}: name an image file (.png, .svg, .pdf or .jpg), not {what}; a run's "
                        "other files are never written over")
    records = read_metrics(run_dir / "metrics.jsonl", kind="train")
    evals = read_metrics(run_dir / "metrics.jsonl", kind="eval")
    panels = [(k, t) for k, t in PANELS if any(k in r for r in records)]
    if not records or not panels:
        from mmagrae.preflight import UserError

        raise UserError(f"{run_dir / 'metrics.jsonl'} has no training metrics to plot")
    cols = 3
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for ax, (key, title) in zip(axes.flat, panels, strict=False):
        pts = [(r["step"], r[key]) for r in records if key in r]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        ax.plot(xs, ys, alpha=0.3, color="C0")
        ax.plot(xs, smooth(ys, window), color="C0")
        if key == "reward/accuracy" and evals:
            ev = [(r["step"], r["eval/accuracy"]) for r in evals if "eval/accuracy" in r]
            if ev:
                ax.plot([e[0] for e in ev], [e[1] for e in ev], "o-", color="C3", label="validation")
                ax.legend(fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle(run_dir.name, fontsize=10)
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("plot", help="draw a run's training curves to PNG",
                              description="Draw the curves in RUN_DIR/metrics.jsonl to RUN_DIR/curves.png.")
    p.add_argument("run_dir", help="a training run's output_dir")
    p.add_argument("--out", help="PNG path (default RUN_DIR/curves.png)")
    p.add_argument("--window", type=int, default=5, help="moving-average window")
    p.set_defaults(func=lambda a: print(plot_run(a.run_dir, a.out, a.window)) or 0)
