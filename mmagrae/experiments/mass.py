"""Where does probability mass go in one update? (Issue 17, item 4: the collapse explained by measurement.)

For a policy over an enumerable set of K responses per prompt (the tabular policy's trajectories, or all
10^L digit strings of the tiny transformer), compare the distribution before and after one update on a batch
whose group for prompt j sampled the responses ``samples[j]``. The responses split into

* **sampled wrong**: drawn in the group and incorrect — what a negative advantage pushes down;
* **sampled correct**: drawn and correct — what a positive advantage pushes up;
* **unsampled mode**: the most likely response before the update (argmax π_before) when the group did not
  draw it — where Ren & Sutherland's "squeezing effect" (a negative gradient on a softmax raises every other
  logit in proportion to its probability, so mass piles onto the already most likely response) puts mass;
* **unsampled correct** and **unsampled other** (wrong, not the mode): the rest.

``mass_shift`` returns, averaged over prompts, each category's mass before and after and the change; a
category that is empty for a prompt (e.g. the mode was sampled) counts as 0 for that prompt. The five
categories partition the responses (the unsampled mode is counted under "unsampled mode" whether it is
correct or not), so the five changes sum to 0.

Pure function on tensors: no model, no optimiser.
"""

from __future__ import annotations

import torch

CATEGORIES = ("sampled_wrong", "sampled_correct", "unsampled_mode", "unsampled_correct", "unsampled_other")


def category_masks(probs_before: torch.Tensor, samples: torch.Tensor, is_correct: torch.Tensor) -> dict:
    """Boolean masks ``[B, K]`` of the five categories (see the module docstring).

    Args:
        probs_before: ``[B, K]`` the policy before the update (rows sum to 1).
        samples: ``[B, G]`` long, the responses drawn per prompt.
        is_correct: ``[B, K]`` bool.
    """
    sampled = torch.zeros_like(is_correct).scatter_(1, samples, True)  # [B, K]
    mode = torch.zeros_like(is_correct).scatter_(1, probs_before.argmax(1, keepdim=True), True)  # [B, K]
    unsampled_mode = mode & ~sampled  # [B, K]
    return {
        "sampled_wrong": sampled & ~is_correct,
        "sampled_correct": sampled & is_correct,
        "unsampled_mode": unsampled_mode,
        "unsampled_correct": ~sampled & is_correct & ~unsampled_mode,
        "unsampled_other": ~sampled & ~is_correct & ~unsampled_mode,
    }


def mass_shift(probs_before: torch.Tensor, probs_after: torch.Tensor, samples: torch.Tensor,
               is_correct: torch.Tensor) -> dict[str, float]:
    """Mean over prompts of each category's mass before, after, and the change; plus the mode's fate.

    Returns keys ``<category>/before``, ``<category>/after``, ``<category>/delta`` for the five categories,
    ``correct/before|after|delta`` (all correct responses, sampled or not), ``mode_unsampled_frac`` (share
    of prompts whose most likely response was not drawn) and ``mode/before|after`` (max probability).

    Example (one prompt, K = 3, response 0 correct; the group drew response 1 twice)::

        >>> before = torch.tensor([[0.2, 0.3, 0.5]])
        >>> after = torch.tensor([[0.2, 0.1, 0.7]])
        >>> out = mass_shift(before, after, torch.tensor([[1, 1]]), torch.tensor([[True, False, False]]))
        >>> [round(out[k], 3) for k in ("sampled_wrong/delta", "unsampled_mode/delta", "correct/delta")]
        [-0.2, 0.2, 0.0]
    """
    masks = category_masks(probs_before, samples, is_correct)
    out: dict[str, float] = {}
    for name in CATEGORIES:
        mask = masks[name].to(probs_before.dtype)  # [B, K]
        before = float((probs_before * mask).sum(1).mean())
        after = float((probs_after * mask).sum(1).mean())
        out[f"{name}/before"], out[f"{name}/after"], out[f"{name}/delta"] = before, after, after - before
    correct = is_correct.to(probs_before.dtype)  # [B, K]
    out["correct/before"] = float((probs_before * correct).sum(1).mean())
    out["correct/after"] = float((probs_after * correct).sum(1).mean())
    out["correct/delta"] = out["correct/after"] - out["correct/before"]
    out["mode_unsampled_frac"] = float(masks["unsampled_mode"].any(1).float().mean())
    out["mode/before"] = float(probs_before.max(1).values.mean())
    out["mode/after"] = float(probs_after.max(1).values.mean())
    return out


def policy_mass(probs: torch.Tensor, is_correct: torch.Tensor) -> dict[str, float]:
    """State of a policy ``probs[P, K]``: mean mode probability, share of prompts whose mode is correct, mean
    mass on correct responses.

        >>> policy_mass(torch.tensor([[0.2, 0.8], [0.6, 0.4]]), torch.tensor([[True, False], [True, False]]))
        {'mode': 0.7, 'mode_correct': 0.5, 'correct': 0.4}
    """
    mode = probs.argmax(1, keepdim=True)  # [P, 1]
    return {"mode": round(float(probs.max(1).values.mean()), 12),
            "mode_correct": float(is_correct.gather(1, mode).float().mean()),
            "correct": round(float((probs * is_correct.to(probs.dtype)).sum(1).mean()), 12)}


def average_flows(flows: list[dict[str, float]]) -> dict[str, float]:
    """Key-wise mean of a list of ``mass_shift`` results (an empty list gives an empty dict).

        >>> average_flows([{"a": 1.0}, {"a": 3.0}])
        {'a': 2.0}
    """
    if not flows:
        return {}
    return {key: sum(f[key] for f in flows) / len(flows) for key in flows[0]}
