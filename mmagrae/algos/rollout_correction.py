"""The engine–trainer gap: how far the rollout engine's log-probs are from the trainer's, and its correction.

The engine that samples (vLLM, or transformers ``generate``) and the trainer that differentiates compute the
same model with different kernels, batch shapes and precisions, so π_engine (the behaviour policy that produced
the tokens) and π_trainer (the policy whose ratio the loss uses as π_old) differ slightly — the most reported
cause of unstable RL on VLMs. These pure functions measure the gap and correct it, per response token:

    log-ratio  δ_t = log π_trainer(y_t) − log π_engine(y_t)        token ratio ρ_t = e^δ_t
    sequence ratio  ρ_i = exp(Σ_t δ_t)   (the likelihood ratio of the whole response)

* metrics: ``rollout/logprob_diff_mean`` / ``_max`` = mean / max of |δ_t|, and ``rollout/kl`` = the k3 estimate
  of KL(π_engine ‖ π_trainer) from the engine's samples, mean over tokens: e^δ − δ − 1.
* truncated importance sampling (``algorithm.rollout_is``, TIS; Yao et al. 2025, "Your efficient RL framework
  secretly brings you off-policy RL training"): the policy loss of each token is multiplied by
  w = min(ρ, C) (``token``: ρ_t; ``sequence``: ρ_i on every token of response i), no gradient through w.
* rejection sampling (``algorithm.rollout_rs``): tokens (``token``) or whole responses (``sequence``) whose ratio
  lies outside [1/C, C] are masked out of the loss (their share is logged).

Which log-probs are compared: both engines report log_softmax of the raw logits (temperature 1, before top-k,
top-p and the suppression of vision tokens; docs/ROLLOUT.md), so the trainer side is its own temperature-1
log-prob of the same tokens at the weights that sampled them.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from mmagrae.algos.losses import LOG_RATIO_CLAMP  # one bound for every log-ratio: exp() stays finite

CORRECTION_MODES = ("off", "token", "sequence")


def pad_logprobs(logprobs: Sequence[Sequence[float]], length: int) -> torch.Tensor:
    """Per-response lists of token log-probs -> ``[N, length]``, right-padded with 0 (the layout of
    ``build_policy_batch``'s ``responses``).

    Example::

        >>> pad_logprobs([[-0.5, -1.0], [-2.0]], 3)
        tensor([[-0.5000, -1.0000,  0.0000],
                [-2.0000,  0.0000,  0.0000]])
    """
    out = torch.zeros(len(logprobs), length)  # [N, T]
    for i, row in enumerate(logprobs):
        k = min(len(row), length)
        if k:
            out[i, :k] = torch.tensor(list(row[:k]), dtype=out.dtype)
    return out


def _log_ratio(trainer_logp: torch.Tensor, engine_logp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    keep = mask > 0  # [N, T]
    delta = trainer_logp.detach().to(torch.float64) - engine_logp.to(trainer_logp.device, torch.float64)  # [N, T]
    return torch.where(keep, delta, torch.zeros_like(delta))  # [N, T]  0 at masked positions


def rollout_gap_metrics(trainer_logp: torch.Tensor, engine_logp: torch.Tensor,
                        response_mask: torch.Tensor) -> dict[str, float]:
    """``rollout/logprob_diff_mean``, ``rollout/logprob_diff_max`` (|log π_trainer − log π_engine| over response
    tokens) and ``rollout/kl`` (k3 estimate of KL(π_engine ‖ π_trainer), token mean). Shapes ``[N, T]``.

    Example (δ = +0.1, −0.3 on two tokens, a third masked)::

        >>> m = rollout_gap_metrics(torch.tensor([[-1.0, -2.3, 5.0]]), torch.tensor([[-1.1, -2.0, 0.0]]),
        ...                         torch.tensor([[1.0, 1.0, 0.0]]))
        >>> round(m["rollout/logprob_diff_mean"], 4), round(m["rollout/logprob_diff_max"], 4)
        (0.2, 0.3)
        >>> round(m["rollout/kl"], 5)   # ((e^0.1 − 1.1) + (e^-0.3 − 0.7)) / 2
        0.02299
    """
    mask = (response_mask > 0).to(torch.float64)  # [N, T]
    delta = _log_ratio(trainer_logp, engine_logp, response_mask)  # [N, T]
    tokens = mask.sum().clamp(min=1.0)
    k3 = torch.exp(delta.clamp(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)) - delta - 1.0  # [N, T]
    return {
        "rollout/logprob_diff_mean": (delta.abs() * mask).sum().div(tokens).item(),
        "rollout/logprob_diff_max": (delta.abs() * mask).max().item() if mask.any() else 0.0,
        "rollout/kl": (k3 * mask).sum().div(tokens).item(),
    }


def rollout_correction(trainer_logp: torch.Tensor, engine_logp: torch.Tensor, response_mask: torch.Tensor, *,
                       is_mode: str = "off", rs_mode: str = "off", threshold: float = 2.0,
                       ) -> tuple[torch.Tensor | None, torch.Tensor, dict[str, float]]:
    """Truncated IS weights and a rejection mask for the engine–trainer gap.

    Args:
        trainer_logp, engine_logp: ``[N, T]`` log-probs of the sampled tokens (trainer at the sampling weights;
            engine as recorded).
        response_mask: ``[N, T]`` float, 1 on response tokens.
        is_mode: ``off`` | ``token`` (w_t = min(ρ_t, C)) | ``sequence`` (w = min(ρ_i, C) on all of response i).
        rs_mode: ``off`` | ``token`` (drop tokens with ρ_t ∉ [1/C, C]) | ``sequence`` (drop responses with
            ρ_i ∉ [1/C, C]).
        threshold: C > 1 (``algorithm.rollout_is_threshold``, default 2).

    Returns:
        ``(weights, mask, metrics)``: ``weights`` ``[N, T]`` (no gradient) or None when ``is_mode`` is off;
        ``mask`` = ``response_mask`` with the rejected tokens zeroed; metrics ``rollout/is_weight_mean`` (mean w
        over the kept tokens), ``rollout/is_truncated_frac`` (share of tokens whose ρ exceeded C),
        ``rollout/rs_masked_frac`` (share of response tokens masked) and ``rollout/rs_masked_seq_frac`` (share
        of responses that lost every token).

    Example (C = 2; token ratios e^1 = 2.72, e^-0.5 = 0.61, e^-1 = 0.37)::

        >>> tr, en = torch.tensor([[0.0, -0.5, -1.0]]), torch.zeros(1, 3)
        >>> w, keep, m = rollout_correction(tr, en, torch.ones(1, 3), is_mode="token", rs_mode="token")
        >>> w   # min(ρ, 2) on the original positions: [1, e^-0.5, e^-1]
        tensor([[1.0000, 0.6065, 0.3679]])
        >>> keep   # e^-1 < 1/2: rejected
        tensor([[1., 1., 0.]])
    """
    for key, mode in (("rollout_is", is_mode), ("rollout_rs", rs_mode)):
        if mode not in CORRECTION_MODES:
            raise ValueError(f"unknown {key} mode {mode!r}; choose one of {CORRECTION_MODES}")
    if not threshold > 1.0:
        raise ValueError(f"rollout_is_threshold must be > 1, got {threshold}")
    mask = (response_mask > 0).to(torch.float64)  # [N, T]
    delta = _log_ratio(trainer_logp, engine_logp, response_mask)  # [N, T]
    token_log_ratio = delta.clamp(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)  # [N, T]
    seq_log_ratio = delta.sum(dim=1, keepdim=True).clamp(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP)  # [N, 1]
    log_c = torch.log(torch.tensor(float(threshold), dtype=torch.float64))

    keep = mask.clone()  # [N, T]
    if rs_mode != "off":
        log_r = token_log_ratio if rs_mode == "token" else seq_log_ratio.expand_as(mask)  # [N, T]
        keep = keep * (log_r.abs() <= log_c).to(keep.dtype)  # [N, T]  ρ ∈ [1/C, C]
    weights = None
    metrics: dict[str, float] = {}
    tokens = mask.sum().clamp(min=1.0)
    if is_mode != "off":
        log_r = token_log_ratio if is_mode == "token" else seq_log_ratio.expand_as(mask)  # [N, T]
        weights = torch.exp(log_r.clamp(max=log_c.item()))  # [N, T]  min(ρ, C)
        metrics["rollout/is_weight_mean"] = ((weights * keep).sum() / keep.sum().clamp(min=1.0)).item()
        metrics["rollout/is_truncated_frac"] = (((log_r > log_c).to(mask.dtype) * mask).sum() / tokens).item()
        weights = torch.where(mask > 0, weights, torch.ones_like(weights)).to(trainer_logp.dtype)
    had_tokens = mask.sum(dim=1) > 0  # [N]
    lost_all = had_tokens & (keep.sum(dim=1) == 0)  # [N]
    metrics["rollout/rs_masked_frac"] = ((mask - keep).sum() / tokens).item()
    metrics["rollout/rs_masked_seq_frac"] = (lost_all.sum() / had_tokens.sum().clamp(min=1)).item()
    return weights, keep.to(response_mask.dtype), metrics
