"""Where metrics go: ``metrics.jsonl`` (always), TensorBoard, optional wandb, and a console progress bar.

Only the trainer holds a :class:`Tracker`; pure functions return metric dicts that the loop passes here.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

PROGRESS_EVERY_S = 30.0
"""When stderr is not a terminal (a log file), a plain progress line replaces the redrawn bar: every
max(1, max_steps // 10) steps, and at least this often in seconds."""


def tag(kind: str, key: str) -> str:
    """The TensorBoard / wandb name of metric ``key`` logged as ``kind``: ``train/reward/mean``, ``eval/accuracy``
    (a key that already starts with its kind is not prefixed twice).

    >>> tag("train", "reward/mean"), tag("eval", "eval/accuracy"), tag("warm_start", "warm_start/loss_first")
    ('train/reward/mean', 'eval/accuracy', 'warm_start/loss_first')
    """
    return key if key.startswith(f"{kind}/") else f"{kind}/{key}"


class Tracker:
    """Writes one JSON line per logged step and mirrors scalars to TensorBoard / wandb."""

    def __init__(self, output_dir: str | Path, cfg: Any, *, enabled: bool = True, total_steps: int = 0,
                 initial_step: int = 0) -> None:
        self.enabled = enabled
        self.dir = Path(output_dir)
        self._tb = None
        self._wandb = None
        self._bar = None
        self._plain: dict[str, float] | None = None
        self.total_steps = total_steps
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
            if _is_terminal(sys.stderr):
                from tqdm.auto import tqdm

                self._bar = tqdm(total=total_steps, initial=initial_step, desc="train", dynamic_ncols=True,
                                 file=sys.stderr)
            else:  # a log file: plain lines, no carriage-return redraws
                every = max(1, total_steps // 10)
                self._plain = {"every": float(every), "last_t": time.monotonic(), "start_t": time.monotonic(),
                               "start_step": float(initial_step)}

    def log(self, step: int, metrics: dict[str, float], *, kind: str = "train") -> None:
        if not self.enabled:
            return
        clean = {k: (float(v) if isinstance(v, (int, float)) else v) for k, v in metrics.items()}
        record = {"step": step, "kind": kind, **clean}
        self._jsonl.write(json.dumps(record, allow_nan=True) + "\n")
        for key, value in clean.items():
            if isinstance(value, float) and math.isfinite(value):
                if self._tb is not None:
                    self._tb.add_scalar(tag(kind, key), value, step)
        if self._wandb is not None:
            self._wandb.log({tag(kind, k): v for k, v in clean.items()}, step=step)

    def progress(self, step: int, metrics: dict[str, float]) -> None:
        if self._plain is not None:
            self._plain_line(step, metrics)
        if self._bar is None:
            return
        self._bar.update(1)
        short = {"reward": "reward/mean", "acc": "reward/accuracy", "len": "response/length_mean"}
        self._bar.set_postfix({k: f"{metrics[v]:.3f}" for k, v in short.items() if v in metrics})

    def _plain_line(self, step: int, metrics: dict[str, float]) -> None:
        p, now = self._plain, time.monotonic()
        assert p is not None
        due = step % int(p["every"]) == 0 or step == self.total_steps or now - p["last_t"] >= PROGRESS_EVERY_S
        if not due:
            return
        p["last_t"] = now
        done = step - p["start_step"]
        rate = f", {(now - p['start_t']) / done:.2f} s/step" if done > 0 else ""
        short = {"reward": "reward/mean", "acc": "reward/accuracy", "len": "response/length_mean"}
        values = " ".join(f"{k}={metrics[v]:.3f}" for k, v in short.items() if v in metrics)
        print(f"[train] step {step}/{self.total_steps}{rate} {values}".rstrip(), file=sys.stderr, flush=True)

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


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
