"""Synthetic datasets with verifiable answers, drawn with PIL (charts optionally with matplotlib), deterministic
by seed.

Kinds (``GENERATORS``): ``counting`` (shapes; level 1 is the task docs/DESIGN.md §4 records as learnable by a ~1M
model), ``geometry`` (angles, parallel lines, circles with π, right triangles with roots, similar
triangles), ``charts`` (bar, line and pie charts: read a value, differences, max/min, percentage share) and
``video_counting`` (a circle moving through a 4-8 frame clip: in how many frames does it appear; rows with
``videos``).

Each generator is ``make_row(rng, difficulty, **options) -> row`` with explicit keyword options, so a
misspelt option raises ``TypeError``. Item ``i`` of a split depends only on ``(kind, seed, split, i)`` and the
options: ``make_dataset(kind, 10, seed)`` is the first ten rows of ``make_dataset(kind, 1000, seed)``.

Example::

    >>> ds = make_dataset("counting", 4, seed=0)
    >>> ds[0]["problem"], ds[0]["answer"], ds[0]["id"]
    ('<image>How many circles are in the image?', '3', 'counting-s0-train-000000')
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from data_recipes.synthetic._common import item_rng

# kind -> module with make_row(rng, difficulty, **options) and LEVELS (imported on first use)
GENERATORS: dict[str, str] = {
    "counting": "data_recipes.synthetic.counting",
    "geometry": "data_recipes.synthetic.geometry",
    "charts": "data_recipes.synthetic.charts",
    "video_counting": "data_recipes.synthetic.video_counting",
}
Difficulty = int | str  # a level (1, 2, ...) or "mixed": each item draws its level uniformly


def generator(kind: str) -> ModuleType:
    """The module of a synthetic kind (``make_row`` and ``LEVELS``)."""
    if kind not in GENERATORS:
        raise ValueError(f"unknown synthetic kind {kind!r} (allowed: {', '.join(GENERATORS)})")
    return importlib.import_module(GENERATORS[kind])


def _levels(kind: str, difficulty: Difficulty) -> tuple[int, ...]:
    levels = generator(kind).LEVELS
    if difficulty == "mixed":
        return levels
    try:
        level = int(difficulty)
    except (TypeError, ValueError):
        level = None
    if level not in levels:
        raise ValueError(f"{kind} difficulty must be one of {levels} or 'mixed', got {difficulty!r}")
    return (level,)


def iter_rows(
    kind: str, seed: int, *, difficulty: Difficulty = 1, split: str = "train", start: int = 0, **options: Any
) -> Iterator[dict[str, Any]]:
    """Endless stream of rows ``start, start + 1, ...`` of one split (ids ``{kind}-s{seed}-{split}-{i:06d}``)."""
    make_row = generator(kind).make_row
    levels = _levels(kind, difficulty)
    index = start
    while True:
        rng = item_rng(kind, seed, split, index)
        level = levels[0] if len(levels) == 1 else rng.choice(levels)
        item = make_row(rng, level, **options)
        item["id"] = f"{kind}-s{seed}-{split}-{index:06d}"
        yield item
        index += 1


def make_rows(
    kind: str, n: int, seed: int = 0, *, difficulty: Difficulty = 1, split: str = "train", **options: Any
) -> list[dict[str, Any]]:
    """The first ``n`` rows of a split as plain dicts (images as ``{"bytes", "path"}`` PNG structs)."""
    stream = iter_rows(kind, seed, difficulty=difficulty, split=split, **options)
    return [next(stream) for _ in range(n)]


def make_dataset(
    kind: str, n: int, seed: int = 0, *, difficulty: Difficulty = 1, split: str = "train", **options: Any
):
    """``n`` rows of ``kind`` as a ``datasets.Dataset`` with the row features (``data_recipes.schema``).

    ``difficulty`` is a level (counting 1-4, geometry 1-3, charts 1-3) or ``"mixed"``; ``options`` go to the
    kind's ``make_row`` (e.g. counting ``image_size``, ``max_count``, ``radius``; geometry ``problems``,
    ``multiple_choice``; charts ``charts``, ``multiple_choice``).
    """
    from data_recipes.io import rows_to_dataset

    return rows_to_dataset(make_rows(kind, n, seed, difficulty=difficulty, split=split, **options))


def _fingerprint(row: dict[str, Any]) -> str:
    digest = hashlib.sha256(row["problem"].encode())
    for image in row["images"]:
        digest.update(image["bytes"])
    for video in row.get("videos") or []:
        for frame in video:
            digest.update(frame["bytes"])
    return digest.hexdigest()


def make_splits(
    kind: str, n: int, seed: int = 0, *, test_n: int = 0, difficulty: Difficulty = 1, **options: Any
) -> dict[str, Any]:
    """``{"train": Dataset, "test": Dataset}`` (``test`` only when ``test_n > 0``) from separate streams.

    A test item identical to a train item (same problem text and image bytes) is skipped and the next one
    taken, so the held-out split never repeats a training item.
    """
    from data_recipes.io import rows_to_dataset

    train = make_rows(kind, n, seed, difficulty=difficulty, split="train", **options)
    splits = {"train": rows_to_dataset(train)}
    if test_n > 0:
        seen = {_fingerprint(r) for r in train}
        test: list[dict[str, Any]] = []
        for item in iter_rows(kind, seed, difficulty=difficulty, split="test", **options):
            if _fingerprint(item) not in seen:
                test.append(item)
            if len(test) == test_n:
                break
        splits["test"] = rows_to_dataset(test)
    return splits


__all__ = ["GENERATORS", "generator", "iter_rows", "make_rows", "make_dataset", "make_splits"]
