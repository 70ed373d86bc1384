"""Advantage estimators against hand-computed values, the paper's identities, edge cases and properties."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mmagrae.algos import ESTIMATORS, advantage_metrics, compute_advantages
from mmagrae.metrics import pass_at_k, pass_at_k_curve


def binary_group(group_size: int, num_correct: int) -> torch.Tensor:
    """One group ``[1, G]``: the first ``num_correct`` responses right."""
    return (torch.arange(group_size) < num_correct).float()[None, :]


def closed_form(estimator: str, group_size: int, num_correct: int, omega: float, alpha: float = 1.0,
                beta: float = 10.0) -> tuple[float, float]:
    """(advantage of a correct response, of a wrong one) for binary rewards, population std, by hand."""
    p = num_correct / group_size
    pos, neg = math.sqrt((1 - p) / p), -math.sqrt(p / (1 - p))  # Â = (c − p)/√(p(1−p))
    ddas = omega / 2 / math.sqrt(p) + (1 - omega) / 2 / math.sqrt(1 - p)
    return {
        "grpo": (pos, neg),
        "dr_grpo": (1 - p, -p),
        "rloo": ((1 - (num_correct - 1) / (group_size - 1)), -num_correct / (group_size - 1)),
        "agrae": (pos * ddas * min(1.0, omega / alpha), neg * ddas),
        "positive_dominant": (pos * beta, neg),
        "negative_dominant": (pos / beta, neg),
        "easy_focused": (0.5 * pos / math.sqrt(1 - p), 0.5 * neg / math.sqrt(1 - p)),
        "hard_focused": (0.5 * pos / math.sqrt(p), 0.5 * neg / math.sqrt(p)),
    }[estimator]


# literal numbers worked out by hand (G = 5, p = 0.4: Â = +1.2247 / −0.8165; batch ω = 7/15 with the
# all-correct and all-wrong groups below)
LITERAL_G5 = {
    "grpo": (1.2247, -0.8165),
    "dr_grpo": (0.6, -0.4),
    "rloo": (0.75, -0.5),
    "agrae": (0.4076, -0.5823),
    "positive_dominant": (12.2474, -0.8165),
    "negative_dominant": (0.1225, -0.8165),
    "easy_focused": (0.7906, -0.5270),
    "hard_focused": (0.9682, -0.6455),
}


@pytest.mark.parametrize("estimator", sorted(LITERAL_G5))
def test_literal_values_g5(estimator):
    rewards = torch.tensor([[1.0, 1, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]])  # ω = 7/15
    advantages = compute_advantages(rewards, estimator=estimator)
    pos, neg = LITERAL_G5[estimator]
    expected = torch.tensor([[pos, pos, neg, neg, neg], [0.0] * 5, [0.0] * 5])
    torch.testing.assert_close(advantages, expected, atol=1e-4, rtol=0)


@pytest.mark.parametrize("estimator", sorted(ESTIMATORS))
@pytest.mark.parametrize("group_size,num_correct", [(5, 1), (5, 2), (5, 3), (5, 4), (8, 1), (8, 3), (8, 4),
                                                     (8, 7)])
def test_hand_computed_every_estimator(estimator, group_size, num_correct):
    rewards = binary_group(group_size, num_correct)
    omega = num_correct / group_size  # single group: ω = p
    advantages = compute_advantages(rewards, estimator=estimator, alpha=0.5)
    pos, neg = closed_form(estimator, group_size, num_correct, omega, alpha=0.5)
    expected = torch.tensor([[pos] * num_correct + [neg] * (group_size - num_correct)])
    torch.testing.assert_close(advantages, expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("group_size", [5, 8])
def test_grae_total_weight_identity(group_size):
    for num_correct in range(1, group_size):
        p = num_correct / group_size
        total = compute_advantages(binary_group(group_size, num_correct), estimator="grpo").abs().sum()
        assert total.item() == pytest.approx(2 * group_size * math.sqrt(p * (1 - p)), rel=1e-5)


@pytest.mark.parametrize("group_size", [5, 8])
@pytest.mark.parametrize("omega", [0.1, 0.5, 0.9])
def test_ddas_total_weight_identity(group_size, omega):
    for num_correct in range(1, group_size):
        p = num_correct / group_size
        advantages = compute_advantages(binary_group(group_size, num_correct), estimator="agrae", use_ass=False,
                                        omega=omega)
        expected = omega * group_size * math.sqrt(1 - p) + (1 - omega) * group_size * math.sqrt(p)
        assert advantages.abs().sum().item() == pytest.approx(expected, rel=1e-5)


def test_unbiased_std_scales_by_sqrt_g_minus_1_over_g():
    rewards = binary_group(5, 2)
    population = compute_advantages(rewards, estimator="grpo")
    unbiased = compute_advantages(rewards, estimator="grpo", std="unbiased")
    torch.testing.assert_close(unbiased, population * math.sqrt(4 / 5), atol=1e-5, rtol=1e-5)


def test_ass_leaves_negatives_and_makes_sums_negative():
    rewards = torch.tensor([[1.0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]])  # ω = 0.2
    ddas_only = compute_advantages(rewards, estimator="agrae", use_ass=False)
    full = compute_advantages(rewards, estimator="agrae", alpha=0.5)
    negative = ddas_only < 0
    assert torch.equal(full[negative], ddas_only[negative])
    torch.testing.assert_close(full[~negative & (ddas_only > 0)], 0.4 * ddas_only[ddas_only > 0])  # ω/α = 0.4
    assert (full[:2].sum(1) < 0).all() and full[2].abs().sum() == 0
    assert ddas_only.sum(1).abs().max() < 1e-5  # DDAS alone keeps each group's sum at 0
    # ω ≥ α: ASS is the identity
    at_threshold = compute_advantages(rewards, estimator="agrae", alpha=0.2)
    torch.testing.assert_close(at_threshold, ddas_only)


def test_agrae_switches_and_omega_override():
    rewards = torch.tensor([[1.0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 1, 0, 1, 1, 1, 1]])
    plain = compute_advantages(rewards, estimator="agrae", use_ddas=False, use_ass=False)
    torch.testing.assert_close(plain, compute_advantages(rewards, estimator="grpo"))
    low = compute_advantages(rewards, estimator="agrae", omega=0.0, use_ass=False)
    torch.testing.assert_close(low, compute_advantages(rewards, estimator="easy_focused"))
    high = compute_advantages(rewards, estimator="agrae", omega=1.0, use_ass=False)
    torch.testing.assert_close(high, compute_advantages(rewards, estimator="hard_focused"))


def test_zero_variance_and_singleton_groups_give_zeros():
    for estimator in ESTIMATORS:
        for std in ("population", "unbiased", "none"):
            constant = compute_advantages(torch.full((3, 5), 0.7), estimator=estimator, std=std)
            single = compute_advantages(torch.tensor([[1.0], [0.0]]), estimator=estimator, std=std)
            assert torch.equal(constant, torch.zeros(3, 5)) and torch.equal(single, torch.zeros(2, 1))


def test_mixed_reward_takes_p_from_correct():
    accuracy = torch.tensor([[1.0, 0, 0, 0, 0]])
    fmt = torch.tensor([[1.0, 1, 0, 1, 0]])
    rewards = 0.9 * accuracy + 0.1 * fmt  # [1.0, 0.1, 0.0, 0.1, 0.0]
    correct = accuracy.bool()
    grpo = compute_advantages(rewards, estimator="grpo", correct=correct)
    centred = rewards - rewards.mean()
    torch.testing.assert_close(grpo, centred / (centred.pow(2).mean().sqrt() + 1e-6))
    hard = compute_advantages(rewards, estimator="hard_focused", correct=correct)
    torch.testing.assert_close(hard, 0.5 * grpo / math.sqrt(0.2))  # p = 0.2 from correctness
    # default correctness threshold 0.5 · max(1, max r): only the fully right answer counts
    torch.testing.assert_close(compute_advantages(rewards, estimator="hard_focused"), hard)
    # all wrong but format varies: the p-weighted estimators give 0, GRPO still sees the format signal
    wrong = 0.1 * fmt
    assert compute_advantages(wrong, estimator="agrae").abs().sum() == 0
    assert compute_advantages(wrong, estimator="grpo").abs().sum() > 0


def test_errors_name_the_allowed_values():
    rewards = binary_group(5, 2)
    with pytest.raises(ValueError, match="agrae"):
        compute_advantages(rewards, estimator="a-grae")
    with pytest.raises(TypeError):
        compute_advantages(rewards, estimator="agrae", alhpa=0.5)  # misspelt option
    with pytest.raises(ValueError, match="population"):
        compute_advantages(rewards, estimator="grpo", std="sample")
    with pytest.raises(ValueError, match="alpha"):
        compute_advantages(rewards, estimator="agrae", alpha=0.0)
    with pytest.raises(ValueError, match=r"\[B, G\]"):
        compute_advantages(rewards[0], estimator="grpo")


def test_no_grad_and_dtype():
    rewards = binary_group(8, 3).requires_grad_(True)
    advantages = compute_advantages(rewards, estimator="agrae")
    assert not advantages.requires_grad and advantages.dtype == torch.float32


def test_advantage_metrics_bins_and_sums():
    rewards = torch.tensor([[1.0, 0, 0, 0, 0], [1, 1, 1, 1, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]])
    correct = rewards > 0.5
    advantages = compute_advantages(rewards, estimator="agrae", alpha=0.5)
    metrics = advantage_metrics(rewards, advantages, correct, alpha=0.5)
    assert metrics["adv/omega"] == pytest.approx(10 / 20)
    assert metrics["adv/ass_factor"] == 1.0 and metrics["adv/zero_var_frac"] == 0.5
    assert metrics["adv/groups_p20-40"] == 1 and metrics["adv/groups_p80-100"] == 2
    assert metrics["adv/groups_p0-20"] == 1  # the all-wrong group
    per_group = advantages.abs().sum(1)
    assert metrics["adv/abs_sum_p20-40"] == pytest.approx(per_group[0].item(), rel=1e-6)
    assert metrics["adv/abs_sum_p80-100"] == pytest.approx(per_group[1].item(), rel=1e-6)
    assert sum(metrics[f"adv/abs_share_{b}"] for b in ("p0-20", "p20-40", "p40-60", "p60-80", "p80-100")) == (
        pytest.approx(1.0))
    assert metrics["adv/group_sum_mean"] == pytest.approx(advantages.sum(1).mean().item(), abs=1e-6)
    assert all(math.isfinite(v) for v in metrics.values())
    assert "adv/ass_factor" not in advantage_metrics(rewards, advantages, correct)


group_sizes = st.integers(min_value=1, max_value=9)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), group_sizes, st.sampled_from(sorted(ESTIMATORS)), st.integers(0, 2**31 - 1),
       st.sampled_from(["population", "unbiased", "none"]), st.booleans())
def test_properties_shape_finite_permutation(num_groups, group_size, estimator, seed, std, binary):
    generator = torch.Generator().manual_seed(seed)
    correct = torch.rand(num_groups, group_size, generator=generator) < torch.rand(num_groups, 1,
                                                                                 generator=generator)
    noise = torch.rand(num_groups, group_size, generator=generator)
    rewards = correct.float() if binary else 0.9 * correct.float() + 0.1 * (noise > 0.5).float()
    advantages = compute_advantages(rewards, estimator=estimator, correct=correct, std=std, alpha=0.6)
    assert advantages.shape == rewards.shape and torch.isfinite(advantages).all()
    within = torch.stack([torch.randperm(group_size, generator=generator) for _ in range(num_groups)])
    shuffled = compute_advantages(rewards.gather(1, within), estimator=estimator,
                                  correct=correct.gather(1, within), std=std, alpha=0.6)
    torch.testing.assert_close(shuffled, advantages.gather(1, within), atol=1e-5, rtol=1e-5)
    rows = torch.randperm(num_groups, generator=generator)
    torch.testing.assert_close(compute_advantages(rewards[rows], estimator=estimator, correct=correct[rows],
                                                  std=std, alpha=0.6), advantages[rows], atol=1e-5, rtol=1e-5)


def test_pass_at_k_matches_combinatorics():
    assert pass_at_k(10, 2, 5) == pytest.approx(1 - math.comb(8, 5) / math.comb(10, 5))
    assert pass_at_k(256, 0, 64) == 0.0 and pass_at_k(256, 200, 64) == 1.0
    assert 0 < pass_at_k(10_000, 1, 1) == pytest.approx(1e-4)
    for n, c in [(16, 0), (16, 3), (64, 7), (64, 64)]:
        curve = pass_at_k_curve(n, [c], range(1, n + 1))
        exact = [1 - math.comb(n - c, k) / math.comb(n, k) for k in range(1, n + 1)]
        assert curve == pytest.approx(exact, abs=1e-9)
    with pytest.raises(ValueError):
        pass_at_k(4, 5, 1)
    with pytest.raises(ValueError):
        pass_at_k_curve(8, [1, 2], [16])
