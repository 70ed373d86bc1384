"""Study (c): the real trainer (``mmagrae train``) on the warm-started tiny VLM, estimators × KL × seeds.

GRPO vs A-GRAE (α = 0.5 and α = 1), each with the KL anchor to the warm-started policy (the demo's
``kl_coef: 0.04``) and without it (``kl_coef: 0``), on ``configs/tiny_cpu_geometry.yaml``. Each run is a
subprocess ``mmagrae train CONFIG key=value ...``; runs are done one at a time, seed-major (seed 0 of every
arm first) so that a study stopped early still has balanced arms; a run whose ``summary.json`` exists is
skipped, so re-running the command resumes.

From each run's ``metrics.jsonl`` (``reward/mean``, ``reward/format`` per step, ``eval/accuracy`` at the
evaluations) ``summarise`` derives:

* the reward curve, smoothed with a trailing ``window``-step mean, mean ± 95% t-interval over seeds;
* steps to reach ``reward_target`` (default 0.8): the first step whose smoothed reward is ≥ the target
  (runs that never get there are counted as not reaching it, not averaged in);
* format collapse: the smoothed format rate (share of responses with ``<answer>…</answer>``) falls below
  ``collapse_format`` (default 0.5) at some step;
* final validation accuracy (greedy, held-out images), mean ± interval.

    python -m mmagrae.experiments.trainer_study run --steps 100 --seeds 5 --out /tmp/trainer_study
    python -m mmagrae.experiments.trainer_study summarise /tmp/trainer_study --json docs/figures/experiments/trainer_study.json
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from mmagrae.experiments.stats import first_reaching, t_interval
from mmagrae.trainer.tracking import read_metrics

# arm name -> config overrides (the rest is configs/tiny_cpu_geometry.yaml)
ARMS: dict[str, dict[str, object]] = {
    "grpo_kl": {"algorithm.estimator": "grpo", "algorithm.kl_coef": 0.04},
    "agrae_a0.5_kl": {"algorithm.estimator": "agrae", "algorithm.alpha": 0.5, "algorithm.kl_coef": 0.04},
    "agrae_a1_kl": {"algorithm.estimator": "agrae", "algorithm.alpha": 1.0, "algorithm.kl_coef": 0.04},
    "grpo_nokl": {"algorithm.estimator": "grpo", "algorithm.kl_coef": 0.0},
    "agrae_a0.5_nokl": {"algorithm.estimator": "agrae", "algorithm.alpha": 0.5, "algorithm.kl_coef": 0.0},
    "agrae_a1_nokl": {"algorithm.estimator": "agrae", "algorithm.alpha": 1.0, "algorithm.kl_coef": 0.0},
}


def run_study(out: Path, *, config: str, steps: int, seeds: int, eval_every: int, arms: list[str],
              python: str = sys.executable, cwd: Path | None = None) -> list[dict]:
    """Train every arm × seed one after the other (resumable); returns one record per run."""
    out.mkdir(parents=True, exist_ok=True)
    records = []
    for seed in range(seeds):
        for arm in arms:
            folder = out / f"{arm}_s{seed}"
            overrides = {**ARMS[arm], "trainer.output_dir": str(folder.resolve()), "trainer.seed": seed,
                         "trainer.max_steps": steps, "trainer.eval_every": eval_every,
                         "trainer.save_every": 100000, "logging.tensorboard": "false"}
            command = [python, "-m", "mmagrae", "train", config, *(f"{k}={v}" for k, v in overrides.items())]
            if (folder / "summary.json").exists():
                records.append({"arm": arm, "seed": seed, "skipped": True})
                continue
            if folder.exists():  # a run stopped part-way: keep it aside (renamed, never deleted), start again
                folder.rename(folder.with_name(f"{folder.name}.partial-{time.strftime('%Y%m%d-%H%M%S')}"))
            start = time.time()
            with open(out / f"{arm}_s{seed}.log", "w") as log:
                done = subprocess.run(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, check=False)
            record = {"arm": arm, "seed": seed, "rc": done.returncode, "seconds": round(time.time() - start, 1),
                      "command": shlex.join(command)}
            records.append(record)
            with open(out / "runs.jsonl", "a") as index:
                index.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)
    return records


def read_run(folder: Path) -> dict:
    """Per-step training reward and format rate, and validation accuracy by step, from ``metrics.jsonl``."""
    # read_metrics keeps the last record of each step and skips a line torn by a crash
    records = read_metrics(folder / "metrics.jsonl", kind=None)  # every kind, read once
    train = [r for r in records if r.get("kind") == "train" and "reward/mean" in r]
    evals = [r for r in records if r.get("kind") == "eval" and "eval/accuracy" in r]
    return {"steps": [r["step"] for r in train], "reward": [r["reward/mean"] for r in train],
            "format": [r.get("reward/format", float("nan")) for r in train],
            "eval": {str(r["step"]): r["eval/accuracy"] for r in evals}}


def trailing_mean(values: list[float], window: int) -> list[float]:
    """Mean of the last ``window`` values at each position (fewer at the start).

        >>> trailing_mean([0.0, 1.0, 2.0, 3.0], 2)
        [0.0, 0.5, 1.5, 2.5]
    """
    array = np.asarray(values, dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(array)])
    ends = np.arange(1, len(array) + 1)
    starts = np.maximum(0, ends - window)
    return ((cumulative[ends] - cumulative[starts]) / (ends - starts)).tolist()


def run_outcomes(run: dict, *, window: int, reward_target: float, collapse_format: float) -> dict:
    """Steps to reach ``reward_target`` (smoothed reward) and whether the smoothed format rate collapsed.

        >>> out = run_outcomes({"steps": [1, 2, 3, 4], "reward": [0.5, 0.9, 0.9, 0.9],
        ...                     "format": [1.0, 1.0, 0.2, 0.2], "eval": {}},
        ...                    window=2, reward_target=0.8, collapse_format=0.5)
        >>> out["steps_to_target"], out["format_collapsed"], out["min_format"]
        (3, True, 0.2)
    """
    reward = trailing_mean(run["reward"], window)
    fmt = trailing_mean(run["format"], window)
    index = first_reaching(run["steps"], reward, reward_target)
    return {"steps_to_target": None if index is None else run["steps"][index],
            "format_collapsed": bool(min(fmt) < collapse_format), "min_format": float(min(fmt)),
            "final_reward": float(np.mean(run["reward"][-window:])),
            "final_format": float(np.mean(run["format"][-window:]))}


def summarise(out: Path, *, window: int = 10, reward_target: float = 0.8, collapse_format: float = 0.5) -> dict:
    """Aggregate every finished run under ``out`` into the study record (arms, curves, outcomes)."""
    arms = {}
    for arm in ARMS:
        folders = sorted((p for p in out.glob(f"{arm}_s*") if p.is_dir()),
                         key=lambda p: int(p.name.rsplit("_s", 1)[1]))
        runs = []
        for folder in folders:
            if (folder / "summary.json").exists():
                run = read_run(folder)
                run["seed"] = int(folder.name.rsplit("_s", 1)[1])
                run.update(run_outcomes(run, window=window, reward_target=reward_target,
                                        collapse_format=collapse_format))
                runs.append(run)
        if not runs:
            continue
        length = min(len(r["reward"]) for r in runs)
        smoothed = np.array([trailing_mean(r["reward"], window)[:length] for r in runs])  # [seeds, steps]
        curve = [t_interval(smoothed[:, i]) for i in range(length)]
        reached = [r["steps_to_target"] for r in runs if r["steps_to_target"] is not None]
        eval_steps = sorted({s for r in runs for s in r["eval"]}, key=int)
        arms[arm] = {
            "overrides": ARMS[arm], "seeds": [r["seed"] for r in runs],
            "reached_target": f"{len(reached)}/{len(runs)}",
            "steps_to_target": t_interval(reached) if reached else None,
            "format_collapsed": f"{sum(r['format_collapsed'] for r in runs)}/{len(runs)}",
            "final_reward": t_interval([r["final_reward"] for r in runs]),
            "final_format": t_interval([r["final_format"] for r in runs]),
            "eval_accuracy": {s: t_interval([r["eval"][s] for r in runs if s in r["eval"]]) for s in eval_steps},
            "curve": {"step": runs[0]["steps"][:length], "mean": [c["mean"] for c in curve],
                      "ci95": [c["ci95"] for c in curve]},
            "runs": [{k: r[k] for k in ("seed", "steps_to_target", "format_collapsed", "min_format",
                                        "final_reward", "final_format", "eval")} for r in runs],
        }
    # the untrained (warm-started, step-0) policy: greedy validation accuracy, one value per seed
    step0 = {}
    for entry in arms.values():
        for run in entry["runs"]:
            if "0" in run["eval"]:
                step0.setdefault(run["seed"], run["eval"]["0"])
    record = {"experiment": "trainer_study", "window": window, "reward_target": reward_target,
              "collapse_format": collapse_format,
              "baseline": {"step": 0, "seeds": sorted(step0),
                           "eval_accuracy": t_interval(list(step0.values())) if step0 else None},
              "arms": arms}
    index = out / "runs.jsonl"
    if index.exists():
        rows = [json.loads(line) for line in index.read_text().splitlines() if line.strip()]
        record["wall_seconds_total"] = round(sum(r.get("seconds", 0.0) for r in rows), 1)
        record["commands"] = [r["command"] for r in rows[:1]]
    return record


def plot(record: dict, path: Path) -> None:
    """Smoothed training reward vs step, mean ± 95% interval per arm (left: with KL, right: without)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
    colours = {"grpo": "k", "agrae_a0.5": "C3", "agrae_a1": "C0"}
    for arm, entry in record["arms"].items():
        axis = axes[0] if arm.endswith("_kl") else axes[1]
        colour = colours[arm.rsplit("_", 1)[0]]
        steps, mean = np.array(entry["curve"]["step"]), np.array(entry["curve"]["mean"])
        half = np.nan_to_num(np.array(entry["curve"]["ci95"]))
        axis.plot(steps, mean, color=colour, label=f"{arm} (n={len(entry['seeds'])})")
        axis.fill_between(steps, mean - half, mean + half, color=colour, alpha=0.15)
    for axis, title in zip(axes, ("KL 0.04 to the warm start", "no KL"), strict=True):
        axis.axhline(record["reward_target"], color="grey", lw=0.8, ls=":")
        axis.set(xlabel="step", title=title)
        axis.legend(fontsize=8)
    axes[0].set(ylabel=f"training reward ({record['window']}-step mean), mean ± 95% CI")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="train every arm × seed (resumable)")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--config", default="configs/tiny_cpu_geometry.yaml")
    run.add_argument("--steps", type=int, default=100)
    run.add_argument("--seeds", type=int, default=5)
    run.add_argument("--eval-every", type=int, default=50)
    run.add_argument("--arms", default=",".join(ARMS), help=f"comma-separated, from {list(ARMS)}")
    summ = sub.add_parser("summarise", help="aggregate the finished runs into JSON (+ PNG)")
    summ.add_argument("out", type=Path)
    summ.add_argument("--json", type=Path, required=True)
    summ.add_argument("--window", type=int, default=10)
    args = parser.parse_args(argv)
    if args.action == "run":
        arms = args.arms.split(",")
        unknown = [a for a in arms if a not in ARMS]
        if unknown:
            print(f"error: --arms: unknown {unknown}; choose from {list(ARMS)}", file=sys.stderr)
            return 2
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        run_study(args.out, config=args.config, steps=args.steps, seeds=args.seeds, eval_every=args.eval_every,
                  arms=arms, cwd=Path.cwd())
        return 0
    record = summarise(args.out, window=args.window)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    from mmagrae.experiments.runner import _json_safe

    args.json.write_text(json.dumps(_json_safe(record), indent=1))
    plot(record, args.json.with_suffix(".png"))
    print(f"wrote {args.json} and {args.json.with_suffix('.png')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
