"""Thin adapters for scale-out: process group set-up and one ``Updater`` over plain torch or DeepSpeed.

The training loop never branches on the backend: it calls ``updater.backward(loss)``, ``updater.step()``,
``updater.state_dict()``. Plain torch averages gradients across ranks with one all-reduce per optimizer step
(gloo on CPU, nccl on GPU); DeepSpeed (ZeRO-2/ZeRO-3, optional CPU offload) is configured from the JSON in
``distributed.deepspeed`` with its ``"auto"`` values filled from the mmagrae config.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist


@dataclass
class DistInfo:
    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed(device_pref: str = "auto", backend: str = "auto", *, need_group: bool = False) -> DistInfo:
    """Join the process group that ``torchrun``/``deepspeed`` describe in the environment.

    A single process gets a group of one only when ``need_group`` (DeepSpeed always wants one).
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() and device_pref != "cpu"
    if device_pref == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("trainer.device=cuda but no CUDA device is visible")
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if (world > 1 or need_group) and not dist.is_initialized():
        if world == 1:
            os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
            os.environ.setdefault("MASTER_PORT", str(_free_port()))
            os.environ.setdefault("RANK", "0")
            os.environ.setdefault("WORLD_SIZE", "1")
        chosen = backend if backend != "auto" else ("nccl" if use_cuda else "gloo")
        dist.init_process_group(backend=chosen)
    return DistInfo(rank=rank, world_size=world, local_rank=local_rank, device=device)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def all_reduce_mean(values: dict[str, float], info: DistInfo) -> dict[str, float]:
    """Average scalar metrics over ranks (identity on one process)."""
    if info.world_size == 1 or not values:
        return values
    keys = sorted(values)
    t = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64)
    dist.all_reduce(t)
    return {k: (t[i] / info.world_size).item() for i, k in enumerate(keys)}


def all_reduce_sum(t: torch.Tensor, info: DistInfo) -> torch.Tensor:
    if info.world_size > 1:
        t = t.clone()
        dist.all_reduce(t)
    return t


def average_gradients(params: list[torch.nn.Parameter], info: DistInfo) -> None:
    """Mean of each parameter's gradient over ranks, in place (no-op on one process)."""
    if info.world_size == 1:
        return
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        dist.all_reduce(p.grad)
        p.grad.div_(info.world_size)


def fill_deepspeed_config(path: str, cfg: Any, info: DistInfo) -> dict:
    """Read the DeepSpeed JSON and fill its ``"auto"`` entries from the mmagrae config."""
    ds = json.loads(Path(path).read_text())
    micro = cfg.algorithm.micro_batch_size

    def fill(key: str, value: Any) -> None:
        if ds.get(key, "auto") == "auto":
            ds[key] = value

    fill("train_micro_batch_size_per_gpu", micro)
    fill("gradient_accumulation_steps", 1)  # boundaries are set explicitly by the loop
    ds["train_batch_size"] = ds["train_micro_batch_size_per_gpu"] * ds["gradient_accumulation_steps"] * info.world_size
    fill("gradient_clipping", cfg.optim.max_grad_norm)
    on_gpu = info.device.type == "cuda"
    for key in ("bf16", "fp16"):
        section = ds.setdefault(key, {"enabled": False})
        if section.get("enabled") == "auto":
            section["enabled"] = on_gpu and key == "bf16" and cfg.model.dtype in ("auto", "bfloat16")
    ds.setdefault("steps_per_print", 10**9)
    return ds


class Updater:
    """Backward, gradient averaging, clipping and the optimizer/scheduler step, for torch or DeepSpeed."""

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any, cfg: Any,
                 info: DistInfo) -> None:
        self.info = info
        self.max_grad_norm = cfg.optim.max_grad_norm
        self.peak_lr = cfg.optim.lr
        self.deepspeed = cfg.distributed.deepspeed is not None
        if self.deepspeed:
            import deepspeed

            ds_config = fill_deepspeed_config(cfg.distributed.deepspeed, cfg, info)
            self.engine, self.optimizer, _, self.scheduler = deepspeed.initialize(
                model=model, optimizer=optimizer, lr_scheduler=scheduler, config=ds_config,
                dist_init_required=False,
            )
            self.module = self.engine.module
            self.zero_stage = int(ds_config.get("zero_optimization", {}).get("stage", 0))
        else:
            self.engine = None
            self.module, self.optimizer, self.scheduler = model, optimizer, scheduler
            self.zero_stage = 0
        self.params = [p for p in self.module.parameters() if p.requires_grad]

    # the model to call forward on: the transformers module itself. DeepSpeed's ZeRO hooks live on its
    # submodules, so calling it directly is what the engine's forward would do, and it keeps the re-forward
    # code free of wrapper attribute forwarding.
    @property
    def forward_model(self) -> torch.nn.Module:
        return self.module

    def backward(self, loss: torch.Tensor, *, boundary: bool) -> None:
        if self.engine is not None:
            self.engine.set_gradient_accumulation_boundary(boundary)
            self.engine.backward(loss)
        else:
            loss.backward()

    def step(self) -> float:
        """Optimizer + scheduler step at an accumulation boundary; returns the gradient norm."""
        if self.engine is not None:
            self.engine.step()
            norm = self.engine.get_global_grad_norm()
            return float(norm) if norm is not None else float("nan")
        average_gradients(self.params, self.info)
        if self.max_grad_norm > 0:
            norm = torch.nn.utils.clip_grad_norm_(self.params, self.max_grad_norm)
        else:
            norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in self.params if p.grad is not None]))
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return float(norm)

    def discard(self) -> None:
        """Throw away the accumulated gradients (a skipped step)."""
        if self.engine is not None:
            self.engine.zero_grad()
            # DeepSpeed keeps partitioned gradients in its optimizer; clear them too
            if hasattr(self.engine.optimizer, "zero_grad"):
                self.engine.optimizer.zero_grad()
        else:
            self.optimizer.zero_grad(set_to_none=True)

    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    # ---- checkpoint state
    def state_dict(self) -> dict:
        if self.engine is not None:
            return {}  # DeepSpeed writes its own (partitioned) optimizer state: save_engine_state
        return {"optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None}

    def load_state_dict(self, state: dict) -> None:
        if self.engine is not None:
            return
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler") is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self._apply_peak_lr()

    def _apply_peak_lr(self) -> None:
        """After loading a checkpoint, the config's ``optim.lr`` is the peak again (the same value unless a
        ``trainer.resume=force`` continuation changed it); the schedule's position is kept."""
        peak = self.peak_lr
        for group in self.optimizer.param_groups:
            group["initial_lr"] = peak
        if self.scheduler is None:
            for group in self.optimizer.param_groups:
                group["lr"] = peak
            return
        if not hasattr(self.scheduler, "lr_lambdas"):  # not the config's LambdaLR: leave it as loaded
            return
        self.scheduler.base_lrs = [peak for _ in self.optimizer.param_groups]
        step = self.scheduler.last_epoch
        for group, factor in zip(self.optimizer.param_groups, self.scheduler.lr_lambdas, strict=True):
            group["lr"] = peak * factor(step)

    def save_checkpoint(self, output_dir: Path, step: int, *, processor: Any, trainer_state: dict, keep_last: int,
                        run_id: str | None) -> None:
        """Write checkpoint ``step`` (``mmagrae.trainer.checkpoint`` layout) from every rank's share.

        Plain torch: rank 0 writes the HF model, the processor and ``trainer_state`` + the optimizer state.
        DeepSpeed: every rank first writes its partitioned state into ``step_N.ds/``, which then moves into the
        checkpoint as ``deepspeed/``; under ZeRO-3 every rank takes part in gathering the 16-bit weights.
        """
        import shutil

        from mmagrae.trainer import checkpoint as ckpt

        state = {**trainer_state, **self.state_dict()}
        partitioned = ckpt.checkpoint_root(output_dir) / f"step_{step:06d}.ds"
        try:
            if self.engine is not None:
                self.save_engine_state(partitioned)
            self._barrier()
            if self.info.is_main:
                def save_model(model: torch.nn.Module, path: Path) -> None:
                    self.save_model(model, path)
                    if self.engine is not None:
                        os.replace(partitioned / "deepspeed", path / "deepspeed")

                ckpt.save_checkpoint(output_dir, step, model=self.module, processor=processor, trainer_state=state,
                                     keep_last=keep_last, save_model_fn=save_model, run_id=run_id)
            elif self.zero_stage == 3:
                self.save_model(self.module, Path(os.devnull))  # the gather is collective
            self._barrier()
        finally:
            if self.engine is not None and self.info.is_main:
                shutil.rmtree(partitioned, ignore_errors=True)

    def load_checkpoint(self, path: Path, trainer_state: dict) -> None:
        """Restore the optimizer and scheduler (DeepSpeed: its partitioned state) from checkpoint ``path``."""
        self.load_engine_state(path)
        self.load_state_dict(trainer_state)

    def _barrier(self) -> None:
        if self.info.world_size > 1:
            dist.barrier()

    def save_engine_state(self, path: Path) -> None:
        if self.engine is not None:
            self.engine.save_checkpoint(str(path / "deepspeed"), tag="state")

    def load_engine_state(self, path: Path) -> None:
        if self.engine is not None:
            self.engine.load_checkpoint(str(path / "deepspeed"), tag="state", load_module_strict=False)

    def save_model(self, model: torch.nn.Module, path: Path) -> None:
        """Write HF-format weights; under ZeRO-3 gather the partitioned parameters first."""
        from mmagrae.trainer.checkpoint import save_hf_model

        if self.engine is not None and self.zero_stage == 3:
            state = self.engine._zero3_consolidated_16bit_state_dict()
            if self.info.is_main:
                self.module.save_pretrained(path, state_dict=state, safe_serialization=True)
            return
        if self.info.is_main:
            save_hf_model(self.module, path)
