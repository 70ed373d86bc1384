"""The training loop: rollout → score → advantage → update → sync → log/checkpoint, top to bottom.

Shapes: B prompts per step, G completions per prompt, N = B·G sequences, T response tokens.

One RL step is three public functions (in ``mmagrae/trainer/step.py``, importable from here) that a benchmark,
a notebook or a test can call on their own:

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

import os
import time
from pathlib import Path
from typing import Any

import torch

from mmagrae.config import Config
from mmagrae.models import build_policy, load_adapter, load_reference, pad_token_id, resolve_model_path
from mmagrae.trainer import checkpoint as ckpt
from mmagrae.trainer.builders import (
    PromptSampler,
    build_optimizer,
    build_scorer,
    eprint,
    load_prompts,
    seed_everything,
    validation_source,
)
from mmagrae.trainer.distributed import DistInfo, Updater, all_reduce_mean, init_distributed
from mmagrae.trainer.run_folder import check_run_folder, record_run
from mmagrae.trainer.step import (  # the step's parts live in step.py; importable from here too
    OOM_HINT,
    Phase,
    RolloutBatch,
    StepAdvantages,
    TrainingAborted,
    _timer,
    collect_rollouts,
    compute_step_advantages,
    select_groups,
    update,
)

__all__ = ["OOM_HINT", "Phase", "RolloutBatch", "StepAdvantages", "TrainingAborted", "TrainingInterrupted",
           "collect_rollouts", "compute_step_advantages", "select_groups", "train", "update", "validate"]

class TrainingInterrupted(RuntimeError):
    """Ctrl-C: ``step`` is the RL step that was running (0 = during set-up)."""

    def __init__(self, step: int) -> None:
        super().__init__(f"interrupted at step {step}; run the same command to resume")
        self.step = step


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


