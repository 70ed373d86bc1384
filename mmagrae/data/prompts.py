"""Rows → chat prompts with resized images (:class:`Prompt`), too-long prompts filtered.

For each row:

1. The user turn: ``template`` (Jinja, rendered in a sandbox; variables ``problem``, ``choices``,
   ``choices_text``, ``answer_type``, ``precision``, ``unit``, ``task``, ``id``, ``format_instruction``) or, by
   default, ``problem`` followed by the answer-format instruction of ``answer_format``.
2. ``<image>`` markers split it into interleaved image and text parts (several images per prompt are fine);
   a row without images takes the text path (plain string content).
3. The processor's chat template (``add_generation_prompt=True``), with ``system_prompt`` if given.
4. Images are resized by qwen-vl-utils (``fetch_image``) to ``min_pixels .. max_pixels`` (sides multiples of
   2 × the processor's patch size: 28 for Qwen2/2.5-VL, 32 for Qwen3-VL).
5. The prompt length is counted *after* each image placeholder expands to its image tokens (the grid the
   model's image processor will produce); prompts longer than ``max_prompt_length`` are dropped and counted.

Example (tiny Qwen2-VL)::

    prompts, report = build_prompts(rows, processor, answer_format="answer", max_prompt_length=512)
    prompts[0].text  # '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n<|im_start|>user\\n
                     #  <|vision_start|><|image_pad|><|vision_end|>How many circles ...<|im_end|>\\n...'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmagrae.data.loading import IMAGE_MARKER
from mmagrae.data.report import SkipReport

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

FORMAT_INSTRUCTIONS: dict[str, str] = {
    "think_answer": "First think step by step inside <think> </think> tags, then give the final answer inside "
                    "<answer> </answer> tags.",
    "answer": "Give the final answer inside <answer> </answer> tags.",
    "boxed": "Put the final answer in \\boxed{}.",
}
CHOICE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Prompt:
    """One chat-formatted prompt with its (already resized) images: what a rollout engine samples from."""

    text: str
    """The prompt after the chat template: one ``<|vision_start|><|image_pad|><|vision_end|>`` per image."""
    images: list[Image.Image] = field(default_factory=list)
    """PIL images in the order of their placeholders; [] on the text path."""
    row: dict[str, Any] | None = None
    """The source data row (answer, choices, ...), passed through untouched."""
    num_tokens: int = 0
    """Prompt length in tokens after the image placeholders are expanded (0 = not measured)."""


@lru_cache(maxsize=32)
def _compile(template: str):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(keep_trailing_newline=False, autoescape=False)
    return env.from_string(template)


def load_template(template: str | None) -> str | None:
    """A template string, or the contents of a ``.jinja`` / ``.j2`` / ``.txt`` file it names."""
    if template and template.endswith((".jinja", ".j2", ".txt")) and Path(template).is_file():
        return Path(template).read_text(encoding="utf-8")
    return template


def render_user_text(row: dict[str, Any], *, template: str | None = None, answer_format: str | None = "answer") -> str:
    """The user turn's text (with ``<image>`` markers) for one row.

    >>> render_user_text({"problem": "<image>How many?", "choices": None}, answer_format="answer")
    '<image>How many?\\nGive the final answer inside <answer> </answer> tags.'
    >>> render_user_text({"problem": "2+2?", "choices": ["3", "4"]}, template="Q: {{ problem }} [{{ choices_text }}]")
    'Q: 2+2? [(A) 3 (B) 4]'
    """
    if answer_format is not None and answer_format not in FORMAT_INSTRUCTIONS:
        raise ValueError(f"unknown answer_format {answer_format!r}; allowed: {', '.join(FORMAT_INSTRUCTIONS)}")
    instruction = FORMAT_INSTRUCTIONS[answer_format] if answer_format else ""
    choices = row.get("choices") or None
    if template is None:
        return f"{row['problem']}\n{instruction}" if instruction else row["problem"]
    values = {
        "problem": row["problem"],
        "choices": choices,
        "choices_text": " ".join(f"({CHOICE_LETTERS[i]}) {c}" for i, c in enumerate(choices or [])),
        "answer_type": row.get("answer_type"),
        "precision": row.get("precision"),
        "unit": row.get("unit"),
        "task": row.get("task"),
        "id": row.get("id"),
        "format_instruction": instruction,
    }
    return _compile(template).render(**values).strip()


def _content(text: str, n_images: int) -> str | list[dict[str, str]]:
    """Interleave image parts at the ``<image>`` markers (missing markers: images first)."""
    if n_images == 0:
        return text.replace(IMAGE_MARKER, "")
    pieces = text.split(IMAGE_MARKER)
    if len(pieces) - 1 != n_images:
        pieces = [""] * n_images + ["".join(pieces)]
    parts: list[dict[str, str]] = []
    for i, piece in enumerate(pieces):
        if i:
            parts.append({"type": "image"})
        if piece:
            parts.append({"type": "text", "text": piece})
    return parts


def resize_image(image: Any, *, min_pixels: int, max_pixels: int, patch_size: int = 14) -> Any:
    """qwen-vl-utils resizing: sides multiples of ``2 * patch_size`` (28 for Qwen2/2.5-VL, 32 for Qwen3-VL), area
    within [min_pixels, max_pixels], RGB."""
    from qwen_vl_utils import fetch_image

    return fetch_image({"image": image, "min_pixels": min_pixels, "max_pixels": max_pixels},
                       image_patch_size=patch_size)


def processor_patch_size(processor: Any) -> int:
    """The vision patch size of a VL processor's image processor (14 for Qwen2/2.5-VL, 16 for Qwen3-VL)."""
    return int(getattr(getattr(processor, "image_processor", None), "patch_size", 14) or 14)


def image_token_count(processor: Any, image: Any) -> int:
    """How many ``<|image_pad|>`` tokens the processor expands one image into (its own resize applied)."""
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

    ip = processor.image_processor
    patch, merge = int(getattr(ip, "patch_size", 14)), int(getattr(ip, "merge_size", 2))
    size = getattr(ip, "size", None) or {}
    get = size.get if isinstance(size, dict) else (lambda k, d=None: getattr(size, k, d))
    min_pixels = get("shortest_edge", None) or getattr(ip, "min_pixels", 56 * 56)
    max_pixels = get("longest_edge", None) or getattr(ip, "max_pixels", 28 * 28 * 1280)
    height, width = smart_resize(image.height, image.width, factor=patch * merge, min_pixels=min_pixels,
                                 max_pixels=max_pixels)
    return (height // patch) * (width // patch) // (merge * merge)


def build_prompts(rows: Sequence[dict[str, Any]], processor: Any, *, template: str | None = None,
                  system_prompt: str | None = None, answer_format: str | None = "answer",
                  max_prompt_length: int | None = 1024, min_pixels: int = 3136,
                  max_pixels: int = 401408) -> tuple[list[Prompt], SkipReport]:
    """Chat prompts for ``rows`` (see the module docstring); returns ``(prompts, report)``.

    ``processor`` is the model's processor (VL) or tokenizer (text models: rows with images are skipped).
    ``Prompt.row`` is the source row; ``Prompt.num_tokens`` the length after image-token expansion.
    """
    template = load_template(template)
    tokenizer = getattr(processor, "tokenizer", processor)
    is_vl = tokenizer is not processor and hasattr(processor, "image_processor")
    image_pad = "<|image_pad|>"
    report = SkipReport("prompts")
    prompts: list[Prompt] = []
    for row in rows:
        images = list(row.get("images") or [])
        if images and not is_vl:
            report.skip("images on a text-only model", row.get("id"))
            continue
        text = render_user_text(row, template=template, answer_format=answer_format)
        messages: list[dict[str, Any]] = []
        if system_prompt:
            messages.append({"role": "system", "content": system_prompt})
        messages.append({"role": "user", "content": _content(text, len(images))})
        chat = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        try:
            patch = processor_patch_size(processor)
            resized = [resize_image(img, min_pixels=min_pixels, max_pixels=max_pixels, patch_size=patch)
                       for img in images]
        except (OSError, ValueError) as err:  # pragma: no cover - images were decoded by load_rows
            report.skip(f"unreadable image ({type(err).__name__})", row.get("id"))
            continue
        n_tokens = len(tokenizer(chat, add_special_tokens=False)["input_ids"])
        if resized:
            n_tokens += sum(image_token_count(processor, img) - 1 for img in resized)
            if chat.count(image_pad) != len(resized):
                report.skip("image placeholder mismatch", row.get("id"))
                continue
        if max_prompt_length is not None and n_tokens > max_prompt_length:
            report.skip("prompt too long", row.get("id"))
            continue
        prompts.append(Prompt(text=chat, images=resized, row=row, num_tokens=n_tokens))
        report.keep()
    report.warn()
    return prompts, report
