"""Builders the training loop calls once: optimizer, schedule, data, reward scoring (the model: mmagrae.models).

Each is a small function of the config so the loop in ``loop.py`` reads as the algorithm, not as set-up.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mmagrae.config import Config

SYNTHETIC_PREFIX = "synthetic:"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_optimizer(cfg: Config, model: torch.nn.Module) -> tuple[torch.optim.Optimizer, Any]:
    o = cfg.optim
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("no trainable parameters: check model.freeze_vision_tower / model.lora")
    # multi-tensor kernels instead of a Python loop over parameters: fused on CUDA, foreach on the CPU (torch picks
    # foreach only on CUDA by default); DeepSpeed keeps its own choice
    impl: dict[str, bool] = {}
    if cfg.distributed.deepspeed is None:
        impl = {"fused": True} if all(p.is_cuda for p in params) else {"foreach": True}
    optimizer = torch.optim.AdamW(params, lr=o.lr, betas=tuple(o.betas), eps=o.eps, weight_decay=o.weight_decay,
                                  **impl)
    total = max(1, cfg.trainer.max_steps * cfg.derived.optimizer_steps_per_rl_step)

    def factor(step: int) -> float:
        if o.warmup_steps and step < o.warmup_steps:
            return (step + 1) / o.warmup_steps
        progress = min(1.0, (step - o.warmup_steps) / max(1, total - o.warmup_steps))
        if o.scheduler == "cosine":
            return 0.5 * (1 + math.cos(math.pi * progress))
        if o.scheduler == "linear":
            return 1.0 - progress
        return 1.0

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


# --------------------------------------------------------------------------- data


def materialize_source(source: str, cache_dir: Path, *, split: str, cfg: Config) -> tuple[str, str]:
    """``synthetic:KIND`` → generate (once, deterministic) a Parquet dataset under ``cache_dir``.

    Returns ``(path_or_id, split)`` to hand to the row loader.
    """
    if not source.startswith(SYNTHETIC_PREFIX):
        return source, split
    from data_recipes.io import save_dataset
    from data_recipes.synthetic import make_splits

    kind = source[len(SYNTHETIC_PREFIX):]
    d = cfg.data
    key = f"{kind}-n{d.synthetic_n}-v{d.synthetic_val_n}-d{d.synthetic_difficulty}-s{cfg.trainer.seed}"
    out = cache_dir / key
    if not (out / "COMPLETE").exists():
        # written under a name of this process's own and renamed into place whole, so a killed run leaves no
        # half-written cache and two runs making the same key never write into one folder
        import os
        import shutil
        import time

        tmp = cache_dir / f".{key}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)  # this process id's own leftover
        splits = make_splits(kind, n=d.synthetic_n, test_n=d.synthetic_val_n, seed=cfg.trainer.seed,
                             difficulty=d.synthetic_difficulty)
        save_dataset(splits, tmp)
        (tmp / "COMPLETE").write_text("ok")
        if out.exists() and not (out / "COMPLETE").exists():  # an incomplete cache from an older version
            out.rename(cache_dir / f".{key}.incomplete-{os.getpid()}-{time.time_ns()}")
        try:
            tmp.rename(out)
        except OSError:  # another run put the same dataset there first: use it
            shutil.rmtree(tmp, ignore_errors=True)
            if not (out / "COMPLETE").exists():
                raise
    return str(out), split


def load_prompts(cfg: Config, processor: Any, source: str, split: str, cache_dir: Path, *, limit: int | None,
                 log: Any = print) -> list[Any]:
    """Rows → chat prompts with images, bad rows skipped and counted, long prompts filtered."""
    from mmagrae.data.loading import load_rows
    from mmagrae.data.prompts import build_prompts

    path, split = materialize_source(source, cache_dir, split=split, cfg=cfg)
    rows, skipped = load_rows(path, split=split, image_dir=cfg.data.image_dir, column_map=cfg.data.column_map or None,
                              limit=limit, max_image_pixels=cfg.data.max_image_pixels)
    prompts, filtered = build_prompts(
        rows, processor, template=cfg.data.prompt_template, system_prompt=cfg.data.system_prompt,
        answer_format=cfg.reward.format, max_prompt_length=cfg.data.max_prompt_length,
        min_pixels=cfg.data.min_pixels, max_pixels=cfg.data.max_pixels, video_fps=cfg.data.video_fps,
        video_max_frames=cfg.data.video_max_frames, video_max_pixels=cfg.data.video_max_pixels,
    )
    log(f"[data] {source} ({split}): {len(prompts)} prompts; {skipped.summary()}; {filtered.summary()}")
    if not prompts:
        from mmagrae.preflight import UserError

        raise UserError(f"no usable prompts in {source} ({split}): {skipped.summary()}; {filtered.summary()}")
    return prompts


def validation_source(cfg: Config) -> tuple[str | None, str | None]:
    """Where validation prompts come from: ``(source, None)``, or ``(None, why there is no validation)``.

    ``data.val`` when set; else the training source's ``data.val_split`` split when it has one: always for
    ``synthetic:KIND`` (a held-out split is generated), and for a local folder that holds that split (a
    ``test`` split of Parquet shards, ``test.jsonl``, a saved ``DatasetDict``...). A single file or a hub id
    without ``data.val`` gets no validation, and the reason says so.
    """
    d = cfg.data
    if d.val:
        return d.val, None
    if d.train.startswith(SYNTHETIC_PREFIX):
        return d.train, None
    path = Path(d.train)
    if path.is_dir():
        if _has_split(path, d.val_split):
            return d.train, None
        return None, (f"{d.train} has no {d.val_split!r} split (data.val_split) and data.val is not set; "
                      "set data.val to validate")
    kind = "a single file" if path.exists() else "not a local folder"
    return None, f"data.train={d.train} is {kind} and data.val is not set; set data.val to validate"


def _has_split(path: Path, split: str) -> bool:
    """True when the local dataset folder ``path`` holds split ``split`` (the loader can open it)."""
    from mmagrae.data.loading import load_rows

    try:
        load_rows(str(path), split=split, limit=1)
    except (FileNotFoundError, KeyError, ValueError):
        return False
    return True


class PromptSampler:
    """Deterministic epochs over prompt indices; its position is part of the checkpoint."""

    def __init__(self, n: int, seed: int, shuffle: bool = True) -> None:
        self.n, self.seed, self.shuffle = n, seed, shuffle
        self.epoch, self.pos = 0, 0
        self._order = self._make_order()

    def _make_order(self) -> list[int]:
        order = list(range(self.n))
        if self.shuffle:
            random.Random(self.seed * 1_000_003 + self.epoch).shuffle(order)
        return order

    def next(self, k: int) -> list[int]:
        out = []
        while len(out) < k:
            if self.pos >= self.n:
                self.epoch, self.pos = self.epoch + 1, 0
                self._order = self._make_order()
            out.append(self._order[self.pos])
            self.pos += 1
        return out

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "pos": self.pos}

    def load_state_dict(self, state: dict) -> None:
        self.epoch, self.pos = int(state["epoch"]), int(state["pos"])
        self._order = self._make_order()


# --------------------------------------------------------------------------- rewards


def build_scorer(cfg: Config):
    """Returns ``score(texts[N], rows[N]) -> (reward[N], correct[N], format_ok[N], data_errors)``.

    Built-in: ``accuracy_weight·accuracy + format_weight·format`` with correctness from the verifier.
    ``reward.function = "module:function"`` (``fn(response, row) -> float``) replaces the built-in reward; its
    correctness (for p and ω) is then the one definition ``mmagrae.algos.default_correct``: reward above half
    of max(1, the largest reward of the call). Rows whose gold answer cannot be read score 0 and are
    counted in ``data/bad_gold``.
    """
    from mmagrae.algos.advantages import default_correct
    from mmagrae.verifiers.rewards import compute_rewards

    if cfg.reward.function:
        weights, extra = {"custom": 1.0}, {"custom": cfg.reward.function}
    else:
        weights, extra = {"accuracy": cfg.reward.accuracy_weight, "format": cfg.reward.format_weight}, None

    def score(texts: list[str], rows: list[dict]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
        out = compute_rewards(texts, rows, weights=weights, format_style=cfg.reward.format, extra_rewards=extra)
        reward = torch.tensor([o.total for o in out], dtype=torch.float32)  # [N]
        if extra is not None:
            correct = default_correct(reward)  # [N]
        else:
            correct = torch.tensor([bool(o.correct) and not o.data_error for o in out], dtype=torch.bool)  # [N]
        fmt = torch.tensor([o.components.get("format", 0.0) for o in out], dtype=torch.float32)  # [N]
        errors = sum(1 for o in out if o.data_error)
        return reward, correct, fmt, errors

    return score



def eprint(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)
