"""The row schema: one definition for ``data_recipes`` (which writes rows), ``mmagrae.data`` (which reads them)
and ``eval`` (which builds prompts from them).

A row is one verifiable question::

    {
        "problem": "<image>How many circles are in the image?",   # one "<image>" marker per image
        "images": [PIL.Image | {"bytes": b"...", "path": None}],  # decoded on load
        "videos": [],                   # optional: each video a list of frames (or a file path); "<video>" markers
        "answer": "3",                  # the gold answer as text, what the verifier compares against
        "choices": None,                # list[str] of option texts for multiple choice, else None
        "answer_type": "integer",       # one of ANSWER_TYPES
        "precision": None,              # decimals for answer_type "float", else None
        "unit": None,                   # e.g. "degrees", "%", "cm": metadata, never part of `answer`
        "task": "counting",             # geometry | chart | counting | math | science | general | ...
        "id": "counting-s0-train-000000",
    }

Stored datasets always have :data:`STORED_COLUMNS` (``videos`` only when a dataset has videos: see
:func:`features`); rows returned by ``mmagrae.data.load_rows`` always have every key of :data:`ROW_COLUMNS`.
"""

from __future__ import annotations

ROW_COLUMNS: tuple[str, ...] = ("problem", "images", "videos", "answer", "choices", "answer_type", "precision",
                                "unit", "task", "id")
"""The keys of a loaded row (``mmagrae.data.load_rows``)."""
STORED_COLUMNS: tuple[str, ...] = tuple(c for c in ROW_COLUMNS if c != "videos")
"""The columns every written dataset has, in this order (``videos`` is added only for datasets with videos)."""
ANSWER_TYPES: tuple[str, ...] = ("integer", "float", "text", "list", "multiple_choice", "expression")
"""The schema's answer types (the verifier accepts these and a few aliases: ``mmagrae.verifiers.ANSWER_TYPES``)."""
IMAGE_MARKER = "<image>"
"""Where an image goes in ``problem`` (one per image)."""
VIDEO_MARKER = "<video>"
"""Where a video goes in ``problem`` (one per video)."""
CHOICE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Option letters: the letter of ``choices[i]`` is ``CHOICE_LETTERS[i]``."""


def lettered_choices(choices: list[str] | None) -> str:
    """The options with their letters: ``"(A) 25 (B) 30"`` (``""`` for none).

    >>> lettered_choices(["25", "30"])
    '(A) 25 (B) 30'
    """
    return " ".join(f"({CHOICE_LETTERS[i]}) {c}" for i, c in enumerate(choices or []))


def features(with_videos: bool = False):
    """The ``datasets.Features`` of a stored row; images are a list of ``datasets.Image()`` (stored as PNG bytes).

    ``with_videos`` adds the optional ``videos`` column (last): a list of videos, each a list of frames
    (``datasets.Image()``), for datasets whose rows have videos (``synthetic/video_counting``).
    """
    import datasets

    string = datasets.Value("string")
    types = {"problem": string, "images": datasets.List(datasets.Image()), "answer": string,
             "choices": datasets.List(string), "answer_type": string, "precision": datasets.Value("int32"),
             "unit": string, "task": string, "id": string}
    columns = {name: types[name] for name in STORED_COLUMNS}
    if with_videos:
        columns["videos"] = datasets.List(datasets.List(datasets.Image()))
    return datasets.Features(columns)
