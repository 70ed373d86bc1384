"""The training loop: rollout → score → advantage → update → sync → log/checkpoint, top to bottom.

Shapes: B prompts per step, G completions per prompt, N = B·G sequences, T response tokens.

What it does, per RL step (arXiv 2602.05548 for the advantage; GRPO / DAPO / Dr.GRPO for the loss):

1. **rollout** – sample B prompts (deterministic order, resumable), generate G completions each with the
   engine (transformers or vLLM; the loop never branches on which).
2. **score** – verify each completion against its row's gold answer: reward = 0.9·accuracy + 0.1·format by
   default; correctness (not the mixed reward) defines the group success rate p and the training state ω.
3. **advantage** – ``compute_advantages(rewards[B, G], correct=...)``; ω is the batch mean correctness over
   all ranks. Optional dynamic sampling drops (or refills) groups whose rewards do not vary.
4. **update** – μ epochs over mini-batches; each mini-batch is one optimizer step with gradient accumulation
   over micro-batches. Old log-probs are computed once (only when μ > 1 or there are several mini-batches;
   otherwise the ratio is 1 and the detached current log-probs serve), reference log-probs once when KL is on.
5. **sync** – push the new weights to the engine (no-op for transformers, in-place reload for vLLM).
6. **log / validate / checkpoint** – metrics.jsonl, TensorBoard, optional wandb; greedy validation accuracy;
   atomic checkpoints that ``trainer.resume=auto`` continues from exactly.

Simplifications, stated: one rollout per step (no asynchronous generation); the loss sees the advantage of a
whole response on each of its tokens (no value model, no per-token credit); in multi-process runs every rank
generates for its own B / world prompts with its own engine.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from pathlib import Path
from typing import Any

import torch

from mmagrae.algos import advantage_metrics, compute_advantages, compute_policy_loss
from mmagrae.config import Config, dump_yaml
from mmagrae.models import build_policy, load_adapter, load_reference, pad_token_id, resolve_model_path
from mmagrae.trainer import checkpoint as ckpt
from mmagrae.trainer.components import (
    PromptSampler,
    build_optimizer,
    build_scorer,
    eprint,
    load_prompts,
    seed_everything,
)
from mmagrae.trainer.distributed import DistInfo, Updater, all_reduce_mean, all_reduce_sum, init_distributed

OOM_HINT = ("out of memory: lower algorithm.micro_batch_size, rollout.max_new_tokens or "
            "rollout.gpu_memory_utilization, or set model.gradient_checkpointing=true / a ZeRO-3 "
            "distributed.deepspeed config")


class TrainingAborted(RuntimeError):
    """Raised when training cannot go on (repeated non-finite losses, out of memory)."""


def train(cfg: Config) -> dict[str, Any]:
    """Run ``cfg.trainer.max_steps`` RL steps; returns a summary dict (also written to summary.json)."""
    from mmagrae.rollout import SamplingConfig, build_engine

    info = init_distributed(cfg.trainer.device, cfg.distributed.backend,
                            need_group=cfg.distributed.deepspeed is not None)
    _quiet_libraries()
    out_dir = Path(cfg.trainer.output_dir)
    cache_dir = out_dir / "cache"
    log = eprint if info.is_main else (lambda *a: None)
    if info.is_main:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "config.yaml").write_text(dump_yaml(cfg))
    seed_everything(cfg.trainer.seed)
    t = cfg.trainer
    if t.prompts_per_step % info.world_size:
        raise ValueError(f"trainer.prompts_per_step={t.prompts_per_step} must divide by the {info.world_size} processes")
    local_b = t.prompts_per_step // info.world_size
    group = cfg.rollout.n

    # ---------------------------------------------------------------- set-up
    model_path = _main_first(info, lambda: resolve_model_path(cfg.model.path, cache_dir, seed=t.seed))
    resume_from = ckpt.resolve_resume(t.resume, out_dir)
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
        if cfg.derived["needs_reference"] and info.is_main:
            _save_reference(model, processor, warm_dir)
        if info.world_size > 1:
            torch.distributed.barrier()
    ref_path = str(warm_dir) if t.warm_start_steps > 0 and (warm_dir / "COMPLETE").exists() else model_path
    ref_model = load_reference(cfg.model, ref_path, info.device)[0] if cfg.derived["needs_reference"] else None
    optimizer, scheduler = build_optimizer(cfg, model)
    updater = Updater(model, optimizer, scheduler, cfg, info)
    val_source = cfg.data.val or (cfg.data.train if cfg.data.train.startswith("synthetic:") else None)
    val_prompts = (load_prompts(cfg, processor, val_source, cfg.data.val_split, cache_dir / "data", limit=t.val_limit, log=log)
                   if val_source else [])
    sampler = PromptSampler(len(train_prompts), seed=t.seed + 7919 * info.rank, shuffle=cfg.data.shuffle)
    score = build_scorer(cfg)
    engine = build_engine(cfg.rollout.backend, model_path, model=updater.module, processor=processor,
                          dtype=str(next(model.parameters()).dtype).replace("torch.", ""),
                          gpu_memory_utilization=cfg.rollout.gpu_memory_utilization,
                          tensor_parallel_size=cfg.rollout.tensor_parallel_size,
                          max_model_len=cfg.data.max_prompt_length + cfg.rollout.max_new_tokens,
                          batch_size=cfg.rollout.batch_size, seed=t.seed + info.rank,
                          enable_sleep_mode=cfg.rollout.sleep_between_steps)
    sampling = SamplingConfig(temperature=cfg.rollout.temperature, top_p=cfg.rollout.top_p, top_k=cfg.rollout.top_k,
                              max_new_tokens=cfg.rollout.max_new_tokens)

    # ---------------------------------------------------------------- resume
    start_step, bad_steps = 0, 0
    if resume_from is not None:
        state = ckpt.load_trainer_state(resume_from)
        updater.load_engine_state(resume_from)
        if cfg.model.lora.enabled:
            load_adapter(updater.module, resume_from)
        updater.load_state_dict(state)
        sampler.load_state_dict(state["sampler"])
        ckpt.set_rng_state(state["rng"])
        start_step, bad_steps = int(state["step"]), int(state.get("bad_steps", 0))
        engine.sync_weights(updater.module)
        log(f"[train] resumed from {resume_from} at step {start_step}")

    from mmagrae.trainer.tracking import Tracker

    tracker = Tracker(out_dir, cfg, enabled=info.is_main, total_steps=t.max_steps, initial_step=start_step)
    if warm_metrics:
        tracker.log(0, warm_metrics, kind="warm_start")
    if start_step == 0 and val_prompts:
        tracker.log(0, validate(engine, val_prompts, score, cfg, info), kind="eval")

    summary: dict[str, Any] = {}
    for step in range(start_step, t.max_steps):
        step_start = time.perf_counter()
        torch.manual_seed(t.seed * 100_003 + step * 1009 + info.rank)  # per-step seed: resumable sampling
        timings: dict[str, float] = {}

        # ------------------------------------------------------------ 1. rollout (+ 2. score, 3. advantage)
        prompts, completions, rewards, correct, fmt, data_errors, rounds = [], [], [], [], [], 0, 0
        while True:
            with _timer(timings, "time/rollout"):
                batch = [train_prompts[i] for i in sampler.next(local_b)]
                engine.wake_up()
                outs = engine.generate(batch, n=group, sampling=sampling)  # [B][G]
                engine.sleep()
            with _timer(timings, "time/score"):
                texts = [c.text for cs in outs for c in cs]  # [N]
                rows = [p.row for p in batch for _ in range(group)]  # [N]
                r, c, f, errors = score(texts, rows)
            prompts += batch
            completions += outs
            rewards.append(r.view(len(batch), group))  # [B, G]
            correct.append(c.view(len(batch), group))
            fmt.append(f.view(len(batch), group))
            data_errors += errors
            rounds += 1
            if cfg.algorithm.dynamic_sampling != "refill" or rounds > cfg.algorithm.max_refill_rounds:
                break
            informative = int((torch.cat(rewards).std(dim=1) > 0).sum())  # groups with a learning signal
            # every rank takes the same number of rounds (generation is collective under ZeRO-3)
            short = all_reduce_sum(torch.tensor([float(informative < local_b)]), info)
            if short.item() == 0:
                break
        rewards_bg, correct_bg, fmt_bg = torch.cat(rewards), torch.cat(correct), torch.cat(fmt)  # [B', G]

        with _timer(timings, "time/advantage"):
            totals = all_reduce_sum(torch.tensor([correct_bg.sum().item(), correct_bg.numel()], dtype=torch.float64), info)
            omega = cfg.algorithm.omega if cfg.algorithm.omega is not None else float(totals[0] / totals[1])
            a = cfg.algorithm
            advantages = compute_advantages(rewards_bg, estimator=a.estimator, correct=correct_bg, alpha=a.alpha,
                                            use_ddas=a.use_ddas, use_ass=a.use_ass, std=a.std, omega=omega,
                                            beta=a.beta)  # [B', G]
            adv_stats = advantage_metrics(rewards_bg, advantages, correct_bg, omega=omega,
                                          alpha=a.alpha if a.estimator == "agrae" and a.use_ass else None)
            keep = _select_groups(rewards_bg, cfg, local_b)  # indices of groups that enter the update

        # ------------------------------------------------------------ 4. update
        with _timer(timings, "time/update"):
            update_stats, finite = _update(updater, ref_model, processor, pad_id,
                                           [prompts[i] for i in keep], [completions[i] for i in keep],
                                           advantages[keep], cfg)
        if finite:
            bad_steps = 0
        else:
            bad_steps += 1
            log(f"[train] step {step + 1}: non-finite loss, update skipped ({bad_steps} in a row)")
            if bad_steps >= t.max_bad_steps:
                tracker.close()
                raise TrainingAborted(
                    f"{bad_steps} consecutive steps had a NaN/inf loss; last metrics: {update_stats}. "
                    "Lower optim.lr, check the reward function, or raise trainer.max_bad_steps.")

        # ------------------------------------------------------------ 5. sync weights to the engine
        with _timer(timings, "time/sync"):
            if finite:
                engine.sync_weights(updater.module)

        # ------------------------------------------------------------ 6. log / validate / checkpoint
        lengths = torch.tensor([len(cmp.token_ids) for cs in completions for cmp in cs], dtype=torch.float32)  # [N']
        timings["time/step"] = time.perf_counter() - step_start
        metrics = {
            "reward/mean": rewards_bg.mean().item(), "reward/std": rewards_bg.std().item() if rewards_bg.numel() > 1 else 0.0,
            "reward/accuracy": correct_bg.float().mean().item(), "reward/format": fmt_bg.mean().item(),
            "response/length_mean": lengths.mean().item(), "response/length_max": lengths.max().item(),
            "response/clipped_frac": float(sum(cmp.finish_reason == "length" for cs in completions for cmp in cs)) / len(lengths),
            "data/bad_gold": float(data_errors), "data/groups_updated": float(len(keep)), "data/rollout_rounds": float(rounds),
            "lr": updater.lr(), "skipped": float(not finite),
            "perf/tokens_per_s": lengths.sum().item() / timings["time/step"],
            "perf/samples_per_s": len(lengths) / timings["time/step"],
            **adv_stats, **update_stats, **timings,
        }
        metrics = all_reduce_mean(metrics, info)
        if (step + 1) % cfg.logging.log_every == 0 or step + 1 == t.max_steps:
            tracker.log(step + 1, metrics)
        tracker.progress(step + 1, metrics)
        summary = metrics
        if val_prompts and t.eval_every and (step + 1) % t.eval_every == 0 and step + 1 < t.max_steps:
            tracker.log(step + 1, validate(engine, val_prompts, score, cfg, info), kind="eval")
        if (t.save_every and (step + 1) % t.save_every == 0) or step + 1 == t.max_steps:
            _save(out_dir, step + 1, updater, processor, sampler, bad_steps, cfg, info)

    final_eval = validate(engine, val_prompts, score, cfg, info) if val_prompts else {}
    if final_eval:
        tracker.log(t.max_steps, final_eval, kind="eval")
    tracker.close()
    result = {"last_step": t.max_steps, "final": summary, "final_eval": final_eval, "output_dir": str(out_dir)}
    if info.is_main:
        import json

        (out_dir / "summary.json").write_text(json.dumps(result, indent=2, default=float))
    return result


# ==================================================================== update phase


def _update(updater: Updater, ref_model: torch.nn.Module | None, processor: Any, pad_id: int, prompts: list,
            completions: list, advantages: torch.Tensor, cfg: Config) -> tuple[dict[str, float], bool]:
    """μ epochs of mini-batch optimizer steps on one rollout batch; returns (mean metrics, all finite)."""
    from mmagrae.rollout import build_policy_batch, compute_token_logprobs

    a, d = cfg.algorithm, cfg.derived
    group = cfg.rollout.n
    if not prompts:  # every group was dropped by dynamic sampling
        return {"loss/total": 0.0}, True
    flat_adv = advantages.reshape(-1)  # [N]
    n = len(prompts) * group
    # micro-batches hold whole groups, so each prompt's images are processed once; they are built once and
    # reused by every epoch
    micro_prompts = max(1, a.micro_batch_size // group)
    micro_slices = [slice(i * group, min(i + micro_prompts, len(prompts)) * group)
                    for i in range(0, len(prompts), micro_prompts)]
    batches = [build_policy_batch(processor, prompts[s.start // group:s.stop // group],
                                  completions[s.start // group:s.stop // group], pad_token_id=pad_id)
               for s in micro_slices]
    # response tokens per micro-batch, counted on the host before the copy (no device sync in the loop below)
    micro_tokens = [float(b["response_mask"].sum()) for b in batches]
    device = next(updater.module.parameters()).device
    batches = [{k: (v.to(device) if torch.is_tensor(v) else v) for k, v in b.items()} for b in batches]
    old_logps: list[torch.Tensor | None] = [None] * len(batches)
    ref_logps: list[torch.Tensor | None] = [None] * len(batches)
    with torch.no_grad():
        for i, b in enumerate(batches):
            if d["needs_old_logp"]:
                old_logps[i], _ = compute_token_logprobs(updater.forward_model, b, temperature=cfg.rollout.temperature)
            if ref_model is not None:
                ref_logps[i], _ = compute_token_logprobs(ref_model, b, temperature=cfg.rollout.temperature)

    prompts_per_mini = d["mini_batch_prompts"] if len(prompts) >= d["mini_batch_prompts"] else len(prompts)
    seqs_per_mini = prompts_per_mini * group
    sums: dict[str, float] = {}
    count, finite = 0, True
    max_len = cfg.rollout.max_new_tokens
    for _epoch in range(a.ppo_epochs):
        for start in range(0, n, seqs_per_mini):
            members = [i for i, s in enumerate(micro_slices) if start <= s.start < start + seqs_per_mini]
            mini_tokens = sum(micro_tokens[i] for i in members)
            mini_seqs = sum(micro_slices[i].stop - micro_slices[i].start for i in members)
            step_ok = True
            for j, i in enumerate(members):
                b, s = batches[i], micro_slices[i]
                with _oom_guard():
                    logp, entropy = compute_token_logprobs(updater.forward_model, b, temperature=cfg.rollout.temperature,
                                                           with_entropy=True,
                                                           entropy_grad=a.entropy_coef != 0)  # [n, T]
                    old = old_logps[i] if old_logps[i] is not None else logp.detach()
                    loss, m = compute_policy_loss(
                        logp, old, flat_adv[s].to(logp.device), b["response_mask"], clip_low=d["clip_low"],
                        clip_high=d["clip_high"], dual_clip=a.dual_clip, agg=d["loss_agg"], max_response_length=max_len,
                        ref_logp=ref_logps[i], kl_coef=d["kl_coef"], kl_type=a.kl_type, entropy=entropy,
                        entropy_coef=a.entropy_coef)
                    if not torch.isfinite(loss):
                        step_ok = False
                        m = {**m, "loss/total": float("nan")}
                        break
                    # weight so that accumulating micro-batches equals the mini-batch's aggregation
                    share = (micro_tokens[i] / max(mini_tokens, 1.0) if d["loss_agg"] == "token-mean"
                             else (s.stop - s.start) / max(mini_seqs, 1))
                    updater.backward(loss * share, boundary=j == len(members) - 1)
                for k, v in m.items():
                    sums[k] = sums.get(k, 0.0) + v
                count += 1
            if step_ok:
                norm = updater.step()
                if not math.isfinite(norm):
                    step_ok = False
                sums["grad_norm"] = sums.get("grad_norm", 0.0) + norm * count
            if not step_ok:
                updater.discard()
                finite = False
    metrics = {k: v / max(count, 1) for k, v in sums.items()}
    return metrics, finite


def _select_groups(rewards: torch.Tensor, cfg: Config, local_b: int) -> list[int]:
    """Dynamic sampling: which groups enter the update (all; or those whose rewards vary, at most B)."""
    if cfg.algorithm.dynamic_sampling == "off":
        return list(range(rewards.shape[0]))
    varied = (rewards.amax(dim=1) > rewards.amin(dim=1)).nonzero().flatten().tolist()  # group indices
    return varied[:local_b]


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
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    ckpt.save_hf_model(model, tmp)
    processor.save_pretrained(tmp)
    (tmp / "COMPLETE").write_text("warm start")
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)


def _save(out_dir: Path, step: int, updater: Updater, processor: Any, sampler: PromptSampler, bad_steps: int,
          cfg: Config, info: DistInfo) -> None:
    state = {"step": step, "bad_steps": bad_steps, "sampler": sampler.state_dict(), "rng": ckpt.rng_state(),
             **updater.state_dict()}
    if updater.engine is not None:
        # DeepSpeed writes partitioned state from every rank into a shared folder first
        tmp = ckpt.checkpoint_root(out_dir) / f"step_{step:06d}.ds"
        updater.save_engine_state(tmp)
    if info.world_size > 1:
        torch.distributed.barrier()
    if info.is_main or updater.zero_stage == 3:
        def save_model(model: torch.nn.Module, path: Path) -> None:
            updater.save_model(model, path)
            if updater.engine is not None:
                os.replace(tmp / "deepspeed", path / "deepspeed")

        if info.is_main:
            ckpt.save_checkpoint(out_dir, step, model=updater.module, processor=processor, trainer_state=state,
                                 keep_last=cfg.trainer.keep_last, save_model_fn=save_model)
        else:
            updater.save_model(updater.module, Path(os.devnull))
    if info.world_size > 1:
        torch.distributed.barrier()
    if updater.engine is not None and info.is_main:
        import shutil

        shutil.rmtree(ckpt.checkpoint_root(out_dir) / f"step_{step:06d}.ds", ignore_errors=True)


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
    start = time.perf_counter()
    try:
        yield
    finally:
        store[key] = store.get(key, 0.0) + time.perf_counter() - start


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
