"""MATH-Vision (Wang et al., NeurIPS 2024 D&B, arXiv 2402.14804): loader, official prompt, scoring.

Prompt: the official boxed chain-of-thought prompt (``models/GPT4V.py``): the instruction to put the answer in
one ``\\boxed{}`` (one letter for multiple choice), the question, then ``(A) ...`` option lines.

Scoring:
- ``official``: the official ``is_equal`` rules on a given ``model_answer`` (or ``extraction``): the answer is
  right if it equals the gold letter or the gold option's text. Equality: lower-cased strings equal after
  stripping; else tuples/lists compared element-wise after rounding numbers to 2 decimals; else both sides as
  numbers rounded to 2 decimals. The official code evaluates LaTeX through latex2sympy and Python ``eval``; we
  never execute text and parse only numbers, ``a/b``, ``\\frac{a}{b}`` (``\\dfrac``, ``\\tfrac``), ``\\sqrt{n}``,
  ``\\pi`` multiples and percentages, so symbolic answers (e.g. ``2\\sqrt{3}+1``) compare as strings only.
- ``rules``: ``mmagrae.verifiers.verify`` on the raw response, with the options as choices.
Tables: per subject and level (the official ``_result.json`` keys).

    >>> is_equal("\\\\frac{1}{2}", "0.5"), is_equal("(1,2)", "(1.0, 2)"), is_equal("a", "b")
    (True, True, False)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.registry import (
    Benchmark,
    SampleVerdict,
    choice_letters,
    image_paths,
    load_hub,
    read_parquet_rows,
    rules_verdict,
)

HF_DATASET_ID = "MathLLMs/MathVision"
SPLITS = ("test", "testmini")
INSTRUCTION = ('Please solve the problem and put your answer in one "\\boxed{}". '
               'If it is a multiple choice question, only one letter is allowed in the "\\boxed{}".\n')
_FRAC = re.compile(r"^\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}$")
_SQRT = re.compile(r"^\\sqrt\{([^{}]+)\}$")


def _number(text: str) -> float | None:
    """A number from a small safe subset of LaTeX (see the module docstring); None otherwise."""
    s = text.strip().replace(" ", "").replace("$", "")
    if not s:
        return None
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    try:
        if s.endswith("\\%") or s.endswith("%"):
            inner = _number(s.rstrip("%").rstrip("\\"))
            return None if inner is None else sign * inner / 100
        if s.endswith("\\pi"):
            coef = s[:-3] or "1"
            inner = _number(coef)
            return None if inner is None else sign * inner * math.pi
        m = _FRAC.match(s)
        if m:
            a, b = _number(m.group(1)), _number(m.group(2))
            return None if a is None or not b else sign * a / b
        m = _SQRT.match(s)
        if m:
            a = _number(m.group(1))
            return None if a is None or a < 0 else sign * math.sqrt(a)
        if s.count("/") == 1:
            a, b = (_number(p) for p in s.split("/"))
            return None if a is None or not b else sign * a / b
        value = float(s)
        return sign * value if math.isfinite(value) else None
    except (ValueError, OverflowError):
        return None


def _tuple(text: str) -> str:
    """``"(2.004, 3)"`` -> ``"(2.0,3)"``: numbers rounded to 2 decimals, others kept (official eval_tuple)."""
    if len(text) > 2 and text[0] + text[-1] in ("()", "[]"):
        parts = text[1:-1].split(",")
        if len(parts) > 1:
            rounded = []
            for p in parts:
                v = _number(p)
                if v is None:
                    return text
                rounded.append(str(round(v, 2)))
            return text[0] + ",".join(rounded) + text[-1]
    return text


def is_equal(answer: str, gold: str) -> bool:
    """The official MATH-V equality on two strings, without executing anything."""
    a, g = str(answer).lower(), str(gold).lower()
    if not a.replace(" ", "") or not g.replace(" ", ""):
        return False
    if a.strip() == g.strip():
        return True
    a, g = _tuple(a), _tuple(g)
    if a == g:
        return True
    va, vg = _number(a), _number(g)
    return va is not None and vg is not None and round(va, 2) == round(vg, 2)


def load(split: str = "test", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """MATH-V rows: Hub (``MathLLMs/MathVision``, ``decoded_image`` column), Parquet, or the repository layout
    (``data/<split>.jsonl``, ``image`` relative to the JSONL's parent folder, e.g. ``images/4.jpg``)."""
    if source is None:
        rows, root = load_hub(HF_DATASET_ID, split), None
    else:
        path = Path(source)
        for cand in (path / f"{split}.jsonl", path / "data" / f"{split}.jsonl"):
            if path.is_dir() and cand.exists():
                path = cand
                break
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            root = path.parent.parent if path.parent.name == "data" else path.parent
        else:
            rows, root = read_parquet_rows(path, split), None
    out = []
    for r in rows[:limit]:
        r = dict(r)
        decoded = r.pop("decoded_image", None)
        r["images"] = image_paths(root, r.get("image")) if root is not None else ([decoded] if decoded else [])
        r["id"] = str(r["id"])
        r["options"] = list(r.get("options") or [])
        out.append(r)
    return out


def prompt(row: Mapping[str, Any]) -> str:
    options = "".join(f"({letter}) {opt}\n" for letter, opt in zip(choice_letters(len(row["options"])), row["options"], strict=False))
    return INSTRUCTION + f"{row['question']}\n{options}"


def official_correct(row: Mapping[str, Any], model_answer: str | None) -> bool:
    if model_answer is None:
        return False
    gold = str(row["answer"])
    options = row.get("options") or []
    gold_value = options[ord(gold) - ord("A")] if options and len(gold) == 1 and "A" <= gold <= "Z" else ""
    return is_equal(gold, model_answer) or is_equal(gold_value, model_answer)


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    if mode == "official":
        answer = row.get("model_answer", row.get("extraction"))
        return SampleVerdict(answer, official_correct(row, answer))
    if mode == "judge" and extractor is not None:
        answer = extractor({**row, "response": response})
        return SampleVerdict(answer, official_correct(row, answer))
    return rules_verdict(response, str(row["answer"]), choices=list(row["options"]) or None)


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"subject": row.get("subject", ""), "level": f"level{row.get('level', '')}"}


BENCHMARK = Benchmark(name="mathvision", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, modes=("official", "rules", "judge"))
