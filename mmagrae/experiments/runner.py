"""Sweep estimators × seeds (× learning rates) for one controlled experiment; write JSON and PNG.

``run_experiment("tabular" | "transformer", ...)`` returns a short summary and writes ``<out>/<kind><tag>.json``
(every run's history, the config, the command) and ``.png``. The JSON holds, per learning rate:

* ``baseline``: the untrained policy (step 0): pass@k for k = 1..max_k, entropy, coverage, mass (mean ± 95%
  interval over seeds; the same seed gives every estimator the same starting policy);
* ``summary``: each estimator's final pass@k, entropy, coverage (mean, std, 95% t-interval over seeds);
* ``paired_vs_grpo``: each estimator's final metrics minus GRPO's on the same seed, mean ± 95% interval;
* ``matched``: for pass@1 targets part of the way from the baseline to GRPO's best pass@1, the step at which
  each estimator first reaches the target and its pass@k there (``mmagrae.experiments.stats``).

With one learning rate these sit at the top level of the JSON; with several (``lrs``) under
``by_lr["<lr>"]``, and ``baseline`` is also at the top level. Runs are independent, so ``workers > 1``
spreads them over processes (each with one torch thread).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from mmagrae.experiments.stats import matched_comparison, paired_difference, t_interval
from mmagrae.experiments.variants import CORE_VARIANTS, VARIANTS

REPORTED_KS = (1, 2, 4, 8, 16, 32, 64)
PAIRED_METRICS = ("pass@1", "pass@4", "pass@16", "pass@64", "entropy", "coverage")
# matched comparison: pass@1 targets at these fractions of the way from the baseline to GRPO's best pass@1
MATCHED_FRACTIONS = (0.25, 0.5, 0.75)

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
    """Mean, population std (as before) and the 95% t-interval half-width ``ci95`` over ``n`` seeds."""
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std()), **
            {k: v for k, v in t_interval(values).items() if k != "mean"}}


def final_metrics(run: dict) -> dict[str, float]:
    """One run's final pass@k (k in REPORTED_KS), entropy and coverage."""
    final = run["evals"][-1]
    out = {f"pass@{k}": final["pass_at_k"][k - 1] for k in REPORTED_KS if k <= len(final["pass_at_k"])}
    return {**out, "entropy": final["entropy"], "coverage": final["coverage"]}


def baseline(results: list[dict]) -> dict:
    """The untrained policy: step-0 pass@k (k = 1..max_k), entropy, coverage (and mass), mean ± 95% over seeds.

    Every estimator starts from the same policy for a given seed, so one step-0 evaluation per seed is used.
    """
    per_seed = {}
    for run in results:
        per_seed.setdefault(run["seed"], run["evals"][0])
    evals = [per_seed[s] for s in sorted(per_seed)]
    curves = np.array([e["pass_at_k"] for e in evals])  # [seeds, max_k]
    out = {"step": 0, "seeds": sorted(per_seed),
           "pass_at_k": curves.mean(0).tolist(),
           "pass_at_k_ci95": [t_interval(curves[:, i])["ci95"] for i in range(curves.shape[1])]}
    out.update({f"pass@{k}": _mean_std(curves[:, k - 1]) for k in REPORTED_KS if k <= curves.shape[1]})
    out["entropy"] = _mean_std([e["entropy"] for e in evals])
    out["coverage"] = _mean_std([e["coverage"] for e in evals])
    if evals[0].get("mass"):
        out["mass"] = {key: _mean_std([e["mass"][key] for e in evals]) for key in evals[0]["mass"]}
    if "train" in evals[0]:
        out["train_pass@1"] = _mean_std([e["train"]["pass_at_k"][0] for e in evals])
    return out


def paired_vs_grpo(results: list[dict], reference: str = "grpo") -> dict:
    """Per estimator: final metric minus the reference's on the same seed, mean ± 95% t-interval."""
    by_name: dict[str, dict[int, dict]] = {}
    for run in results:
        by_name.setdefault(run["name"], {})[run["seed"]] = final_metrics(run)
    if reference not in by_name:
        return {}
    out = {}
    for name, finals in by_name.items():
        if name == reference:
            continue
        seeds = sorted(set(finals) & set(by_name[reference]))
        if not seeds:
            continue
        out[name] = {metric: paired_difference([finals[s][metric] for s in seeds],
                                               [by_name[reference][s][metric] for s in seeds])
                     for metric in PAIRED_METRICS if metric in finals[seeds[0]]}
        out[name]["seeds"] = seeds
    return out


def matched(results: list[dict], reference: str = "grpo", fractions=MATCHED_FRACTIONS) -> dict:
    """Matched-pass@1 comparison at targets part of the way from the baseline to the reference's best pass@1.

    The reference's best is the maximum over evaluations of its mean (over seeds) pass@1 curve. Returns
    ``{"reference", "baseline_pass@1", "reference_best_pass@1", "targets": {"<fraction>": {"target",
    "estimators": {name: matched_comparison entry}}}}``; an estimator that never reaches a target on a seed
    is listed with ``step: None`` for that seed (its ``reached`` count says how many did).
    """
    runs_by_name: dict[str, list[dict]] = {}
    for run in results:
        runs_by_name.setdefault(run["name"], []).append(run)
    if reference not in runs_by_name:
        return {}
    start = float(np.mean([r["evals"][0]["pass_at_k"][0] for r in runs_by_name[reference]]))
    curve = np.mean([[e["pass_at_k"][0] for e in r["evals"]] for r in runs_by_name[reference]], 0)  # [evals]
    best = float(curve.max())
    max_k = len(results[0]["evals"][0]["pass_at_k"])
    ks = [k for k in REPORTED_KS if k <= max_k]
    out = {"reference": reference, "baseline_pass@1": start, "reference_best_pass@1": best, "targets": {}}
    if best <= start:
        out["note"] = f"{reference} never raised mean pass@1 above the baseline: no target to match"
        return out
    for fraction in fractions:
        target = start + fraction * (best - start)
        out["targets"][str(fraction)] = {"target": target,
                                         "estimators": matched_comparison(runs_by_name, target, ks=ks)}
    return out


def mass_flow_per_run(runs: list[dict]) -> list[dict[str, float]]:
    """Each run's per-update mass changes (``mass_shift`` ``*/delta`` keys and the mode's share unsampled),
    averaged over its measured updates (the evaluation intervals' means weighted equally)."""
    out = []
    for run in runs:
        intervals = [e["mass_flow"] for e in run["evals"] if e.get("mass_flow")]
        if intervals:
            keys = [k for k in intervals[0] if k.endswith("/delta") or k == "mode_unsampled_frac"]
            out.append({k: float(np.mean([i[k] for i in intervals])) for k in keys})
    return out


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
        if finals[0].get("mass"):
            entry["mass"] = {key: _mean_std([f["mass"][key] for f in finals]) for key in finals[0]["mass"]}
            entry["curves"]["mode_mass"] = np.mean([[e["mass"]["mode"] for e in r["evals"]] for r in runs],
                                                   0).tolist()
        flows = mass_flow_per_run(runs)
        if flows:
            entry["mass_flow"] = {key: _mean_std([f[key] for f in flows]) for key in flows[0]}
        summary[name] = entry
    return summary


def analyse(results: list[dict]) -> dict:
    """``baseline``, ``summary``, ``paired_vs_grpo`` and ``matched`` for runs that share one config."""
    return {"baseline": baseline(results), "summary": summarise(results),
            "paired_vs_grpo": paired_vs_grpo(results), "matched": matched(results)}


def _json_safe(value):
    """NaN (an interval from one seed) -> None, so the JSON is standard."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _store_analysis(record: dict, results: list[dict], lrs: list[float], *, sweep: bool) -> dict:
    """Analyse the runs at each learning rate into ``record`` (replacing any earlier analysis): a sweep keeps
    ``lrs``, ``by_lr`` and the first rate's ``baseline``; one rate keeps its blocks at the top level.
    Returns the analysis per rate."""
    by_lr = {lr: analyse([r for r in results if r["lr"] == lr]) for lr in lrs}
    for key in ("baseline", "summary", "paired_vs_grpo", "matched", "by_lr", "lrs", "runs"):
        record.pop(key, None)
    if sweep:
        record["lrs"] = list(lrs)
        record["baseline"] = by_lr[lrs[0]]["baseline"]
        record["by_lr"] = {str(lr): part for lr, part in by_lr.items()}
    else:
        record.update(by_lr[lrs[0]])
    record["runs"] = results
    return by_lr


def _write_record(record: dict, path: Path, *, title: str) -> None:
    """The experiment JSON and its PNG (a sweep plot when the record has ``by_lr``)."""
    path.write_text(json.dumps(_json_safe(rounded(record)), separators=(",", ":")))
    from mmagrae.experiments.plots import plot_summary, plot_sweep

    if "by_lr" in record:
        plot_sweep(record, path.with_suffix(".png"), title=title)
    else:
        plot_summary(record["summary"], path.with_suffix(".png"), title=title, baseline=record["baseline"])


def run_experiment(kind: str, *, out: Path, seeds: int, quick: bool = False, steps: int | None = None,
                   variants: list[str] | None = None, workers: int = 1, command: str = "",
                   overrides: dict | None = None, tag: str = "", lrs: list[float] | None = None) -> dict:
    """Train every variant with ``seeds`` seeds (at every learning rate in ``lrs``), write
    ``<out>/<kind><tag>.json`` and ``.png``, return a short summary.

    ``overrides`` replaces config fields (e.g. ``{"match_grae_weight": True}`` for the tabular control,
    ``{"optimizer": "adam", "lr": 0.1}``); ``lrs`` sweeps the learning rate (overriding ``lr``).
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
        unknown_fields = sorted(set(overrides) - set(asdict(config)))
        if unknown_fields:
            raise ValueError(f"unknown {kind} config fields {unknown_fields}; choose from {sorted(asdict(config))}")
        config = replace(config, **overrides)
    configs = {config.lr: config} if not lrs else {lr: replace(config, lr=lr) for lr in lrs}
    jobs = [(kind, name, cfg, seed) for cfg in configs.values() for name in names for seed in range(seeds)]
    start = time.time()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_run_one, *zip(*jobs, strict=True)))
    else:
        results = [_run_one(*job) for job in jobs]
    seconds = time.time() - start
    for result, job in zip(results, jobs, strict=True):
        result["lr"] = job[2].lr
    out.mkdir(parents=True, exist_ok=True)
    cpu_seconds = sum(r.get("cpu_seconds", 0.0) for r in results)
    record = {"experiment": kind, "command": command, "quick": quick, "seeds": seeds, "seconds": seconds,
              "cpu_seconds_in_runs": cpu_seconds, "config": asdict(config),
              "variants": {n: VARIANTS[n] for n in names}}
    by_lr = _store_analysis(record, results, list(configs), sweep=bool(lrs))
    _write_record(record, out / f"{kind}{tag}.json", title=f"{kind}{tag}: {seeds} seed(s), {config.steps} steps")
    finals = {f"lr={lr}": {n: {k: round(v["mean"], 4) for k, v in s.items() if isinstance(v, dict) and "mean" in v}
                           for n, s in part["summary"].items()} for lr, part in by_lr.items()}
    return {"experiment": kind + tag, "seconds": round(seconds, 1), "seeds": seeds, "steps": config.steps,
            "baseline": {k: round(v["mean"], 4) for k, v in record["baseline"].items()
                         if isinstance(v, dict) and "mean" in v},
            "final": finals[f"lr={config.lr}"] if not lrs else finals}


def reanalyse(path: Path, *, command: str = "") -> dict:
    """Recompute ``baseline``, ``summary``, ``paired_vs_grpo`` and ``matched`` from the runs stored in an
    experiment JSON (no training), rewrite it and its PNG in place, and return the short summary.

    For results written before these blocks existed: the runs' step-0 evaluations are the baseline.
    """
    record = json.loads(path.read_text())
    results = record["runs"]
    for run in results:
        run.setdefault("lr", run["config"]["lr"])
    lrs = sorted({run["lr"] for run in results})
    sweep = "lrs" in record or len(lrs) > 1  # a one-rate sweep stays a sweep, as run_experiment wrote it
    _store_analysis(record, results, lrs, sweep=sweep)
    record["reanalysed_by"] = command
    _write_record(record, path, title=f"{path.stem}: {record['seeds']} seed(s), {record['config']['steps']} steps")
    return {"experiment": path.stem, "reanalysed": True, "seeds": record["seeds"],
            "baseline": {k: round(v["mean"], 4) for k, v in record["baseline"].items()
                         if isinstance(v, dict) and "mean" in v}}
