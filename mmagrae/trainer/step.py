"""One RL step as three public functions: :func:`collect_rollouts` → :func:`compute_step_advantages` →
:func:`update`, and the typed data between them (:class:`RolloutBatch`, :class:`StepAdvantages`).

``mmagrae.trainer.loop.train`` runs them every step (and re-exports them); a benchmark, a notebook or a test
calls them the same way (``scripts/gpu_check.py`` does). Shapes: B prompts, G completions per prompt,
N = B·G sequences, T response tokens.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from mmagrae.algos import advantage_metrics, compute_advantages, compute_policy_loss
from mmagrae.algos.dynamic_sampling import informative_groups
from mmagrae.algos.losses import micro_batch_loss_weights
from mmagrae.algos.rollout_correction import pad_logprobs, rollout_correction, rollout_gap_metrics
from mmagrae.config import Config
from mmagrae.trainer.builders import PromptSampler
from mmagrae.trainer.distributed import DistInfo, Updater, all_reduce_sum
from mmagrae.trainer.peak_memory import measure_peak

if TYPE_CHECKING:
    from mmagrae.rollout import Completion, Engine, Prompt, SamplingConfig

OOM_HINT = ("out of memory: lower algorithm.micro_batch_size, rollout.max_new_tokens or "
            "rollout.gpu_memory_utilization, or set model.gradient_checkpointing=true / a ZeRO-3 "
            "distributed.deepspeed config")

Phase = Callable[[str], contextlib.AbstractContextManager]
"""``phase("forward")`` → a context manager around that part of :func:`update` (timing hooks; default: none)."""


class TrainingAborted(RuntimeError):
    """Raised when training cannot go on (repeated non-finite losses, out of memory)."""


# ==================================================================== the step's data


@dataclass
class RolloutBatch:
    """One step's rollouts, scored. B' = the prompts sampled (B, or more after refill rounds).

    ``completions[b][g]`` continues ``prompts[b]``; the ``[B', G]`` tensors follow the same order.
    """

    prompts: list[Prompt]
    """[B'] the sampled prompts (each carries its data row in ``.row``)."""
    completions: list[list[Completion]]
    """[B'][G] token ids, text, engine log-probs and finish reason of every sample."""
    rewards: torch.Tensor
    """[B', G] float: the configured reward."""
    correct: torch.Tensor
    """[B', G] bool: verified correct (defines p and ω)."""
    format: torch.Tensor
    """[B', G] float: the format reward component (1 = the expected answer format)."""
    data_errors: int
    """samples whose gold answer could not be read (scored 0; ``data/bad_gold``)."""
    rounds: int
    """rollout rounds taken (1, or more with ``dynamic_sampling=refill``)."""

    def lengths(self) -> torch.Tensor:
        """[N] float: tokens per completion."""
        return torch.tensor([len(c.token_ids) for cs in self.completions for c in cs], dtype=torch.float32)

    def metrics(self) -> dict[str, float]:
        """``reward/*``, ``response/*``, ``data/bad_gold``, ``data/rollout_rounds`` of this batch (this rank)."""
        lengths = self.lengths()  # [N]
        rewards = self.rewards
        clipped = sum(c.finish_reason == "length" for cs in self.completions for c in cs)
        return {
            "reward/mean": rewards.mean().item(), "reward/std": rewards.std().item() if rewards.numel() > 1 else 0.0,
            "reward/accuracy": self.correct.float().mean().item(), "reward/format": self.format.mean().item(),
            "response/length_mean": lengths.mean().item(), "response/length_max": lengths.max().item(),
            "response/clipped_frac": float(clipped) / len(lengths),
            "data/bad_gold": float(self.data_errors),
        }


@dataclass
class StepAdvantages:
    """What :func:`compute_step_advantages` returns."""

    advantages: torch.Tensor
    """[B', G] one advantage per completion."""
    omega: float
    """ω: the training state used (batch mean correctness over all ranks, or ``algorithm.omega``)."""
    groups: list[int]
    """indices of the groups that enter the update (all; or, with dynamic sampling, those whose rewards vary)."""
    metrics: dict[str, float]
    """``adv/*`` statistics (``advantage_metrics``)."""


# ==================================================================== 1. rollout + 2. score


def collect_rollouts(engine: Engine, prompts: list[Prompt], sampler: PromptSampler, score: Any, cfg: Config,
                     info: DistInfo, *, sampling: SamplingConfig,
                     timings: dict[str, float] | None = None) -> RolloutBatch:
    """Sample this rank's B / world prompts, generate G completions each, and score them.

    With ``algorithm.dynamic_sampling=refill`` it samples further rounds (at most ``max_refill_rounds``) until
    every rank has at least B groups whose rewards vary; every rank takes the same number of rounds.
    ``score(texts[N], rows[N]) -> (reward[N], correct[N], format[N], data_errors)`` is ``build_scorer(cfg)``.
    ``timings`` (optional) accumulates ``time/rollout`` and ``time/score`` in seconds.
    """
    timings = {} if timings is None else timings
    group, local_b = cfg.rollout.n, cfg.trainer.prompts_per_step // info.world_size
    taken: list = []
    completions: list = []
    rewards, correct, fmt, data_errors, rounds = [], [], [], 0, 0
    while True:
        with _timer(timings, "time/rollout"):
            batch = [prompts[i] for i in sampler.next(local_b)]
            engine.wake_up()
            outs = engine.generate(batch, n=group, sampling=sampling)  # [B][G]
            engine.sleep()
        with _timer(timings, "time/score"):
            texts = [c.text for cs in outs for c in cs]  # [N]
            rows = [p.row for p in batch for _ in range(group)]  # [N]
            r, c, f, errors = score(texts, rows)
        taken += batch
        completions += outs
        rewards.append(r.view(len(batch), group))  # [B, G]
        correct.append(c.view(len(batch), group))
        fmt.append(f.view(len(batch), group))
        data_errors += errors
        rounds += 1
        if cfg.algorithm.dynamic_sampling != "refill" or rounds > cfg.algorithm.max_refill_rounds:
            break
        # groups with a learning signal (mixed correctness, or varied rewards: algorithm.dynamic_sampling_metric)
        informative = int(informative_groups(torch.cat(rewards), torch.cat(correct),
                                             cfg.algorithm.dynamic_sampling_metric).sum())
        # every rank takes the same number of rounds (generation is collective under ZeRO-3)
        short = all_reduce_sum(torch.tensor([float(informative < local_b)]), info)
        if short.item() == 0:
            break
    return RolloutBatch(prompts=taken, completions=completions, rewards=torch.cat(rewards),  # [B', G]
                        correct=torch.cat(correct), format=torch.cat(fmt), data_errors=data_errors, rounds=rounds)


# ==================================================================== 3. advantage


def compute_step_advantages(batch: RolloutBatch, cfg: Config, info: DistInfo) -> StepAdvantages:
    """Advantages ``[B', G]`` of a rollout batch with the configured estimator, ω over all ranks, and the groups
    that enter the update (dynamic sampling ``drop``/``refill``: those whose rewards vary, at most B / world)."""
    a = cfg.algorithm
    rewards, correct = batch.rewards, batch.correct  # [B', G]
    totals = all_reduce_sum(torch.tensor([correct.sum().item(), correct.numel()], dtype=torch.float64), info)
    omega = a.omega if a.omega is not None else float(totals[0] / totals[1])
    advantages = compute_advantages(rewards, estimator=a.estimator, correct=correct, alpha=a.alpha,
                                    use_ddas=a.use_ddas, use_ass=a.use_ass, std=a.std, omega=omega,
                                    beta=a.beta)  # [B', G]
    stats = advantage_metrics(rewards, advantages, correct, omega=omega,
                              alpha=a.alpha if a.estimator == "agrae" and a.use_ass else None)
    groups = select_groups(rewards, cfg, cfg.trainer.prompts_per_step // info.world_size, correct=correct)
    return StepAdvantages(advantages=advantages, omega=omega, groups=groups, metrics=stats)


def select_groups(rewards: torch.Tensor, cfg: Config, local_b: int, *,
                  correct: torch.Tensor | None = None) -> list[int]:
    """Dynamic sampling: which groups enter the update (all; or, at most B, those whose correctness varies —
    ``algorithm.dynamic_sampling_metric=accuracy`` — or whose rewards vary — ``reward``). Without ``correct``
    the rewards decide."""
    if cfg.algorithm.dynamic_sampling == "off":
        return list(range(rewards.shape[0]))
    metric = cfg.algorithm.dynamic_sampling_metric if correct is not None else "reward"
    varied = informative_groups(rewards, rewards if correct is None else correct, metric)  # [B'] bool
    return varied.nonzero().flatten().tolist()[:local_b]


# ==================================================================== 4. update


def update(updater: Updater, batch: RolloutBatch, advantages: torch.Tensor, cfg: Config, *, processor: Any,
           pad_id: int, ref_model: torch.nn.Module | None = None, groups: list[int] | None = None,
           phase: Phase | None = None) -> dict[str, float]:
    """μ epochs of mini-batch optimizer steps on one rollout batch; returns the mean metrics.

    Args:
        updater: the policy behind backward/step (plain torch or DeepSpeed).
        batch, advantages: the rollouts and their ``[B', G]`` advantages.
        groups: which groups enter (``StepAdvantages.groups``); None = all.
        ref_model: the frozen KL reference (None when ``kl_coef`` is 0).
        phase: optional timing hook called as ``with phase("prepare" | "forward" | "backward" | "optimizer")``.

    Returns ``loss/*`` (averaged over micro-batches), ``grad_norm`` (averaged over optimizer steps) and
    ``skipped`` (1.0 when a loss or gradient was not finite: those optimizer steps were discarded).
    """
    from mmagrae.rollout import build_policy_batch, compute_token_logprobs
    from mmagrae.rollout.packing import mask_dtype_for, pack_policy_batch, supports_packing

    a, d = cfg.algorithm, cfg.derived
    phase = phase or (lambda _name: contextlib.nullcontext())
    group = cfg.rollout.n
    groups = list(range(len(batch.prompts))) if groups is None else groups
    prompts = [batch.prompts[i] for i in groups]
    completions = [batch.completions[i] for i in groups]
    if not prompts:  # every group was dropped by dynamic sampling
        return {"loss/total": 0.0, "skipped": 0.0}
    flat_adv = advantages[groups].reshape(-1)  # [N]
    n = len(prompts) * group
    max_len = cfg.rollout.max_new_tokens
    # micro-batches hold whole groups, so each prompt's images are processed once; they are built once and
    # reused by every epoch
    with phase("prepare"):
        micro_prompts = max(1, a.micro_batch_size // group)
        micro_slices = [slice(i * group, min(i + micro_prompts, len(prompts)) * group)
                        for i in range(0, len(prompts), micro_prompts)]
        batches = [build_policy_batch(processor, prompts[s.start // group:s.stop // group],
                                      completions[s.start // group:s.stop // group], pad_token_id=pad_id)
                   for s in micro_slices]
        # response masks stay on the host: the micro-batch weights need no device sync in the loop below
        host_masks = [b["response_mask"] for b in batches]
        if a.padding_free and supports_packing(updater.module):  # one row per group, the prompt once
            batches = [pack_policy_batch(b, dtype=mask_dtype_for(updater.module)) for b in batches]
        device = next(updater.module.parameters()).device
        batches = [{k: (v.to(device) if torch.is_tensor(v) else v) for k, v in b.items()} for b in batches]
        old_logps: list[torch.Tensor | None] = [None] * len(batches)
        ref_logps: list[torch.Tensor | None] = [None] * len(batches)
        # engine-trainer gap: the engines report raw (temperature-1) log-probs, so the trainer side is its own
        # temperature-1 log-prob at the sampling weights (docs/ROLLOUT.md), read from the same forward as the
        # temperature-scaled ones; IS weights / rejection need it before the first loss, otherwise the first
        # training pass gives it
        engine_logps = [pad_logprobs([c.logprobs for cs in completions[s.start // group:s.stop // group] for c in cs],
                                     b["responses"].shape[1]).to(device)
                        for s, b in zip(micro_slices, batches, strict=True)]
        gap_masks = list(host_masks)  # the gap is measured over every response token, rejected ones included
        correcting = a.rollout_is != "off" or a.rollout_rs != "off"
        gap: list[dict[str, float] | None] = [None] * len(batches)
        is_weights: list[torch.Tensor | None] = [None] * len(batches)
        with torch.no_grad():
            for i, b in enumerate(batches):
                trainer_logp = None  # [n, T] temperature-1 log-probs at the sampling weights
                if d.needs_old_logp:  # one forward gives both (the raw ones before dividing by the temperature)
                    old_logps[i], _, trainer_logp = compute_token_logprobs(
                        updater.forward_model, b, temperature=cfg.rollout.temperature, raw=True)
                if ref_model is not None:
                    ref_logps[i], _ = compute_token_logprobs(ref_model, b, temperature=cfg.rollout.temperature)
                if trainer_logp is None and correcting:
                    trainer_logp, _ = compute_token_logprobs(updater.forward_model, b, temperature=1.0)  # [n, T]
                if trainer_logp is not None:
                    gap[i] = rollout_gap_metrics(trainer_logp, engine_logps[i], b["response_mask"])
                if correcting:
                    is_weights[i], keep, corr = rollout_correction(
                        trainer_logp, engine_logps[i], b["response_mask"], is_mode=a.rollout_is, rs_mode=a.rollout_rs,
                        threshold=a.rollout_is_threshold)
                    b["response_mask"], host_masks[i] = keep, keep.cpu()  # rejected tokens leave the loss
                    gap[i] = {**gap[i], **corr}
    # each policy loss uses the options it declares (config.py refuses dual_clip with a loss other than ppo)
    loss_options = {"clip_low": d.clip_low, "clip_high": d.clip_high, "dual_clip": a.dual_clip, "agg": d.loss_agg,
                    "tau_pos": a.tau_pos, "tau_neg": a.tau_neg}

    prompts_per_mini = d.mini_batch_prompts if len(prompts) >= d.mini_batch_prompts else len(prompts)
    seqs_per_mini = prompts_per_mini * group
    sums: dict[str, float] = {}
    norms: list[float] = []
    count, finite = 0, True
    for _epoch in range(a.ppo_epochs):
        for start in range(0, n, seqs_per_mini):
            members = [i for i, s in enumerate(micro_slices) if start <= s.start < start + seqs_per_mini]
            # scale each micro-batch so that accumulating them equals the mini-batch's aggregation
            weights = micro_batch_loss_weights([host_masks[i] for i in members], d.loss_agg, max_len)
            step_ok = True
            for j, i in enumerate(members):
                b, s = batches[i], micro_slices[i]
                with _oom_guard():
                    with phase("forward"):
                        first = gap[i] is None  # first pass (no old log-probs): the gap metrics are read here
                        logp, entropy, *raw_logp = compute_token_logprobs(
                            updater.forward_model, b, temperature=cfg.rollout.temperature, with_entropy=True,
                            entropy_grad=a.entropy_coef != 0, raw=first)  # [n, T] each
                        old = old_logps[i] if old_logps[i] is not None else logp.detach()
                        if first:  # the temperature-1 log-probs: these are the sampling weights'
                            gap[i] = rollout_gap_metrics(raw_logp[0], engine_logps[i], b["response_mask"])
                        loss, m = compute_policy_loss(
                            logp, old, flat_adv[s].to(logp.device), b["response_mask"], policy_loss=a.policy_loss,
                            max_response_length=max_len, rollout_weights=is_weights[i], ref_logp=ref_logps[i],
                            kl_coef=d.kl_coef, kl_type=a.kl_type, kl_clamp=a.kl_clamp, entropy=entropy,
                            entropy_coef=a.entropy_coef, **loss_options)
                    if not torch.isfinite(loss):
                        step_ok = False
                        m = {**m, "loss/total": float("nan")}
                        break
                    with phase("backward"):
                        updater.backward(loss * weights[j], boundary=j == len(members) - 1)
                for k, v in m.items():
                    sums[k] = sums.get(k, 0.0) + v
                count += 1
            if step_ok:
                with phase("optimizer"):
                    norm = updater.step()
                if not math.isfinite(norm):
                    step_ok = False
                norms.append(norm)
            if not step_ok:
                updater.discard()
                finite = False
    metrics = {k: v / max(count, 1) for k, v in sums.items()}
    metrics.update(_combine_gap_metrics([(g, m) for g, m in zip(gap, gap_masks, strict=True) if g is not None]))
    if norms:
        metrics["grad_norm"] = sum(norms) / len(norms)  # mean over this step's optimizer steps
    metrics["skipped"] = float(not finite)
    return metrics


def _combine_gap_metrics(per_micro: list[tuple[dict[str, float], torch.Tensor]]) -> dict[str, float]:
    """(metrics, response mask) per micro-batch -> token-weighted means (``*_max``: the max; ``*_seq_frac``:
    weighted by responses)."""
    if not per_micro:
        return {}
    tokens = [float(m.sum()) for _, m in per_micro]
    seqs = [float((m.sum(dim=1) > 0).sum()) for _, m in per_micro]
    out: dict[str, float] = {}
    for key in per_micro[0][0]:
        values = [g[key] for g, _ in per_micro]
        if key.endswith("_max"):
            out[key] = max(values)
        else:
            w = seqs if key.endswith("_seq_frac") else tokens
            out[key] = sum(v * x for v, x in zip(values, w, strict=True)) / max(sum(w), 1.0)
    return out


@contextlib.contextmanager
def _timer(store: dict[str, float], key: str):
    """Add the block's seconds to ``store[key]`` and its peak memory to ``perf/peak_mem_mib/<phase>`` (max)."""
    start = time.perf_counter()
    memory_key = "perf/peak_mem_mib/" + key.rsplit("/", 1)[-1]
    try:
        with measure_peak() as peak:
            yield
    finally:
        store[key] = store.get(key, 0.0) + time.perf_counter() - start
        store[memory_key] = max(store.get(memory_key, 0.0), peak.mib)


@contextlib.contextmanager
def _oom_guard():
    try:
        yield
    except torch.OutOfMemoryError as err:
        raise TrainingAborted(OOM_HINT) from err
    except RuntimeError as err:
        if "out of memory" in str(err).lower():
            raise TrainingAborted(OOM_HINT) from err
        raise
