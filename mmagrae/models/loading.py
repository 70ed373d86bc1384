"""Loading models: the policy (full or LoRA, dtype, attention kernel, gradient checkpointing, vision
freezing), the frozen reference for the KL term, LoRA adapters from a checkpoint, and ``tiny:ARCH`` paths.

- :func:`resolve_dtype`: ``"auto"`` / a name / a torch dtype → a ``torch.dtype`` (the one place that decides).
- :func:`load_policy`: ``(model, processor)`` from a directory or hub id, nothing else applied.
- :func:`build_policy`: :func:`load_policy` plus what ``model:`` in the config asks for (the trainer's policy).
- :func:`load_reference`: a frozen, never-LoRA copy (the KL reference).
- :func:`load_adapter`: restore LoRA weights from a checkpoint's ``adapter/`` folder.
- :func:`resolve_model_path`: ``tiny:ARCH`` → a tiny random model built once under a cache folder.

Example::

    model, processor = build_policy(cfg.model, "Qwen/Qwen2.5-VL-3B-Instruct", torch.device("cuda"))
    ref, _ = load_reference(cfg.model, "Qwen/Qwen2.5-VL-3B-Instruct", torch.device("cuda"))
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmagrae.models.tokens import is_vision_model, is_vision_name

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from mmagrae.config import ModelConfig

TINY_PREFIX = "tiny:"
DTYPE_NAMES: tuple[str, ...] = ("auto", "float32", "bfloat16", "float16")


def resolve_dtype(dtype: Any, device: Any = None) -> torch.dtype:
    """The torch dtype for ``dtype``: ``"auto"`` (or None) is bfloat16 on a CUDA device, float32 elsewhere.

    ``device`` is the device the model will run on (a ``torch.device`` or a string); None means "CUDA if there
    is one". Names (``"float32"``, ``"bfloat16"``, ``"float16"``, also ``"torch.float32"``) and torch dtypes
    pass through.

    >>> import torch
    >>> resolve_dtype("auto", torch.device("cpu")), resolve_dtype("bfloat16"), resolve_dtype(torch.float16)
    (torch.float32, torch.bfloat16, torch.float16)
    """
    import torch

    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype is None or dtype == "auto":
        on_cuda = torch.cuda.is_available() if device is None else torch.device(device).type == "cuda"
        return torch.bfloat16 if on_cuda else torch.float32
    name = str(dtype).removeprefix("torch.")
    if name not in DTYPE_NAMES:
        raise ValueError(f"unknown dtype {dtype!r}; allowed: {', '.join(DTYPE_NAMES)}")
    return getattr(torch, name)


def dtype_name(dtype: Any, device: Any = None) -> str:
    """:func:`resolve_dtype` as a name (``"float32"``), the form vLLM takes."""
    return str(resolve_dtype(dtype, device)).removeprefix("torch.")


def load_policy(model_path: str, *, dtype: Any = "float32", trust_remote_code: bool = False,
                device: str | None = None, attn_implementation: str | None = None) -> tuple[Any, Any]:
    """Load ``(model, processor)``: ``AutoModelForImageTextToText`` for VL configs, else ``AutoModelForCausalLM``.

    ``processor`` is an ``AutoProcessor`` for VL models and the tokenizer for text models.
    ``dtype`` goes through :func:`resolve_dtype` (``"auto"`` looks at ``device``).
    ``trust_remote_code`` stays False unless the caller asks for it. ``attn_implementation`` ("eager", "sdpa",
    "flash_attention_2"; None or "auto" = transformers' choice) is passed to ``from_pretrained``.
    """
    from transformers import (
        AutoConfig,
        AutoModelForCausalLM,
        AutoModelForImageTextToText,
        AutoProcessor,
        AutoTokenizer,
    )

    config = AutoConfig.from_pretrained(model_path, trust_remote_code=trust_remote_code)
    torch_dtype = resolve_dtype(dtype, device)
    attn = {} if attn_implementation in (None, "auto") else {"attn_implementation": attn_implementation}
    if is_vision_model(config):
        model = AutoModelForImageTextToText.from_pretrained(model_path, dtype=torch_dtype,
                                                            trust_remote_code=trust_remote_code, **attn)
        processor = AutoProcessor.from_pretrained(model_path, trust_remote_code=trust_remote_code)
    else:
        model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch_dtype,
                                                     trust_remote_code=trust_remote_code, **attn)
        processor = AutoTokenizer.from_pretrained(model_path, trust_remote_code=trust_remote_code)
    if device is not None:
        model = model.to(device)
    return model, processor


def build_policy(model_cfg: ModelConfig, model_path: str, device: torch.device) -> tuple[torch.nn.Module, Any]:
    """The trainer's policy: :func:`load_policy` on ``device``, then vision freezing, LoRA and gradient
    checkpointing as ``model_cfg`` (the config's ``model:`` section) asks."""
    import torch

    model, processor = load_policy(model_path, dtype=resolve_dtype(model_cfg.dtype, device),
                                   trust_remote_code=model_cfg.trust_remote_code,
                                   attn_implementation=model_cfg.attn_implementation)
    model.to(device)
    if model_cfg.freeze_vision_tower:
        freeze_vision(model)
    if model_cfg.lora.enabled:
        from peft import LoraConfig as PeftLoraConfig
        from peft import get_peft_model

        lora = model_cfg.lora
        targets: Any = lora.target_modules
        if targets != "all-linear":
            targets = [t.strip() for t in targets.split(",") if t.strip()]
        exclude = None if lora.include_vision else [
            n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and is_vision_name(n)]
        peft_cfg = PeftLoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                                  target_modules=targets, exclude_modules=exclude or None)
        model = get_peft_model(model, peft_cfg)
    if model_cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if hasattr(model, "enable_input_require_grads"):
            model.enable_input_require_grads()
    return model, processor


def freeze_vision(model: torch.nn.Module) -> int:
    """Stop gradients to the vision tower and its merger; returns how many parameter tensors were frozen."""
    frozen = 0
    for name, param in model.named_parameters():
        if is_vision_name(name):
            param.requires_grad_(False)
            frozen += 1
    return frozen


def load_reference(model_cfg: ModelConfig, model_path: str, device: torch.device) -> tuple[torch.nn.Module, Any]:
    """A frozen copy of the initial policy for the KL term (never LoRA-wrapped), in eval mode on ``device``."""
    ref, proc = load_policy(model_path, dtype=resolve_dtype(model_cfg.dtype, device),
                            trust_remote_code=model_cfg.trust_remote_code)
    ref.to(device).eval().requires_grad_(False)
    return ref, proc


def load_adapter(model: torch.nn.Module, path: Path) -> None:
    """Restore LoRA weights from a checkpoint's ``adapter/`` folder into a PEFT-wrapped ``model``."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    adapter = Path(path) / "adapter" / "adapter_model.safetensors"
    if not adapter.exists():
        raise FileNotFoundError(f"{path} has no LoRA adapter to resume from (model.lora.enabled=true)")
    result = set_peft_model_state_dict(model, load_file(str(adapter)))
    if getattr(result, "unexpected_keys", None):
        raise RuntimeError(f"adapter in {path} does not match the model: {result.unexpected_keys[:5]}")


def resolve_model_path(path: str, cache_dir: Path, seed: int = 0) -> str:
    """``tiny:ARCH`` → a random tiny model built (once) under ``cache_dir``; anything else unchanged."""
    if not path.startswith(TINY_PREFIX):
        return path
    from mmagrae.models.tiny import build_tiny_model

    arch = path[len(TINY_PREFIX):]
    out = Path(cache_dir) / f"tiny-{arch}-seed{seed}"
    if not (out / "config.json").exists():
        build_tiny_model(arch, out, seed=seed)
    return str(out)
