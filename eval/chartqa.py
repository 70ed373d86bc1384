"""ChartQA (Masry et al., ACL Findings 2022): loader, prompt and relaxed accuracy.

Relaxed accuracy (the rule of the ChartQA paper as implemented in pix2struct's ``relaxed_correctness`` and
lmms-eval's ``chartqa``, re-implemented here): when the gold and the prediction both parse as numbers (Python's
``float``, after a trailing ``%`` is removed and divides by 100) and the gold is not zero, the prediction is
right if ``|pred − gold| / |gold| <= 5%``; otherwise the two strings must be equal after lower-casing.

:func:`official_correct` is that code exactly: nothing is stripped, so ``"Blue\\n"`` is not ``"blue"``; a
number with surrounding whitespace still parses (``float`` ignores it) unless the text then ends in
whitespace after a ``%`` (``"5% "`` is not a percentage); a gold of 0 needs an exact string; several gold
labels count as right when any one is (pix2struct's max over targets). :func:`relaxed_correct` (rules and judge
modes) is the same rule on stripped text.

Official mode scores a given ``prediction`` (or ``extraction``, else the raw response) field; rules mode
extracts from the response with ``mmagrae.verifiers.verify(..., task="chart")``.

    >>> relaxed_correct("10.4", "10"), relaxed_correct("11", "10"), relaxed_correct("Yes", "yes")
    (True, False, True)
    >>> relaxed_correct("5%", "0.05"), relaxed_correct("0.01", "0")
    (True, False)
    >>> official_correct("Blue\\n", "blue"), official_correct(" 10.4", "10"), official_correct("5% ", "0.05")
    (False, True, False)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.loaders import load_hub, read_parquet_rows, read_recipe_rows, strip_image_markers
from eval.registry import Benchmark, SampleVerdict, rules_verdict
from mmagrae.data.layouts import CHARTQA_KINDS, chartqa_records

HF_DATASET_ID = "HuggingFaceM4/ChartQA"
SPLITS = ("test", "val")
PROMPT_SUFFIX = "Answer the question using a single word or phrase."


def _to_float(text: str) -> float | None:
    text = text.strip()
    try:
        if text.endswith("%"):
            return float(text[:-1]) / 100.0
        return float(text)
    except ValueError:
        return None


def _official_float(text: str) -> float | None:
    try:
        return float(text.rstrip("%")) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        return None


def official_correct(prediction: Any, target: Any, max_relative_change: float = 0.05) -> bool:
    """pix2struct / lmms-eval ``relaxed_correctness`` exactly (no stripping); ``target`` may be a list."""
    if prediction is None:
        return False
    if isinstance(target, (list, tuple)):
        return any(official_correct(prediction, t, max_relative_change) for t in target)
    pred, gold = str(prediction), str(target)
    pred_f, gold_f = _official_float(pred), _official_float(gold)
    if pred_f is not None and gold_f:
        return abs(pred_f - gold_f) / abs(gold_f) <= max_relative_change
    return pred.lower() == gold.lower()


def relaxed_correct(prediction: str | None, target: str, max_relative_change: float = 0.05) -> bool:
    """ChartQA's relaxed accuracy for one prediction (see the module docstring)."""
    if prediction is None:
        return False
    pred_f, gold_f = _to_float(str(prediction)), _to_float(str(target))
    if pred_f is not None and gold_f:
        return abs(pred_f - gold_f) / abs(gold_f) <= max_relative_change
    return str(prediction).strip().lower() == str(target).strip().lower()


def _label(row: Mapping[str, Any]) -> Any:
    """The gold labels; a row without one (or with a null one) is a missing field, named to the user."""
    label = row["label"] if "label" in row else row["answer"]
    if label is None:
        raise KeyError("answer")
    return label


def gold(row: Mapping[str, Any]) -> str:
    label = _label(row)
    return str(label[0] if isinstance(label, (list, tuple)) else label)


def load(split: str = "test", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """ChartQA rows: Hub (``HuggingFaceM4/ChartQA``), Hub-layout Parquet, or the original repository layout
    (``<split>/<split>_human.json`` + ``<split>_augmented.json`` with ``imgname``/``query``/``label``, images
    in ``<split>/png/``), or a folder written by ``mmagrae data convert chartqa`` (the row schema)."""
    if source is None:
        rows = load_hub(HF_DATASET_ID, split)
    elif (recipe := read_recipe_rows(source, split, limit)) is not None:  # mmagrae data convert chartqa
        return [{**r, "query": strip_image_markers(r["problem"]), "label": [r["answer"]]} for r in recipe]
    else:
        path = Path(source)
        records = chartqa_records(path, split) if path.is_dir() else None
        if records is not None:
            return [{"id": f"{r['kind']}_{r['index']}", "query": r["query"], "label": [str(r["label"])],
                     "human_or_machine": CHARTQA_KINDS.index(r["kind"]),
                     "images": [r["image"]] if r["image"] is not None else []}
                    for r in itertools.islice(records, limit)]
        rows = read_parquet_rows(path, split)
    out = []
    for i, r in enumerate(rows[:limit]):
        r = dict(r)
        image = r.pop("image", None)
        r["id"] = str(r.get("id", i))
        r["images"] = [image] if image is not None else []
        out.append(r)
    return out


def prompt(row: Mapping[str, Any]) -> str:
    return f"{row['query']}\n{PROMPT_SUFFIX}"


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    if mode == "official":
        prediction = row.get("prediction", row.get("extraction", response))
        return SampleVerdict(prediction, official_correct(prediction, _label(row)))
    if mode == "judge" and extractor is not None:
        extracted = extractor({**row, "response": response})
        return SampleVerdict(extracted, relaxed_correct(extracted, gold(row)))
    return rules_verdict(response, gold(row), task="chart")


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    """``human`` / ``augmented``: from ``human_or_machine`` (Hub), ``type`` (lmms-eval: ``human_test``) or
    ``split``/``category`` (VLMEvalKit)."""
    kind = row.get("type", row.get("category", row.get("split")))
    if isinstance(kind, str) and ("augmented" in kind.lower() or "human" in kind.lower()):
        return {"subset": "augmented" if "augmented" in kind.lower() else "human"}
    flag = row.get("human_or_machine")
    return {"subset": "augmented" if flag in (1, "1", "machine") else "human"}


BENCHMARK = Benchmark(name="chartqa", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, modes=("official", "rules", "judge"), reads_recipes=True)
