"""MATH-Vision (Wang et al., NeurIPS 2024 D&B, arXiv 2402.14804): loader, official prompt, scoring.

Prompt: the official boxed chain-of-thought prompt (``models/GPT4V.py``): the instruction to put the answer in
one ``\\boxed{}`` (one letter for multiple choice), the question, then ``(A) ...`` option lines.

Scoring:
- ``official``: the official ``is_equal`` (:mod:`eval.mathvision_official`, re-implemented without
  ``eval``) on the given ``model_answer`` against the gold letter and the gold option's text; symbolic option
  values compare by value (``96`` equals ``$3 \\cdot 2^{5}$``). A row with only a raw ``response`` gets the
  official pure-Python answer extraction first (``evaluate.py``'s ``regen_answer`` path).
- ``rules``: the official scorer is itself a rule (no judge), so rules mode runs the official extraction and
  ``is_equal`` on the raw response and reports the official numbers; only where that extraction is empty
  does ``mmagrae.verifiers.verify`` decide (options as choices, a stated letter first). The verifier alone
  would accept more answers the official code rejects (``\\boxed{\\textbf{(D)}\\ 90^{\\circ}}`` is garbled to
  ``bfd\\90`` officially); docs/EVAL.md gives the measured difference.
Tables: per subject and level (the official ``_result.json`` keys).

    >>> is_equal("\\\\frac{1}{2}", "0.5"), is_equal("(1,2)", "(1.0, 2)"), is_equal("a", "b")
    (True, True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.loaders import choice_letters, image_paths, load_hub, read_parquet_rows
from eval.registry import Benchmark, SampleVerdict, rules_verdict
from mmagrae.preflight import UserError

HF_DATASET_ID = "MathLLMs/MathVision"
SPLITS = ("test", "testmini")
INSTRUCTION = ('Please solve the problem and put your answer in one "\\boxed{}". '
               'If it is a multiple choice question, only one letter is allowed in the "\\boxed{}".\n')


def is_equal(answer: str, gold: str) -> bool:
    """The official MATH-V equality on two strings, without executing anything (see
    :func:`eval.mathvision_official.is_equal`)."""
    from eval.mathvision_official import is_equal as official_is_equal

    return official_is_equal(answer, gold)


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
            rows = read_jsonl_rows(path)
            root = path.parent.parent if path.parent.name == "data" else path.parent
        else:
            if path.is_dir() and not any(path.rglob("*.parquet")):
                _no_split(path, split)
            rows, root = read_parquet_rows(path, split), None
    out = []
    for number, r in enumerate(rows[:limit]):
        r = dict(r)
        decoded = r.pop("decoded_image", None)
        r["images"] = image_paths(root, r.get("image")) if root is not None else ([decoded] if decoded else [])
        if r.get("id") is None:
            where = f"{path}: line {r.pop('_line')}" if "_line" in r else f"{path}: row {number}"
            raise UserError(f"{where}: missing field 'id'")
        r.pop("_line", None)
        r["id"] = str(r["id"])
        r["options"] = list(r.get("options") or [])
        out.append(r)
    return out


def read_jsonl_rows(path: Path) -> list[dict]:
    """The rows of MATH-V's ``data/<split>.jsonl``, each with its line number as ``_line`` (for messages); a line
    that is not JSON or not an object is a one-line :class:`UserError` naming the file and line."""
    from mmagrae.preflight import iter_jsonl

    rows = []
    for number, value in iter_jsonl(path):
        if not isinstance(value, dict):
            raise UserError(f"{path}: line {number}: expected a JSON object (one row), got {type(value).__name__}")
        rows.append({**value, "_line": number})
    return rows


def _no_split(folder: Path, split: str) -> None:
    """A folder without ``<split>.jsonl`` (nor ``data/<split>.jsonl``) or Parquet: one line naming what is there."""
    found = sorted(str(p.relative_to(folder)) for p in (*folder.glob("*.jsonl"), *folder.glob("data/*.jsonl")))
    other = [Path(f).stem for f in found if Path(f).stem in SPLITS and Path(f).stem != split]
    hint = f"; for that split pass --split {other[0]}" if other else ""
    raise UserError(f"{folder}: no data/{split}.jsonl or {split}.jsonl for split {split!r} (found: "
                    f"{', '.join(found) if found else 'no .jsonl or .parquet files'}){hint}")


def prompt(row: Mapping[str, Any]) -> str:
    options = "".join(f"({letter}) {opt}\n" for letter, opt in zip(choice_letters(len(row["options"])), row["options"], strict=False))
    return INSTRUCTION + f"{row['question']}\n{options}"


def official_correct(row: Mapping[str, Any], model_answer: str | None) -> bool:
    if model_answer is None:
        return False
    from eval.mathvision_official import official_correct as correct

    return correct(str(row["answer"]), list(row.get("options") or []), str(model_answer))


def official_answer(row: Mapping[str, Any], response: str | None) -> str | None:
    """The given ``model_answer`` (or ``extraction``), else the official extraction from the raw response."""
    from eval.mathvision_official import extract_answer

    for key in ("model_answer", "extraction"):
        if row.get(key) is not None:
            return str(row[key])
    text = response if response else row.get("response")
    return extract_answer(str(text)) if isinstance(text, str) else None


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    if mode == "official":
        answer = official_answer(row, response)
        return SampleVerdict(answer, official_correct(row, answer))
    if mode == "judge" and extractor is not None:
        answer = extractor({**row, "response": response})
        return SampleVerdict(answer, official_correct(row, answer))
    # MATH-V's official scorer needs no judge: rules mode runs its extraction and is_equal on the response, so
    # rules-mode numbers are the official ones; the verifier decides only where that extraction is empty.
    from eval.mathvision_official import extract_answer

    answer = extract_answer(response)
    if answer:
        return SampleVerdict(answer, official_correct(row, answer))
    options = list(row.get("options") or [])
    if options:
        from eval.rules import choice_verdict

        return choice_verdict(response, str(row["answer"]), options)
    return rules_verdict(response, str(row["answer"]))


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"subject": row.get("subject", ""), "level": f"level{row.get('level', '')}"}


BENCHMARK = Benchmark(name="mathvision", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, modes=("official", "rules", "judge"))
