"""Write RUN_DIR/REPORT.md from a finished run: reward first fifth vs last fifth, validation before/after."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mmagrae.trainer.tracking import read_metrics


def fifth_means(values: list[float]) -> tuple[float, float]:
    k = max(1, len(values) // 5)
    return sum(values[:k]) / k, sum(values[-k:]) / k


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("run_dir")
    ap.add_argument("--seconds", type=float, default=None, help="wall time of the run, for the report")
    args = ap.parse_args()
    run = Path(args.run_dir)
    train = read_metrics(run / "metrics.jsonl", kind="train")
    evals = read_metrics(run / "metrics.jsonl", kind="eval")
    warm = read_metrics(run / "metrics.jsonl", kind="warm_start")
    rewards = [r["reward/mean"] for r in train]
    first, last = fifth_means(rewards)
    acc_first, acc_last = fifth_means([r["reward/accuracy"] for r in train])
    before = evals[0]["eval/accuracy"] if evals else float("nan")
    after = evals[-1]["eval/accuracy"] if evals else float("nan")
    lines = [
        f"# Demo report: {run}",
        "",
        f"- RL steps: {len(train)}" + (f"; wall time {args.seconds:.0f} s (including model build and data)" if args.seconds else ""),
    ]
    if warm:
        lines.append(f"- supervised warm start: loss {warm[0]['warm_start/loss_first']:.3f} → {warm[0]['warm_start/loss_last']:.3f}")
    lines += [
        f"- mean reward, first fifth of steps: **{first:.3f}**; last fifth: **{last:.3f}** (Δ = {last - first:+.3f})",
        f"- training accuracy (sampled, T = 1), first fifth: {acc_first:.3f}; last fifth: {acc_last:.3f}",
        f"- validation accuracy (greedy, held-out images): before RL {before:.3f} → after {after:.3f}",
        "",
        "![curves](curves.png)",
        "",
    ]
    (run / "REPORT.md").write_text("\n".join(lines))
    print("\n".join(lines[:-3]))
    print(json.dumps({"name": "demo", "reward_first_fifth": first, "reward_last_fifth": last,
                      "reward_gain": last - first, "val_before": before, "val_after": after}))
    return 0 if last > first else 1


if __name__ == "__main__":
    sys.exit(main())
