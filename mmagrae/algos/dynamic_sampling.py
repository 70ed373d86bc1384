"""Dynamic sampling (DAPO, arXiv 2503.14476): which groups of G responses carry a learning signal.

A group whose G rewards are all equal has zero group-relative advantage and teaches nothing. With a shaped
reward (0.9·accuracy + 0.1·format) the rewards of an all-wrong group can still differ through the format term
alone; such a group carries no answer signal, and filtering on the reward would keep it (a published pitfall of
filtering on the shaped reward). ``metric="accuracy"`` (the default) therefore asks for mixed correctness.
"""

from __future__ import annotations

import torch

DYNAMIC_SAMPLING_METRICS = ("accuracy", "reward")


def informative_groups(rewards: torch.Tensor, correct: torch.Tensor, metric: str = "accuracy") -> torch.Tensor:
    """``[B]`` bool: True for groups whose ``metric`` varies within the group.

    Args:
        rewards: ``[B, G]`` float rewards. correct: ``[B, G]`` bool/0-1 correctness.
        metric: ``accuracy`` (some but not all responses correct) or ``reward`` (rewards not all equal).

    Example (group 0: all wrong, format differs; group 1: one correct)::

        >>> r = torch.tensor([[0.0, 0.1, 0.1], [1.0, 0.1, 0.0]]); c = torch.tensor([[0, 0, 0], [1, 0, 0]])
        >>> informative_groups(r, c).tolist(), informative_groups(r, c, "reward").tolist()
        ([False, True], [True, True])
    """
    if metric not in DYNAMIC_SAMPLING_METRICS:
        raise ValueError(f"unknown dynamic_sampling_metric {metric!r}; choose one of {DYNAMIC_SAMPLING_METRICS}")
    values = correct.to(torch.float32) if metric == "accuracy" else rewards.to(torch.float32)  # [B, G]
    return values.amax(dim=1) > values.amin(dim=1)  # [B]
