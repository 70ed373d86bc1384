"""What the rest of mmagrae needs to know about a model's vocabulary and parts, read off the model itself.

- :func:`get_tokenizer`: the tokenizer inside a processor (or the tokenizer itself for text models).
- :func:`pad_token_id`: the id padding uses (the tokenizer's pad token, else its EOS).
- :func:`eos_token_ids`: the ids that end a completion (generation config, tokenizer, ``<|im_end|>``).
- :func:`vision_token_ids`: the vision special tokens a sampler must never emit.
- :func:`is_vision_model`: a vision-language config (it has a ``vision_config``).
- :func:`is_vision_name`: a parameter / module name inside the vision tower or its projector.

Example (tiny Qwen2-VL)::

    >>> pad_token_id(processor), eos_token_ids(model, processor)    # doctest: +SKIP
    (0, [2, 0])
"""

from __future__ import annotations

from typing import Any

VISION_SPECIAL_TOKENS: tuple[str, ...] = (
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<image>",
    "<fake_token_around_image>",
    "<global-img>",
)
"""Vision special tokens (Qwen's; Idefics3's): placeholders the processor expands, never text a policy should
write. Only those in a model's vocabulary count."""

VISION_MODULE_NAMES: frozenset[str] = frozenset({"visual", "vision_model", "vision_tower", "connector",
                                                 "multi_modal_projector"})
"""Module names (one dotted component) that hold the vision tower and its merger / projector (Qwen: ``visual``;
Idefics3: ``vision_model`` and ``connector``; LLaVA-style: ``vision_tower`` and ``multi_modal_projector``)."""


def get_tokenizer(processor: Any) -> Any:
    """The tokenizer inside a processor (or the processor itself for text models)."""
    return getattr(processor, "tokenizer", processor)


def pad_token_id(processor: Any) -> int:
    """The padding id: the tokenizer's pad token, else its EOS token (attention masks hide it anyway)."""
    tok = get_tokenizer(processor)
    pid = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    return int(pid)


def is_vision_model(model_or_config: Any) -> bool:
    """True for vision-language configs (they carry a ``vision_config``); accepts a model or its config."""
    config = getattr(model_or_config, "config", model_or_config)
    return getattr(config, "vision_config", None) is not None


def is_vision_name(name: str) -> bool:
    """True for parameters / modules of the vision tower and its merger / projector (:data:`VISION_MODULE_NAMES`).

    >>> is_vision_name("model.visual.blocks.0.attn.qkv.weight"), is_vision_name("model.language_model.norm.weight")
    (True, False)
    """
    return any(part in VISION_MODULE_NAMES for part in name.split("."))


def vision_token_ids(processor: Any) -> list[int]:
    """Ids of the vision special tokens a sampler must never emit (empty if the tokenizer has none)."""
    vocab = get_tokenizer(processor).get_vocab()
    return sorted({vocab[t] for t in VISION_SPECIAL_TOKENS if t in vocab})


def eos_token_ids(model: Any, processor: Any) -> list[int]:
    """EOS ids from the generation config (``<|im_end|>`` and ``<|endoftext|>`` for Qwen), else the tokenizer's."""
    ids: list[int] = []
    gen = getattr(model, "generation_config", None)
    eos = getattr(gen, "eos_token_id", None) if gen is not None else None
    if eos is None:
        eos = getattr(get_tokenizer(processor), "eos_token_id", None)
    if isinstance(eos, int):
        ids = [eos]
    elif eos is not None:
        ids = list(eos)
    im_end = get_tokenizer(processor).get_vocab().get("<|im_end|>")
    if im_end is not None and im_end not in ids:
        ids.append(im_end)
    return ids
