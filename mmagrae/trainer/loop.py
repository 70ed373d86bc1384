"""The training loop: rollout → score → advantage → update → sync → log/checkpoint, top to bottom.

Shapes: B prompts per step, G completions per prompt, N = B·G sequences, T response tokens.

One RL step is three public functions that a benchmark, a notebook or a test can call on their own:

1. :func:`collect_rollouts` → :class:`RolloutBatch` – sample B prompts (deterministic order, resumable),
   generate G completions each with the engine (transformers or vLLM; the loop never branches on which), and
   **score** them: reward = 0.9·accuracy + 0.1·format by default; correctness (not the mixed reward) defines the
   group success rate p and the training state ω. ``algorithm.dynamic_sampling=refill`` adds rounds.
2. :func:`compute_step_advantages` → :class:`StepAdvantages` – ``compute_advantages(rewards[B, G],
   correct=...)`` (arXiv 2602.05548 for A-GRAE); ω is the batch mean correctness over all ranks. Dynamic
   sampling picks the groups that enter the update.
3. :func:`update` → metrics – μ epochs over mini-batches; each mini-batch is one optimizer step with gradient
   accumulation over micro-batches, each micro-batch's loss scaled by ``micro_batch_loss_weights`` so that the
   sum equals the mini-batch's aggregation. Old log-probs are computed once (only when μ > 1 or there are
   several mini-batches; otherwise the ratio is 1 and the detached current log-probs serve), reference log-probs
   once when KL is on.

:func:`train` runs them, then **syncs** the new weights to the engine (no-op for transformers, in-place reload
for vLLM), **logs** (metrics.jsonl, TensorBoard, optional wandb), **validates** (greedy accuracy) and writes
atomic **checkpoints** that ``trainer.resume=auto`` continues from exactly (the run folder's rules:
``mmagrae.trainer.run_folder``).

Simplifications, stated: one rollout per step (no asynchronous generation); the loss sees the advantage of a
whole response on each of its tokens (no value model, no per-token credit); in multi-process runs every rank
generates for its own B / world prompts with its own engine.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from mmagrae.algos import advantage_metrics, compute_advantages, compute_policy_loss
from mmagrae.algos.dynamic_sampling import informative_groups
from mmagrae.algos.losses import micro_batch_loss_weights, policy_loss_parameters
from mmagrae.algos.rollout_correction import pad_logprobs, rollout_correction, rollout_gap_metrics
from mmagrae.config import Config
from mmagrae.models import build_policy, load_adapter, load_reference, pad_token_id, resolve_model_path
from mmagrae.trainer import checkpoint as ckpt
from mmagrae.trainer.components import (
    PromptSampler,
    build_optimizer,
    build_scorer,
    eprint,
    load_prompts,
    seed_everything,
    validation_source,
)
from mmagrae.trainer.distributed import DistInfo, Updater, all_reduce_mean, all_reduce_sum, init_distributed
from mmagrae.trainer.peak_memory import measure_peak
from mmagrae.trainer.run_folder import check_run_folder, record_run

if TYPE_CHECKING:
    from mmagrae.rollout import Completion, Engine, Prompt, SamplingConfig

OOM_HINT = ("out of memory: lower algorithm.micro_batch_size, rollout.max_new_tokens or "
            "rollout.gpu_memory_utilization, or set model.gradient_checkpointing=true / a ZeRO-3 "
            "distributed.deepspeed config")

Phase = Callable[[str], contextlib.AbstractContextManager]
"""``phase("forward")`` → a context manager around that part of :func:`update` (timing hooks; default: none)."""


class TrainingAborted(RuntimeError):
    """Raised when training cannot go on (repeated non-finite losses, out of memory)."""


class TrainingInterrupted(RuntimeError):
    """Ctrl-C: ``step`` is the RL step that was running (0 = during set-up)."""

    def __init__(self, step: int) -> None:
        super().__init__(f"interrupted at step {step}; run the same command to resume")
        self.step = step


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

    @property
    def engine_logprobs(self) -> list[list[float]]:
        """[N][T_n] per generated token, the engine's log-probability (N = B'·G, prompt-major)."""
        return [c.logprobs for cs in self.completions for c in cs]

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


# ==================================================================== the loop


def train(cfg: Config) -> dict[str, Any]:
    """Run ``cfg.trainer.max_steps`` RL steps; returns a summary dict (also written to summary.json).

    Raises ``RunFolderError`` (before anything is written) when ``trainer.output_dir`` holds another run,
    :class:`TrainingInterrupted` on Ctrl-C, :class:`TrainingAborted`, ``CheckpointWriteError``.
    """
    progress = {"step": 0}
    try:
        return _train(cfg, progress)
    except KeyboardInterrupt:
        raise TrainingInterrupted(progress["step"]) from None


def _train(cfg: Config, progress: dict[str, int]) -> dict[str, Any]:
    from mmagrae.rollout import SamplingConfig, build_engine

    t = cfg.trainer
    out_dir = Path(t.output_dir)
    folder = check_run_folder(out_dir, cfg, t.resume)  # refuses before anything is written or loaded
    info = init_distributed(t.device, cfg.distributed.backend, need_group=cfg.distributed.deepspeed is not None)
    _quiet_libraries()
    cache_dir = out_dir / "cache"
    log = eprint if info.is_main else (lambda *a: None)
    if info.is_main:
        record_run(folder, cfg)
        if folder.changes:
            log(f"[train] trainer.resume=force: continuing with a changed config (recorded in "
                f"{out_dir / 'config_history.jsonl'})")
    seed_everything(t.seed)
    if t.prompts_per_step % info.world_size:
        raise ValueError(f"trainer.prompts_per_step={t.prompts_per_step} must divide by the {info.world_size} processes")
    local_b = t.prompts_per_step // info.world_size

    # ---------------------------------------------------------------- set-up
    model_path = _main_first(info, lambda: resolve_model_path(cfg.model.path, cache_dir, seed=t.seed))
    resume_from = ckpt.resolve_resume("auto" if t.resume == "force" else t.resume, out_dir)
    # a resumed full-model run loads its weights from the checkpoint (HF format); LoRA loads the base model
    # and then the adapter
    weights_path = str(resume_from) if resume_from is not None and not cfg.model.lora.enabled else model_path
    model, processor = build_policy(cfg.model, weights_path, info.device)
    pad_id = pad_token_id(processor)
    train_prompts = _main_first(info, lambda: load_prompts(cfg, processor, cfg.data.train, cfg.data.split, cache_dir / "data",
                                                           limit=cfg.data.limit, log=log))
    # the supervised warm start runs before DeepSpeed takes over the parameters, and its result is saved: it is
    # the policy RL starts from, so it is also the KL reference (now and after a resume)
    warm_dir = out_dir / "warm_start"
    warm_metrics: dict[str, float] = {}
    if resume_from is None and t.warm_start_steps > 0:
        from mmagrae.trainer.warm_start import supervised_warm_start

        warm_metrics = supervised_warm_start(model, processor, train_prompts, cfg, info, pad_id)
        log(f"[train] warm start: {t.warm_start_steps} supervised steps, loss "
            f"{warm_metrics['warm_start/loss_first']:.4f} → {warm_metrics['warm_start/loss_last']:.4f}")
        if cfg.derived.needs_reference and info.is_main:
            _save_reference(model, processor, warm_dir)
        if info.world_size > 1:
            torch.distributed.barrier()
    ref_path = str(warm_dir) if t.warm_start_steps > 0 and (warm_dir / "COMPLETE").exists() else model_path
    ref_model = load_reference(cfg.model, ref_path, info.device)[0] if cfg.derived.needs_reference else None
    optimizer, scheduler = build_optimizer(cfg, model)
    updater = Updater(model, optimizer, scheduler, cfg, info)
    val_source, why_not = validation_source(cfg)
    if why_not:
        log(f"[train] no validation: {why_not}")
    val_prompts = (load_prompts(cfg, processor, val_source, cfg.data.val_split, cache_dir / "data", limit=t.val_limit, log=log)
                   if val_source else [])
    sampler = PromptSampler(len(train_prompts), seed=t.seed + 7919 * info.rank, shuffle=cfg.data.shuffle)
    score = build_scorer(cfg)
    engine = build_engine(cfg.rollout.backend, model_path, model=updater.module, processor=processor,
                          dtype=str(next(model.parameters()).dtype).replace("torch.", ""),
                          gpu_memory_utilization=cfg.rollout.gpu_memory_utilization,
                          tensor_parallel_size=cfg.rollout.tensor_parallel_size,
                          max_model_len=cfg.data.max_prompt_length + cfg.rollout.max_new_tokens,
                          batch_size=cfg.rollout.batch_size, shared_prefix=cfg.rollout.shared_prefix,
                          seed=t.seed + info.rank,
                          enable_sleep_mode=cfg.rollout.sleep_between_steps)
    sampling = SamplingConfig(temperature=cfg.rollout.temperature, top_p=cfg.rollout.top_p, top_k=cfg.rollout.top_k,
                              max_new_tokens=cfg.rollout.max_new_tokens)

    # ---------------------------------------------------------------- resume
    start_step, bad_steps = 0, 0
    if resume_from is not None:
        state = ckpt.load_trainer_state(resume_from)
        updater.load_checkpoint(resume_from, state)
        if cfg.model.lora.enabled:
            load_adapter(updater.module, resume_from)
        sampler.load_state_dict(state["sampler"])
        ckpt.set_rng_state(state["rng"])
        start_step, bad_steps = int(state["step"]), int(state.get("bad_steps", 0))
        engine.sync_weights(updater.module)
        log(f"[train] resumed from {resume_from} at step {start_step}")

    from mmagrae.trainer.tracking import Tracker

    tracker = Tracker(out_dir, cfg, enabled=info.is_main, total_steps=t.max_steps, initial_step=start_step)
    try:
        if warm_metrics:
            tracker.log(0, warm_metrics, kind="warm_start")
        if start_step == 0 and val_prompts:
            tracker.log(0, validate(engine, val_prompts, score, cfg, info), kind="eval")

        summary: dict[str, Any] = {}
        for step in range(start_step, t.max_steps):
            progress["step"] = step + 1
            step_start = time.perf_counter()
            torch.manual_seed(t.seed * 100_003 + step * 1009 + info.rank)  # per-step seed: resumable sampling
            timings: dict[str, float] = {}

            # -------------------------------------------------------- 1. rollout + 2. score
            batch = collect_rollouts(engine, train_prompts, sampler, score, cfg, info, sampling=sampling,
                                     timings=timings)
            # -------------------------------------------------------- 3. advantage
            with _timer(timings, "time/advantage"):
                adv = compute_step_advantages(batch, cfg, info)
            # -------------------------------------------------------- 4. update
            with _timer(timings, "time/update"):
                update_stats = update(updater, batch, adv.advantages, cfg, processor=processor, pad_id=pad_id,
                                      ref_model=ref_model, groups=adv.groups)
            finite = not update_stats["skipped"]
            if finite:
                bad_steps = 0
            else:
                bad_steps += 1
                log(f"[train] step {step + 1}: non-finite loss, update skipped ({bad_steps} in a row)")
                if bad_steps >= t.max_bad_steps:
                    raise TrainingAborted(
                        f"{bad_steps} consecutive steps had a NaN/inf loss; last metrics: {update_stats}. "
                        "Lower optim.lr, check the reward function, or raise trainer.max_bad_steps.")
            # -------------------------------------------------------- 5. sync weights to the engine
            with _timer(timings, "time/sync"):
                if finite:
                    engine.sync_weights(updater.module)

            # -------------------------------------------------------- 6. log / validate / checkpoint
            timings["time/step"] = time.perf_counter() - step_start
            lengths = batch.lengths()  # [N']
            metrics = {
                **batch.metrics(),
                "data/groups_updated": float(len(adv.groups)), "data/rollout_rounds": float(batch.rounds),
                "lr": updater.lr(), "skipped": float(not finite),
                "perf/tokens_per_s": lengths.sum().item() / timings["time/step"],
                "perf/samples_per_s": len(lengths) / timings["time/step"],
                "perf/peak_mem_mib": max((v for k, v in timings.items() if k.startswith("perf/peak_mem_mib/")),
                                         default=0.0),  # the step's peak over its phases
                **adv.metrics, **update_stats, **timings,
            }
            metrics = all_reduce_mean(metrics, info)
            if (step + 1) % cfg.logging.log_every == 0 or step + 1 == t.max_steps:
                tracker.log(step + 1, metrics)
            tracker.progress(step + 1, metrics)
            summary = metrics
            if val_prompts and t.eval_every and (step + 1) % t.eval_every == 0 and step + 1 < t.max_steps:
                tracker.log(step + 1, validate(engine, val_prompts, score, cfg, info), kind="eval")
            if (t.save_every and (step + 1) % t.save_every == 0) or step + 1 == t.max_steps:
                state = {"step": step + 1, "bad_steps": bad_steps, "sampler": sampler.state_dict(),
                         "rng": ckpt.rng_state()}
                updater.save_checkpoint(out_dir, step + 1, processor=processor, trainer_state=state,
                                        keep_last=t.keep_last, run_id=folder.run_id)

        final_eval = validate(engine, val_prompts, score, cfg, info) if val_prompts else {}
        if final_eval:
            tracker.log(t.max_steps, final_eval, kind="eval")
    finally:
        tracker.close()
    result = {"last_step": t.max_steps, "final": summary, "final_eval": final_eval, "output_dir": str(out_dir)}
    if info.is_main:
        import json

        (out_dir / "summary.json").write_text(json.dumps(result, indent=2, default=float))
    return result


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
        # temperature-1 log-prob at the sampling weights (docs/ROLLOUT.md); IS weights / rejection need it before
        # the first loss, otherwise the first pass's log-probs serve (free when temperature is 1)
        engine_logps = [pad_logprobs([c.logprobs for cs in completions[s.start // group:s.stop // group] for c in cs],
                                     b["responses"].shape[1]).to(device)
                        for s, b in zip(micro_slices, batches, strict=True)]
        gap_masks = list(host_masks)  # the gap is measured over every response token, rejected ones included
        correcting = a.rollout_is != "off" or a.rollout_rs != "off"
        gap: list[dict[str, float] | None] = [None] * len(batches)
        is_weights: list[torch.Tensor | None] = [None] * len(batches)
        with torch.no_grad():
            for i, b in enumerate(batches):
                if d.needs_old_logp:
                    old_logps[i], _ = compute_token_logprobs(updater.forward_model, b, temperature=cfg.rollout.temperature)
                if ref_model is not None:
                    ref_logps[i], _ = compute_token_logprobs(ref_model, b, temperature=cfg.rollout.temperature)
                trainer_logp = old_logps[i] if cfg.rollout.temperature == 1.0 else None  # [n, T]
                if trainer_logp is None and (correcting or cfg.rollout.temperature != 1.0):
                    trainer_logp, _ = compute_token_logprobs(updater.forward_model, b, temperature=1.0)  # [n, T]
                if trainer_logp is not None:
                    gap[i] = rollout_gap_metrics(trainer_logp, engine_logps[i], b["response_mask"])
                if correcting:
                    is_weights[i], keep, corr = rollout_correction(
                        trainer_logp, engine_logps[i], b["response_mask"], is_mode=a.rollout_is, rs_mode=a.rollout_rs,
                        threshold=a.rollout_is_threshold)
                    b["response_mask"], host_masks[i] = keep, keep.cpu()  # rejected tokens leave the loss
                    gap[i] = {**gap[i], **corr}
    loss_options = {"clip_low": d.clip_low, "clip_high": d.clip_high, "dual_clip": a.dual_clip, "agg": d.loss_agg,
                    "tau_pos": a.tau_pos, "tau_neg": a.tau_neg}
    declared = policy_loss_parameters(a.policy_loss)
    loss_options = {k: v for k, v in loss_options.items() if k in declared}

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
                        logp, entropy = compute_token_logprobs(updater.forward_model, b,
                                                               temperature=cfg.rollout.temperature, with_entropy=True,
                                                               entropy_grad=a.entropy_coef != 0)  # [n, T]
                        old = old_logps[i] if old_logps[i] is not None else logp.detach()
                        if gap[i] is None:  # first pass, temperature 1: these are the sampling weights' log-probs
                            gap[i] = rollout_gap_metrics(logp.detach(), engine_logps[i], b["response_mask"])
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


# ==================================================================== validation


@torch.no_grad()
def validate(engine: Any, prompts: list, score: Any, cfg: Config, info: DistInfo) -> dict[str, float]:
    """Greedy accuracy and mean reward on the validation prompts (split over ranks)."""
    from mmagrae.rollout import SamplingConfig

    usable = len(prompts) - len(prompts) % info.world_size  # equal shares: ranks generate in lockstep
    mine = prompts[:usable][info.rank::info.world_size]
    if not mine:
        return {}
    sampling = SamplingConfig(temperature=0.0, max_new_tokens=cfg.rollout.max_new_tokens)
    engine.wake_up()
    outs = engine.generate(mine, n=1, sampling=sampling)
    engine.sleep()
    reward, correct, fmt, _ = score([o[0].text for o in outs], [p.row for p in mine])
    return all_reduce_mean({"eval/accuracy": correct.float().mean().item(), "eval/reward": reward.mean().item(),
                            "eval/format": fmt.mean().item(), "eval/n": float(len(mine))}, info)


# ==================================================================== helpers


def _save_reference(model: torch.nn.Module, processor: Any, path: Path) -> None:
    """Write the warm-started policy (HF format, atomically) for the KL reference."""
    import shutil

    tmp = path.with_name(path.name + ".tmp")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        ckpt.save_hf_model(model, tmp)
        processor.save_pretrained(tmp)
        (tmp / "COMPLETE").write_text("warm start")
        ckpt.apply_umask(tmp)
    except Exception as err:  # a full disk: OSError, SafetensorError or RuntimeError
        reason = ckpt.write_error_reason(err, path.parent)
        shutil.rmtree(tmp, ignore_errors=True)
        raise ckpt.CheckpointWriteError(f"could not write the warm-started policy to {path}: {reason}") from err
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)


def _quiet_libraries() -> None:
    """Our progress bar and log lines are the console; silence the libraries' per-call bars."""
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()


def _main_first(info: DistInfo, fn: Any) -> Any:
    """Run ``fn`` on rank 0 first (it may build files), then on the other ranks."""
    if info.world_size == 1:
        return fn()
    if info.is_main:
        result = fn()
        torch.distributed.barrier()
        return result
    torch.distributed.barrier()
    return fn()


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
