"""The row schema every recipe produces and the checks that keep rows in it.

The columns, answer types, markers and ``datasets`` features are defined once, in ``mmagrae.data.schema``
(shared with the loader and ``eval``) and re-exported here.

A row is one verifiable question::

    {
        "problem": "<image>How many circles are in the image?",   # one "<image>" marker per image
        "images": [PIL.Image | {"bytes": b"...", "path": None}],  # decoded on load by datasets.Image()
        "answer": "3",                  # the gold answer as text, what the verifier compares against
        "choices": None,                # list[str] of option texts for multiple choice, else None
        "answer_type": "integer",       # integer | float | text | list | multiple_choice | expression
        "precision": None,              # decimals for answer_type "float", else None
        "unit": None,                   # e.g. "degrees", "%", "cm": metadata, never part of `answer`
        "task": "counting",             # geometry | chart | counting | math | science | general | ...
        "id": "counting-s0-train-000000",
    }

Conventions (what the loader and the verifier can rely on):

- ``problem`` is the whole question the model sees, choices included ("Choices: (A) 25 (B) 30 ...") and no
  answer-format instruction (the prompt builder adds that). Each image has exactly one ``<image>`` marker; a
  source without markers gets them prepended.
- Multiple choice: ``answer`` is the *text* of the correct option and is one of ``choices`` (MathVista's
  convention); the letter is ``"ABCD..."[choices.index(answer)]``.
- ``float`` answers are written with exactly ``precision`` decimals (``"78.54"``, precision 2).
- ``expression`` answers are LaTeX (``"25\\pi"``, ``"5\\sqrt{2}"``, ``"\\frac{3}{4}"``).
"""

from __future__ import annotations

import io
import re
from typing import Any

from mmagrae.data.schema import (
    ANSWER_TYPES,
    CHOICE_LETTERS,
    IMAGE_MARKER,
    STORED_COLUMNS,
    VIDEO_MARKER,
    features,
    lettered_choices,
)

__all__ = ["ANSWER_TYPES", "CHOICE_LETTERS", "COLUMNS", "IMAGE_MARKER", "VIDEO_MARKER", "choices_text", "features",
           "format_float", "image_to_bytes", "validate_row", "with_image_markers"]

# one definition of the schema, shared with mmagrae.data and eval
COLUMNS: tuple[str, ...] = STORED_COLUMNS
"""The columns every recipe writes, in order (``videos`` only for datasets with videos: :func:`features`)."""

_INTEGER = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def image_to_bytes(image: Any, image_format: str = "PNG") -> dict[str, Any]:
    """Encode a PIL image as the ``{"bytes", "path"}`` struct that ``datasets.Image`` stores.

    >>> from PIL import Image
    >>> image_to_bytes(Image.new("RGB", (2, 2)))["bytes"][:4]
    b'\\x89PNG'
    """
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, optimize=False)
    return {"bytes": buffer.getvalue(), "path": None}


def format_float(value: float, precision: int) -> str:
    """Write ``value`` with exactly ``precision`` decimals (``format_float(2.5, 2) == "2.50"``), no ``-0``."""
    text = f"{round(value, precision):.{precision}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def choices_text(choices: list[str]) -> str:
    """The line appended to a multiple-choice problem: ``"Choices: (A) 25 (B) 30"``."""
    return "Choices: " + lettered_choices(choices)


def with_image_markers(problem: str, n_images: int) -> str:
    """Make ``problem`` carry one ``<image>`` marker per image: keep them if the counts match, else prepend.

    >>> with_image_markers("Find x.", 1)
    '<image>Find x.'
    >>> with_image_markers("<image>Find x.", 1)
    '<image>Find x.'
    """
    present = problem.count(IMAGE_MARKER)
    if present == n_images:
        return problem
    if present == 0:
        return IMAGE_MARKER * n_images + problem
    raise ValueError(f"problem has {present} {IMAGE_MARKER} markers for {n_images} images")


def validate_row(row: dict[str, Any]) -> str | None:
    """Return why ``row`` breaks the schema, or ``None`` when it is a valid row.

    >>> validate_row({"problem": "<image>Find x.", "images": [b""], "answer": "3", "choices": None,
    ...               "answer_type": "integer", "precision": None, "unit": None, "task": "geometry", "id": "a"})
    >>> validate_row({"problem": "Find x.", "images": [], "answer": "", "choices": None,
    ...               "answer_type": "integer", "precision": None, "unit": None, "task": None, "id": "a"})
    'empty answer'
    """
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        return f"missing columns {missing}"
    problem, answer, answer_type = row["problem"], row["answer"], row["answer_type"]
    if not isinstance(problem, str) or not problem.strip():
        return "empty problem"
    if not isinstance(answer, str) or not answer.strip():
        return "empty answer"
    if not isinstance(row["id"], str) or not row["id"]:
        return "empty id"
    images = row["images"] or []
    if problem.count(IMAGE_MARKER) != len(images):
        return f"{problem.count(IMAGE_MARKER)} {IMAGE_MARKER} markers for {len(images)} images"
    if answer_type is not None and answer_type not in ANSWER_TYPES:
        return f"unknown answer_type {answer_type!r} (allowed: {', '.join(ANSWER_TYPES)})"
    choices = row["choices"]
    if choices is not None and (not isinstance(choices, list) or len(choices) < 2):
        return "choices must be a list of at least two options or None"
    if answer_type == "multiple_choice":
        if not choices:
            return "multiple_choice without choices"
        if answer not in choices:
            return f"answer {answer!r} is not one of the choices"
    if answer_type == "integer" and not _INTEGER.match(answer.strip()):
        return f"answer {answer!r} is not an integer"
    if answer_type == "float":
        if not _FLOAT.match(answer.strip()):
            return f"answer {answer!r} is not a number"
        precision = row["precision"]
        if precision is not None and (not isinstance(precision, int) or precision < 0):
            return f"bad precision {precision!r}"
    return None
