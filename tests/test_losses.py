"""Policy losses against hand-computed values: clipping, dual-clip, aggregation with masks, KL, entropy."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mmagrae.algos import (
    AGGREGATIONS,
    LOSS_PRESETS,
    aggregate_tokens,
    compute_policy_loss,
    kl_penalty,
    token_entropy_from_logits,
)


def single_token(ratio: float, advantage: float, **kwargs):
    logp = torch.tensor([[math.log(ratio)]], requires_grad=True)
    loss, metrics = compute_policy_loss(logp, torch.zeros(1, 1), torch.tensor([advantage]), torch.ones(1, 1),
                                        **kwargs)
    return loss, metrics, logp


@pytest.mark.parametrize(
    "ratio,advantage,kwargs,expected,clipped",
    [
        (1.0, 2.0, {}, -2.0, 0.0),
        (1.5, 2.0, {}, -2.4, 1.0),  # A > 0, ρ above 1 + ε: clipped to 1.2
        (0.5, 2.0, {}, -1.0, 0.0),  # A > 0, ρ low: pessimistic branch is the unclipped one
        (1.5, -2.0, {}, 3.0, 0.0),  # A < 0, ρ high: unclipped
        (0.5, -2.0, {}, 1.6, 1.0),  # A < 0, ρ below 1 − ε: clipped to 0.8
        (1.5, 2.0, {"clip_high": 0.28}, -2.56, 1.0),  # DAPO clip-higher
        (0.5, -2.0, {"clip_low": 0.1}, 1.8, 1.0),
        (5.0, -2.0, {"dual_clip": 3.0}, 6.0, 0.0),  # dual-clip bounds −A·ρ = 10 at −A·c = 6
        (2.0, -2.0, {"dual_clip": 3.0}, 4.0, 0.0),  # below the bound: untouched
        (5.0, 2.0, {"dual_clip": 3.0}, -2.4, 1.0),  # dual-clip never acts on A > 0
    ],
)
def test_ppo_clip_hand_computed(ratio, advantage, kwargs, expected, clipped):
    loss, metrics, _ = single_token(ratio, advantage, **kwargs)
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    assert metrics["loss/clipfrac"] == clipped
    assert metrics["loss/ratio_mean"] == pytest.approx(ratio, rel=1e-5)


def test_gradient_zero_when_clipped_and_bounded():
    for ratio, advantage, kwargs in [(1.5, 2.0, {}), (0.5, -2.0, {}), (5.0, -2.0, {"dual_clip": 3.0})]:
        loss, _, logp = single_token(ratio, advantage, **kwargs)
        loss.backward()
        assert logp.grad.item() == 0.0
    loss, _, logp = single_token(1.1, 2.0)
    loss.backward()
    assert logp.grad.item() == pytest.approx(-2.0 * 1.1, rel=1e-5)  # d(−A·ρ)/d logp = −A·ρ


def test_dual_clip_metric_and_validation():
    _, metrics, _ = single_token(5.0, -2.0, dual_clip=3.0)
    assert metrics["loss/dual_clipfrac"] == 1.0
    with pytest.raises(ValueError, match="dual_clip"):
        single_token(1.0, 1.0, dual_clip=0.5)


# Two responses: 4 tokens and 1 token (3 masked with garbage values that must not matter).
VALUES = torch.tensor([[1.0, 2.0, 3.0, 4.0], [10.0, 99.0, -99.0, 1e6]])
MASK = torch.tensor([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0]])


@pytest.mark.parametrize(
    "mode,max_len,expected",
    [
        ("token-mean", None, (1 + 2 + 3 + 4 + 10) / 5),
        ("seq-mean-token-mean", None, ((1 + 2 + 3 + 4) / 4 + 10) / 2),
        ("seq-mean-token-sum-norm", None, 20 / (2 * 4)),
        ("seq-mean-token-sum-norm", 10, 20 / (2 * 10)),
    ],
)
def test_aggregation_hand_computed_with_mask(mode, max_len, expected):
    assert aggregate_tokens(VALUES, MASK, mode, max_len).item() == pytest.approx(expected)


def test_aggregation_edge_cases():
    empty = torch.zeros(2, 3)
    for mode in AGGREGATIONS:
        assert aggregate_tokens(torch.ones(2, 3), empty, mode).item() == 0.0  # denominators clamp to ≥ 1
    # a fully masked response is not counted in seq-mean-token-mean
    mask = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    assert aggregate_tokens(torch.full((2, 3), 5.0), mask, "seq-mean-token-mean").item() == 5.0
    with pytest.raises(ValueError, match="token-mean"):
        aggregate_tokens(VALUES, MASK, "mean")


def test_policy_loss_with_masked_tokens_and_aggregations():
    logp = torch.log(torch.tensor([[1.1, 0.9, 1.0, 1.0], [1.5, 7.0, 7.0, 7.0]]))  # old_logp = 0
    advantages = torch.tensor([1.0, -1.0])
    # per token: row 0 → −1.1, −0.9, −1, −1; row 1 → max(1.5, 1.2) = 1.5 (A < 0, unclipped); rest masked
    for mode, expected in [("token-mean", (-4.0 + 1.5) / 5), ("seq-mean-token-mean", (-1.0 + 1.5) / 2),
                           ("seq-mean-token-sum-norm", (-4.0 + 1.5) / 8)]:
        loss, metrics = compute_policy_loss(logp, torch.zeros(2, 4), advantages, MASK, agg=mode)
        assert loss.item() == pytest.approx(expected, rel=1e-5), mode
        assert metrics["loss/clipfrac"] == 0.0
        assert metrics["loss/ratio_mean"] == pytest.approx((1.1 + 0.9 + 1 + 1 + 1.5) / 5, rel=1e-5)
    masked_logp = logp.clone().requires_grad_(True)
    loss, _ = compute_policy_loss(masked_logp, torch.zeros(2, 4), advantages, MASK)
    loss.backward()
    assert (masked_logp.grad[1, 1:] == 0).all()


def test_kl_estimators_hand_computed():
    logp, ref = torch.tensor([[-1.0, -0.5]]), torch.tensor([[-2.0, -0.5]])
    torch.testing.assert_close(kl_penalty(logp, ref, "k1"), torch.tensor([[1.0, 0.0]]))
    torch.testing.assert_close(kl_penalty(logp, ref, "k2"), torch.tensor([[0.5, 0.0]]))
    torch.testing.assert_close(kl_penalty(logp, ref, "k3"), torch.tensor([[math.exp(-1), 0.0]]))
    with pytest.raises(ValueError, match="k3"):
        kl_penalty(logp, ref, "k4")


def test_kl_added_to_loss_or_off():
    logp = torch.tensor([[-1.0, -1.0]])
    ref = torch.tensor([[-2.0, -1.0]])
    mask = torch.ones(1, 2)
    base, _ = compute_policy_loss(logp, logp, torch.tensor([1.0]), mask)
    with_kl, metrics = compute_policy_loss(logp, logp, torch.tensor([1.0]), mask, ref_logp=ref, kl_coef=0.1,
                                           kl_type="k1")
    assert metrics["loss/kl"] == pytest.approx(0.5)  # token-mean of [1, 0]
    assert with_kl.item() == pytest.approx(base.item() + 0.05)
    off, metrics_off = compute_policy_loss(logp, logp, torch.tensor([1.0]), mask, ref_logp=ref, kl_coef=0.0)
    assert off.item() == base.item() and "loss/kl" in metrics_off  # measured, not optimised


def test_entropy_helper_and_bonus():
    logits = torch.tensor([[[0.0, 0.0, 0.0, 0.0], [100.0, 0.0, 0.0, 0.0]]])
    entropy = token_entropy_from_logits(logits)
    torch.testing.assert_close(entropy, torch.tensor([[math.log(4), 0.0]]), atol=1e-5, rtol=0)
    logp = torch.zeros(1, 2)
    mask = torch.tensor([[1.0, 0.0]])
    loss, metrics = compute_policy_loss(logp, logp, torch.tensor([0.0]), mask, entropy=entropy,
                                        entropy_coef=0.01)
    assert metrics["loss/entropy"] == pytest.approx(math.log(4), rel=1e-5)
    assert loss.item() == pytest.approx(-0.01 * math.log(4), rel=1e-4)


@pytest.mark.parametrize("preset", sorted(LOSS_PRESETS))
def test_presets(preset):
    kwargs = LOSS_PRESETS[preset]
    logp = torch.tensor([[math.log(1.5), 0.0]])
    loss, metrics = compute_policy_loss(logp, torch.zeros(1, 2), torch.tensor([1.0]), torch.ones(1, 2),
                                        ref_logp=torch.zeros(1, 2), **kwargs)
    clip_high = {"grpo": 0.2, "dapo": 0.28, "dr_grpo": 0.2}[preset]
    per_token = torch.tensor([-(1 + clip_high), -1.0])
    policy = {"grpo": per_token.mean(), "dapo": per_token.mean(), "dr_grpo": per_token.sum() / 2}[preset]
    assert metrics["loss/policy"] == pytest.approx(policy.item(), rel=1e-5)
    kl = (math.exp(-math.log(1.5)) + math.log(1.5) - 1) / 2  # k3 averaged over 2 tokens
    assert loss.item() == pytest.approx(policy.item() + kwargs["kl_coef"] * kl, rel=1e-5)


def test_bad_advantage_shape():
    with pytest.raises(ValueError, match=r"\[N\]"):
        compute_policy_loss(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 1), torch.ones(2, 3))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.sampled_from(AGGREGATIONS), st.integers(0, 2**31 - 1),
       st.sampled_from([None, 3.0]))
def test_loss_properties(num_responses, length, agg, seed, dual_clip):
    generator = torch.Generator().manual_seed(seed)
    logp = (-3 * torch.rand(num_responses, length, generator=generator)).requires_grad_(True)
    old_logp = -3 * torch.rand(num_responses, length, generator=generator)
    mask = (torch.rand(num_responses, length, generator=generator) < 0.7).float()
    advantages = torch.randn(num_responses, generator=generator)
    loss, metrics = compute_policy_loss(logp, old_logp, advantages, mask, agg=agg, dual_clip=dual_clip,
                                        ref_logp=old_logp, kl_coef=0.01, clip_high=0.28)
    loss.backward()
    assert loss.dim() == 0 and torch.isfinite(loss) and torch.isfinite(logp.grad).all()
    assert (logp.grad[mask == 0] == 0).all()
    assert all(math.isfinite(v) for v in metrics.values()) and 0 <= metrics["loss/clipfrac"] <= 1
    # permuting responses (with their masks and advantages) leaves the loss unchanged
    order = torch.randperm(num_responses, generator=generator)
    permuted, _ = compute_policy_loss(logp[order], old_logp[order], advantages[order], mask[order], agg=agg,
                                      dual_clip=dual_clip, ref_logp=old_logp[order], kl_coef=0.01,
                                      clip_high=0.28)
    assert permuted.item() == pytest.approx(loss.item(), rel=1e-5, abs=1e-6)
