"""Trainer pieces without a model: checkpoints, metric files, plots, dynamic sampling, the prompt sampler."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from mmagrae.config import load_config
from mmagrae.trainer import checkpoint as ckpt
from mmagrae.trainer.builders import PromptSampler
from mmagrae.trainer.loop import OOM_HINT, TrainingAborted, select_groups
from mmagrae.trainer.step import _oom_guard
from mmagrae.trainer.tracking import read_metrics


class _TinyModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Linear(2, 2)

    def save_pretrained(self, path, safe_serialization=True):
        torch.save(self.state_dict(), path / "weights.pt")


def test_checkpoints_are_atomic_pruned_and_resumable(tmp_path):
    model = _TinyModel()
    for step in (1, 2, 3):
        ckpt.save_checkpoint(tmp_path, step, model=model, processor=None,
                             trainer_state={"step": step, "rng": ckpt.rng_state()}, keep_last=2)
    names = [p.name for p in ckpt.list_checkpoints(tmp_path)]
    assert names == ["step_000002", "step_000003"]
    # a half-written checkpoint (no COMPLETE marker, or a .tmp folder) is never picked up
    (tmp_path / "checkpoints" / "step_000009").mkdir()
    (tmp_path / "checkpoints" / "step_000010.tmp").mkdir()
    assert ckpt.latest_checkpoint(tmp_path).name == "step_000003"
    assert ckpt.resolve_resume("auto", tmp_path).name == "step_000003"
    assert ckpt.resolve_resume("never", tmp_path) is None
    with pytest.raises(FileNotFoundError, match="not a complete checkpoint"):
        ckpt.resolve_resume(str(tmp_path / "checkpoints" / "step_000009"), tmp_path)
    state = ckpt.load_trainer_state(ckpt.latest_checkpoint(tmp_path))
    assert state["step"] == 3


def test_rng_state_round_trip():
    import random

    import numpy as np

    state = ckpt.rng_state()
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    ckpt.set_rng_state(state)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a


def test_prompt_sampler_resumes_exactly():
    s = PromptSampler(5, seed=3)
    first = s.next(7)  # crosses an epoch boundary
    state = s.state_dict()
    rest = s.next(6)
    t = PromptSampler(5, seed=3)
    t.load_state_dict(state)
    assert t.next(6) == rest
    assert sorted(first[:5]) == list(range(5))  # an epoch is a permutation


def test_dynamic_sampling_selects_varied_groups():
    rewards = torch.tensor([[1.0, 1.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.1, 1.0, 1.0]])
    cfg = load_config(None, ["algorithm.dynamic_sampling=drop", "rollout.n=3"])
    assert select_groups(rewards, cfg, local_b=4) == [1, 3]
    assert select_groups(rewards, cfg, local_b=1) == [1]
    off = load_config(None, ["rollout.n=3"])
    assert select_groups(rewards, off, local_b=4) == [0, 1, 2, 3]


def test_out_of_memory_names_the_settings():
    with pytest.raises(TrainingAborted, match="micro_batch_size"):
        with _oom_guard():
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
    assert "gradient_checkpointing" in OOM_HINT
    with pytest.raises(RuntimeError, match="shape mismatch"), _oom_guard():
        raise RuntimeError("shape mismatch")


def _fake_run(tmp_path):
    lines = []
    for step in range(1, 11):
        lines.append({"step": step, "kind": "train", "reward/mean": step / 10, "reward/accuracy": step / 12,
                      "loss/entropy": 2 - step / 10, "adv/omega": step / 12, "time/step": 0.5})
    lines.append({"step": 10, "kind": "eval", "eval/accuracy": 0.7})
    text = "\n".join(json.dumps(r) for r in lines) + "\n" + '{"step": 11, "kind": "tr'  # a line cut by a crash
    (tmp_path / "metrics.jsonl").write_text(text)
    return tmp_path


def test_read_metrics_skips_a_cut_line_and_keeps_the_last_record_per_step(tmp_path):
    run = _fake_run(tmp_path)
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write("\n" + json.dumps({"step": 3, "kind": "train", "reward/mean": 9.0}) + "\n")
    records = read_metrics(run / "metrics.jsonl")
    assert [r["step"] for r in records] == list(range(1, 11))
    assert records[2]["reward/mean"] == 9.0


def test_plot_cli_writes_png(tmp_path):
    run = _fake_run(tmp_path)
    out = subprocess.run([sys.executable, "-m", "mmagrae", "plot", str(run)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    png = run / "curves.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    metrics = (run / "metrics.jsonl").read_bytes()
    bad = subprocess.run([sys.executable, "-m", "mmagrae", "plot", str(run), "--out", str(run / "metrics.jsonl")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "name an image file" in bad.stderr and "Traceback" not in bad.stderr
    assert (run / "metrics.jsonl").read_bytes() == metrics  # the run's data is never written over


def test_demo_report(tmp_path):
    run = _fake_run(tmp_path)
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write("\n" + json.dumps({"step": 0, "kind": "eval", "eval/accuracy": 0.2}) + "\n")
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "demo_report.py"
    out = subprocess.run([sys.executable, str(script), str(run)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["reward_first_fifth"] == pytest.approx(0.15) and summary["reward_last_fifth"] == pytest.approx(0.95)
    assert summary["val_before"] == 0.2 and summary["val_after"] == 0.7
    assert "before RL 0.200 → after 0.700" in (run / "REPORT.md").read_text()


def test_custom_reward_correctness_is_the_one_definition(monkeypatch):
    """A custom reward's correctness is ``default_correct`` (above half of max(1, max reward)), as in
    ``compute_advantages``: a reward of exactly 0.5 is not correct (the old rule ``≥ 0.5`` said it was)."""
    import types

    from mmagrae.algos.advantages import default_correct
    from mmagrae.trainer.builders import build_scorer

    module = types.ModuleType("h1_rewards")
    module.reward = lambda response, row: float(response)
    monkeypatch.setitem(sys.modules, "h1_rewards", module)
    score = build_scorer(load_config(None, ["reward.function=h1_rewards:reward"]))
    rewards, correct, _, _ = score(["0.5", "0.75", "0.0", "1.0"], [{"answer": "1"}] * 4)
    assert correct.tolist() == [False, True, False, True]
    assert torch.equal(correct, default_correct(rewards))


def test_estimator_names_come_from_the_algos_registry(monkeypatch):
    from mmagrae.algos import advantages
    from mmagrae.config import ConfigError

    with pytest.raises(ConfigError, match="'algorithm.estimator' = 'mine' is not allowed"):
        load_config(None, ["algorithm.estimator=mine"])
    monkeypatch.setitem(advantages.ESTIMATORS, "mine", advantages.ESTIMATORS["grpo"])
    assert load_config(None, ["algorithm.estimator=mine"]).algorithm.estimator == "mine"


def test_synthetic_source_cache_is_written_whole(tmp_path):
    """`synthetic:KIND` rows are generated under a temporary name and renamed into place whole: a folder a
    killed run left without COMPLETE is moved aside (not deleted, not mixed), and a complete one is reused."""
    from mmagrae.trainer.builders import materialize_source

    cfg = load_config(None, ["data.synthetic_n=4", "data.synthetic_val_n=0"])
    path, split = materialize_source("synthetic:counting", tmp_path, split="train", cfg=cfg)
    out = tmp_path / (path.rsplit("/", 1)[-1])
    assert split == "train" and (out / "COMPLETE").is_file() and (out / "mmagrae_data.json").is_file()
    stamp = (out / "COMPLETE").stat().st_mtime_ns
    assert materialize_source("synthetic:counting", tmp_path, split="train", cfg=cfg)[0] == path
    assert (out / "COMPLETE").stat().st_mtime_ns == stamp  # reused, not regenerated
    (out / "COMPLETE").unlink()  # as a run killed before the end of the old in-place writing left it
    (out / "stray.txt").write_text("half")
    assert materialize_source("synthetic:counting", tmp_path, split="train", cfg=cfg)[0] == path
    assert (out / "COMPLETE").is_file() and not (out / "stray.txt").exists()
    aside = [p for p in tmp_path.iterdir() if ".incomplete-" in p.name]
    assert len(aside) == 1 and (aside[0] / "stray.txt").read_text() == "half"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
