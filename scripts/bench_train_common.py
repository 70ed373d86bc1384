"""Shared pieces of ``scripts/bench_train.py``: step timing, peak memory, and the matched mmagrae config.

Imported by ``bench_train.py`` (mmagrae's side) and ``bench_train_trl.py`` (TRL's side); scripts import each
other by bare module name, since ``python scripts/<name>.py`` puts ``scripts/`` first on ``sys.path``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
from pathlib import Path
from typing import Any

# ==================================================================== measuring helpers


class PeakMemory:
    """Peak memory while the block runs: CUDA allocator peak on GPU, else resident set size above the start."""

    def __init__(self, device: str):
        self.device = device
        self.peak_mib = 0.0
        self._stop = threading.Event()

    @staticmethod
    def _rss_mib() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def __enter__(self) -> PeakMemory:
        import torch

        if self.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            return self
        self._base = self._rss_mib()
        self._max = self._base

        def sample() -> None:
            while not self._stop.wait(0.005):
                self._max = max(self._max, self._rss_mib())

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        import torch

        if self.device == "cuda":
            torch.cuda.synchronize()
            self.peak_mib = torch.cuda.max_memory_allocated() / 2**20
            return
        self._stop.set()
        self._thread.join()
        self.peak_mib = max(self._max, self._rss_mib()) - self._base


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _step_seconds(start: float, ends: list[float]) -> list[float]:
    """Durations of consecutive steps from the run's start and each step's end time."""
    marks = [start, *ends]
    return [b - a for a, b in zip(marks[:-1], marks[1:], strict=True)]


# ==================================================================== shared set-up


def _overrides(args: argparse.Namespace, model_dir: str, out_dir: str, backend: str, steps: int) -> list[str]:
    """mmagrae config for the matched settings (the same values TRL gets in ``_trl_config``)."""
    return [
        f"model.path={model_dir}",
        f"model.dtype={args.dtype}",
        f"trainer.device={args.device}",
        "data.train=synthetic:counting",
        f"data.synthetic_n={args.rows}",
        "data.synthetic_val_n=2",
        f"data.min_pixels={getattr(args, 'pixels', 12544)}",
        f"data.max_pixels={getattr(args, 'pixels', 12544)}",
        "data.shuffle=true",
        f"rollout.backend={backend}",
        f"rollout.n={args.n}",
        f"rollout.max_new_tokens={args.max_new_tokens}",
        "rollout.temperature=1.0",
        "rollout.top_p=1.0",
        "rollout.top_k=-1",
        f"rollout.batch_size={args.prompts}",
        "rollout.gpu_memory_utilization=0.3",
        "algorithm.estimator=grpo",
        "algorithm.std=unbiased",
        "algorithm.loss=grpo",
        "algorithm.kl_coef=0",
        "algorithm.ppo_epochs=1",
        "algorithm.mini_batch_size=0",
        f"algorithm.micro_batch_size={args.prompts * args.n}",
        "reward.format=answer",
        "reward.accuracy_weight=0.9",
        "reward.format_weight=0.1",
        f"optim.lr={args.lr}",
        "optim.scheduler=constant",
        "optim.warmup_steps=0",
        "optim.weight_decay=0.0",
        "optim.max_grad_norm=1.0",
        f"trainer.max_steps={steps}",
        f"trainer.prompts_per_step={args.prompts}",
        f"trainer.seed={args.seed}",
        "trainer.warm_start_steps=0",
        "trainer.eval_every=0",
        "trainer.val_limit=1",
        "trainer.save_every=0",
        "trainer.resume=never",
        f"trainer.output_dir={out_dir}",
        "logging.progress_bar=false",
        "logging.tensorboard=false",
        "logging.wandb=false",
        *getattr(args, "set", []),
    ]


def _prompts_for_peer(args: argparse.Namespace, model_dir: str, cache: Path) -> tuple[list, Any]:
    """The training prompts exactly as mmagrae's trainer loads them (same rows, resized images, chat text)."""
    from mmagrae.config import load_config
    from mmagrae.models import load_policy
    from mmagrae.trainer.builders import load_prompts

    cfg = load_config(None, _overrides(args, model_dir, str(cache / "peer-data"), "hf", 1))
    _, processor = load_policy(model_dir, dtype=args.dtype)
    prompts = load_prompts(
        cfg, processor, cfg.data.train, cfg.data.split, cache / "data-cache", limit=None, log=lambda *a: None
    )
    return prompts, processor
