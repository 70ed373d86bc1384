"""End-to-end training runs on tiny random models (CPU): every trainable parameter moves, metrics are finite,
checkpoints resume exactly after SIGKILL, the text path and the vLLM backend work, failures are handled."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mmagrae.config import load_config
from mmagrae.trainer.tracking import read_metrics

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent


def tiny_overrides(model_dir: Path, out: Path, *extra: str) -> list[str]:
    return [
        f"model.path={model_dir}", f"trainer.output_dir={out}", "trainer.max_steps=2", "trainer.prompts_per_step=2",
        "rollout.n=4", "rollout.max_new_tokens=6", "data.train=synthetic:counting", "data.synthetic_n=16",
        "data.synthetic_val_n=4", "trainer.val_limit=4", "data.max_prompt_length=256", "data.min_pixels=3136",
        "data.max_pixels=12544", "reward.function=trainer_rewards:parity_reward", "optim.lr=1e-2",
        "algorithm.micro_batch_size=4", "logging.progress_bar=false", "trainer.save_every=0", *extra,
    ]


def run_train(overrides: list[str]) -> dict:
    from mmagrae.trainer.loop import train

    sys.path.insert(0, str(TESTS)) if str(TESTS) not in sys.path else None
    return train(load_config(None, overrides))


def initial_params(model_dir: Path) -> dict[str, torch.Tensor]:
    from mmagrae.models import load_policy

    model, _ = load_policy(str(model_dir), dtype="float32")
    return {k: v.detach().clone() for k, v in model.named_parameters()}


def trained_params(out: Path) -> dict[str, torch.Tensor]:
    from mmagrae.models import load_policy
    from mmagrae.trainer.checkpoint import latest_checkpoint

    model, _ = load_policy(str(latest_checkpoint(out)), dtype="float32")
    return {k: v.detach() for k, v in model.named_parameters()}


def assert_all_changed(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    unchanged = [k for k in before if torch.equal(before[k], after[k])]
    assert not unchanged, f"parameters that did not move: {unchanged}"


def assert_finite_metrics(out: Path, steps: int) -> list[dict]:
    records = read_metrics(out / "metrics.jsonl")
    assert [r["step"] for r in records] == list(range(1, steps + 1))
    for r in records:
        for key in ("reward/mean", "loss/policy", "loss/entropy", "grad_norm", "adv/omega", "perf/tokens_per_s",
                    "time/rollout", "time/update"):
            assert math.isfinite(r[key]), (key, r)
    return records


def _text_rows(tmp_path: Path) -> Path:
    rows = [{"problem": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(8)]
    path = tmp_path / "text.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


@pytest.mark.parametrize("arch_fixture", ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen2"])
def test_few_steps_change_every_parameter(arch_fixture, request, tmp_path):
    model_dir = request.getfixturevalue(arch_fixture)
    out = tmp_path / "run"
    extra = ["algorithm.kl_coef=0.04"]  # exercises the reference model too
    if arch_fixture == "tiny_qwen2_5_vl":  # DAPO-style: refill zero-variance groups, μ = 2, two mini-batches
        extra += ["algorithm.dynamic_sampling=refill", "algorithm.ppo_epochs=2", "algorithm.mini_batch_size=1",
                  "algorithm.loss=dapo", "algorithm.estimator=agrae", "algorithm.dual_clip=3.0"]
    if arch_fixture == "tiny_qwen2":  # the text path: prompts from a text-only dataset
        text = _text_rows(tmp_path)
        extra += [f"data.train={text}", f"data.val={text}"]
    run_train(tiny_overrides(model_dir, out, *extra))
    assert_all_changed(initial_params(model_dir), trained_params(out))
    records = assert_finite_metrics(out, 2)
    assert records[-1]["loss/kl"] >= 0
    evals = read_metrics(out / "metrics.jsonl", kind="eval")
    assert [e["step"] for e in evals] == [0, 2]
    assert (out / "summary.json").exists() and (out / "config.yaml").exists()
    assert any((out / "tb").iterdir())


@pytest.mark.parametrize("arch_fixture", ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen2"])
def test_vllm_backend_few_steps(arch_fixture, request, tmp_path):
    model_dir = request.getfixturevalue(arch_fixture)
    out = tmp_path / "run"
    extra = ["rollout.backend=vllm"]
    if arch_fixture == "tiny_qwen2":
        text = _text_rows(tmp_path)
        extra += [f"data.train={text}", f"data.val={text}"]
    run_train(tiny_overrides(model_dir, out, *extra))
    assert_all_changed(initial_params(model_dir), trained_params(out))
    assert_finite_metrics(out, 2)


@pytest.mark.parametrize("mode", ["drop", "refill"])
def test_dynamic_sampling_drops_and_refills_zero_variance_groups(mode, tiny_qwen2_vl, tmp_path):
    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, f"algorithm.dynamic_sampling={mode}", "trainer.prompts_per_step=4",
                             "reward.function=trainer_rewards:half_informative_reward", "trainer.max_steps=3",
                             "algorithm.max_refill_rounds=4"))
    records = read_metrics(out / "metrics.jsonl")
    for r in records:
        informative = r["data/groups_updated"]
        if mode == "drop":
            assert r["data/rollout_rounds"] == 1 and informative <= 4
        else:  # refill samples more prompts until B informative groups (or the round limit)
            assert informative == 4 or r["data/rollout_rounds"] == 5
    if mode == "refill":
        assert any(r["data/rollout_rounds"] > 1 for r in records)
    else:
        assert any(r["data/groups_updated"] < 4 for r in records)


def test_warm_start_policy_is_the_kl_reference(tiny_qwen2_vl, tmp_path):
    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, "trainer.warm_start_steps=3", "trainer.warm_start_lr=1e-2",
                             "algorithm.kl_coef=0.1", "trainer.max_steps=1"))
    first = read_metrics(out / "metrics.jsonl")[0]
    # step 1 is on-policy and the reference is the warm-started policy itself: KL exactly 0 (not KL to the
    # random initial model, which the warm start moved away from)
    assert first["loss/kl"] == pytest.approx(0.0, abs=1e-6)
    warm = read_metrics(out / "metrics.jsonl", kind="warm_start")[0]
    assert warm["warm_start/loss_last"] < warm["warm_start/loss_first"]
    assert (out / "warm_start" / "COMPLETE").exists()


def test_frozen_vision_tower_and_gradient_checkpointing(tiny_qwen2_vl, tmp_path):
    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, "model.freeze_vision_tower=true", "model.gradient_checkpointing=true",
                             "model.attn_implementation=eager"))
    before, after = initial_params(tiny_qwen2_vl), trained_params(out)
    vis = [k for k in before if "visual" in k]
    lm = [k for k in before if "visual" not in k]
    assert vis and all(torch.equal(before[k], after[k]) for k in vis)
    assert lm and all(not torch.equal(before[k], after[k]) for k in lm)


def test_lora_and_frozen_vision(tiny_qwen2_vl, tmp_path):
    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, "model.lora.enabled=true", "model.lora.r=4", "optim.lr=5e-2"))
    ckpt = next((out / "checkpoints").iterdir())
    assert (ckpt / "adapter" / "adapter_config.json").exists()
    cfg = json.loads((ckpt / "adapter" / "adapter_config.json").read_text())
    assert "visual" not in json.dumps(cfg.get("target_modules")) or cfg.get("exclude_modules")
    before, after = initial_params(tiny_qwen2_vl), trained_params(out)
    lm = [k for k in before if "visual" not in k and k.endswith("q_proj.weight")]
    assert lm and all(not torch.equal(before[k], after[k]) for k in lm)  # merged LoRA moved the LM
    vis = [k for k in before if "visual" in k]
    assert vis and all(torch.equal(before[k], after[k]) for k in vis)  # vision tower excluded


def _cli_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    return env


def test_resume_after_sigkill_matches_uninterrupted_run(tiny_qwen2_vl, tmp_path):
    base = [sys.executable, "-m", "mmagrae", "train"]
    over = lambda out: tiny_overrides(tiny_qwen2_vl, out, "trainer.max_steps=6", "trainer.save_every=3",  # noqa: E731
                                      "trainer.eval_every=0", "trainer.val_limit=2")
    straight = tmp_path / "straight"
    subprocess.run(base + over(straight), check=True, env=_cli_env(), capture_output=True, timeout=600)

    killed = tmp_path / "killed"
    proc = subprocess.Popen(base + over(killed), env=_cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = killed / "checkpoints" / "step_000003" / "COMPLETE"
    deadline = time.time() + 600
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert marker.exists(), "the run never wrote its step-3 checkpoint"
    resumed = subprocess.run(base + over(killed), env=_cli_env(), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed from" in resumed.stderr

    a = {r["step"]: r for r in read_metrics(straight / "metrics.jsonl")}
    b = {r["step"]: r for r in read_metrics(killed / "metrics.jsonl")}
    for step in (4, 5, 6):
        for key in ("reward/mean", "loss/policy", "response/length_mean", "adv/omega", "grad_norm"):
            assert a[step][key] == pytest.approx(b[step][key], rel=1e-5, abs=1e-6), (step, key)


def test_nan_loss_skips_then_aborts(tiny_qwen2_vl, tmp_path, monkeypatch):
    import mmagrae.trainer.loop as loop
    import mmagrae.trainer.step as step

    real = step.compute_policy_loss

    def nan_loss(*args, **kwargs):
        loss, metrics = real(*args, **kwargs)
        return loss * float("nan"), metrics

    monkeypatch.setattr(step, "compute_policy_loss", nan_loss)
    out = tmp_path / "run"
    with pytest.raises(loop.TrainingAborted, match="3 consecutive steps had a NaN/inf loss"):
        run_train(tiny_overrides(tiny_qwen2_vl, out, "trainer.max_steps=5", "trainer.max_bad_steps=3"))
    records = read_metrics(out / "metrics.jsonl")
    assert [r["skipped"] for r in records] == [1.0, 1.0]  # the third is not logged: it aborts
    assert not (out / "checkpoints").exists() or not any((out / "checkpoints").iterdir())


@pytest.mark.parametrize("zero", ["zero2", "zero3"])
def test_deepspeed_two_processes(zero, tiny_qwen2_vl, tmp_path):
    out = tmp_path / "run"
    env = _cli_env()
    env.update({"OMP_NUM_THREADS": "1", "DS_ACCELERATOR": "cpu"})
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--standalone",
           "-m", "mmagrae", "train", *tiny_overrides(tiny_qwen2_vl, out, "trainer.prompts_per_step=2",
                                                       f"distributed.deepspeed={REPO / f'configs/deepspeed/{zero}.json'}")]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    assert_finite_metrics(out, 2)
    assert_all_changed(initial_params(tiny_qwen2_vl), trained_params(out))
    assert [p.name for p in (out / "checkpoints").iterdir()] == ["step_000002"]
