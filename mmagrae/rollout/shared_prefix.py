"""Shared-prefix sampling: prefill each prompt once, copy its KV cache G times, then sample the G continuations.

``generate(..., num_return_sequences=G)`` repeats every prompt G times *before* the prefill, so the prompt's
tokens — and, for a VLM, its images through the vision tower — are computed G times. Here the prefill runs on
the B distinct prompts only, and the decode continues on the expanded ``[B·G]`` cache:

1. ``generate(prompts, max_new_tokens=1, greedy)`` prefills the B prompts (P tokens, images included) exactly
   as transformers' own generate does — positions, M-RoPE ``rope_deltas``, ``mm_token_type_ids`` — and returns
   its ``DynamicCache``. No random numbers are drawn (greedy), so the sampler's RNG is untouched.
2. The cache is cropped to P − 1 tokens and expanded with ``DynamicCache.batch_repeat_interleave(G)``; a VLM's
   cached ``rope_deltas`` ``[B, 1]`` are expanded the same way.
3. ``generate(input_ids repeated G times, past_key_values=cache, num_return_sequences=1)`` then runs the last
   prompt token for the ``B·G`` rows (one token each) and samples as usual, images no longer needed: they live
   in the cache.

The sampled distribution is the unshared one: each row sees the same keys and values (up to float rounding,
~1e-6 in fp32) and the same logits processors, and the sampler draws from the RNG in the same order, so with a
fixed seed both paths return the same tokens (``tests/test_shared_prefix.py`` checks greedy and seeded sampling
on every tiny architecture). Cost: the prefill and the vision tower run on B rows instead of B·G, plus one
one-token forward of B·G rows; the cache memory is the same.

Worked example (B = 2 prompts of P = 300 tokens, G = 4): the unshared prefill processes 2·4·300 = 2,400 tokens
and 8 images; the shared one 2·300 = 600 tokens and 2 images, plus 8 one-token steps.
"""

from __future__ import annotations

import copy
from typing import Any

import torch


def supports_shared_prefix(model: Any) -> bool:
    """True when the model's cache can be expanded in place (a transformers ``DynamicCache``).

    Models whose ``generate`` builds another cache type (static, hybrid, sliding-window-only, encoder-decoder)
    keep the ordinary path, and so do models with recurrent layers (Qwen3.5's gated DeltaNet
    ``"linear_attention"``): their cached state is one vector per row, which cannot be cropped back to P − 1 tokens.
    """
    config = getattr(model, "config", None)
    if config is None or getattr(config, "is_encoder_decoder", False):
        return False
    for cfg in (config, getattr(config, "text_config", None)):
        if any(t not in ("full_attention", "sliding_attention") for t in (getattr(cfg, "layer_types", None) or ())):
            return False
    impl = getattr(getattr(model, "generation_config", None), "cache_implementation", None)
    return impl in (None, "dynamic")


def _expand_rope_deltas(model: Any, batch: int, n: int) -> None:
    """Repeat every cached ``rope_deltas`` ``[batch, 1]`` (Qwen-VL M-RoPE) ``n`` times, as the cache rows."""
    for module in model.modules():
        deltas = getattr(module, "rope_deltas", None)
        if torch.is_tensor(deltas) and deltas.dim() >= 1 and deltas.shape[0] == batch:
            module.rope_deltas = deltas.repeat_interleave(n, dim=0)  # [batch·n, 1]


def generate_shared_prefix(model: Any, inputs: dict[str, Any], n: int, generation_config: Any,
                           **generate_kwargs: Any) -> Any:
    """``model.generate(**inputs, generation_config=generation_config)`` with ``num_return_sequences = n``,
    prefilling each prompt once.

    Args:
        model: a transformers generative model (``supports_shared_prefix(model)``).
        inputs: the processor's batch for B prompts (``input_ids`` / ``attention_mask`` ``[B, P]``, left-padded,
            plus ``pixel_values``, ``image_grid_thw``, ``mm_token_type_ids`` ... for a VLM).
        n: samples per prompt (G); the result's rows are prompt-major, as ``num_return_sequences`` orders them.
        generation_config: the sampling configuration (its ``num_return_sequences`` is ignored).
        **generate_kwargs: passed to the sampling ``generate`` (``logits_processor``, ``tokenizer``,
            ``synced_gpus``); ``synced_gpus`` also to the prefill.

    Returns generate's output: ``sequences`` ``[B·n, P + T]`` (the prompt columns as given).
    """
    from transformers import GenerationConfig
    from transformers.cache_utils import DynamicCache

    input_ids: torch.Tensor = inputs["input_ids"]  # [B, P]
    batch, prompt_length = input_ids.shape
    if prompt_length < 2:
        raise ValueError("shared-prefix generation needs prompts of at least 2 tokens")

    # 1. prefill the B prompts as generate does (greedy, one new token: no random numbers drawn)
    prefill_config = GenerationConfig(
        do_sample=False, max_new_tokens=1, num_return_sequences=1, return_dict_in_generate=True, use_cache=True,
        eos_token_id=generation_config.eos_token_id, pad_token_id=generation_config.pad_token_id)
    synced = {k: v for k, v in generate_kwargs.items() if k == "synced_gpus"}
    prefill = model.generate(**inputs, generation_config=prefill_config, **synced)
    cache = prefill.past_key_values
    if not isinstance(cache, DynamicCache):
        raise TypeError(f"shared-prefix generation needs a DynamicCache, got {type(cache).__name__}")

    # 2. keep the first P - 1 positions, copy each prompt's rows n times
    cache.crop(prompt_length - 1)
    cache.batch_repeat_interleave(n)
    _expand_rope_deltas(model, batch, n)

    # 3. sample from the expanded cache; only per-token inputs are repeated (images are in the cache)
    per_token = {k: v.repeat_interleave(n, dim=0) for k, v in inputs.items()
                 if torch.is_tensor(v) and v.dim() == 2 and v.shape == input_ids.shape and k != "input_ids"}
    config = copy.deepcopy(generation_config)
    config.num_return_sequences = 1
    return model.generate(input_ids=input_ids.repeat_interleave(n, dim=0), past_key_values=cache,
                          generation_config=config, **per_token, **generate_kwargs)  # sequences [B·n, P + T]
