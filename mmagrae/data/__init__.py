"""Data pipeline: rows from files, folders or the hub → chat prompts with resized images.

- ``mmagrae.data.schema``: the row schema (columns, answer types, ``<image>``/``<video>`` markers, ``datasets``
  features), the one definition ``data_recipes`` and ``eval`` import.
- :func:`load_rows` (``mmagrae.data.loading``): read and normalise rows ``{problem, images, answer, choices,
  answer_type, precision, unit, task, id}``; bad rows (missing / unreadable image, empty answer, marker
  mismatch) are skipped and counted in a :class:`SkipReport`.
- :func:`build_prompts` (``mmagrae.data.prompts``): rows → :class:`Prompt` (text + images); chat template, optional Jinja prompt template with the
  answer-format instruction, qwen-vl-utils resizing, prompt-length filter counted after image tokens.

Example::

    rows, skipped = load_rows("data/counting", split="train")
    prompts, filtered = build_prompts(rows, processor, answer_format="answer", max_prompt_length=512)
    print(skipped.summary(), filtered.summary())
"""

from mmagrae.data.loading import load_rows, normalize_row
from mmagrae.data.prompts import FORMAT_INSTRUCTIONS, Prompt, build_prompts, render_user_text, resize_image
from mmagrae.data.schema import ANSWER_TYPES, IMAGE_MARKER, ROW_COLUMNS, STORED_COLUMNS, VIDEO_MARKER
from mmagrae.data.skips import SkipReport

__all__ = [
    "ANSWER_TYPES",
    "FORMAT_INSTRUCTIONS",
    "IMAGE_MARKER",
    "Prompt",
    "ROW_COLUMNS",
    "STORED_COLUMNS",
    "SkipReport",
    "VIDEO_MARKER",
    "build_prompts",
    "load_rows",
    "normalize_row",
    "render_user_text",
    "resize_image",
]
