"""Checkpoints: the model in Hugging Face format plus everything needed to continue exactly.

Layout of ``OUTPUT_DIR/checkpoints/step_000020/``::

    config.json, model.safetensors, tokenizer*, preprocessor_config.json, ...   (loadable by transformers, vLLM)
    adapter/                    (LoRA runs: the PEFT adapter; the top level then holds the merged model)
    trainer_state.pt            optimizer, scheduler, RNG states, data position, step  (torch.load weights_only)
    COMPLETE                    written last: a folder without it is ignored

A checkpoint is written into ``step_000020.tmp`` and renamed when complete, so a crash (even SIGKILL) never
leaves a half-written checkpoint that resume would pick up.
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
) -> Path:
    """Write ``checkpoints/step_{step:06d}`` atomically and prune old ones; returns its path.

    ``save_model_fn(model, path)`` overrides how the model is written (DeepSpeed ZeRO-3 gathers first).
    """
    root = checkpoint_root(output_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step_{step:06d}"
    tmp = root / f"step_{step:06d}.tmp"
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
    (tmp / "COMPLETE").write_text(str(step))
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    for old in list_checkpoints(output_dir)[:-keep_last] if keep_last > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    return final


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
