"""Advantage diagnostics: where did the weight of a batch go? (arXiv 2602.05548, Theorems 1-2, Eq. 11-13.)

Pure function of ``rewards[B, G]``, ``advantages[B, G]`` and ``correct[B, G]`` returning a flat dict of floats
for the trainer to log. Difficulty bins are quintiles of the group success rate p: ``p0-20`` holds
0 ≤ p < 0.2, …, ``p80-100`` holds 0.8 ≤ p ≤ 1 (groups with p ∈ {0, 1} carry no weight under any estimator
here, but they count in ``adv/zero_var_frac`` and in ω).
"""

from __future__ import annotations

import torch

from mmagrae.algos.advantages import batch_training_state, group_success_rate

DIFFICULTY_BINS = ("p0-20", "p20-40", "p40-60", "p60-80", "p80-100")


@torch.no_grad()
def advantage_metrics(
    rewards: torch.Tensor,
    advantages: torch.Tensor,
    correct: torch.Tensor,
    *,
    omega: float | None = None,
    alpha: float | None = None,
) -> dict[str, float]:
    """Diagnostics of one batch of advantages ``[B, G]``.

    Keys:
        ``adv/omega``: training state ω (the override if given, else batch mean correctness).
        ``adv/ass_factor``: ASS's min(1, ω/α) (only when ``alpha`` is given).
        ``adv/group_sum_mean``: mean over groups of Σ_i A_i (0 for GRAE; < 0 under ASS when ω < α).
        ``adv/abs_sum_mean``: mean over groups of Σ_i |A_i| (GRAE: 2G√(p(1−p)), Theorem 2).
        ``adv/zero_var_frac``: fraction of groups whose rewards do not vary (no learning signal).
        ``adv/mean``, ``adv/abs_mean``, ``adv/pos_frac``, ``adv/max``, ``adv/min``: over all B·G entries.
        ``adv/success_rate``: mean p; ``adv/groups_<bin>``: groups per difficulty bin;
        ``adv/abs_sum_<bin>``: Σ|A| summed over that bin's groups; ``adv/abs_share_<bin>``: its share of
        the batch's total Σ|A| (0 when the total is 0).

    Example (B = 2, G = 4: one group at p = 0.25 and one all-wrong group)::

        >>> r = torch.tensor([[1., 0., 0., 0.], [0., 0., 0., 0.]])
        >>> a = torch.tensor([[1.7321, -0.5774, -0.5774, -0.5774], [0., 0., 0., 0.]])
        >>> m = advantage_metrics(r, a, r > 0.5, alpha=0.5)
        >>> m["adv/omega"], m["adv/ass_factor"], m["adv/zero_var_frac"], round(m["adv/abs_sum_p20-40"], 3)
        (0.125, 0.25, 0.5, 3.464)
    """
    rewards, advantages = rewards.float(), advantages.float()  # [B, G]
    group_size = advantages.shape[1]
    state = float(batch_training_state(correct)) if omega is None else float(omega)
    p = group_success_rate(correct).squeeze(1)  # [B]
    abs_sum = advantages.abs().sum(dim=1)  # [B]
    spread = rewards.amax(dim=1) - rewards.amin(dim=1)  # [B]
    metrics = {
        "adv/omega": state,
        "adv/group_sum_mean": advantages.sum(dim=1).mean().item(),
        "adv/abs_sum_mean": abs_sum.mean().item(),
        "adv/zero_var_frac": (spread <= 0).float().mean().item(),
        "adv/mean": advantages.mean().item(),
        "adv/abs_mean": advantages.abs().mean().item(),
        "adv/pos_frac": (advantages > 0).float().mean().item(),
        "adv/max": advantages.max().item(),
        "adv/min": advantages.min().item(),
        "adv/success_rate": p.mean().item(),
    }
    if alpha is not None:
        metrics["adv/ass_factor"] = min(1.0, state / alpha)
    # bin from the count of correct answers, so p = 0.2, 0.4, ... do not fall on the wrong side by rounding
    num_correct = correct.float().sum(dim=1)  # [B]
    bin_index = torch.floor(num_correct * len(DIFFICULTY_BINS) / group_size + 1e-6).clamp(max=4).long()  # [B]
    total = abs_sum.sum().item()
    for index, name in enumerate(DIFFICULTY_BINS):
        in_bin = bin_index == index  # [B]
        bin_sum = abs_sum[in_bin].sum().item()
        metrics[f"adv/groups_{name}"] = float(in_bin.sum().item())
        metrics[f"adv/abs_sum_{name}"] = bin_sum
        metrics[f"adv/abs_share_{name}"] = bin_sum / total if total > 0 else 0.0
    return metrics
