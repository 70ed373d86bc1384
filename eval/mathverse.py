"""MathVerse (Zhang et al., ECCV 2024, arXiv 2403.14624): loader, official prompts, scoring per problem version.

Each of the 788 testmini problems comes in five versions (Text Dominant, Text Lite, Vision Intensive, Vision
Dominant, Vision Only; plus a text-only config). Prompts are the dataset's own ``query_cot`` (chain of
thought, the default) or ``query_wo`` fields.

Official scoring is two GPT calls (extract, then judge 0/1). What we reproduce without a judge:
- ``official``: a given ``judgement`` (0/1) is used as is; otherwise the official ``--quick_match`` rule,
  ``extraction == answer`` on a given ``extraction``.
- ``rules``: ``mmagrae.verifiers.verify`` on the raw response; multiple-choice options are read from the
  question text (``A: ...`` / ``(A) ...`` lines after "Choices").
Tables: accuracy per problem version, subject and subfield (the official script's two breakdowns).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.registry import Benchmark, SampleVerdict, image_paths, load_hub, read_local_rows, rules_verdict

HF_DATASET_ID = "AI4Math/MathVerse"
SPLITS = ("testmini", "testmini_text_only")
VERSIONS = ("Text Dominant", "Text Lite", "Vision Intensive", "Vision Dominant", "Vision Only")
_OPTION_LINE = re.compile(r"^\s*\(?([A-H])\s*[):.：]\s*(.*\S)\s*$")


def parse_choices(question: str) -> list[str] | None:
    """Option texts from ``Choices:\\nA:3\\nB:4`` (None when the question lists none)."""
    tail = re.split(r"Choices\s*:?", question, maxsplit=1, flags=re.I)
    if len(tail) < 2:
        return None
    options = []
    for line in tail[1].splitlines():
        m = _OPTION_LINE.match(line)
        if m and ord(m.group(1)) - ord("A") == len(options):
            options.append(m.group(2))
    return options or None


def load(split: str = "testmini", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """MathVerse rows: Hub (``AI4Math/MathVerse``, config = split), Parquet, or the repository JSON layout (a
    list of items; ``image`` relative to the JSON file's folder, e.g. ``images/...``)."""
    if source is None:
        try:  # the Hub copy names both configs' split "testmini"; accept either naming
            rows = load_hub(HF_DATASET_ID, "testmini", name=split)
        except ValueError:
            rows = load_hub(HF_DATASET_ID, split, name=split)
        root = None
    else:
        rows, root = read_local_rows(source, split)
    out = []
    for r in rows[:limit]:
        r = dict(r)
        image = r.get("image")
        if root is not None:
            r["images"] = image_paths(root, image)
        else:
            r["images"] = [image] if image is not None and not isinstance(image, str) else []
        r["id"] = str(r["sample_index"])
        out.append(r)
    return out


def prompt(row: Mapping[str, Any], *, cot: bool = True) -> str:
    return row.get("query_cot" if cot else "query_wo") or row["question"]


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    if mode == "official":
        if row.get("judgement") is not None:
            return SampleVerdict(row.get("extraction"), int(row["judgement"]) == 1)
        extraction = row.get("extraction")
        return SampleVerdict(extraction, extraction is not None and extraction == row["answer"])
    if mode == "judge" and extractor is not None:
        extraction = extractor({**row, "response": response})
        return SampleVerdict(extraction, extraction is not None and extraction.strip() == row["answer"].strip())
    choices = parse_choices(row["question"]) if row.get("question_type") == "multi-choice" else None
    return rules_verdict(response, row["answer"], choices=choices)


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    meta = row.get("metadata") or {}
    return {"problem_version": row.get("problem_version", ""), "subject": meta.get("subject", ""),
            "subfield": meta.get("subfield", "")}


BENCHMARK = Benchmark(name="mathverse", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, modes=("official", "rules", "judge"))
