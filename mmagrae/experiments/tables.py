"""Markdown tables for docs/EXPERIMENTS.md from the experiment JSONs (so every number in the doc comes from a file).

    python -m mmagrae.experiments.tables docs/figures/experiments/transformer.json            # every table
    python -m mmagrae.experiments.tables docs/figures/experiments/tabular_lr_sweep.json --only matched

Tables: ``final`` (baseline row first, then each estimator: mean ± 95% t-interval over seeds), ``paired``
(estimator − GRPO on the same seed), ``matched`` (first step reaching a pass@1 target and pass@k there),
``mass`` (mode mass at the end and the mean per-update change of each mass category).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FINAL_COLUMNS = ("pass@1", "pass@4", "pass@16", "pass@64", "entropy", "coverage")


def _cell(stat: dict | None, digits: int = 3) -> str:
    if not stat:
        return "—"
    half = stat.get("ci95")
    if half is None or stat.get("n", 0) < 2 or half != half:
        return f"{stat['mean']:.{digits}f}"
    return f"{stat['mean']:.{digits}f} ± {half:.{digits}f}"


def _columns(part: dict) -> list[str]:
    max_k = len(part["baseline"]["pass_at_k"])
    return [c for c in FINAL_COLUMNS if not c.startswith("pass@") or int(c[5:]) <= max_k] + (
        ["pass@" + str(max_k)] if f"pass@{max_k}" not in FINAL_COLUMNS else [])


def final_table(part: dict) -> str:
    """Baseline (step 0) row, then each estimator's final values, mean ± 95% interval."""
    columns = _columns(part)
    lines = ["| estimator | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    base = part["baseline"]
    lines.append("| *baseline (step 0)* | " + " | ".join(_cell(base.get(c)) for c in columns) + " |")
    for name, entry in part["summary"].items():
        lines.append(f"| {name} | " + " | ".join(_cell(entry.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def paired_table(part: dict) -> str:
    """Estimator − GRPO (same seed), mean ± 95% interval; an interval excluding 0 is marked with *."""
    columns = [c for c in _columns(part) if any(c in v for v in part["paired_vs_grpo"].values())]
    lines = ["| estimator − grpo | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, entry in part["paired_vs_grpo"].items():
        cells = []
        for c in columns:
            stat = entry.get(c)
            mark = ""
            if stat and stat.get("ci95") is not None and abs(stat["mean"]) > stat["ci95"]:
                mark = " *"
            cells.append(_cell(stat) + mark)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def matched_table(part: dict) -> str:
    """Per target: each estimator's seeds reaching it, first step, and pass@k there."""
    block = part["matched"]
    if not block.get("targets"):
        return f"(no matched comparison: {block.get('note', 'no reference runs')})"
    lines = []
    for fraction, entry in block["targets"].items():
        ks = sorted({k for e in entry["estimators"].values() for k in e
                     if k.startswith("pass@") and k in (*FINAL_COLUMNS, "pass@" + str(len(part["baseline"]["pass_at_k"])))},
                    key=lambda k: int(k[5:]))
        lines.append(f"pass@1 target {entry['target']:.3f} ({fraction} of the way from the baseline "
                     f"{block['baseline_pass@1']:.3f} to GRPO's best mean {block['reference_best_pass@1']:.3f}):")
        lines.append("")
        lines.append("| estimator | seeds reaching | first step | " + " | ".join(f"{k} there" for k in ks) + " |")
        lines.append("|---" * (len(ks) + 3) + "|")
        for name, estimator in entry["estimators"].items():
            lines.append(f"| {name} | {estimator['reached']} | {_cell(estimator.get('step'), 0)} | "
                         + " | ".join(_cell(estimator.get(k)) for k in ks) + " |")
        lines.append("")
    return "\n".join(lines).rstrip()


def mass_table(part: dict) -> str:
    """Final mode mass / mode correct / mass on correct, and mean per-update mass changes (×1000)."""
    flow_keys = ("sampled_wrong/delta", "sampled_correct/delta", "unsampled_mode/delta", "unsampled_correct/delta",
                 "unsampled_other/delta")
    lines = ["| estimator | mode mass (end) | mode correct (end) | mass on correct (end) | "
             + " | ".join(f"Δ {k.split('/')[0]} ×1e3" for k in flow_keys) + " |",
             "|---" * (4 + len(flow_keys)) + "|"]
    base = part["baseline"].get("mass", {})
    if base:
        lines.append("| *baseline (step 0)* | " + " | ".join(_cell(base.get(k)) for k in ("mode", "mode_correct",
                                                                                         "correct"))
                     + " |" + " |" * len(flow_keys))
    for name, entry in part["summary"].items():
        mass, flow = entry.get("mass", {}), entry.get("mass_flow", {})
        scaled = [{**flow[k], "mean": 1e3 * flow[k]["mean"],
                   "ci95": None if flow[k].get("ci95") is None else 1e3 * flow[k]["ci95"]} if k in flow else None
                  for k in flow_keys]
        lines.append(f"| {name} | " + " | ".join(_cell(mass.get(k)) for k in ("mode", "mode_correct", "correct"))
                     + " | " + " | ".join(_cell(s, 2) for s in scaled) + " |")
    return "\n".join(lines)


def trainer_table(record: dict) -> str:
    """The real-trainer study: per arm, seeds, reward at the end, steps to the reward target, format collapses,
    greedy validation accuracy at each evaluation (mean ± 95% interval over seeds)."""
    steps = sorted({s for e in record["arms"].values() for s in e["eval_accuracy"]}, key=int)
    lines = ["| arm | seeds | reward, last " + str(record["window"]) + " steps | reached "
             + f"{record['reward_target']:g} (smoothed) | steps to {record['reward_target']:g} | format collapsed | "
             + " | ".join(f"val acc step {s}" for s in steps) + " |",
             "|---" * (6 + len(steps)) + "|"]
    for arm, entry in record["arms"].items():
        lines.append(f"| {arm} | {len(entry['seeds'])} | {_cell(entry['final_reward'])} | {entry['reached_target']} | "
                     f"{_cell(entry['steps_to_target'], 0)} | {entry['format_collapsed']} | "
                     + " | ".join(_cell(entry["eval_accuracy"].get(s)) for s in steps) + " |")
    return "\n".join(lines)


TABLES = {"final": final_table, "paired": paired_table, "matched": matched_table, "mass": mass_table}


def render(record: dict, only: list[str] | None = None) -> str:
    """Every table (or ``only`` those) of one experiment JSON, per learning rate for a sweep."""
    if record.get("experiment") == "trainer_study":
        return trainer_table(record) + "\n"
    parts = ({f"lr = {lr}": record["by_lr"][str(lr)] for lr in record["lrs"]} if "by_lr" in record
             else {"": record})
    out = []
    for label, part in parts.items():
        for name in only or list(TABLES):
            if name == "mass" and not any(e.get("mass_flow") or e.get("mass") for e in part["summary"].values()):
                continue
            out.append(f"### {record['experiment']} {label} — {name}".rstrip() + "\n\n" + TABLES[name](part))
    return "\n\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", type=Path)
    parser.add_argument("--only", default=None, help=f"comma-separated subset of {list(TABLES)}")
    args = parser.parse_args(argv)
    only = args.only.split(",") if args.only else None
    unknown = [t for t in only or [] if t not in TABLES]
    if unknown:
        print(f"error: --only: unknown tables {unknown}; choose from {list(TABLES)}", file=sys.stderr)
        return 2
    try:
        record = json.loads(args.json.read_text())
    except (OSError, json.JSONDecodeError) as error:
        print(f"error: {args.json}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render(record, only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
