"""Engine–trainer gap: metrics, truncated IS weights and rejection masks against hand-computed numbers;
dynamic sampling on correctness; and the log-prob distribution both engines report under top-p / top-k."""

from __future__ import annotations

import math

import pytest
import torch

from mmagrae.algos import (
    compute_policy_loss,
    informative_groups,
    pad_logprobs,
    rollout_correction,
    rollout_gap_metrics,
)

# two responses: 3 tokens with δ = log π_trainer − log π_engine = (1.0, −0.5, −1.0); 1 token with δ = 0.2
TRAINER = torch.tensor([[-1.0, -1.5, -3.0], [-0.3, 7.0, float("nan")]])
ENGINE = torch.tensor([[-2.0, -1.0, -2.0], [-0.5, float("-inf"), 0.0]])
MASK = torch.tensor([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
DELTA = [1.0, -0.5, -1.0, 0.2]


def test_gap_metrics_hand_computed():
    m = rollout_gap_metrics(TRAINER, ENGINE, MASK)
    assert m["rollout/logprob_diff_mean"] == pytest.approx(sum(abs(d) for d in DELTA) / 4, rel=1e-6)
    assert m["rollout/logprob_diff_max"] == pytest.approx(1.0, rel=1e-6)
    assert m["rollout/kl"] == pytest.approx(sum(math.exp(d) - d - 1 for d in DELTA) / 4, rel=1e-6)
    same = rollout_gap_metrics(ENGINE, ENGINE, MASK)
    assert same == {"rollout/logprob_diff_mean": 0.0, "rollout/logprob_diff_max": 0.0, "rollout/kl": 0.0}
    empty = rollout_gap_metrics(TRAINER, ENGINE, torch.zeros_like(MASK))
    assert empty["rollout/logprob_diff_max"] == 0.0 and empty["rollout/kl"] == 0.0


def test_token_is_weights_are_truncated_ratios():
    weights, keep, m = rollout_correction(TRAINER, ENGINE, MASK, is_mode="token", threshold=2.0)
    want = [[min(math.exp(1.0), 2.0), math.exp(-0.5), math.exp(-1.0)], [math.exp(0.2), 1.0, 1.0]]
    assert torch.allclose(weights, torch.tensor(want), rtol=1e-6)
    assert torch.equal(keep, MASK)  # no rejection asked
    assert m["rollout/is_weight_mean"] == pytest.approx((2.0 + math.exp(-0.5) + math.exp(-1.0) + math.exp(0.2)) / 4,
                                                        rel=1e-6)
    assert m["rollout/is_truncated_frac"] == pytest.approx(0.25)
    assert m["rollout/rs_masked_frac"] == 0.0


def test_sequence_is_weights_use_the_product_of_ratios():
    weights, _, m = rollout_correction(TRAINER, ENGINE, MASK, is_mode="sequence", threshold=2.0)
    # response 1: e^(1 − 0.5 − 1) = e^-0.5; response 2: e^0.2 (both below C)
    assert torch.allclose(weights[0], torch.full((3,), math.exp(-0.5)), rtol=1e-6)
    assert weights[1, 0].item() == pytest.approx(math.exp(0.2), rel=1e-6)
    _, _, m = rollout_correction(TRAINER, ENGINE, MASK, is_mode="sequence", threshold=1.1)
    assert m["rollout/is_truncated_frac"] == pytest.approx(0.25)  # e^0.2 = 1.22 > 1.1 on response 2's token


def test_token_rejection_masks_tokens_outside_the_band():
    # C = 2: band [0.5, 2]; e^1 = 2.72 and e^-1 = 0.37 are out, e^-0.5 = 0.61 and e^0.2 are in
    weights, keep, m = rollout_correction(TRAINER, ENGINE, MASK, rs_mode="token", threshold=2.0)
    assert weights is None
    assert torch.equal(keep, torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]))
    assert m["rollout/rs_masked_frac"] == pytest.approx(0.5) and m["rollout/rs_masked_seq_frac"] == 0.0


def test_sequence_rejection_masks_whole_responses():
    # band [1/1.5, 1.5] = [0.667, 1.5]: response 1's ratio e^-0.5 = 0.61 is below it (rejected), e^0.2 is kept
    _, keep, m = rollout_correction(TRAINER, ENGINE, MASK, rs_mode="sequence", threshold=1.5)
    assert torch.equal(keep, torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    assert m["rollout/rs_masked_frac"] == pytest.approx(0.75) and m["rollout/rs_masked_seq_frac"] == 0.5


def test_weights_and_mask_feed_the_loss():
    """IS weights scale each token's loss; a rejected token leaves the loss as if it were masked."""
    adv = torch.tensor([1.0, -1.0])
    weights, keep, _ = rollout_correction(TRAINER, ENGINE, MASK, is_mode="token", rs_mode="token", threshold=2.0)
    logp = torch.zeros(2, 3)
    loss, _ = compute_policy_loss(logp, logp, adv, keep, rollout_weights=weights, agg="token-mean")
    # kept tokens: (0, 1) with w = e^-0.5, A = 1 and (1, 0) with w = e^0.2, A = −1; ρ = 1 so ℓ = −A·w
    assert loss.item() == pytest.approx((-math.exp(-0.5) + math.exp(0.2)) / 2, rel=1e-6)


def test_modes_are_validated():
    with pytest.raises(ValueError, match="rollout_is.*token"):
        rollout_correction(TRAINER, ENGINE, MASK, is_mode="tokens")
    with pytest.raises(ValueError, match="threshold"):
        rollout_correction(TRAINER, ENGINE, MASK, is_mode="token", threshold=1.0)


def test_pad_logprobs_layout():
    out = pad_logprobs([[-0.5, -1.0], [], [-2.0, -3.0, -4.0]], 2)
    assert torch.equal(out, torch.tensor([[-0.5, -1.0], [0.0, 0.0], [-2.0, -3.0]]))


def test_dynamic_sampling_on_accuracy_ignores_format_only_variation():
    rewards = torch.tensor([[0.0, 0.1, 0.1, 0.0],   # all wrong, format differs: no answer signal
                            [1.0, 0.1, 0.0, 1.0],   # mixed correctness
                            [1.0, 1.0, 1.0, 1.0],   # all right
                            [0.9, 1.0, 1.0, 1.0]])  # all right, format differs
    correct = rewards >= 0.9
    assert informative_groups(rewards, correct).tolist() == [False, True, False, False]
    assert informative_groups(rewards, correct, "reward").tolist() == [True, True, False, True]
    with pytest.raises(ValueError, match="accuracy"):
        informative_groups(rewards, correct, "acc")


# ------------------------------------------------------------------------------------ end to end (tiny model)


def format_only_reward(response: str, row: dict) -> float:
    """Never correct, but a 0.1 "format" reward for even-length responses: groups vary in reward with no answer
    signal."""
    return 0.1 * float(len(response) % 2 == 0)


def test_training_logs_gap_and_correction_with_gspo(tiny_qwen2_vl, tmp_path):
    from test_trainer import assert_finite_metrics, run_train, tiny_overrides

    from mmagrae.trainer.tracking import read_metrics

    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, "algorithm.policy_loss=gspo", "algorithm.rollout_is=token",
                             "algorithm.rollout_rs=token", "algorithm.rollout_is_threshold=2.0"))
    records = assert_finite_metrics(out, 2)
    for r in records:
        for key in ("rollout/logprob_diff_mean", "rollout/logprob_diff_max", "rollout/kl", "rollout/is_weight_mean",
                    "rollout/is_truncated_frac", "rollout/rs_masked_frac", "rollout/rs_masked_seq_frac"):
            assert math.isfinite(r[key]), (key, r)
        # the HF engine samples with the training model itself: the gap is float noise
        assert 0 <= r["rollout/logprob_diff_mean"] <= r["rollout/logprob_diff_max"] < 1e-3
        assert r["rollout/is_weight_mean"] == pytest.approx(1.0, abs=1e-3) and r["rollout/rs_masked_frac"] == 0.0
    cfg = (out / "config.yaml").read_text()
    assert "policy_loss: gspo" in cfg and "rollout_is: token" in cfg
    assert read_metrics(out / "metrics.jsonl")[-1]["loss/clipfrac"] >= 0


@pytest.mark.parametrize("loss,extra", [("cispo", "algorithm.rollout_is=sequence"),
                                        ("gmpo", "algorithm.rollout_rs=sequence"),
                                        ("sapo", "algorithm.kl_coef=0.04")])
def test_every_policy_loss_trains(loss, extra, tiny_qwen2_vl, tmp_path):
    """One step each; μ = 2 epochs over two mini-batches, so the correction runs on old log-probs."""
    from test_trainer import run_train, tiny_overrides

    from mmagrae.trainer.tracking import read_metrics

    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, f"algorithm.policy_loss={loss}", extra, "trainer.max_steps=1",
                             "algorithm.ppo_epochs=2", "algorithm.mini_batch_size=1"))
    (r,) = read_metrics(out / "metrics.jsonl")
    assert math.isfinite(r["loss/policy"]) and r["grad_norm"] > 0 and math.isfinite(r["rollout/kl"])


@pytest.mark.slow
def test_vllm_training_logs_the_gap_and_corrects_it(tiny_qwen2_vl, tmp_path):
    """The vLLM engine's log-probs (a separate model copy, other kernels) against the trainer's."""
    from test_trainer import run_train, tiny_overrides

    from mmagrae.trainer.tracking import read_metrics

    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, "rollout.backend=vllm", "algorithm.policy_loss=gspo",
                             "algorithm.rollout_is=token", "algorithm.rollout_rs=token"))
    records = read_metrics(out / "metrics.jsonl")
    assert len(records) == 2
    for r in records:  # fp32 on CPU: the gap is float noise, so nothing is truncated or masked
        assert 0 <= r["rollout/logprob_diff_max"] < 1e-3 and r["rollout/kl"] < 1e-6
        assert r["rollout/is_truncated_frac"] == 0.0 and r["rollout/rs_masked_frac"] == 0.0


def test_gap_metrics_logged_by_default_at_another_temperature(tiny_qwen2_vl, tmp_path):
    """Temperature ≠ 1: the engines report raw log-probs, the trainer compares its own temperature-1 ones."""
    from test_trainer import run_train, tiny_overrides

    from mmagrae.trainer.tracking import read_metrics

    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, "rollout.temperature=0.7", "rollout.top_p=0.8", "trainer.max_steps=1"))
    (r,) = read_metrics(out / "metrics.jsonl")
    assert r["rollout/logprob_diff_max"] < 1e-3 and "rollout/is_weight_mean" not in r


@pytest.mark.parametrize("metric", ["accuracy", "reward"])
def test_dynamic_sampling_metric_in_training(metric, tiny_qwen2_vl, tmp_path):
    """All-wrong groups that differ only in format reward: dropped on accuracy (the default), kept on reward."""
    from test_trainer import run_train, tiny_overrides

    from mmagrae.trainer.tracking import read_metrics

    out = tmp_path / "run"
    run_train(tiny_overrides(tiny_qwen2_vl, out, "algorithm.dynamic_sampling=drop", "trainer.prompts_per_step=4",
                             f"algorithm.dynamic_sampling_metric={metric}", "rollout.n=6",
                             "reward.function=test_rollout_correction:format_only_reward"))
    records = read_metrics(out / "metrics.jsonl")
    assert len(records) == 2 and all(r["reward/accuracy"] == 0.0 for r in records)
    updated = [r["data/groups_updated"] for r in records]
    assert updated == [0.0, 0.0] if metric == "accuracy" else sum(updated) > 0


# ------------------------------------------------- which distribution the engines' log-probs come from

NUCLEUS = {"temperature": 0.7, "top_p": 0.5, "top_k": 5, "max_new_tokens": 8, "seed": 0}


def _engine_vs_trainer(model, processor, prompts, groups):
    """Max |engine − trainer| over response tokens, with the trainer at temperature 1 and at the sampling
    temperature, and whether every sampled token lay in the trainer's top-k at that position."""
    from mmagrae.models import get_tokenizer
    from mmagrae.rollout.forward import build_policy_batch, compute_token_logprobs

    batch = build_policy_batch(processor, prompts, groups, pad_token_id=get_tokenizer(processor).pad_token_id)
    mask = batch["response_mask"]  # [N, T]
    engine = pad_logprobs([c.logprobs for g in groups for c in g], mask.shape[1])  # [N, T]
    with torch.no_grad():
        raw, _ = compute_token_logprobs(model, batch, temperature=1.0)  # [N, T]
        scaled, _ = compute_token_logprobs(model, batch, temperature=NUCLEUS["temperature"])  # [N, T]
    gap_raw = rollout_gap_metrics(raw, engine, mask)["rollout/logprob_diff_max"]
    gap_scaled = rollout_gap_metrics(scaled, engine, mask)["rollout/logprob_diff_max"]
    return gap_raw, gap_scaled, int(mask.sum())


def test_hf_engine_logprobs_are_raw_under_top_p_top_k_and_temperature(tiny_qwen2_vl):
    """With temperature 0.7, top-p 0.5 and top-k 5 the HF engine still reports log_softmax(raw logits), which
    is what the trainer recomputes at temperature 1 (not the temperature-scaled or truncated distribution)."""
    from test_rollout_hf import make_prompts

    from mmagrae.models import load_policy
    from mmagrae.rollout import SamplingConfig, build_engine

    model, processor = load_policy(str(tiny_qwen2_vl))
    engine = build_engine("hf", tiny_qwen2_vl, model=model, processor=processor)
    prompts = make_prompts(processor, vision=True)
    groups = engine.generate(prompts, 3, SamplingConfig(**NUCLEUS))
    gap_raw, gap_scaled, tokens = _engine_vs_trainer(model, processor, prompts, groups)
    assert tokens > 0 and gap_raw < 1e-4 < gap_scaled


@pytest.mark.slow
@pytest.mark.usefixtures("single_thread_torch")
def test_vllm_engine_logprobs_are_raw_under_top_p_top_k_and_temperature(tiny_vllm_engine, tiny_qwen2_vl):
    """vLLM (``logprobs_mode="raw_logprobs"``) reports the same quantity as the HF engine under top-p < 1."""
    from test_rollout_hf import make_prompts

    from mmagrae.models import load_policy
    from mmagrae.rollout import SamplingConfig

    engine = tiny_vllm_engine("qwen2_vl")
    model, processor = load_policy(str(tiny_qwen2_vl))
    prompts = make_prompts(processor, vision=True)
    groups = engine.generate(prompts, 3, SamplingConfig(**NUCLEUS))
    gap_raw, gap_scaled, tokens = _engine_vs_trainer(model, processor, prompts, groups)
    assert tokens > 0 and gap_raw < 1e-4 < gap_scaled


def test_raw_logprobs_come_from_the_same_forward(tiny_qwen2_vl):
    """``raw=True`` gives the temperature-1 log-probs of the same forward (what a separate temperature-1 pass
    gives), so a sampling temperature costs no second forward in the update."""
    from test_rollout_hf import make_prompts

    from mmagrae.models import load_policy, pad_token_id
    from mmagrae.rollout import SamplingConfig, build_engine
    from mmagrae.rollout.forward import build_policy_batch, compute_token_logprobs

    model, processor = load_policy(str(tiny_qwen2_vl))
    prompts = make_prompts(processor, vision=True)
    groups = build_engine("hf", tiny_qwen2_vl, model=model, processor=processor).generate(
        prompts, 2, SamplingConfig(max_new_tokens=5, seed=0, temperature=0.7))
    batch = build_policy_batch(processor, prompts, groups, pad_token_id=pad_token_id(processor))
    with torch.no_grad():
        scaled, _, raw = compute_token_logprobs(model, batch, temperature=0.7, raw=True)  # [N, T] each
        alone_scaled, _ = compute_token_logprobs(model, batch, temperature=0.7)
        alone_raw, _ = compute_token_logprobs(model, batch, temperature=1.0)
        at_one, _, same = compute_token_logprobs(model, batch, temperature=1.0, raw=True)
    assert torch.equal(scaled, alone_scaled) and torch.equal(raw, alone_raw)
    assert torch.equal(at_one, same) and not torch.equal(raw, scaled)
