"""Policy-gradient losses: PPO-clip (clip-higher, dual-clip), token aggregation, KL to a reference, entropy.

Shapes: N = B·G responses, T response tokens. ``response_mask[N, T]`` is a float mask (1 = response token);
every average multiplies by it and divides by a named denominator clamped to ≥ 1.

References:
    PPO-clip: Schulman et al. 2017, arXiv 1707.06347.
    Dual-clip: Ye et al. 2020, arXiv 1912.09729 (bounds the loss of negative-advantage tokens by c·|A|).
    GRPO: Shao et al. 2024, arXiv 2402.03300 (seq-mean-token-mean, k3 KL to the reference, β = 0.04).
    DAPO: Yu et al. 2025, arXiv 2503.14476 (clip-higher ε_low = 0.2, ε_high = 0.28; token-mean; no KL).
    Dr.GRPO: Liu et al. 2025, arXiv 2503.20783 (constant-length normalisation; no KL; no std in A).
    KL estimators k1/k2/k3: Schulman 2020, "Approximating KL divergence" (k3 is unbiased and low-variance).
    A-GRAE (arXiv 2602.05548) changes only the advantages, so it composes with each preset unchanged.
"""

from __future__ import annotations

import torch

AGGREGATIONS = ("token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm")
KL_TYPES = ("k1", "k2", "k3")

# Keyword arguments of compute_policy_loss that reproduce each paper's loss. Advantages to pair with them:
# grpo and dapo -> estimator "grpo" (or "agrae"); dr_grpo -> "dr_grpo" (or "agrae" with std="none").
LOSS_PRESETS: dict[str, dict[str, object]] = {
    "grpo": {"agg": "seq-mean-token-mean", "clip_low": 0.2, "clip_high": 0.2, "kl_type": "k3", "kl_coef": 0.04},
    "dapo": {"agg": "token-mean", "clip_low": 0.2, "clip_high": 0.28, "kl_type": "k3", "kl_coef": 0.0},
    "dr_grpo": {"agg": "seq-mean-token-sum-norm", "clip_low": 0.2, "clip_high": 0.2, "kl_type": "k3",
                "kl_coef": 0.0},
}


def aggregate_tokens(
    values: torch.Tensor, mask: torch.Tensor, mode: str, max_response_length: int | None = None
) -> torch.Tensor:
    """Reduce per-token ``values[N, T]`` over response tokens ``mask[N, T]`` to a scalar.

    Modes and what they do to length bias:
        ``token-mean`` (DAPO): Σ v·m / token_count. Every token weighs the same, so a long response carries
            more total weight than a short one, but no response's tokens are down-weighted for its length.
        ``seq-mean-token-mean`` (GRPO): mean over responses of (Σ_t v·m / response_length). Each response
            weighs the same, so a token in a long response weighs less: short correct answers are pushed
            harder and long wrong answers are penalised less — the length bias Dr.GRPO points out.
        ``seq-mean-token-sum-norm`` (Dr.GRPO): Σ v·m / (num_sequences · max_response_length). A constant
            denominator (``max_response_length`` defaults to T), so no length-dependent weighting at all.
    Fully masked responses contribute nothing; they are not counted in ``seq-mean-token-mean``'s mean.

    Example::

        >>> v = torch.tensor([[1., 1., 1., 1.], [3., 0., 0., 0.]])
        >>> m = torch.tensor([[1., 1., 1., 1.], [1., 0., 0., 0.]])
        >>> [round(aggregate_tokens(v, m, k).item(), 4) for k in AGGREGATIONS]   # 7/5, (1+3)/2, 7/(2·4)
        [1.4, 2.0, 0.875]
    """
    if mode not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {mode!r}; choose one of {AGGREGATIONS}")
    masked = values * mask  # [N, T]
    if mode == "token-mean":
        token_count = mask.sum().clamp(min=1.0)  # []
        return masked.sum() / token_count
    if mode == "seq-mean-token-mean":
        response_length = mask.sum(dim=1)  # [N]
        per_response = masked.sum(dim=1) / response_length.clamp(min=1.0)  # [N]
        num_sequences = (response_length > 0).float().sum().clamp(min=1.0)  # []
        return per_response.sum() / num_sequences
    length = values.shape[1] if max_response_length is None else max_response_length
    num_sequences = max(values.shape[0], 1)
    return masked.sum() / float(num_sequences * max(length, 1))


def kl_penalty(logp: torch.Tensor, ref_logp: torch.Tensor, kl_type: str = "k3") -> torch.Tensor:
    """Per-token KL(π ‖ π_ref) estimate ``[N, T]`` from samples of π (Schulman 2020).

    k1 = log π − log π_ref (unbiased, high variance, can be negative); k2 = ½ (log π − log π_ref)²;
    k3 = π_ref/π − log(π_ref/π) − 1 (unbiased, ≥ 0, low variance; GRPO's choice).

    Example::

        >>> lp, ref = torch.tensor([[-1.0]]), torch.tensor([[-2.0]])
        >>> [round(kl_penalty(lp, ref, k).item(), 4) for k in KL_TYPES]   # 1, 0.5, e^-1 + 1 - 1
        [1.0, 0.5, 0.3679]
    """
    if kl_type not in KL_TYPES:
        raise ValueError(f"unknown kl_type {kl_type!r}; choose one of {KL_TYPES}")
    log_ratio = logp - ref_logp  # [N, T]  log π/π_ref
    if kl_type == "k1":
        return log_ratio
    if kl_type == "k2":
        return 0.5 * log_ratio.pow(2)
    return torch.exp(-log_ratio) - (-log_ratio) - 1.0


def token_entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of the next-token distribution, ``logits[N, T, V]`` -> ``[N, T]`` (nats).

    Example::

        >>> round(token_entropy_from_logits(torch.zeros(1, 1, 4)).item(), 4)   # uniform over 4: ln 4
        1.3863
    """
    log_probs = torch.log_softmax(logits.float(), dim=-1)  # [N, T, V]
    return -(log_probs.exp() * log_probs).sum(dim=-1)  # [N, T]


def compute_policy_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    response_mask: torch.Tensor,
    *,
    clip_low: float = 0.2,
    clip_high: float = 0.2,
    dual_clip: float | None = None,
    agg: str = "token-mean",
    max_response_length: int | None = None,
    ref_logp: torch.Tensor | None = None,
    kl_coef: float = 0.0,
    kl_type: str = "k3",
    entropy: torch.Tensor | None = None,
    entropy_coef: float = 0.0,
) -> tuple[torch.Tensor, dict[str, float]]:
    """PPO-clip policy loss with clip-higher and dual-clip, plus optional KL and entropy terms.

    Per token, with ratio ρ = exp(logp − old_logp) and the response's advantage A:
        ℓ = max(−A·ρ, −A·clip(ρ, 1 − clip_low, 1 + clip_high));  if dual_clip = c (> 1) and A < 0,
        ℓ = min(ℓ, −A·c).
    loss = agg(ℓ) + kl_coef · agg(KL_k(π ‖ π_ref)) − entropy_coef · agg(entropy). KL is off when
    ``ref_logp`` is None or ``kl_coef`` is 0; ``entropy`` ``[N, T]`` is always reported when given.

    Args:
        logp, old_logp: ``[N, T]`` log-probs of the sampled tokens under the current / rollout policy.
        advantages: ``[N]`` one advantage per response (e.g. ``compute_advantages(...).reshape(-1)``).
        response_mask: ``[N, T]`` float, 1 on response tokens.
        agg, max_response_length: see ``aggregate_tokens`` (and its note on length bias).

    Returns:
        ``(loss, metrics)``: a scalar tensor with gradient, and floats ``loss/policy``, ``loss/clipfrac``,
        ``loss/ratio_mean``, ``loss/ratio_max``, ``loss/total`` and, when used, ``loss/dual_clipfrac``,
        ``loss/kl``, ``loss/entropy``.

    Example (one response, two tokens, the second masked; ρ = e^0.5 = 1.65 is clipped to 1.2)::

        >>> lp = torch.tensor([[0.5, 9.0]]); old = torch.zeros(1, 2)
        >>> loss, m = compute_policy_loss(lp, old, torch.tensor([2.0]), torch.tensor([[1.0, 0.0]]))
        >>> round(loss.item(), 4), m["loss/clipfrac"]   # −2 · 1.2
        (-2.4, 1.0)
    """
    if advantages.dim() != 1 or advantages.shape[0] != logp.shape[0]:
        raise ValueError(f"advantages must be [N] with N = {logp.shape[0]}, got {tuple(advantages.shape)}")
    mask = response_mask.to(logp.dtype)  # [N, T]
    adv = advantages.to(logp.dtype).unsqueeze(1)  # [N, 1]
    log_ratio = (logp - old_logp).clamp(-20.0, 20.0)  # [N, T]
    ratio = torch.exp(log_ratio)  # [N, T]
    unclipped = -adv * ratio  # [N, T]
    clipped = -adv * ratio.clamp(1.0 - clip_low, 1.0 + clip_high)  # [N, T]
    per_token = torch.maximum(unclipped, clipped)  # [N, T]
    metrics: dict[str, float] = {}
    if dual_clip is not None:
        if dual_clip <= 1.0:
            raise ValueError(f"dual_clip must exceed 1, got {dual_clip}")
        bound = -adv * dual_clip  # [N, 1]
        dual_active = (adv < 0) & (per_token > bound)  # [N, T]
        per_token = torch.where(dual_active, bound.expand_as(per_token), per_token)  # [N, T]
        metrics["loss/dual_clipfrac"] = aggregate_tokens(dual_active.to(mask.dtype), mask, "token-mean").item()
    policy_loss = aggregate_tokens(per_token, mask, agg, max_response_length)  # []
    loss = policy_loss
    with torch.no_grad():
        token_count = mask.sum().clamp(min=1.0)
        metrics["loss/policy"] = policy_loss.item()
        metrics["loss/clipfrac"] = (((clipped > unclipped).to(mask.dtype) * mask).sum() / token_count).item()
        metrics["loss/ratio_mean"] = ((ratio * mask).sum() / token_count).item()
        metrics["loss/ratio_max"] = (ratio * mask).max().item() if mask.any() else 1.0
    if ref_logp is not None and kl_coef != 0.0:
        kl = aggregate_tokens(kl_penalty(logp, ref_logp, kl_type), mask, agg, max_response_length)  # []
        loss = loss + kl_coef * kl
        metrics["loss/kl"] = kl.item()
    elif ref_logp is not None:
        metrics["loss/kl"] = aggregate_tokens(kl_penalty(logp, ref_logp, kl_type), mask, agg,
                                              max_response_length).item()
    if entropy is not None:
        mean_entropy = aggregate_tokens(entropy, mask, agg, max_response_length)  # []
        if entropy_coef != 0.0:
            loss = loss - entropy_coef * mean_entropy
        metrics["loss/entropy"] = mean_entropy.item()
    metrics["loss/total"] = loss.item()
    return loss, metrics
