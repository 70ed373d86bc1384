"""Checkpoints: the model in Hugging Face format plus everything needed to continue exactly.

Layout of ``OUTPUT_DIR/checkpoints/step_000020/``::

    config.json, model.safetensors, tokenizer*, preprocessor_config.json, ...   (loadable by transformers, vLLM)
    adapter/                    (LoRA runs: the PEFT adapter; the top level then holds the merged model)
    trainer_state.pt            optimizer, scheduler, RNG states, data position, step  (torch.load weights_only)
    RUN_ID                      the id of the run that wrote it (``run.json``); pruning deletes only its own
    COMPLETE                    written last: a folder without it is ignored

A checkpoint is written into ``step_000020.tmp`` and renamed when complete, so a crash (even SIGKILL) never
leaves a half-written checkpoint that resume would pick up. A failed write (a full disk) removes the ``.tmp``
folder and raises :class:`CheckpointWriteError`; the previous checkpoint is untouched. Files get the usual
permissions (``0666 & ~umask``), not the 0600 some writers use.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

_STEP_DIR = re.compile(r"^step_(\d+)$")


class CheckpointWriteError(RuntimeError):
    """A checkpoint could not be written (disk full, permissions); the message is one line."""


def rng_state() -> dict[str, Any]:
    """All RNG states as plain tensors/lists (loadable with ``weights_only=True``)."""
    np_state = np.random.get_state()
    state = {
        "python": list(random.getstate()[1]) + [random.getstate()[0], random.getstate()[2]],
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    py = state["python"]
    random.setstate((py[-2], tuple(py[:-2]), py[-1]))
    np_state = state["numpy"]
    np.random.set_state((np_state[0], np_state[1].numpy().astype(np.uint32), *np_state[2:]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def checkpoint_root(output_dir: str | Path) -> Path:
    return Path(output_dir) / "checkpoints"


def list_checkpoints(output_dir: str | Path) -> list[Path]:
    """Complete checkpoints, oldest first."""
    root = checkpoint_root(output_dir)
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        match = _STEP_DIR.match(child.name)
        if match and (child / "COMPLETE").exists():
            found.append((int(match.group(1)), child))
    return [path for _, path in sorted(found)]


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    ckpts = list_checkpoints(output_dir)
    return ckpts[-1] if ckpts else None


def resolve_resume(resume: str, output_dir: str | Path) -> Path | None:
    """``auto`` → the latest complete checkpoint (or None); ``never`` → None; else a checkpoint path."""
    if resume == "never":
        return None
    if resume == "auto":
        return latest_checkpoint(output_dir)
    path = Path(resume)
    if not (path / "COMPLETE").exists():
        raise FileNotFoundError(f"trainer.resume={resume!r} is not a complete checkpoint folder")
    return path


def save_checkpoint(
    output_dir: str | Path,
    step: int,
    *,
    model: torch.nn.Module,
    processor: Any,
    trainer_state: dict[str, Any],
    keep_last: int = 2,
    save_model_fn: Any = None,
    run_id: str | None = None,
) -> Path:
    """Write ``checkpoints/step_{step:06d}`` atomically and prune old ones; returns its path.

    ``save_model_fn(model, path)`` overrides how the model is written (DeepSpeed ZeRO-3 gathers first).
    Pruning keeps the ``keep_last`` newest checkpoints of run ``run_id`` and never deletes another run's
    (``run_id=None`` prunes only checkpoints that carry no run id). Raises :class:`CheckpointWriteError` when the disk refuses the write.
    """
    root = checkpoint_root(output_dir)
    final = root / f"step_{step:06d}"
    tmp = root / f"step_{step:06d}.tmp"
    try:
        root.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        if save_model_fn is not None:
            save_model_fn(model, tmp)
        else:
            save_hf_model(model, tmp)
        if processor is not None:
            processor.save_pretrained(tmp)
        torch.save(trainer_state, tmp / "trainer_state.pt")
        if run_id is not None:
            (tmp / "RUN_ID").write_text(run_id)
        (tmp / "COMPLETE").write_text(str(step))
        apply_umask(tmp)
    except Exception as err:  # a full disk surfaces as OSError, safetensors' SafetensorError or torch's RuntimeError
        reason = write_error_reason(err, root)  # before the clean-up frees the space again
        shutil.rmtree(tmp, ignore_errors=True)
        previous = latest_checkpoint(output_dir)
        kept = f"the previous checkpoint {previous} is intact" if previous else "no earlier checkpoint exists"
        raise CheckpointWriteError(f"could not write checkpoint {final}: {reason}; {kept}") from err
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    if keep_last > 0:
        own = [c for c in list_checkpoints(output_dir) if checkpoint_run_id(c) == run_id]
        for old in own[:-keep_last]:
            shutil.rmtree(old, ignore_errors=True)
    return final


def write_error_reason(err: BaseException, folder: Path) -> str:
    """One line saying why a write failed: the OS error, or "No space left on device" when the folder's disk is
    full (torch and safetensors report a full disk in their own words), else the error's first line."""
    if isinstance(err, OSError) and err.strerror:
        return f"{err.strerror} (errno {err.errno})"
    text = " ".join(str(err).split()) or type(err).__name__
    try:
        full = shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        full = False
    if full or "os error 28" in text or "No space left" in text:
        return f"No space left on device ({type(err).__name__})"
    return f"{type(err).__name__}: {text[:200]}"


def checkpoint_run_id(path: Path) -> str | None:
    """The id of the run that wrote checkpoint ``path`` (None for checkpoints that predate run ids)."""
    try:
        return (path / "RUN_ID").read_text().strip() or None
    except OSError:
        return None


def apply_umask(path: Path) -> None:
    """Give every file under ``path`` mode ``0666 & ~umask`` and every folder ``0777 & ~umask``.

    Some writers (safetensors) create files 0600; everything else in a run folder follows the umask.
    """
    mask = os.umask(0)
    os.umask(mask)
    for item in [path, *path.rglob("*")]:
        if item.is_symlink():
            continue
        os.chmod(item, (0o777 if item.is_dir() else 0o666) & ~mask)


def save_hf_model(model: torch.nn.Module, path: Path) -> None:
    """Save a plain or PEFT model so that transformers and vLLM load ``path`` directly.

    For a PEFT model the adapter goes to ``path/adapter`` and the merged weights to ``path``.
    """
    if hasattr(model, "peft_config"):
        model.save_pretrained(path / "adapter")
        import copy

        merged = copy.deepcopy(model).merge_and_unload()
        merged.save_pretrained(path, safe_serialization=True)
        del merged
    else:
        model.save_pretrained(path, safe_serialization=True)


def load_trainer_state(path: Path) -> dict[str, Any]:
    return torch.load(path / "trainer_state.pt", map_location="cpu", weights_only=True)
