"""TRL's side of ``scripts/bench_train.py``: ``GRPOTrainer`` with the settings matched to mmagrae's trainer.

See ``bench_train.py``'s docstring for the matched settings and how phases and memory are measured.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

from bench_train_common import PeakMemory, _median, _overrides, _step_seconds

# ==================================================================== TRL


def run_trl(
    args: argparse.Namespace,
    model_dir: str,
    work: Path,
    prompts: list,
    tag: str,
    *,
    model_factory: Any = None,
    processor: Any = None,
    micro: int | None = None,
) -> dict[str, Any]:
    """GRPOTrainer with the matched settings; phases from wrappers around its methods.

    ``model_factory`` / ``processor`` replace loading ``model_dir`` (scripts/gpu_check.py builds the model in
    memory); ``micro`` sequences per forward/backward (gradient accumulation over B·G / micro), else all N at once.
    """
    import datasets
    import torch
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from mmagrae.config import load_config
    from mmagrae.data.prompts import render_user_text
    from mmagrae.models import load_policy
    from mmagrae.trainer.builders import build_scorer

    cfg = load_config(None, _overrides(args, model_dir, str(work / "unused"), "hf", 1))
    score = build_scorer(cfg)  # the very reward mmagrae uses: 0.9·accuracy + 0.1·format
    rows = [p.row for p in prompts]

    def reward_fn(completions, row_index, **_):
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        reward, _, _, _ = score(texts, [rows[i] for i in row_index])
        return reward.tolist()

    reward_fn.__name__ = "accuracy_format"
    # TRL's VLM format: a conversational prompt whose text carries no image marker, plus the (resized) image;
    # TRL puts the image before the text, as mmagrae's prompt builder does.
    data = datasets.Dataset.from_list(
        [
            {
                "prompt": [
                    {
                        "role": "user",
                        "content": render_user_text(p.row, template=None, answer_format="answer").replace(
                            "<image>", ""
                        ),
                    }
                ],
                "image": p.images[0],
                "row_index": i,
            }
            for i, p in enumerate(prompts)
        ]
    )
    total = args.warmup + args.steps
    n_seq = args.prompts * args.n
    micro = micro or n_seq
    if n_seq % micro:
        raise ValueError(f"micro-batch {micro} must divide B·G = {n_seq}")
    config = GRPOConfig(
        output_dir=str(work / f"trl-{tag}"),
        max_steps=total,
        per_device_train_batch_size=micro,
        gradient_accumulation_steps=n_seq // micro,
        num_generations=args.n,
        max_completion_length=args.max_new_tokens,
        temperature=1.0,
        top_p=1.0,
        learning_rate=args.lr,
        lr_scheduler_type="constant",
        warmup_steps=0,
        weight_decay=0.0,
        max_grad_norm=1.0,
        optim="adamw_torch",
        beta=0.0,
        loss_type="grpo",
        epsilon=0.2,
        scale_rewards="group",
        num_iterations=1,
        use_vllm=False,
        use_cpu=args.device == "cpu",
        bf16=args.dtype == "bfloat16",
        seed=args.seed,
        report_to="none",
        logging_steps=10**6,
        save_strategy="no",
        eval_strategy="no",
        log_completions=False,
        remove_unused_columns=False,
        dataloader_num_workers=0,
        disable_tqdm=True,
        mask_truncated_completions=False,
    )
    if model_factory is not None:
        model = model_factory()
    else:
        model, processor = load_policy(model_dir, dtype=args.dtype)
        model = model.to(args.device)

    ends: list[float] = []

    class StepEnds(TrainerCallback):
        def on_step_end(self, _args, state, control, **kw):
            if args.device == "cuda":
                torch.cuda.synchronize()
            ends.append(time.perf_counter())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = GRPOTrainer(
            model=model,
            reward_funcs=[reward_fn],
            args=config,
            train_dataset=data,
            processing_class=processor,
            callbacks=[StepEnds()],
        )
    spent: dict[str, list[float]] = {"generate": [], "rewards": [], "prepare": []}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[name].append(time.perf_counter() - t0)

        return wrapper

    trainer._generate = timed("generate", trainer._generate)
    trainer._calculate_rewards = timed("rewards", trainer._calculate_rewards)
    trainer._generate_and_score_completions = timed("prepare", trainer._generate_and_score_completions)
    start = time.perf_counter()
    with PeakMemory(args.device) as mem, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train()
    wall = time.perf_counter() - start
    w = args.warmup
    step_s = _step_seconds(start, ends)[w:]
    gen, rew, prep = (spent[k][w:] for k in ("generate", "rewards", "prepare"))
    rollout, score_s = _median(gen), _median(rew)
    prepare = _median([p - g - r for p, g, r in zip(prep, gen, rew, strict=True)])
    update = _median([s - p for s, p in zip(step_s, prep, strict=True)])
    samples = args.prompts * args.n
    lengths = [
        h["completions/mean_length"] * samples
        for h in trainer.state.log_history
        if "completions/mean_length" in h
    ]
    return {
        "side": "TRL GRPOTrainer (hf)",
        "step_s": step_s,
        "samples": samples,
        "tokens": lengths[-1:] or [float("nan")],
        "phases": {"rollout": rollout, "score": score_s, "prepare": prepare, "update": update},
        "peak_mib": mem.peak_mib,
        "wall_s": wall,
    }
