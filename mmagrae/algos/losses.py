"""Policy-gradient losses: PPO-clip, GSPO, CISPO, GMPO, SAPO; token aggregation; KL to a reference; entropy.

Shapes: N = B·G responses, T response tokens. ``response_mask[N, T]`` is a float mask (1 = response token).
Masked positions may hold anything (NaN, −inf, garbage): every input is first replaced by 0 there with
``torch.where`` (a product ``0 · NaN`` would still be NaN), then every average multiplies by the mask and divides
by a named denominator clamped to ≥ 1.

Each policy loss is one small pure function in ``POLICY_LOSS_FNS`` that takes the (cleaned) log-probs, the
per-response advantages ``[N, 1]``, the mask and its own hyper-parameters, and returns ``(loss, metrics)``;
``compute_policy_loss`` looks one up by name (``algorithm.policy_loss``) and adds the KL and entropy terms.

References:
    PPO-clip: Schulman et al. 2017, arXiv 1707.06347.
    Dual-clip: Ye et al. 2020, arXiv 1912.09729 (bounds the loss of negative-advantage tokens by c·|A|).
    GRPO: Shao et al. 2024, arXiv 2402.03300 (seq-mean-token-mean, k3 KL to the reference, β = 0.04).
    DAPO: Yu et al. 2025, arXiv 2503.14476 (clip-higher ε_low = 0.2, ε_high = 0.28; token-mean; no KL).
    Dr.GRPO: Liu et al. 2025, arXiv 2503.20783 (constant-length normalisation; no KL; no std in A).
    GSPO: Zheng et al. 2025, arXiv 2507.18071 (sequence-level ratio, clip 3e-4 / 4e-4).
    CISPO: MiniMax 2025 (MiniMax-M1), arXiv 2506.13585 (clipped, stop-gradient IS weight on log π).
    GMPO: Zhao et al. 2025, arXiv 2507.20673 (geometric mean of token ratios, clip in log space ±0.4).
    SAPO: Gao et al. 2025, arXiv 2511.20347 (soft sigmoid gate instead of a hard clip, τ₊ = 1, τ₋ = 1.05).
    KL estimators k1/k2/k3: Schulman 2020, "Approximating KL divergence" (k3 is unbiased and low-variance).
    The formulas follow verl's ``compute_policy_loss_{gspo,cispo,geo_mean,sapo}`` (volcengine/verl,
    ``verl/trainer/ppo/core_algos.py``): the same inputs give the same loss and gradient (tested to 1e-5).
    A-GRAE (arXiv 2602.05548) changes only the advantages, so it composes with every loss unchanged.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import torch

AGGREGATIONS = ("token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm")
KL_TYPES = ("k1", "k2", "k3")
POLICY_LOSSES = ("ppo", "gspo", "cispo", "gmpo", "sapo")
KL_CLAMP_DEFAULT = 10.0  # bound on the per-token KL estimate, as in verl / EasyR1 (their k3 is clamped to ±10)
LOG_RATIO_CLAMP = 20.0  # exp() stays finite: e^20 ≈ 4.9e8

# Keyword arguments of compute_policy_loss that reproduce each paper's loss. Advantages to pair with them:
# grpo and dapo -> estimator "grpo" (or "agrae"); dr_grpo -> "dr_grpo" (or "agrae" with std="none").
LOSS_PRESETS: dict[str, dict[str, object]] = {
    "grpo": {"agg": "seq-mean-token-mean", "clip_low": 0.2, "clip_high": 0.2, "kl_type": "k3", "kl_coef": 0.04},
    "dapo": {"agg": "token-mean", "clip_low": 0.2, "clip_high": 0.28, "kl_type": "k3", "kl_coef": 0.0},
    "dr_grpo": {"agg": "seq-mean-token-sum-norm", "clip_low": 0.2, "clip_high": 0.2, "kl_type": "k3",
                "kl_coef": 0.0},
}

# Each policy loss's own defaults (the papers' settings), used where the caller gives none. GMPO's clip range is
# in log space (ratio ∈ [e^-0.4, e^0.4]); CISPO's ε_low = 1 means no lower bound (1 − ε_low = 0), as in
# MiniMax-M1, which only bounds the weight from above. GMPO takes no ``agg`` (it averages one value per response);
# its entry names the aggregation that average equals, for the KL/entropy terms and the micro-batch weights.
POLICY_LOSS_DEFAULTS: dict[str, dict[str, object]] = {
    "ppo": {"clip_low": 0.2, "clip_high": 0.2, "agg": "token-mean"},
    "gspo": {"clip_low": 3e-4, "clip_high": 4e-4, "agg": "seq-mean-token-mean"},
    "cispo": {"clip_low": 1.0, "clip_high": 0.2, "agg": "token-mean"},
    "gmpo": {"clip_low": 0.4, "clip_high": 0.4, "agg": "seq-mean-token-mean"},
    "sapo": {"tau_pos": 1.0, "tau_neg": 1.05, "agg": "seq-mean-token-mean"},
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
    Values at masked positions are never read (NaN or ±inf there do not reach the result).

    Example::

        >>> v = torch.tensor([[1., 1., 1., 1.], [3., 0., 0., float("nan")]])
        >>> m = torch.tensor([[1., 1., 1., 1.], [1., 0., 0., 0.]])
        >>> [round(aggregate_tokens(v, m, k).item(), 4) for k in AGGREGATIONS]   # 7/5, (1+3)/2, 7/(2·4)
        [1.4, 2.0, 0.875]
    """
    if mode not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {mode!r}; choose one of {AGGREGATIONS}")
    masked = torch.where(mask > 0, values, torch.zeros_like(values)) * mask  # [N, T]
    if mode == "token-mean":
        token_count = mask.sum().clamp(min=1.0)  # []
        return masked.sum() / token_count
    if mode == "seq-mean-token-mean":
        response_length = mask.sum(dim=1)  # [N]
        per_response = masked.sum(dim=1) / response_length.clamp(min=1.0)  # [N]
        num_sequences = (response_length > 0).to(values.dtype).sum().clamp(min=1.0)  # []
        return per_response.sum() / num_sequences
    length = values.shape[1] if max_response_length is None else max_response_length
    num_sequences = max(values.shape[0], 1)
    return masked.sum() / float(num_sequences * max(length, 1))


def micro_batch_loss_weights(
    response_masks: list[torch.Tensor], agg: str, max_response_length: int | None = None
) -> list[float]:
    """Scale factors that make gradient accumulation over micro-batches equal one step on the whole mini-batch.

    Each micro-batch's loss is ``aggregate_tokens(values_i, mask_i, agg, max_response_length)``; the mini-batch's
    is the same aggregation over all its rows. ``Σ_i w_i · loss_i`` equals it (loss and gradient) when
        ``token-mean``: w_i = tokens_i / Σ tokens (each micro-batch averaged over its own tokens);
        ``seq-mean-token-mean``: w_i = responses_i / Σ responses, counting only responses with ≥ 1 token —
            fully masked responses are skipped by the loss, so they must not take a share here either;
        ``seq-mean-token-sum-norm``: w_i = rows_i · L_i / (Σ rows · L), L_i the micro-batch's length
            normaliser (``max_response_length``, else its padded width T_i) and L that of the whole
            mini-batch (``max_response_length``, else max T_i: the width its rows would be padded to).
    A micro-batch without response tokens has loss 0 and no gradient whatever its weight; ``token-mean`` and
    ``seq-mean-token-mean`` give it 0 (and every weight is 0 when the whole mini-batch is empty).

    Args:
        response_masks: one float mask ``[n_i, T_i]`` per micro-batch (1 on response tokens).
        agg: one of ``AGGREGATIONS``.
        max_response_length: the constant of ``seq-mean-token-sum-norm`` (as given to ``aggregate_tokens``).

    Example (two responses, the second fully masked, one per micro-batch; GRPO's mean over responses)::

        >>> masks = [torch.tensor([[1., 1.]]), torch.tensor([[0., 0.]])]
        >>> micro_batch_loss_weights(masks, "seq-mean-token-mean"), micro_batch_loss_weights(masks, "token-mean")
        ([1.0, 0.0], [1.0, 0.0])
        >>> micro_batch_loss_weights([torch.ones(1, 3), torch.ones(3, 2)], "seq-mean-token-sum-norm")  # L = 3
        [0.25, 0.5]
    """
    if agg not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {agg!r}; choose one of {AGGREGATIONS}")
    if agg == "token-mean":
        counts = [float(m.sum()) for m in response_masks]  # response tokens per micro-batch
    elif agg == "seq-mean-token-mean":
        counts = [float((m.sum(dim=1) > 0).sum()) for m in response_masks]  # non-empty responses per micro-batch
    else:
        rows = float(sum(m.shape[0] for m in response_masks))  # Σ rows of the mini-batch
        if max_response_length is not None:  # the normaliser L is the same for every micro-batch
            return [m.shape[0] / max(rows, 1.0) for m in response_masks]
        width = max((m.shape[1] for m in response_masks), default=1)  # L of the whole mini-batch
        return [m.shape[0] * max(m.shape[1], 1) / (max(rows, 1.0) * max(width, 1)) for m in response_masks]
    total = sum(counts)
    if total <= 0:
        return [0.0 for _ in counts]
    return [c / total for c in counts]


def kl_penalty(logp: torch.Tensor, ref_logp: torch.Tensor, kl_type: str = "k3",
               clamp: float | None = KL_CLAMP_DEFAULT) -> torch.Tensor:
    """Per-token KL(π ‖ π_ref) estimate ``[N, T]`` from samples of π (Schulman 2020).

    k1 = log π − log π_ref (unbiased, high variance, can be negative); k2 = ½ (log π − log π_ref)²;
    k3 = π_ref/π − log(π_ref/π) − 1 (unbiased, ≥ 0, low variance; GRPO's choice).

    ``clamp`` bounds the estimate to [−clamp, clamp] (None = unbounded). k3 grows like e^|x| when π puts far
    less mass than π_ref on a token (log-ratio x = −12 gives 1.6e5), so one token could dominate the update;
    like verl and EasyR1 (``low_var_kl``) the log-ratio inside k3 is first clamped to ±20 and the estimate to
    ±10 (the default). A clamped token contributes no gradient.

    Example::

        >>> lp, ref = torch.tensor([[-1.0]]), torch.tensor([[-2.0]])
        >>> [round(kl_penalty(lp, ref, k).item(), 4) for k in KL_TYPES]   # 1, 0.5, e^-1 + 1 - 1
        [1.0, 0.5, 0.3679]
        >>> kl_penalty(torch.tensor([[-12.0]]), torch.zeros(1, 1)).item()   # e^12 − 13 ≈ 1.6e5, clamped
        10.0
    """
    if kl_type not in KL_TYPES:
        raise ValueError(f"unknown kl_type {kl_type!r}; choose one of {KL_TYPES}")
    log_ratio = logp - ref_logp  # [N, T]  log π/π_ref
    if kl_type == "k1":
        kl = log_ratio
    elif kl_type == "k2":
        kl = 0.5 * log_ratio.pow(2)
    else:
        neg = (-log_ratio).clamp(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)  # [N, T]  log π_ref/π
        kl = torch.exp(neg) - neg - 1.0
    return kl if clamp is None else kl.clamp(-clamp, clamp)


def token_entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of the next-token distribution, ``logits[N, T, V]`` -> ``[N, T]`` (nats).

    Example::

        >>> round(token_entropy_from_logits(torch.zeros(1, 1, 4)).item(), 4)   # uniform over 4: ln 4
        1.3863
    """
    log_probs = torch.log_softmax(logits.float(), dim=-1)  # [N, T, V]
    return -(log_probs.exp() * log_probs).sum(dim=-1)  # [N, T]


# ==================================================================== the policy losses
# Common arguments: logp, old_logp [N, T] (finite: compute_policy_loss zeroes masked positions), adv [N, 1],
# mask [N, T] float, weights [N, T] or None (truncated importance weights that correct the engine–trainer gap,
# see mmagrae.algos.rollout_correction; they multiply the per-token loss and carry no gradient).


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> float:
    return ((values * mask).sum() / mask.sum().clamp(min=1.0)).item()


def _ratio_metrics(ratio: torch.Tensor, mask: torch.Tensor) -> dict[str, float]:
    ratio = ratio.detach()
    return {"loss/ratio_mean": _masked_mean(ratio, mask),
            "loss/ratio_max": (ratio * mask).max().item() if mask.any() else 1.0}


def ppo_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, mask: torch.Tensor, *,
             clip_low: float, clip_high: float, agg: str, max_response_length: int | None = None,
             dual_clip: float | None = None, weights: torch.Tensor | None = None,
             ) -> tuple[torch.Tensor, dict[str, float]]:
    """PPO-clip (arXiv 1707.06347) with clip-higher (DAPO) and dual-clip (arXiv 1912.09729).

    Per token, ρ = exp(logp − old_logp): ℓ = max(−A·ρ, −A·clip(ρ, 1 − ε_low, 1 + ε_high)); with dual-clip c
    and A < 0, ℓ = min(ℓ, −A·c). Aggregated with ``agg``.

    Example (ρ = e^0.5 = 1.65 is clipped to 1.2; A = 2)::

        >>> loss, m = ppo_loss(torch.tensor([[0.5]]), torch.zeros(1, 1), torch.tensor([[2.0]]), torch.ones(1, 1),
        ...                    clip_low=0.2, clip_high=0.2, agg="token-mean")
        >>> round(loss.item(), 4), m["loss/clipfrac"]   # −2 · 1.2
        (-2.4, 1.0)
    """
    log_ratio = (logp - old_logp).clamp(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)  # [N, T]
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
        metrics["loss/dual_clipfrac"] = _masked_mean(dual_active.to(mask.dtype), mask)
    if weights is not None:
        per_token = per_token * weights  # [N, T]
    loss = aggregate_tokens(per_token, mask, agg, max_response_length)  # []
    metrics["loss/clipfrac"] = _masked_mean((clipped > unclipped).to(mask.dtype), mask)
    return loss, {**metrics, **_ratio_metrics(ratio, mask)}


def gspo_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, mask: torch.Tensor, *,
              clip_low: float, clip_high: float, agg: str = "seq-mean-token-mean",
              max_response_length: int | None = None, weights: torch.Tensor | None = None,
              ) -> tuple[torch.Tensor, dict[str, float]]:
    """GSPO, Group Sequence Policy Optimization (Zheng et al. 2025, arXiv 2507.18071), token-level form.

    The sequence ratio s_i = exp(mean_t (log π − log π_old)) (the length-normalised likelihood ratio) is shared
    by all tokens of response i in the stop-gradient form s_{i,t} = sg[s_i] · π_t / sg[π_t], so each token's
    gradient is s_i·∇log π_t / |y_i| up to aggregation; log s_{i,t} is capped at 10. Per token
    ℓ = max(−A·s_{i,t}, −A·clip(s_{i,t}, 1 − ε_low, 1 + ε_high)), aggregated seq-mean-token-mean (the paper's
    and verl's choice; the paper's clip range is ε_low = 3e-4, ε_high = 4e-4).

    Example (one response, log-ratios 0.1 and 0.3: s = e^0.2 = 1.2214, clipped to 1 + 4e-4 for A = 1)::

        >>> loss, m = gspo_loss(torch.tensor([[0.1, 0.3]]), torch.zeros(1, 2), torch.ones(1, 1),
        ...                     torch.ones(1, 2), clip_low=3e-4, clip_high=4e-4)
        >>> round(loss.item(), 4), m["loss/clipfrac"]
        (-1.0004, 1.0)
    """
    log_ratio = logp - old_logp  # [N, T]
    length = mask.sum(dim=1).clamp(min=1.0)  # [N]
    seq_log_ratio = (log_ratio * mask).sum(dim=1) / length  # [N]
    token_log_ratio = (logp - logp.detach() + seq_log_ratio.detach().unsqueeze(1)).clamp(max=10.0)  # [N, T]
    ratio = torch.exp(token_log_ratio)  # [N, T]  value s_i on every token of response i
    unclipped = -adv * ratio  # [N, T]
    clipped = -adv * ratio.clamp(1.0 - clip_low, 1.0 + clip_high)  # [N, T]
    per_token = torch.maximum(unclipped, clipped)  # [N, T]
    if weights is not None:
        per_token = per_token * weights  # [N, T]
    loss = aggregate_tokens(per_token, mask, agg, max_response_length)  # []
    metrics = {"loss/clipfrac": _masked_mean((clipped > unclipped).to(mask.dtype), mask),
               **_ratio_metrics(ratio, mask)}
    return loss, metrics


def cispo_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, mask: torch.Tensor, *,
               clip_low: float, clip_high: float, agg: str = "token-mean", max_response_length: int | None = None,
               weights: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, float]]:
    """CISPO, Clipped IS-weight Policy Optimization (MiniMax-M1, arXiv 2506.13585).

    Per token ℓ = −sg[clip(ρ_t, 1 − ε_low, 1 + ε_high)] · A · log π_t: the importance weight is clipped and
    carries no gradient, but unlike PPO no token is dropped from the gradient — every token keeps
    −w·A·∇log π_t. Aggregated token-mean (the paper's). ε_low = 1 (the default) leaves the weight unbounded
    below.

    Example (ρ = e^0.5 = 1.65 → weight 1.2; log π = −0.5, A = 2)::

        >>> loss, m = cispo_loss(torch.tensor([[-0.5]]), torch.tensor([[-1.0]]), torch.tensor([[2.0]]),
        ...                      torch.ones(1, 1), clip_low=1.0, clip_high=0.2)
        >>> round(loss.item(), 4), m["loss/clipfrac"]   # −1.2 · 2 · (−0.5)
        (1.2, 1.0)
    """
    ratio = torch.exp((logp - old_logp).clamp(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP))  # [N, T]
    weight = ratio.clamp(1.0 - clip_low, 1.0 + clip_high).detach()  # [N, T]
    per_token = -weight * adv * logp  # [N, T]
    if weights is not None:
        per_token = per_token * weights  # [N, T]
    loss = aggregate_tokens(per_token, mask, agg, max_response_length)  # []
    metrics = {"loss/clipfrac": _masked_mean((weight != ratio.detach()).to(mask.dtype), mask),
               **_ratio_metrics(ratio, mask)}
    return loss, metrics


def gmpo_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, mask: torch.Tensor, *,
              clip_low: float, clip_high: float, weights: torch.Tensor | None = None,
              ) -> tuple[torch.Tensor, dict[str, float]]:
    """GMPO, Geometric-Mean Policy Optimization (Zhao et al. 2025, arXiv 2507.20673).

    Per response, the geometric mean of sign-aware clipped token ratios, R_i = exp(mean_t x̃_t), where the
    log-ratio x_t = log π − log π_old is clipped in log space on the side that would enlarge the objective:
    x̃ = min(x, ε_high) when A > 0, x̃ = max(x, −ε_low) when A < 0 (the paper's ±0.4). Loss −A_i·R_i, averaged
    over the responses that have tokens. ``weights`` (rollout IS) enter as their per-response geometric mean.
    (verl's ``geo_mean`` divides by every row, fully masked ones included; the two agree whenever no response is
    empty.)

    Example (A = 1, log-ratios 0.2 and 0.6: the second is clipped to 0.4, R = e^0.3)::

        >>> loss, m = gmpo_loss(torch.tensor([[0.2, 0.6]]), torch.zeros(1, 2), torch.ones(1, 1),
        ...                     torch.ones(1, 2), clip_low=0.4, clip_high=0.4)
        >>> round(loss.item(), 4), m["loss/clipfrac"]
        (-1.3499, 0.5)
    """
    log_ratio = logp - old_logp  # [N, T]
    pessimistic = torch.where(adv > 0, log_ratio.clamp(max=clip_high), log_ratio.clamp(min=-clip_low))  # [N, T]
    length = mask.sum(dim=1)  # [N]
    seq_ratio = torch.exp((pessimistic * mask).sum(dim=1) / length.clamp(min=1.0))  # [N]
    per_response = -adv.squeeze(1) * seq_ratio  # [N]
    if weights is not None:
        log_w = torch.log(weights.clamp(min=1e-10))  # [N, T]
        per_response = per_response * torch.exp((log_w * mask).sum(dim=1) / length.clamp(min=1.0))  # [N]
    has_tokens = (length > 0).to(per_response.dtype)  # [N]
    loss = (per_response * has_tokens).sum() / has_tokens.sum().clamp(min=1.0)  # []
    outside = ((log_ratio > clip_high) | (log_ratio < -clip_low)).to(mask.dtype)  # [N, T]
    metrics = {"loss/clipfrac": _masked_mean(outside * (adv > 0).to(mask.dtype), mask),
               "loss/clipfrac_lower": _masked_mean(outside * (adv < 0).to(mask.dtype), mask),
               **_ratio_metrics(seq_ratio.unsqueeze(1).expand_as(mask), mask)}
    return loss, metrics


def sapo_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, mask: torch.Tensor, *,
              tau_pos: float, tau_neg: float, agg: str = "seq-mean-token-mean",
              max_response_length: int | None = None, weights: torch.Tensor | None = None,
              ) -> tuple[torch.Tensor, dict[str, float]]:
    """SAPO, Soft Adaptive Policy Optimization (Gao et al. 2025, arXiv 2511.20347).

    A smooth gate replaces the hard clip: per token ℓ = −A · f_τ(ρ_t) with f_τ(ρ) = σ(τ(ρ − 1)) · 4/τ, whose
    derivative 4σ(1−σ) is 1 at ρ = 1 and decays smoothly as ρ leaves 1; τ = τ₊ for A > 0 and τ₋ for A ≤ 0
    (τ₋ > τ₊ damps negative updates faster; paper: 1.0 and 1.05). Aggregated seq-mean-token-mean.

    Example (ρ = 1: f = σ(0)·4 = 2 for τ = 1; A = 1)::

        >>> loss, _ = sapo_loss(torch.zeros(1, 1), torch.zeros(1, 1), torch.ones(1, 1), torch.ones(1, 1),
        ...                     tau_pos=1.0, tau_neg=1.05)
        >>> round(loss.item(), 4)
        -2.0
    """
    ratio = torch.exp((logp - old_logp).clamp(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP))  # [N, T]
    tau = torch.where(adv > 0, torch.full_like(adv, tau_pos), torch.full_like(adv, tau_neg))  # [N, 1]
    gate = torch.sigmoid(tau * (ratio - 1.0)) * (4.0 / tau)  # [N, T]
    per_token = -gate * adv  # [N, T]
    if weights is not None:
        per_token = per_token * weights  # [N, T]
    loss = aggregate_tokens(per_token, mask, agg, max_response_length)  # []
    return loss, {"loss/clipfrac": 0.0, **_ratio_metrics(ratio, mask)}


POLICY_LOSS_FNS: dict[str, Callable[..., tuple[torch.Tensor, dict[str, float]]]] = {
    "ppo": ppo_loss, "gspo": gspo_loss, "cispo": cispo_loss, "gmpo": gmpo_loss, "sapo": sapo_loss,
}
assert tuple(POLICY_LOSS_FNS) == POLICY_LOSSES


@functools.cache
def policy_loss_parameters(name: str) -> tuple[str, ...]:
    """The hyper-parameters a policy loss declares (its keyword-only arguments besides ``weights``)."""
    if name not in POLICY_LOSS_FNS:
        raise ValueError(f"unknown policy_loss {name!r}; choose one of {POLICY_LOSSES}")
    params = inspect.signature(POLICY_LOSS_FNS[name]).parameters.values()
    return tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name != "weights")


def compute_policy_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    response_mask: torch.Tensor,
    *,
    policy_loss: str = "ppo",
    clip_low: float | None = None,
    clip_high: float | None = None,
    dual_clip: float | None = None,
    agg: str | None = None,
    max_response_length: int | None = None,
    tau_pos: float | None = None,
    tau_neg: float | None = None,
    rollout_weights: torch.Tensor | None = None,
    ref_logp: torch.Tensor | None = None,
    kl_coef: float = 0.0,
    kl_type: str = "k3",
    kl_clamp: float | None = KL_CLAMP_DEFAULT,
    entropy: torch.Tensor | None = None,
    entropy_coef: float = 0.0,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The policy loss ``policy_loss`` (see ``POLICY_LOSS_FNS``), plus optional KL and entropy terms.

    loss = L_policy + kl_coef · agg(KL_k(π ‖ π_ref), clamped to ±kl_clamp) − entropy_coef · agg(entropy).
    KL is off when ``ref_logp`` is None or ``kl_coef`` is 0 (it is still reported when ``ref_logp`` is given);
    ``entropy`` ``[N, T]`` is always reported when given. Hyper-parameters left at None take the loss's defaults
    (``POLICY_LOSS_DEFAULTS``); a hyper-parameter the chosen loss does not declare (``policy_loss_parameters``:
    e.g. ``tau_pos`` for ``ppo``, ``agg`` for ``gmpo``) is not used, so one set of keywords serves every loss;
    ``dual_clip`` with a loss other than ``ppo`` is an error (it would change nothing the caller can see).

    Args:
        logp, old_logp: ``[N, T]`` log-probs of the sampled tokens under the current / rollout policy.
        advantages: ``[N]`` one advantage per response (e.g. ``compute_advantages(...).reshape(-1)``).
        response_mask: ``[N, T]`` float, 1 on response tokens. Anything at masked positions of ``logp``,
            ``old_logp``, ``ref_logp``, ``entropy`` or ``rollout_weights`` (NaN, −inf) is ignored, and so is the
            advantage of a response with no tokens.
        policy_loss: ``ppo`` | ``gspo`` | ``cispo`` | ``gmpo`` | ``sapo``.
        clip_low, clip_high: ε_low / ε_high (ppo, gspo, cispo; gmpo in log space).
        dual_clip: ppo only. tau_pos, tau_neg: sapo only.
        agg, max_response_length: see ``aggregate_tokens`` (and its note on length bias); gmpo has none.
        rollout_weights: ``[N, T]`` truncated importance weights π_trainer/π_engine (``rollout_correction``).

    Returns:
        ``(loss, metrics)``: a scalar tensor with gradient, and floats ``loss/policy``, ``loss/clipfrac``,
        ``loss/ratio_mean``, ``loss/ratio_max``, ``loss/total`` and, when used, ``loss/dual_clipfrac``,
        ``loss/kl``, ``loss/entropy``.

    Example (one response, two tokens, the second masked and NaN; ρ = e^0.5 = 1.65 is clipped to 1.2)::

        >>> lp = torch.tensor([[0.5, float("nan")]]); old = torch.zeros(1, 2)
        >>> loss, m = compute_policy_loss(lp, old, torch.tensor([2.0]), torch.tensor([[1.0, 0.0]]))
        >>> round(loss.item(), 4), m["loss/clipfrac"]   # −2 · 1.2
        (-2.4, 1.0)
    """
    if advantages.dim() != 1 or advantages.shape[0] != logp.shape[0]:
        raise ValueError(f"advantages must be [N] with N = {logp.shape[0]}, got {tuple(advantages.shape)}")
    declared = policy_loss_parameters(policy_loss)
    if dual_clip is not None and "dual_clip" not in declared:
        raise ValueError(f"dual_clip applies to policy_loss 'ppo' only, not {policy_loss!r}")
    given = {"clip_low": clip_low, "clip_high": clip_high, "agg": agg, "tau_pos": tau_pos, "tau_neg": tau_neg}
    defaults = POLICY_LOSS_DEFAULTS[policy_loss]
    hyper = {k: (v if v is not None else defaults[k]) for k, v in given.items() if k in declared and k in defaults}
    if dual_clip is not None:
        hyper["dual_clip"] = dual_clip
    if "max_response_length" in declared:
        hyper["max_response_length"] = max_response_length

    mask = response_mask.to(logp.dtype)  # [N, T]
    keep = mask > 0  # [N, T]
    zero = torch.zeros_like(logp)  # [N, T]
    logp = torch.where(keep, logp, zero)  # [N, T]  NaN/−inf at masked positions reach neither loss nor gradient
    old_logp = torch.where(keep, old_logp.to(logp.dtype), zero)  # [N, T]
    has_tokens = keep.any(dim=1)  # [N]
    adv = torch.where(has_tokens, advantages.to(logp.dtype), torch.zeros_like(advantages, dtype=logp.dtype))
    adv = adv.unsqueeze(1)  # [N, 1]
    weights = None
    if rollout_weights is not None:
        weights = torch.where(keep, rollout_weights.to(logp.dtype), zero + 1.0).detach()  # [N, T]

    loss, metrics = POLICY_LOSS_FNS[policy_loss](logp, old_logp, adv, mask, weights=weights, **hyper)
    metrics = {"loss/policy": loss.item(), **metrics}
    term_agg = str(hyper.get("agg", defaults["agg"]))  # the KL and entropy terms average like the policy loss
    if ref_logp is not None:
        ref = torch.where(keep, ref_logp.to(logp.dtype), zero)  # [N, T]
        kl = aggregate_tokens(kl_penalty(logp, ref, kl_type, kl_clamp), mask, term_agg, max_response_length)  # []
        if kl_coef != 0.0:
            loss = loss + kl_coef * kl
        metrics["loss/kl"] = kl.item()
    if entropy is not None:
        mean_entropy = aggregate_tokens(torch.where(keep, entropy, torch.zeros_like(entropy)), mask, term_agg,
                                        max_response_length)  # []
        if entropy_coef != 0.0:
            loss = loss - entropy_coef * mean_entropy
        metrics["loss/entropy"] = mean_entropy.item()
    metrics["loss/total"] = loss.item()
    return loss, metrics
