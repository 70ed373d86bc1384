"""The paper's theory (arXiv 2602.05548 §3) checked numerically with autograd on a tabular softmax.

Objective J(h) = Σ_i A_i ln π(b_i) over the G sampled trajectories b_i of one prompt, π = softmax(h) over K
trajectories. Its gradient is ∂J/∂h_b = Σ_{i: b_i=b} A_i − C·π_b with C = Σ_i A_i, so
- Theorem 1: GRAE (C = 0) leaves every unsampled logit's gradient at exactly zero;
- ASS (C < 0 when ω < α) raises every unsampled logit: ∂J/∂h_b = −C·π_b > 0;
- Theorem 2: GRAE's total weight Σ|Â| = 2G√(p(1−p)) peaks at p = ½ whatever the training state, while DDAS
  moves the peak with ω (easy prompts early, hard ones late).
"""

from __future__ import annotations

import math

import pytest
import torch

from mmagrae.algos import compute_advantages


def logit_gradient(advantages: torch.Tensor, samples: torch.Tensor, num_trajectories: int, seed: int = 0):
    """Autograd gradient of Σ_i A_i ln π(b_i) w.r.t. the logits ``[K]`` (float64), and π."""
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(num_trajectories, generator=generator, dtype=torch.float64).requires_grad_(True)
    log_probs = torch.log_softmax(logits, dim=0)  # [K]
    objective = (advantages.double() * log_probs[samples]).sum()
    (gradient,) = torch.autograd.grad(objective, logits)
    return gradient, log_probs.exp().detach()


# trajectories 0-2 correct; samples hit 0, 0, 5, 6, 7 (G = 5, p = 0.4) and 3, 9 (+G = 8 case)
CASES = [
    (torch.tensor([0, 0, 5, 6, 7]), torch.tensor([1.0, 1, 0, 0, 0])),
    (torch.tensor([1, 2, 5, 6, 7, 8, 9, 9]), torch.tensor([1.0, 1, 0, 0, 0, 0, 0, 0])),
]
K = 12


@pytest.mark.parametrize("samples,rewards", CASES)
def test_theorem1_grae_leaves_unsampled_logits_unchanged(samples, rewards):
    advantages = compute_advantages(rewards[None].double(), estimator="grpo")[0]  # float64
    gradient, _ = logit_gradient(advantages, samples, K)
    unsampled = torch.ones(K, dtype=torch.bool)
    unsampled[samples] = False
    assert gradient[unsampled].abs().max().item() < 1e-15  # 0 up to float64 rounding of C = Σ Â
    assert abs(advantages.sum().item()) < 1e-14
    assert (gradient[~unsampled] != 0).all()


@pytest.mark.parametrize("samples,rewards", CASES)
@pytest.mark.parametrize("use_ddas", [True, False])
def test_ass_raises_every_unsampled_logit(samples, rewards, use_ddas):
    # this group (p = 0.4 or 0.25) inside a batch where ω = 0.3 < α = 1
    advantages = compute_advantages(rewards[None], estimator="agrae", omega=0.3, alpha=1.0, use_ddas=use_ddas)[0]
    gradient, probs = logit_gradient(advantages, samples, K)
    group_sum = advantages.double().sum()
    assert group_sum < 0
    unsampled = torch.ones(K, dtype=torch.bool)
    unsampled[samples] = False
    assert (gradient[unsampled] > 0).all()
    torch.testing.assert_close(gradient[unsampled], -group_sum * probs[unsampled])  # Δh_b = −C·π_b


@pytest.mark.parametrize("samples,rewards", CASES)
def test_gradient_matches_the_closed_form(samples, rewards):
    advantages = compute_advantages(rewards[None], estimator="agrae", omega=0.2, alpha=0.5)[0].double()
    gradient, probs = logit_gradient(advantages, samples, K, seed=3)
    sampled_weight = torch.zeros(K, dtype=torch.float64).index_add_(0, samples, advantages)
    torch.testing.assert_close(gradient, sampled_weight - advantages.sum() * probs)


def test_one_sgd_step_moves_unsampled_correct_trajectory_only_under_ass():
    samples, rewards = CASES[0]
    step = {}
    for name, kwargs in [("grpo", {}), ("agrae", {"omega": 0.3})]:
        advantages = compute_advantages(rewards[None].double(), estimator=name, **kwargs)[0]
        gradient, _ = logit_gradient(advantages, samples, K)
        step[name] = gradient[1].item()  # trajectory 1 is correct but was not sampled
    assert abs(step["grpo"]) < 1e-15 and step["agrae"] > 0


@pytest.mark.parametrize("group_size", [6, 8])
def test_theorem2_grae_weight_peaks_at_half_and_ddas_follows_omega(group_size):
    def total_weight(num_correct, **kwargs):
        rewards = (torch.arange(group_size) < num_correct).float()[None]
        return compute_advantages(rewards, **kwargs).abs().sum().item()

    inner = range(1, group_size)
    grae = [total_weight(c, estimator="grpo") for c in inner]
    assert max(range(len(grae)), key=grae.__getitem__) + 1 == group_size // 2  # p = 1/2
    assert grae[0] == pytest.approx(grae[-1], rel=1e-6)  # symmetric in p ↔ 1 − p
    early = [total_weight(c, estimator="agrae", omega=0.05, use_ass=False) for c in inner]
    late = [total_weight(c, estimator="agrae", omega=0.95, use_ass=False) for c in inner]
    assert early == sorted(early)  # ω small: weight grows with p (easy prompts first)
    assert late == sorted(late, reverse=True)  # ω large: weight grows as p falls (hard prompts later)
    for c, weight in zip(inner, early, strict=True):
        p = c / group_size
        assert weight == pytest.approx(0.05 * group_size * math.sqrt(1 - p) + 0.95 * group_size * math.sqrt(p),
                                       rel=1e-5)
