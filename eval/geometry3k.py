"""Geometry3K (Lu et al., ACL 2021, Inter-GPS): loader, prompt, choice-letter scoring.

Two layouts:
- Inter-GPS (the original): ``<split>/<id>/data.json`` with ``problem_text``, four ``choices`` and the gold
  letter ``answer``; the diagram is ``<split>/<id>/img_diagram.png``. Scored by the chosen letter: the model
  must pick the gold option (by letter, or by writing the option's value).
- ``hiyouga/geometry3k`` on the Hub (used by EasyR1 and the A-GRAE paper's training): ``problem`` (with an
  ``<image>`` marker), ``answer`` (the value), ``images``. Scored by value with ``mmagrae.verifiers.verify``.
- a folder written by ``mmagrae data convert geometry3k`` (or its ``--arrow-copy``): the row schema, read by
  ``mmagrae.data.load_rows`` as training reads it; scored like the Hub layout (by option when ``choices``).

There is no official LLM judge: ``official`` and ``rules`` both compare with the verifier; ``official`` on a
given ``extraction`` field, ``rules`` on the raw response.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.loaders import choice_letters, load_hub, read_parquet_rows, read_recipe_rows, strip_image_markers
from eval.registry import Benchmark, SampleVerdict, rules_verdict
from mmagrae.data.layouts import intergps_records

HF_DATASET_ID = "hiyouga/geometry3k"
SPLITS = ("test", "validation", "train")
HINT = "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end."


def load(split: str = "test", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    if source is None:
        rows = load_hub(HF_DATASET_ID, split)
    elif (recipe := read_recipe_rows(source, split, limit)) is not None:  # mmagrae data convert geometry3k
        return recipe
    else:
        path = Path(source)
        records = intergps_records(path, split) if path.is_dir() else None
        if records is not None:
            return [{**{k: v for k, v in r.items() if k not in ("folder", "image")},
                     "id": str(r.get("id", r["folder"])), "images": [r["image"]]}
                    for r in itertools.islice(records, limit)]
        rows = read_parquet_rows(path, split)
    out = []
    for i, r in enumerate(rows[:limit]):
        r = dict(r)
        images = r.pop("images", None) or []
        r["images"] = list(images) if isinstance(images, (list, tuple)) else [images]
        r["id"] = str(r.get("id", i))
        out.append(r)
    return out


def prompt(row: Mapping[str, Any]) -> str:
    if row.get("choices"):
        options = "\n".join(f"({letter}) {c}" for letter, c in zip(choice_letters(len(row["choices"])), row["choices"], strict=False))
        question = row.get("problem_text") or strip_image_markers(row["problem"])
        return f"{HINT}\nQuestion: {question}\nChoices:\n{options}"
    return strip_image_markers(row["problem"])


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    text = response
    if mode == "official":
        text = row.get("extraction") or ""
    elif mode == "judge" and extractor is not None:
        text = extractor({**row, "response": response}) or ""
    typed = {"answer_type": row.get("answer_type"), "precision": row.get("precision")}  # a data_recipes row
    typed = {k: v for k, v in typed.items() if v is not None}
    if row.get("choices"):
        return rules_verdict(text, str(row["answer"]), choices=list(row["choices"]), **typed)
    return rules_verdict(text, str(row["answer"]), **typed)


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    cats: dict[str, Any] = {}
    for key, name in (("problem_type_goal", "goal"), ("problem_type_graph", "graph")):
        value = row.get(key)
        if value:  # a single value written as text counts as one value, not one per character
            cats[name] = list(value) if isinstance(value, (list, tuple)) else [value]
    return cats or {"all": "all"}


BENCHMARK = Benchmark(name="geometry3k", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, modes=("official", "rules", "judge"), reads_recipes=True)
