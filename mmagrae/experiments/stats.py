"""Small statistics for the experiment reports: mean ± 95% t-interval, paired differences, matched pass@1.

Pure functions on plain lists / numpy arrays (no torch, no I/O), each with a worked example.

* ``t_interval(values)``: mean and the half-width of the two-sided 95% Student-t confidence interval,
  ``t_{0.975, n−1} · s / √n`` with the sample standard deviation s (ddof = 1).
* ``paired_difference(a, b)``: the same interval on the per-seed differences a_i − b_i (seeds paired: the same
  seed draws the same problem / model initialisation / data for both estimators).
* ``first_reaching(steps, values, target)``: the first evaluated step at which a curve reaches ``target``.
* ``matched_comparison(runs_by_name, target)``: for a pass@1 target, each estimator's first step reaching it
  and its pass@k there (the comparison at equal pass@1 rather than at an equal step budget).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# two-sided 95% quantiles t_{0.975, df} of Student's t for df = 1..30 (standard table values)
T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t_quantile_975(df: int) -> float:
    """t_{0.975, df}: the table for df ≤ 30, then the normal value 1.96 + 2.4/df (within 0.002 of exact)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    return T_975[df - 1] if df <= len(T_975) else 1.96 + 2.4 / df


def t_interval(values: Sequence[float]) -> dict[str, float]:
    """Mean ± 95% t-interval half-width over independent runs; n = 1 gives a NaN half-width.

    Example (values 1, 2, 3: mean 2, s = 1, half-width 4.303 · 1/√3 = 2.484)::

        >>> {k: round(v, 3) for k, v in t_interval([1.0, 2.0, 3.0]).items()}
        {'mean': 2.0, 'ci95': 2.484, 'n': 3}
    """
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise ValueError("t_interval needs at least one value")
    mean = float(array.mean())
    if array.size == 1:
        return {"mean": mean, "ci95": math.nan, "n": 1}
    half = t_quantile_975(array.size - 1) * float(array.std(ddof=1)) / math.sqrt(array.size)
    return {"mean": mean, "ci95": half, "n": int(array.size)}


def paired_difference(values: Sequence[float], baseline: Sequence[float]) -> dict[str, float]:
    """Mean ± 95% t-interval of the paired differences ``values[i] − baseline[i]`` (same seed i).

    Example (differences 0.1, 0.3, 0.2: mean 0.2, s = 0.1, half-width 4.303 · 0.1/√3 = 0.248)::

        >>> {k: round(v, 3) for k, v in paired_difference([0.6, 0.8, 0.7], [0.5, 0.5, 0.5]).items()}
        {'mean': 0.2, 'ci95': 0.248, 'n': 3}
    """
    a, b = np.asarray(values, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired difference needs equal lengths, got {a.shape} and {b.shape}")
    return t_interval(a - b)


def first_reaching(steps: Sequence[int], values: Sequence[float], target: float) -> int | None:
    """Index of the first evaluation whose value is ``>= target`` (None if the curve never gets there).

        >>> first_reaching([0, 25, 50], [0.1, 0.3, 0.5], 0.3)
        1
        >>> first_reaching([0, 25, 50], [0.1, 0.3, 0.5], 0.6) is None
        True
    """
    if len(steps) != len(values):
        raise ValueError("steps and values must have the same length")
    for index, value in enumerate(values):
        if value >= target:
            return index
    return None


def matched_target(runs_by_name: dict[str, list[dict]], fraction: float = 0.9) -> float:
    """A pass@1 target every compared estimator reaches on every seed: ``fraction`` of the lowest best pass@1.

    Each run is a history with ``evals`` (``step``, ``pass_at_k``). The target lies between the initial
    pass@1 and the slowest estimator's best, so every run has a first step at which it reaches it::

        >>> run = lambda *p1: {"evals": [{"step": 10 * i, "pass_at_k": [v]} for i, v in enumerate(p1)]}
        >>> round(matched_target({"a": [run(0.1, 0.5)], "b": [run(0.1, 0.3, 0.2)]}, 0.9), 3)
        0.28
    """
    bests = [max(e["pass_at_k"][0] for e in run["evals"]) for runs in runs_by_name.values() for run in runs]
    starts = [run["evals"][0]["pass_at_k"][0] for runs in runs_by_name.values() for run in runs]
    low, high = max(starts), min(bests)
    return float(low + fraction * (high - low)) if high > low else float(high)


def matched_comparison(runs_by_name: dict[str, list[dict]], target: float,
                       ks: Sequence[int] = (1, 4, 16, 64)) -> dict[str, dict]:
    """Per estimator: the first step each seed reaches pass@1 ≥ ``target`` and its pass@k at that evaluation.

    Returns ``{name: {"target", "reached": r/n, "step": t_interval, "pass@k": t_interval, ...,
    "per_seed": [{"seed", "step", "pass@k"...} or {"seed", "step": None}]}}``; the intervals are over the
    seeds that reached the target (``reached`` says how many)::

        >>> run = lambda seed, *p1: {"seed": seed, "evals": [{"step": 10 * i, "pass_at_k": [v, min(1, 2 * v)]}
        ...                                                   for i, v in enumerate(p1)]}
        >>> out = matched_comparison({"a": [run(0, 0.1, 0.3), run(1, 0.1, 0.2, 0.4)]}, 0.3, ks=(1, 2))
        >>> out["a"]["reached"], out["a"]["step"]["mean"], out["a"]["pass@2"]["mean"]
        ('2/2', 15.0, 0.7)
    """
    out = {}
    for name, runs in runs_by_name.items():
        per_seed = []
        for run in runs:
            steps = [e["step"] for e in run["evals"]]
            index = first_reaching(steps, [e["pass_at_k"][0] for e in run["evals"]], target)
            if index is None:
                per_seed.append({"seed": run.get("seed"), "step": None})
                continue
            curve = run["evals"][index]["pass_at_k"]
            per_seed.append({"seed": run.get("seed"), "step": steps[index],
                             **{f"pass@{k}": curve[k - 1] for k in ks if k <= len(curve)}})
        reached = [s for s in per_seed if s["step"] is not None]
        entry = {"target": target, "reached": f"{len(reached)}/{len(per_seed)}", "per_seed": per_seed}
        if reached:
            entry["step"] = t_interval([s["step"] for s in reached])
            for key in [k for k in reached[0] if k.startswith("pass@")]:
                entry[key] = t_interval([s[key] for s in reached])
        out[name] = entry
    return out


def format_interval(stat: dict[str, float], digits: int = 3) -> str:
    """``"0.512 ± 0.034"`` (or just the mean when n = 1).

        >>> format_interval({"mean": 0.5123, "ci95": 0.0341, "n": 5})
        '0.512 ± 0.034'
    """
    if stat.get("n", 0) < 2 or math.isnan(stat["ci95"]):
        return f"{stat['mean']:.{digits}f}"
    return f"{stat['mean']:.{digits}f} ± {stat['ci95']:.{digits}f}"
