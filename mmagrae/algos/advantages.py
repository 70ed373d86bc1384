"""Group-relative advantage estimators: GRAE (GRPO), Dr.GRPO, RLOO, A-GRAE and the paper's probes.

Reference: "Unveiling Implicit Advantage Symmetry: Why GRPO Struggles with Exploration and Difficulty
Adaptation", arXiv 2602.05548 (A-GRAE), v3 equations (Eq. 11-13); see docs/DESIGN.md §1.

Shapes: B prompts, G samples per prompt. Every estimator maps ``rewards[B, G]`` (and ``correct[B, G]``)
to ``advantages[B, G]``, is pure, vectorised over the ``[B, G]`` view and runs under ``torch.no_grad``.

Simplifications and choices, stated once:

* ``Â = (r − mean r) / (std r + eps)`` with the *population* std by default (the paper's proofs use it, and
  with it Σ|Â| = 2G√(p(1−p)) holds exactly up to eps); ``std="unbiased"`` gives torch.std's estimate and
  ``std="none"`` drops the division (Dr.GRPO's advantage; ``agrae`` with ``std="none"`` is A-GRAE on Dr.GRPO).
* Groups whose rewards do not vary, and singleton groups, get Â = 0 (never NaN). Estimators that divide by
  √p or √(1−p) (A-GRAE's DDAS, easy/hard-focused) also give 0 where p ∈ {0, 1}.
* p (group success rate) and ω (training state) come from ``correct``; Â comes from ``rewards``. For binary
  rewards these agree; for 0.9·accuracy + 0.1·format the format part moves Â but not p or ω.
* ω defaults to the mean correctness of the whole batch (all-correct and all-wrong groups included).
* Options an estimator does not declare are not passed to it (``alpha`` means nothing to ``grpo``); misspelt
  options raise TypeError, unknown estimator names and ``std`` values raise ValueError naming the allowed ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import torch

STD_MODES = ("population", "unbiased", "none")


def group_success_rate(correct: torch.Tensor) -> torch.Tensor:
    """p per group: ``correct[B, G]`` (bool or 0/1) -> ``[B, 1]`` float mean."""
    return correct.float().mean(dim=1, keepdim=True)  # [B, 1]


def batch_training_state(correct: torch.Tensor) -> torch.Tensor:
    """ω: mean correctness over every trajectory in the batch (Eq. 11 for binary rewards), a 0-d tensor."""
    return correct.float().mean()  # []


def default_correct(rewards: torch.Tensor) -> torch.Tensor:
    """Correctness when none is given: ``rewards > 0.5 · max(1, rewards.max())`` (rewards on a [0, 1] scale)."""
    return rewards > 0.5 * rewards.max().clamp(min=1.0)  # [B, G]


def normalised_group_advantage(rewards: torch.Tensor, std: str = "population", eps: float = 1e-6) -> torch.Tensor:
    """GRAE's Â = (r − mean) / (std + eps) per group; 0 where the group's rewards do not vary or G = 1."""
    if std not in STD_MODES:
        raise ValueError(f"std must be one of {STD_MODES}, got {std!r}")
    group_size = rewards.shape[1]
    centred = rewards - rewards.mean(dim=1, keepdim=True)  # [B, G]
    spread = rewards.amax(dim=1, keepdim=True) - rewards.amin(dim=1, keepdim=True)  # [B, 1]
    varies = (spread > 0) & (group_size > 1)  # [B, 1]
    if std == "none":
        return torch.where(varies, centred, torch.zeros_like(centred))
    unbiased = std == "unbiased" and group_size > 1
    group_std = rewards.std(dim=1, keepdim=True, correction=1 if unbiased else 0)  # [B, 1]
    return torch.where(varies, centred / (group_std + eps), torch.zeros_like(centred))  # [B, G]


def _inverse_sqrt_or_zero(x: torch.Tensor) -> torch.Tensor:
    """1/√x where 0 < x, else 0 (x is p or 1 − p, so it lies in [0, 1])."""
    return torch.where(x > 0, x.clamp(min=1e-12).rsqrt(), torch.zeros_like(x))


# --- estimators: (rewards[B, G], correct[B, G], *, declared options) -> advantages[B, G] ------------------


def grpo(rewards: torch.Tensor, correct: torch.Tensor, *, std: str = "population", eps: float = 1e-6):
    """GRAE (GRPO, Shao et al. 2024, arXiv 2402.03300): Â_i = (r_i − mean r) / (std r + eps)."""
    return normalised_group_advantage(rewards, std, eps)


def dr_grpo(rewards: torch.Tensor, correct: torch.Tensor):
    """Dr.GRPO (Liu et al. 2025, arXiv 2503.20783): A_i = r_i − mean r, no std division."""
    return normalised_group_advantage(rewards, "none")


def rloo(rewards: torch.Tensor, correct: torch.Tensor):
    """RLOO (Ahmadian et al. 2024, arXiv 2402.14740): A_i = r_i − mean_{j≠i} r_j = G/(G−1)·(r_i − mean r)."""
    group_size = rewards.shape[1]
    if group_size < 2:
        return torch.zeros_like(rewards)
    return normalised_group_advantage(rewards, "none") * (group_size / (group_size - 1))


def agrae(
    rewards: torch.Tensor,
    correct: torch.Tensor,
    *,
    alpha: float = 1.0,
    use_ddas: bool = True,
    use_ass: bool = True,
    std: str = "population",
    omega: float | None = None,
    eps: float = 1e-6,
):
    """A-GRAE (arXiv 2602.05548): DDAS (Eq. 12) then ASS (Eq. 13) on GRAE's Â.

    DDAS: A_i = (ω/2)·Â_i/√p + ((1−ω)/2)·Â_i/√(1−p), 0 where p ∈ {0, 1}.
    ASS:  A*_i = A_i·min(1, ω/α) if A_i > 0 else A_i — nothing renormalises, so group sums fall below 0.
    """
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must lie in (0, 1], got {alpha}")
    advantages = normalised_group_advantage(rewards, std, eps)  # [B, G]
    state = batch_training_state(correct) if omega is None else torch.tensor(float(omega))  # []
    state = state.to(rewards.dtype)
    if use_ddas:
        p = group_success_rate(correct).to(rewards.dtype)  # [B, 1]
        weight = 0.5 * state * _inverse_sqrt_or_zero(p) + 0.5 * (1 - state) * _inverse_sqrt_or_zero(1 - p)
        inside = (p > 0) & (p < 1)  # [B, 1]
        advantages = torch.where(inside, advantages * weight, torch.zeros_like(advantages))  # [B, G]
    if use_ass:
        ass_factor = (state / alpha).clamp(max=1.0)  # []
        advantages = torch.where(advantages > 0, advantages * ass_factor, advantages)  # [B, G]
    return advantages


def positive_dominant(rewards, correct, *, beta: float = 10.0, std: str = "population", eps: float = 1e-6):
    """Controlled probe (paper §3): positive Â multiplied by β (paper: β = 10), negatives unchanged."""
    advantages = normalised_group_advantage(rewards, std, eps)  # [B, G]
    return torch.where(advantages > 0, advantages * beta, advantages)


def negative_dominant(rewards, correct, *, beta: float = 10.0, std: str = "population", eps: float = 1e-6):
    """Controlled probe (paper §3): positive Â divided by β (paper: β = 10), negatives unchanged."""
    advantages = normalised_group_advantage(rewards, std, eps)  # [B, G]
    return torch.where(advantages > 0, advantages / beta, advantages)


def easy_focused(rewards, correct, *, std: str = "population", eps: float = 1e-6):
    """Controlled probe (paper §4): 0.5·Â/√(1−p), so Σ|A| = G√p grows with p (easy prompts weigh most)."""
    p = group_success_rate(correct).to(rewards.dtype)  # [B, 1]
    inside = (p > 0) & (p < 1)  # [B, 1]
    scaled = 0.5 * normalised_group_advantage(rewards, std, eps) * _inverse_sqrt_or_zero(1 - p)  # [B, G]
    return torch.where(inside, scaled, torch.zeros_like(scaled))


def hard_focused(rewards, correct, *, std: str = "population", eps: float = 1e-6):
    """Controlled probe (paper §4): 0.5·Â/√p, so Σ|A| = G√(1−p) grows as p falls (hard prompts weigh most)."""
    p = group_success_rate(correct).to(rewards.dtype)  # [B, 1]
    inside = (p > 0) & (p < 1)  # [B, 1]
    scaled = 0.5 * normalised_group_advantage(rewards, std, eps) * _inverse_sqrt_or_zero(p)  # [B, G]
    return torch.where(inside, scaled, torch.zeros_like(scaled))


ESTIMATORS: dict[str, Callable[..., torch.Tensor]] = {
    "grpo": grpo,
    "dr_grpo": dr_grpo,
    "agrae": agrae,
    "rloo": rloo,
    "positive_dominant": positive_dominant,
    "negative_dominant": negative_dominant,
    "easy_focused": easy_focused,
    "hard_focused": hard_focused,
}

# the keyword options each estimator declares, read once from its signature
ESTIMATOR_OPTIONS: dict[str, tuple[str, ...]] = {
    name: tuple(p.name for p in inspect.signature(fn).parameters.values() if p.kind is p.KEYWORD_ONLY)
    for name, fn in ESTIMATORS.items()
}


@torch.no_grad()
def compute_advantages(
    rewards: torch.Tensor,
    *,
    estimator: str,
    correct: torch.Tensor | None = None,
    alpha: float = 1.0,
    use_ddas: bool = True,
    use_ass: bool = True,
    std: str = "population",
    omega: float | None = None,
    beta: float = 10.0,
    eps: float = 1e-6,
) -> torch.Tensor:
    """Advantages ``[B, G]`` from rewards ``[B, G]`` with the named estimator (arXiv 2602.05548; docs/DESIGN.md §1).

    Args:
        rewards: ``[B, G]`` float rewards, one row per prompt.
        estimator: one of ``ESTIMATORS`` (grpo, dr_grpo, agrae, rloo, positive_dominant, negative_dominant,
            easy_focused, hard_focused).
        correct: ``[B, G]`` bool correctness; p and ω come from it. Default ``rewards > 0.5·max(1, max r)``.
        alpha: A-GRAE's ASS threshold α ∈ (0, 1] (paper: 1 for MATH, 0.5 for Geo3K / medical VQA).
        use_ddas, use_ass: switch A-GRAE's sample-level (DDAS) and group-level (ASS) parts.
        std: ``"population"`` (paper, default), ``"unbiased"`` or ``"none"`` (no std division).
        omega: override of the training state ω (default: batch mean correctness).
        beta: the positive/negative-dominant probes' factor (paper: 10).
        eps: added to the group std.

    Returns float64 for float64 rewards, else float32.

    Options the chosen estimator does not declare (see ``ESTIMATOR_OPTIONS``) are ignored.

    Example (G = 5, one group with 2 of 5 correct, so p = 0.4 and ω = 0.4)::

        >>> r = torch.tensor([[1., 1., 0., 0., 0.]])
        >>> compute_advantages(r, estimator="grpo").round(decimals=4)   # ±(c−p)/√(p(1−p)), √0.24 = 0.4899
        tensor([[ 1.2247,  1.2247, -0.8165, -0.8165, -0.8165]])
        >>> compute_advantages(r, estimator="agrae", alpha=1.0).round(decimals=4)
        tensor([[ 0.3447,  0.3447, -0.5744, -0.5744, -0.5744]])

    DDAS weight = 0.2/√0.4 + 0.3/√0.6 = 0.7035 (so −0.8165 → −0.5744); ASS then scales positives by min(1, ω/α) = 0.4.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown advantage estimator {estimator!r}; choose one of {sorted(ESTIMATORS)}")
    if std not in STD_MODES:
        raise ValueError(f"std must be one of {STD_MODES}, got {std!r}")
    if rewards.dim() != 2:
        raise ValueError(f"rewards must be [B, G], got shape {tuple(rewards.shape)}")
    rewards = rewards if rewards.dtype == torch.float64 else rewards.float()  # [B, G] float32 or float64
    correct = default_correct(rewards) if correct is None else correct.bool()  # [B, G]
    if correct.shape != rewards.shape:
        raise ValueError(f"correct {tuple(correct.shape)} must match rewards {tuple(rewards.shape)}")
    given = {"alpha": alpha, "use_ddas": use_ddas, "use_ass": use_ass, "std": std, "omega": omega,
             "beta": beta, "eps": eps}
    options = {name: given[name] for name in ESTIMATOR_OPTIONS[estimator]}
    return ESTIMATORS[estimator](rewards, correct, **options)  # [B, G]
