"""The controlled-experiment CLI run as a user would: a subprocess in its quickest mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
QUICKEST = ["--quick", "--seeds", "1", "--steps", "6", "--variants", "grpo,agrae,positive_dominant"]


def run(args: list[str], tmp_path: Path) -> dict:
    done = subprocess.run([sys.executable, *args, *QUICKEST, "--out", str(tmp_path)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # the JSON summary is printed last


def check_outputs(summary: dict, kind: str, tmp_path: Path) -> None:
    assert set(summary[kind]["final"]) == {"grpo", "agrae", "positive_dominant"}
    assert 0.0 <= summary[kind]["final"]["agrae"]["pass@1"] <= 1.0
    record = json.loads((tmp_path / f"{kind}.json").read_text())
    assert record["experiment"] == kind and record["seeds"] == 1 and len(record["runs"]) == 3
    assert (tmp_path / f"{kind}.png").stat().st_size > 1000


def test_script_runs_both_experiments(tmp_path):
    summary = run(["scripts/controlled_experiment.py", "all"], tmp_path)
    for kind in ("tabular", "transformer"):
        check_outputs(summary, kind, tmp_path)


def test_mmagrae_experiment_subcommand(tmp_path):
    summary = run(["-m", "mmagrae", "experiment", "tabular"], tmp_path)
    check_outputs(summary, "tabular", tmp_path)


def test_unknown_variant_is_an_error(tmp_path):
    done = subprocess.run([sys.executable, "scripts/controlled_experiment.py", "tabular", "--variants", "grpoo",
                           "--out", str(tmp_path)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "grpoo" in done.stderr


@pytest.mark.parametrize("kind", ["tabular", "transformer"])
def test_runs_are_deterministic_per_seed(kind):
    from mmagrae.experiments.runner import QUICK_OVERRIDES, _configs

    config_cls, run_one, _ = _configs(kind)
    config = config_cls(**{**QUICK_OVERRIDES[kind], "steps": 4, "eval_every": 2})
    first = run_one({"estimator": "agrae"}, config, 7)
    second = run_one({"estimator": "agrae"}, config, 7)
    assert first["evals"] == second["evals"] and first["omega"] == second["omega"]


# --- issue 17: baseline, matched comparison, intervals, mass tracking, sweeps -----------------------------------

import math  # noqa: E402

import torch  # noqa: E402

from mmagrae.experiments import mass, runner, stats, tables, trainer_study  # noqa: E402


def test_t_interval_hand_computed():
    # values 0.2, 0.4, 0.6, 0.8: mean 0.5, s = sqrt(((0.3)^2·2 + (0.1)^2·2)/3) = 0.258199, t_{0.975,3} = 3.182
    out = stats.t_interval([0.2, 0.4, 0.6, 0.8])
    assert out["n"] == 4 and out["mean"] == pytest.approx(0.5)
    assert out["ci95"] == pytest.approx(3.182 * 0.2581989 / 2, abs=1e-6)
    assert math.isnan(stats.t_interval([0.7])["ci95"])
    assert stats.t_quantile_975(4) == 2.776 and abs(stats.t_quantile_975(100) - 1.984) < 0.003
    with pytest.raises(ValueError):
        stats.t_interval([])


def test_paired_difference_hand_computed():
    # differences 0.1, -0.1, 0.3: mean 0.1, s = 0.2, half-width 4.303 · 0.2/√3 = 0.49687
    out = stats.paired_difference([0.6, 0.4, 0.9], [0.5, 0.5, 0.6])
    assert out["mean"] == pytest.approx(0.1) and out["ci95"] == pytest.approx(4.303 * 0.2 / math.sqrt(3))
    with pytest.raises(ValueError):
        stats.paired_difference([0.1, 0.2], [0.1])


def _run(name, seed, pass1, *, step=10, max_k=4, entropy=1.0):
    """A fake run history: pass@k = 1 − (1 − pass@1)^k at each evaluation."""
    evals = [{"step": step * i, "pass_at_k": [1 - (1 - p) ** k for k in range(1, max_k + 1)],
              "entropy": entropy - 0.1 * i, "coverage": 0.5} for i, p in enumerate(pass1)]
    return {"name": name, "seed": seed, "evals": evals, "omega": [0.1], "config": {"lr": 1.0}}


def test_matched_comparison_hand_computed():
    runs = {"grpo": [_run("grpo", 0, [0.1, 0.3, 0.5]), _run("grpo", 1, [0.1, 0.2, 0.4])],
            "slow": [_run("slow", 0, [0.1, 0.15, 0.2]), _run("slow", 1, [0.1, 0.1, 0.35])]}
    out = stats.matched_comparison(runs, 0.3, ks=(1, 2))
    # grpo: seed 0 first reaches 0.3 at step 10 (pass@2 = 1 − 0.7² = 0.51), seed 1 at step 20 (1 − 0.6² = 0.64)
    assert out["grpo"]["reached"] == "2/2" and out["grpo"]["step"]["mean"] == 15.0
    assert out["grpo"]["pass@2"]["mean"] == pytest.approx((0.51 + 0.64) / 2)
    assert [s["step"] for s in out["grpo"]["per_seed"]] == [10, 20]
    # slow: seed 0 never reaches it; seed 1 at step 20 with pass@1 0.35
    assert out["slow"]["reached"] == "1/2" and out["slow"]["per_seed"][0]["step"] is None
    assert out["slow"]["pass@1"]["mean"] == pytest.approx(0.35) and math.isnan(out["slow"]["pass@1"]["ci95"])
    # matched_target: largest start 0.1, smallest best 0.2 -> 0.1 + 0.9·0.1
    assert stats.matched_target(runs) == pytest.approx(0.19)


def test_runner_matched_targets_from_grpo_gain():
    results = [_run("grpo", 0, [0.1, 0.3, 0.5]), _run("grpo", 1, [0.1, 0.2, 0.3]),
               _run("agrae", 0, [0.1, 0.1, 0.1]), _run("agrae", 1, [0.1, 0.4, 0.2])]
    out = runner.matched(results)
    # GRPO's mean curve 0.1, 0.25, 0.4: best 0.4; the 0.5 target is 0.1 + 0.5·0.3 = 0.25
    assert out["baseline_pass@1"] == pytest.approx(0.1) and out["reference_best_pass@1"] == pytest.approx(0.4)
    half = out["targets"]["0.5"]
    assert half["target"] == pytest.approx(0.25)
    assert [s["step"] for s in half["estimators"]["grpo"]["per_seed"]] == [10, 20]
    assert half["estimators"]["agrae"]["reached"] == "1/2"
    flat = runner.matched([_run("grpo", 0, [0.2, 0.1]), _run("agrae", 0, [0.2, 0.3])])
    assert flat["targets"] == {} and "never raised" in flat["note"]


def test_baseline_and_paired_vs_grpo():
    results = [_run("grpo", 0, [0.1, 0.5]), _run("grpo", 1, [0.3, 0.6]),
               _run("agrae", 0, [0.1, 0.4]), _run("agrae", 1, [0.3, 0.3])]
    base = runner.baseline(results)
    assert base["seeds"] == [0, 1] and len(base["pass_at_k"]) == 4
    assert base["pass@1"]["mean"] == pytest.approx(0.2)  # one step-0 evaluation per seed: (0.1 + 0.3)/2
    assert base["pass_at_k"][1] == pytest.approx(((1 - 0.9 ** 2) + (1 - 0.7 ** 2)) / 2)
    assert base["pass@1"]["ci95"] == pytest.approx(12.706 * math.sqrt(0.02) / math.sqrt(2))
    paired = runner.paired_vs_grpo(results)
    # agrae − grpo final pass@1: seed 0: 0.4 − 0.5 = −0.1, seed 1: 0.3 − 0.6 = −0.3
    assert paired["agrae"]["pass@1"]["mean"] == pytest.approx(-0.2)
    assert paired["agrae"]["pass@1"]["ci95"] == pytest.approx(12.706 * math.sqrt(0.02) / math.sqrt(2))
    assert "grpo" not in paired and paired["agrae"]["seeds"] == [0, 1]


def test_mass_shift_hand_computed():
    # prompt 0: K = 4, correct = {0}; drew 1 and 0; mode before = 2 (unsampled)
    # prompt 1: K = 4, correct = {3}; drew 2, 2; mode before = 2 (sampled, so no unsampled mode)
    before = torch.tensor([[0.2, 0.3, 0.4, 0.1], [0.1, 0.2, 0.6, 0.1]])
    after = torch.tensor([[0.25, 0.15, 0.5, 0.1], [0.1, 0.3, 0.4, 0.2]])
    samples = torch.tensor([[1, 0], [2, 2]])
    correct = torch.tensor([[True, False, False, False], [False, False, False, True]])
    out = mass.mass_shift(before, after, samples, correct)
    assert out["sampled_wrong/delta"] == pytest.approx(((0.15 - 0.3) + (0.4 - 0.6)) / 2)
    assert out["sampled_correct/delta"] == pytest.approx((0.25 - 0.2 + 0) / 2)
    assert out["unsampled_mode/before"] == pytest.approx(0.4 / 2)
    assert out["unsampled_mode/delta"] == pytest.approx((0.5 - 0.4) / 2)
    assert out["unsampled_correct/delta"] == pytest.approx((0 + 0.2 - 0.1) / 2)
    assert out["unsampled_other/delta"] == pytest.approx((0 + (0.3 - 0.2)) / 2)  # prompt 0: index 3 unchanged
    assert out["correct/delta"] == pytest.approx(((0.25 - 0.2) + (0.2 - 0.1)) / 2)
    assert out["mode_unsampled_frac"] == 0.5
    assert sum(out[f"{c}/delta"] for c in mass.CATEGORIES) == pytest.approx(0.0, abs=1e-7)


def test_negative_only_sgd_step_raises_the_unsampled_mode_like_theorem_1():
    # one tabular prompt, K = 3, response 0 correct; both samples are the wrong response 1 (p = 0, so GRAE is 0);
    # use a hand-set negative advantage: logit change η/G·(A·1[b=1] − C·π_b) with A = −1 on both, C = −2
    logits = torch.tensor([[0.0, 1.0, 2.0]], dtype=torch.float64)
    probs = torch.softmax(logits, 1)
    advantages = torch.tensor([[-1.0, -1.0]], dtype=torch.float64)
    samples = torch.tensor([[1, 1]])
    sampled_weight = torch.zeros_like(probs).scatter_add_(1, samples, advantages)
    new = logits + 1.0 / 2 * (sampled_weight - advantages.sum(1, keepdim=True) * probs)
    # π = (0.0900, 0.2447, 0.6652); new logits: 0 + ½·2·0.0900, 1 + ½(−2 + 2·0.2447), 2 + ½·2·0.6652
    assert new.tolist()[0] == pytest.approx([0.0900, 0.2447, 2.6652], abs=1e-4)
    out = mass.mass_shift(probs, torch.softmax(new, 1), samples, torch.tensor([[True, False, False]]))
    assert out["sampled_wrong/delta"] < 0 < out["unsampled_mode/delta"]
    # the squeezing effect: every unsampled logit rises by ∝ π_b, so the mode (π = 0.665 -> 0.858) takes the
    # mass, and the unsampled correct response LOSES probability (0.090 -> 0.065) although its logit rose
    assert out["unsampled_mode/after"] == pytest.approx(0.8584, abs=1e-4)
    assert out["unsampled_correct/delta"] == pytest.approx(0.0654 - 0.0900, abs=1e-4)


def test_policy_mass_and_response_distribution_sums_to_one():
    from mmagrae.experiments.tiny_transformer import (
        TinyGPT,
        TransformerConfig,
        correct_table,
        prompt_tokens,
        response_distribution,
        sample_responses,
    )

    torch.manual_seed(0)
    model = TinyGPT(TransformerConfig(d_model=16, heads=2, layers=1))
    prompts = torch.tensor([[1, 2], [9, 9]])
    probs = response_distribution(model, prompts)  # [2, 100]
    assert probs.shape == (2, 100) and torch.allclose(probs.sum(1), torch.ones(2), atol=1e-5)
    table = correct_table(prompts)
    assert table[0].sum() == 4 and bool(table[1, 99]) and table[1].sum() == 1  # sum 3: 03 12 21 30; sum 18: 99
    tokens, logp, _ = sample_responses(model, torch.tensor([prompt_tokens([1, 2])]), 2, torch.Generator())
    index = int(tokens[0, -2]) * 10 + int(tokens[0, -1])
    assert float(logp.detach().sum().exp()) == pytest.approx(float(probs[0, index]), rel=1e-4)
    state = mass.policy_mass(probs, table)
    assert state["correct"] == pytest.approx(float((probs * table).sum(1).mean()))


def test_tabular_adam_and_bad_optimizer():
    from mmagrae.experiments.tabular import TabularConfig, run_tabular

    config = TabularConfig(num_prompts=8, steps=3, eval_every=3, eval_samples=8, max_k=8, prompts_per_step=4,
                           optimizer="adam", lr=0.1)
    out = run_tabular({"estimator": "negative_dominant", "beta": 1e9}, config, 0)
    assert out["evals"][-1]["mass_flow"]["mode_unsampled_frac"] >= 0.0
    assert set(out["evals"][0]["mass"]) == {"mode", "mode_correct", "correct"}
    with pytest.raises(ValueError, match="optimizer"):
        run_tabular({"estimator": "grpo"}, TabularConfig(optimizer="rmsprop"), 0)


def test_quick_tabular_writes_baseline_matched_paired(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mmagrae", "experiment", "tabular", "--quick", "--seeds", "2",
                           "--steps", "20", "--variants", "grpo,agrae,negative_only", "--out", str(tmp_path)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads((tmp_path / "tabular.json").read_text())
    assert len(record["baseline"]["pass_at_k"]) == 64 and record["baseline"]["seeds"] == [0, 1]
    assert {"entropy", "coverage", "mass"} <= set(record["baseline"])
    assert set(record["paired_vs_grpo"]) == {"agrae", "negative_only"}
    assert record["matched"]["reference"] == "grpo"
    for entry in record["matched"]["targets"].values():
        assert set(entry["estimators"]) == {"grpo", "agrae", "negative_only"}
    assert "ci95" in record["summary"]["grpo"]["pass@1"] and "mass_flow" in record["summary"]["agrae"]
    markdown = tables.render(record)
    assert "*baseline (step 0)*" in markdown and "matched" in markdown
    from mmagrae.experiments.plots import plot_mass_curves

    plot_mass_curves([tmp_path / "tabular.json"], tmp_path / "mass.png", variants=["grpo", "negative_only"])
    assert (tmp_path / "mass.png").stat().st_size > 1000


def test_lr_sweep_and_reanalyse(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mmagrae", "experiment", "tabular", "--quick", "--seeds", "2",
                           "--steps", "6", "--variants", "grpo,agrae", "--lrs", "0.5,2", "--tag", "_sweep",
                           "--set", "optimizer=adam", "--out", str(tmp_path)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    path = tmp_path / "tabular_sweep.json"
    record = json.loads(path.read_text())
    assert record["lrs"] == [0.5, 2.0] and set(record["by_lr"]) == {"0.5", "2.0"}
    assert record["config"]["optimizer"] == "adam" and "baseline" in record
    assert {"baseline", "summary", "paired_vs_grpo", "matched"} <= set(record["by_lr"]["2.0"])
    assert (tmp_path / "tabular_sweep.png").stat().st_size > 1000
    del record["by_lr"], record["baseline"]
    path.write_text(json.dumps(record))
    again = subprocess.run([sys.executable, "-m", "mmagrae", "experiment", "--reanalyse", str(path)],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    assert set(json.loads(path.read_text())["by_lr"]) == {"0.5", "2.0"}


def test_one_rate_sweep_reanalyses_as_the_sweep_it_was(tmp_path):
    """``--lrs 0.5`` writes a sweep record (``lrs``/``by_lr``); reanalysing it keeps that shape and its
    numbers, rather than flattening it as a plain one-rate run."""
    from mmagrae.experiments.runner import reanalyse, run_experiment

    run_experiment("tabular", out=tmp_path, seeds=1, quick=True, steps=3, variants=["grpo", "agrae"],
                   lrs=[0.5], tag="_one")
    path = tmp_path / "tabular_one.json"
    written = json.loads(path.read_text())
    assert written["lrs"] == [0.5] and set(written["by_lr"]) == {"0.5"} and "summary" not in written
    reanalyse(path, command="test")
    again = json.loads(path.read_text())
    assert again["lrs"] == [0.5] and "summary" not in again and again["reanalysed_by"] == "test"
    assert _numbers(again["by_lr"]) == pytest.approx(_numbers(written["by_lr"]), abs=1e-4)  # runs are stored
    assert _numbers(again["baseline"]) == pytest.approx(_numbers(written["baseline"]), abs=1e-4)  # rounded


def _numbers(value, path=""):
    """``{path: number}`` for every number in a nested record."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _numbers(item, f"{path}/{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _numbers(item, f"{path}[{i}]").items()}
    return {path: value} if isinstance(value, int | float) else {}


@pytest.mark.parametrize("args, message", [(["--set", "optimizr=adam"], "optimizr"),
                                           (["--set", "lr=fast"], "lr"), (["--lrs", "a,b"], "--lrs")])
def test_bad_overrides_are_one_line_errors(tmp_path, args, message):
    done = subprocess.run([sys.executable, "-m", "mmagrae", "experiment", "tabular", *args, "--out", str(tmp_path)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_an_earlier_result_is_kept_unless_overwrite(tmp_path):
    (tmp_path / "tabular_x.json").write_text('{"earlier": true}')
    cmd = [sys.executable, "-m", "mmagrae", "experiment", "tabular", "--quick", "--seeds", "1", "--steps", "2",
           "--variants", "grpo", "--tag", "_x", "--out", str(tmp_path)]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "tabular_x.json exists" in done.stderr and "--overwrite" in done.stderr
    assert json.loads((tmp_path / "tabular_x.json").read_text()) == {"earlier": True}
    done = subprocess.run([*cmd, "--overwrite"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads((tmp_path / "tabular_x.json").read_text())["experiment"] == "tabular"


def _fake_trainer_run(folder: Path, rewards, formats, evals):
    folder.mkdir(parents=True)
    rows = [{"step": s, "kind": "eval", "eval/accuracy": a} for s, a in evals.items()]
    rows += [{"step": i + 1, "kind": "train", "reward/mean": r, "reward/format": f}
             for i, (r, f) in enumerate(zip(rewards, formats, strict=True))]
    (folder / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (folder / "summary.json").write_text("{}")


def test_trainer_study_outcomes_hand_computed(tmp_path):
    _fake_trainer_run(tmp_path / "grpo_kl_s0", [0.4, 0.8, 1.0, 1.0], [1, 1, 1, 1], {0: 0.3, 4: 0.9})
    _fake_trainer_run(tmp_path / "grpo_kl_s1", [0.4, 0.6, 0.9, 1.0], [1, 1, 1, 1], {0: 0.4, 4: 1.0})
    _fake_trainer_run(tmp_path / "agrae_a1_nokl_s0", [0.4, 0.2, 0.1, 0.1], [1, 0.5, 0.0, 0.0], {0: 0.3, 4: 0.0})
    (tmp_path / "grpo_kl_s0.log").write_text("a log file next to the run folders")
    record = trainer_study.summarise(tmp_path, window=2, reward_target=0.8, collapse_format=0.5)
    grpo = record["arms"]["grpo_kl"]
    # smoothed (2-step) rewards: s0 0.4, 0.6, 0.9 -> step 3; s1 0.4, 0.5, 0.75, 0.95 -> step 4
    assert [r["steps_to_target"] for r in grpo["runs"]] == [3, 4] and grpo["reached_target"] == "2/2"
    assert grpo["steps_to_target"]["mean"] == 3.5
    assert grpo["format_collapsed"] == "0/2" and grpo["eval_accuracy"]["4"]["mean"] == pytest.approx(0.95)
    collapsed = record["arms"]["agrae_a1_nokl"]
    # smoothed format 1, 0.75, 0.25, 0 -> collapsed; never reaches 0.8
    assert collapsed["format_collapsed"] == "1/1" and collapsed["steps_to_target"] is None
    assert grpo["curve"]["mean"][1] == pytest.approx((0.6 + 0.5) / 2)
    assert set(record["arms"]) == {"grpo_kl", "agrae_a1_nokl"}
    markdown = tables.render(record)
    assert "| grpo_kl | 2 |" in markdown and "| 2/2 | 4 ± 6 |" in markdown  # steps 3, 4: 3.5 ± 12.706·0.707/√2
    # baseline: the step-0 validation accuracy once per seed (seed 0: 0.3, seed 1: 0.4)
    assert record["baseline"]["seeds"] == [0, 1] and record["baseline"]["eval_accuracy"]["mean"] == pytest.approx(0.35)


def test_trainer_study_keeps_a_partly_run_folder(tmp_path):
    """A run stopped part-way is renamed aside (its files kept), never deleted, and the arm runs again."""
    partial = tmp_path / "grpo_kl_s0"
    partial.mkdir()
    (partial / "metrics.jsonl").write_text('{"kind": "train", "step": 1}\n')
    fake_python = tmp_path / "fake_python"
    fake_python.write_text("#!/bin/sh\nexit 0\n")
    fake_python.chmod(0o755)
    records = trainer_study.run_study(tmp_path, config="c.yaml", steps=1, seeds=1, eval_every=1,
                                      arms=["grpo_kl"], python=str(fake_python))
    assert records[0]["rc"] == 0
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("grpo_kl_s0.partial-")]
    assert len(kept) == 1 and (kept[0] / "metrics.jsonl").read_text().startswith('{"kind"')
