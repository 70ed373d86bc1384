"""Helpers shared by the synthetic generators: per-item random streams, fonts, multiple-choice options."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from data_recipes.schema import CHOICE_LETTERS, choices_text


def item_rng(kind: str, seed: int, split: str, index: int) -> random.Random:
    """The random stream of one item: item ``i`` of a split is the same whatever ``n`` is (prefix-stable).

    Seeding ``random.Random`` with a string hashes it with SHA-512, so streams do not depend on
    ``PYTHONHASHSEED`` and are the same on every machine and Python >= 3.2.
    """
    return random.Random(f"mmagrae:{kind}:{seed}:{split}:{index}")


@lru_cache(maxsize=16)
def font(size: int):
    """Pillow's bundled scalable font (needs FreeType, which Pillow wheels ship); same glyphs everywhere."""
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def multiple_choice(
    rng: random.Random, answer: str, distractors: list[str], n_options: int = 4
) -> tuple[list[str], str]:
    """Options for a multiple-choice item: ``answer`` plus distinct distractors, shuffled.

    Returns ``(choices, line)`` where ``line`` is the ``"Choices: (A) ... "`` text to append to the problem.

    >>> import random
    >>> choices, line = multiple_choice(random.Random(0), "30", ["60", "30", "150", "45", "20"])
    >>> len(choices), "30" in choices, len(set(choices)), line.startswith("Choices: (A)")
    (4, True, 4, True)
    """
    pool: list[str] = []
    for option in distractors:
        if option != answer and option not in pool:
            pool.append(option)
    if len(pool) < n_options - 1:
        raise ValueError(f"need {n_options - 1} distinct distractors for {answer!r}, got {pool}")
    choices = [answer, *rng.sample(pool, n_options - 1)]
    rng.shuffle(choices)
    assert len(choices) <= len(CHOICE_LETTERS)
    return choices, choices_text(choices)


def row(
    problem: str,
    images: list[Any],
    answer: str,
    *,
    answer_type: str,
    task: str,
    choices: list[str] | None = None,
    precision: int | None = None,
    unit: str | None = None,
) -> dict[str, Any]:
    """A schema row without its ``id`` (``make_dataset`` sets it); images are encoded to PNG here."""
    from data_recipes.schema import image_to_bytes

    return {
        "problem": problem,
        "images": [image_to_bytes(image) for image in images],
        "answer": answer,
        "choices": choices,
        "answer_type": answer_type,
        "precision": precision,
        "unit": unit,
        "task": task,
    }
