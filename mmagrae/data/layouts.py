"""Two original dataset layouts, read in one place for ``data convert`` (``data_recipes.converters``) and
``eval run --data`` (``eval.geometry3k``, ``eval.chartqa``): each yields the source's own records plus where
their images are; every consumer then names rows its own way.

- **Inter-GPS** (Geometry3K's original release): ``[<split>/]<id>/data.json`` (``problem_text``, ``choices``,
  ``answer`` = the option letter, ...) and ``<id>/img_diagram.png``. Problem folders are read in numeric order.
- **ChartQA** (the original repository): ``[<split>/]<split>_human.json`` and ``<split>_augmented.json`` (lists
  of ``{imgname, query, label}``), charts in ``[<split>/]png/``.

A folder in neither layout gives None, so a caller can try its other layouts. A file that is not UTF-8 or not
JSON raises :class:`mmagrae.preflight.UserError` naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmagrae.preflight import UserError, read_json

CHARTQA_KINDS = ("human", "augmented")


def intergps_records(path: str | Path, split: str) -> Iterator[dict[str, Any]] | None:
    """Records of an Inter-GPS folder: each ``data.json`` with ``folder`` (the problem folder's name) and
    ``image`` (the path of ``img_diagram.png``, whether or not it exists)."""
    path = Path(path)
    folder = path / split if (path / split).is_dir() else path
    problems = sorted((p for p in folder.iterdir() if (p / "data.json").is_file()),
                      key=lambda p: (len(p.name), p.name)) if folder.is_dir() else []
    if not problems:
        return None

    def records() -> Iterator[dict[str, Any]]:
        for problem_dir in problems:
            record = read_json(problem_dir / "data.json")
            if not isinstance(record, dict):
                raise UserError(f"{problem_dir / 'data.json'}: expected a JSON object")
            yield {**record, "folder": problem_dir.name, "image": problem_dir / "img_diagram.png"}

    return records()


def chartqa_records(path: str | Path, split: str) -> Iterator[dict[str, Any]] | None:
    """Records of a ChartQA repository folder: each item with ``kind`` (``human`` / ``augmented``), ``index``
    (its position in that file) and ``image`` (the path under ``png/``, or None without ``imgname``)."""
    path = Path(path)
    folder = path / split if (path / split).is_dir() else path
    files = [(kind, folder / f"{split}_{kind}.json") for kind in CHARTQA_KINDS]
    files = [(kind, f) for kind, f in files if f.is_file()]
    if not files:
        return None

    def records() -> Iterator[dict[str, Any]]:
        for kind, file in files:
            items = read_json(file)
            if not isinstance(items, list):
                raise UserError(f"{file}: expected a JSON list of {{imgname, query, label}}")
            for index, item in enumerate(items):
                name = item.get("imgname") if isinstance(item, dict) else None
                yield {**(item if isinstance(item, dict) else {}), "kind": kind, "index": index,
                       "image": folder / "png" / name if name else None}

    return records()
