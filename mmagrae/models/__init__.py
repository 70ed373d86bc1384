"""The model: loading a policy (full / LoRA, dtype, attention kernel, gradient checkpointing, vision freezing),
the KL reference, LoRA adapters, what the rest needs to know about a model's vocabulary (tokenizer, pad id,
EOS ids, vision special tokens), and the tiny random-weight models tests and demos run on.

Nothing here imports ``mmagrae.rollout`` or ``mmagrae.trainer``: they import this.

- :mod:`mmagrae.models.loading`: :func:`resolve_dtype`, :func:`load_policy`, :func:`build_policy`,
  :func:`load_reference`, :func:`load_adapter`, :func:`resolve_model_path` (``tiny:ARCH``).
- :mod:`mmagrae.models.tokens`: :func:`get_tokenizer`, :func:`pad_token_id`, :func:`eos_token_ids`,
  :func:`vision_token_ids`, :func:`is_vision_model`, :func:`is_vision_name`.
- :mod:`mmagrae.models.tiny`: :func:`build_tiny_model` (``mmagrae tiny-model --arch ARCH --out DIR``).

Example::

    from mmagrae.models import load_policy, pad_token_id
    model, processor = load_policy(path, dtype="auto")
    pad = pad_token_id(processor)
"""

from mmagrae.models.loading import (
    TINY_PREFIX,
    build_policy,
    dtype_name,
    freeze_vision,
    load_adapter,
    load_policy,
    load_reference,
    resolve_dtype,
    resolve_model_path,
)
from mmagrae.models.tokens import (
    VISION_SPECIAL_TOKENS,
    eos_token_ids,
    get_tokenizer,
    is_vision_model,
    is_vision_name,
    pad_token_id,
    vision_token_ids,
)

__all__ = [
    "TINY_PREFIX",
    "VISION_SPECIAL_TOKENS",
    "build_policy",
    "dtype_name",
    "eos_token_ids",
    "freeze_vision",
    "get_tokenizer",
    "is_vision_model",
    "is_vision_name",
    "load_adapter",
    "load_policy",
    "load_reference",
    "pad_token_id",
    "resolve_dtype",
    "resolve_model_path",
    "vision_token_ids",
]
