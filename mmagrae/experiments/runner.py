"""Sweep estimators × seeds for one controlled experiment, aggregate mean ± std, write JSON and PNG.

``run_experiment("tabular" | "transformer", ...)`` returns the summary dict it also writes to
``<out>/<kind>.json`` (every run's history, the config, the command) and plots to ``<out>/<kind>.png``.
Runs are independent, so ``workers > 1`` spreads them over processes (each with one torch thread).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from mmagrae.experiments.variants import CORE_VARIANTS, VARIANTS

REPORTED_KS = (1, 2, 4, 8, 16, 32, 64)

# quick mode: small enough for tests and a first look (the whole `all --quick` well under 2 minutes)
QUICK_OVERRIDES = {
    "tabular": {"num_prompts": 128, "steps": 60, "eval_every": 20, "eval_samples": 64},
    "transformer": {"steps": 40, "eval_every": 20, "held_out_per_length": 4, "train_eval_per_length": 4,
                    "eval_samples": 16,
                    "max_k": 16, "prompts_per_step": 16},
}


def _configs(kind: str):
    if kind == "tabular":
        from mmagrae.experiments.tabular import TabularConfig, run_tabular

        return TabularConfig, run_tabular, tuple(VARIANTS)
    if kind == "transformer":
        from mmagrae.experiments.tiny_transformer import TransformerConfig, run_transformer

        return TransformerConfig, run_transformer, CORE_VARIANTS
    raise ValueError(f"unknown experiment {kind!r}; choose 'tabular' or 'transformer'")


def _run_one(kind: str, name: str, config, seed: int) -> dict:
    import torch

    torch.set_num_threads(1)
    _, run, _ = _configs(kind)
    result = run(VARIANTS[name], config, seed)
    result["name"] = name
    return result


def rounded(value, digits: int = 5):
    """Floats rounded to ``digits`` decimals inside nested dicts/lists (keeps the JSON small)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    return value


def _mean_std(values) -> dict[str, float]:
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std())}


def summarise(results: list[dict]) -> dict:
    """Per variant: final pass@k, entropy, coverage (mean ± std over seeds) and mean curves over steps."""
    summary = {}
    for name in dict.fromkeys(r["name"] for r in results):
        runs = [r for r in results if r["name"] == name]
        finals = [r["evals"][-1] for r in runs]
        max_k = len(finals[0]["pass_at_k"])
        entry = {f"pass@{k}": _mean_std([f["pass_at_k"][k - 1] for f in finals]) for k in REPORTED_KS
                 if k <= max_k}
        entry["entropy"] = _mean_std([f["entropy"] for f in finals])
        entry["coverage"] = _mean_std([f["coverage"] for f in finals])
        entry["initial_pass@1"] = _mean_std([r["evals"][0]["pass_at_k"][0] for r in runs])
        entry["best_pass@1"] = _mean_std([max(e["pass_at_k"][0] for e in r["evals"]) for r in runs])
        entry["omega_first_last"] = [float(np.mean([r["omega"][0] for r in runs])),
                                     float(np.mean([r["omega"][-1] for r in runs]))]
        if "train" in finals[0]:
            entry["train_pass@1"] = _mean_std([f["train"]["pass_at_k"][0] for f in finals])
        entry["curves"] = {
            "step": [e["step"] for e in runs[0]["evals"]],
            "pass@1": np.mean([[e["pass_at_k"][0] for e in r["evals"]] for r in runs], 0).tolist(),
            f"pass@{max_k}": np.mean([[e["pass_at_k"][-1] for e in r["evals"]] for r in runs], 0).tolist(),
            "entropy": np.mean([[e["entropy"] for e in r["evals"]] for r in runs], 0).tolist(),
            "coverage": np.mean([[e["coverage"] for e in r["evals"]] for r in runs], 0).tolist(),
            "final_pass_at_k_mean": np.mean([f["pass_at_k"] for f in finals], 0).tolist(),
            "final_pass_at_k_std": np.std([f["pass_at_k"] for f in finals], 0).tolist(),
        }
        summary[name] = entry
    return summary


def run_experiment(kind: str, *, out: Path, seeds: int, quick: bool = False, steps: int | None = None,
                   variants: list[str] | None = None, workers: int = 1, command: str = "",
                   overrides: dict | None = None, tag: str = "") -> dict:
    """Train every variant with ``seeds`` seeds, write ``<out>/<kind><tag>.json`` and ``.png``, return summary.

    ``overrides`` replaces config fields (e.g. ``{"match_grae_weight": True}`` for the tabular control).
    """
    config_cls, _, default_variants = _configs(kind)
    names = list(variants or default_variants)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variants {unknown}; choose from {sorted(VARIANTS)}")
    config = config_cls(**(QUICK_OVERRIDES[kind] if quick else {}))
    if steps is not None:
        config = replace(config, steps=steps)
    if overrides:
        config = replace(config, **overrides)
    jobs = [(kind, name, config, seed) for name in names for seed in range(seeds)]
    start = time.time()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_run_one, *zip(*jobs, strict=True)))
    else:
        results = [_run_one(*job) for job in jobs]
    seconds = time.time() - start
    summary = summarise(results)
    out.mkdir(parents=True, exist_ok=True)
    cpu_seconds = sum(r.get("cpu_seconds", 0.0) for r in results)
    record = {"experiment": kind, "command": command, "quick": quick, "seeds": seeds, "seconds": seconds,
              "cpu_seconds_in_runs": cpu_seconds,
              "config": asdict(config), "variants": {n: VARIANTS[n] for n in names}, "summary": summary,
              "runs": results}
    (out / f"{kind}{tag}.json").write_text(json.dumps(rounded(record), separators=(",", ":")))
    from mmagrae.experiments.plots import plot_summary

    plot_summary(summary, out / f"{kind}{tag}.png", title=f"{kind}{tag}: {seeds} seed(s), {config.steps} steps")
    return {"experiment": kind + tag, "seconds": round(seconds, 1), "seeds": seeds, "steps": config.steps,
            "final": {n: {k: round(v["mean"], 4) for k, v in s.items() if isinstance(v, dict) and "mean" in v}
                      for n, s in summary.items()}}
