"""Where metrics go: ``metrics.jsonl`` (always), TensorBoard, optional wandb, and a console progress bar.

Only the trainer holds a :class:`Tracker`; pure functions return metric dicts that the loop passes here.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any


class Tracker:
    """Writes one JSON line per logged step and mirrors scalars to TensorBoard / wandb."""

    def __init__(self, output_dir: str | Path, cfg: Any, *, enabled: bool = True, total_steps: int = 0,
                 initial_step: int = 0) -> None:
        self.enabled = enabled
        self.dir = Path(output_dir)
        self._tb = None
        self._wandb = None
        self._bar = None
        if not enabled:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        self._jsonl = open(self.dir / "metrics.jsonl", "a", buffering=1)
        log = cfg.logging
        if log.tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self._tb = SummaryWriter(str(self.dir / "tb"))
            except ImportError:  # tensorboard is a core dependency; stay usable without it
                print("[mmagrae] tensorboard not installed; logging to metrics.jsonl only", file=sys.stderr)
        if log.wandb:
            import wandb  # optional extra: pip install mmagrae[wandb]

            from mmagrae.config import to_dict

            self._wandb = wandb.init(project=log.wandb_project, dir=str(self.dir), config=to_dict(cfg),
                                     resume="allow")
        if log.progress_bar and total_steps:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total_steps, initial=initial_step, desc="train", dynamic_ncols=True,
                             file=sys.stderr)

    def log(self, step: int, metrics: dict[str, float], *, kind: str = "train") -> None:
        if not self.enabled:
            return
        clean = {k: (float(v) if isinstance(v, (int, float)) else v) for k, v in metrics.items()}
        record = {"step": step, "kind": kind, **clean}
        self._jsonl.write(json.dumps(record, allow_nan=True) + "\n")
        for key, value in clean.items():
            if isinstance(value, float) and math.isfinite(value):
                if self._tb is not None:
                    self._tb.add_scalar(f"{kind}/{key}", value, step)
        if self._wandb is not None:
            self._wandb.log({f"{kind}/{k}": v for k, v in clean.items()}, step=step)

    def progress(self, step: int, metrics: dict[str, float]) -> None:
        if self._bar is None:
            return
        self._bar.update(1)
        short = {"reward": "reward/mean", "acc": "reward/accuracy", "len": "response/length_mean"}
        self._bar.set_postfix({k: f"{metrics[v]:.3f}" for k, v in short.items() if v in metrics})

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        self._jsonl.close()
        if self._tb is not None:
            self._tb.close()
        if self._wandb is not None:
            self._wandb.finish()


def read_metrics(path: str | Path, kind: str | None = "train") -> list[dict[str, Any]]:
    """Records of ``metrics.jsonl``; a resumed run's repeated steps keep the last record for each step."""
    by_step: dict[tuple[str, int], dict[str, Any]] = {}
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:  # a line cut by a crash
                continue
            if kind is None or record.get("kind") == kind:
                by_step[(record.get("kind", ""), int(record["step"]))] = record
    return [by_step[k] for k in sorted(by_step, key=lambda k: (k[0], k[1]))]
