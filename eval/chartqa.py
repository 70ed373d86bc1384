"""ChartQA (Masry et al., ACL Findings 2022): loader, prompt and relaxed accuracy.

Relaxed accuracy (the rule of the ChartQA paper as implemented in pix2struct's ``relaxed_correctness``,
re-implemented here): when the gold and the prediction both parse as numbers (a trailing ``%`` divides by
100) and the gold is not zero, the prediction is right if ``|pred − gold| / |gold| <= 5%``; otherwise the two
strings must be equal after lower-casing (surrounding whitespace ignored). A gold of 0 therefore needs an exact
string match, as in the official code.

Official mode scores a given ``prediction`` (or ``extraction``) field; rules mode extracts from the response
with ``mmagrae.verifiers.verify(..., task="chart")``.

    >>> relaxed_correct("10.4", "10"), relaxed_correct("11", "10"), relaxed_correct("Yes", "yes")
    (True, False, True)
    >>> relaxed_correct("5%", "0.05"), relaxed_correct("0.01", "0")
    (True, False)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.registry import Benchmark, SampleVerdict, load_hub, read_parquet_rows, rules_verdict

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


def relaxed_correct(prediction: str | None, target: str, max_relative_change: float = 0.05) -> bool:
    """ChartQA's relaxed accuracy for one prediction (see the module docstring)."""
    if prediction is None:
        return False
    pred_f, gold_f = _to_float(str(prediction)), _to_float(str(target))
    if pred_f is not None and gold_f:
        return abs(pred_f - gold_f) / abs(gold_f) <= max_relative_change
    return str(prediction).strip().lower() == str(target).strip().lower()


def gold(row: Mapping[str, Any]) -> str:
    label = row["label"]
    return str(label[0] if isinstance(label, (list, tuple)) else label)


def load(split: str = "test", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """ChartQA rows: Hub (``HuggingFaceM4/ChartQA``), Hub-layout Parquet, or the original repository layout
    (``<split>/<split>_human.json`` + ``<split>_augmented.json`` with ``imgname``/``query``/``label``, images
    in ``<split>/png/``)."""
    if source is None:
        rows = load_hub(HF_DATASET_ID, split)
    else:
        path = Path(source)
        human = path / split / f"{split}_human.json"
        if human.exists() or (path / f"{split}_human.json").exists():
            folder = human.parent if human.exists() else path
            rows = []
            for kind, flag in (("human", 0), ("augmented", 1)):
                f = folder / f"{split}_{kind}.json"
                if not f.exists():
                    continue
                for i, item in enumerate(json.loads(f.read_text(encoding="utf-8"))):
                    img = folder / "png" / item["imgname"]
                    rows.append({"id": f"{kind}_{i}", "query": item["query"], "label": [str(item["label"])],
                                 "human_or_machine": flag, "images": [img] if img.exists() else []})
            return rows[:limit]
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
        return SampleVerdict(prediction, relaxed_correct(prediction, gold(row)))
    if mode == "judge" and extractor is not None:
        extracted = extractor({**row, "response": response})
        return SampleVerdict(extracted, relaxed_correct(extracted, gold(row)))
    return rules_verdict(response, gold(row), task="chart")


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    flag = row.get("human_or_machine")
    return {"subset": "augmented" if flag in (1, "1", "machine") else "human"}


BENCHMARK = Benchmark(name="chartqa", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, modes=("official", "rules", "judge"))
