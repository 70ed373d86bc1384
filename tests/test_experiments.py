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
