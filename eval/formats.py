"""Results files of other frameworks, read for ``mmagrae eval score BENCH --input FILE``.

So a model evaluated with another toolkit can be scored with our official and rules modes:

- **lmms-eval** (``--log_samples``): ``<date>_samples_<task>.jsonl``, one line per document with ``doc_id``,
  ``target``, ``filtered_resps`` (the response after the task's filters; ``resps`` when it differs) and one key
  per metric. Older versions keep the dataset row as ``doc``; newer ones drop it, and the task's metric values
  often carry the row instead (``submission`` for MathVerse and MathVista). Where neither is there (e.g.
  MATH-Vision), ``--data`` (the benchmark's local copy or Parquet, as for ``eval run``) is joined by
  ``doc_id`` (the row's position in the split). ChartQA rows carry the answer as ``target`` and the subset in
  the metric names (``relaxed_human_split`` / ``relaxed_augmented_split``).
- **VLMEvalKit**: ``<model>_<dataset>.xlsx`` (read with openpyxl; ``.tsv`` and ``.csv`` too), one row per
  question with the dataset's columns and ``prediction`` (the raw response). Judged files add MathVerse's
  ``extract``/``score``, MathVista's ``res``; MATH-Vision's options are its ``choices`` column (its GPT
  ``res`` is not the official extraction, which official mode runs on ``prediction``). Dict and list columns
  stored as Python literals (``metadata``, ``choices``, ``options``) are read with :func:`parse_literal`.
- Our own and the official layouts (a JSON list, ``{id: item}`` or JSONL) pass through; items without the
  dataset's fields (MATH-Vision's official ``outputs/*.jsonl`` hold ``id``, ``response``, ``model_answer``)
  are completed from ``--data`` by ``id``.

Every row is then given the field names the benchmark adapters read (:func:`normalise_row`): ``response``
(from ``prediction``, MathVerse's ``model_answer``, lmms-eval's ``filtered_resps``), and per benchmark the
official fields (MathVerse ``extraction``/``judgement``, ChartQA ``label``, MATH-Vision ``options``,
MathVista ``choices``/``pid``), keeping any field the file already has.

>>> parse_literal("{'subject': 'Plane Geometry', 'subfield': 'Length'}")["subfield"]
'Length'
>>> normalise_row("chartqa", {"target": "12", "filtered_resps": ["12 "], "relaxed_human_split": 1.0})["label"]
['12']
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mmagrae.preflight import UserError

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".tsv", ".csv")
_LITERAL_FIELDS = ("metadata", "category", "choices", "options", "skills", "label")


def parse_literal(text: Any) -> Any:
    """A dict/list stored as text (JSON, or a Python literal as pandas writes it); the text itself otherwise.

    ``ast.literal_eval`` only reads literals (it never calls or executes anything)."""
    if not isinstance(text, str) or not text.strip() or text.strip()[0] not in "[{(":
        return text
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


# ------------------------------------------------------------------------------------------------ tables
def read_table(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a VLMEvalKit result table (first row = header): ``.xlsx`` through openpyxl, ``.tsv``/``.csv``."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl
        except ImportError:
            raise UserError(f"{path}: reading .xlsx needs openpyxl (pip install openpyxl)") from None
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types for a broken file
            raise UserError(f"{path}: not a readable .xlsx file ({type(e).__name__}: {e})") from None
        sheet = book.worksheets[0]
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        book.close()
    else:
        import csv

        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UserError(f"{path}: cannot read ({e})") from None
        values = list(csv.reader(text.splitlines(), delimiter="\t" if path.suffix.lower() == ".tsv" else ","))
    values = [r for r in values if any(v not in (None, "") for v in r)]
    if len(values) < 2:
        raise UserError(f"{path}: no rows under the header")
    header = [str(h) if h is not None else "" for h in values[0]]
    if "prediction" not in header:
        raise UserError(f"{path}: no 'prediction' column (columns: {', '.join(h for h in header if h)})")
    rows = []
    for r in values[1:]:
        rows.append({h: v for h, v in zip(header, r, strict=False) if h})
    return rows


# -------------------------------------------------------------------------------------------- lmms-eval
def is_lmms_eval_samples(items: Sequence[Any]) -> bool:
    return bool(items) and all(isinstance(it, Mapping) and "doc_id" in it
                               and ("filtered_resps" in it or "resps" in it) for it in items[:5])


def _response(value: Any) -> Any:
    """``filtered_resps``/``resps`` -> a string, or a list of strings for n samples."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, list) and all(isinstance(v, list) and len(v) == 1 for v in value):
        value = [v[0] for v in value]
    return value


_ROW_KEYS = ("answer", "sample_index", "question_id")  # a metric value holding one of these carries the row


def _carries_row(value: Any) -> bool:
    """Whether an lmms-eval metric value is the dataset row (``submission``, ``llm_as_judge_eval``, ...)."""
    return isinstance(value, Mapping) and any(key in value for key in _ROW_KEYS)


def _has_row(item: Mapping[str, Any]) -> bool:
    """Whether an lmms-eval sample carries its dataset row (``doc``, or a metric value that holds it)."""
    return isinstance(item.get("doc"), Mapping) or any(_carries_row(v) for v in item.values())


def from_lmms_eval(item: Mapping[str, Any], data_rows: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """One lmms-eval sample as a flat row: the dataset row (``doc``, a metric's ``submission`` dict, or
    ``data_rows[doc_id]``), then ``response``, ``target`` and the metric values."""
    row: dict[str, Any] = {}
    if data_rows is not None:
        k = int(item["doc_id"])
        if not 0 <= k < len(data_rows):
            raise UserError(f"doc_id {k} is outside the --data split ({len(data_rows)} rows)")
        row.update({key: v for key, v in data_rows[k].items() if key not in ("images", "decoded_image", "image")})
    for value in item.values():  # metric values that carry the row (submission, llm_as_judge_eval, ...)
        if _carries_row(value):
            row.update({k: v for k, v in value.items() if k not in row or data_rows is None})
    if isinstance(item.get("doc"), Mapping):
        row.update(item["doc"])
    response = _response(item["filtered_resps"] if "filtered_resps" in item else item["resps"])
    row["response"] = response
    row["doc_id"] = item["doc_id"]
    if "target" in item:
        row.setdefault("target", item["target"])
    for key, value in item.items():
        if not isinstance(value, (Mapping, list)) and key not in row:
            row[key] = value  # metric values (gpt_eval_score, relaxed_human_split, ...)
    return row


# ------------------------------------------------------------------------------------------- field names
def normalise_row(bench: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The field names the benchmark adapter reads, from whichever framework wrote the row."""
    r = dict(row)
    for key in _LITERAL_FIELDS:
        if key in r:
            r[key] = parse_literal(r[key])
    if "response" not in r:
        for key in ("prediction", "model_answer" if bench == "mathverse" else None, "filtered_resps", "resps"):
            if key and key in r:
                r["response"] = _response(r[key]) if key.endswith("resps") else r[key]
                break
    if isinstance(r.get("response"), (int, float)) and not isinstance(r.get("response"), bool):
        r["response"] = str(r["response"])
    if bench == "chartqa":
        gold = r.get("answer", r.get("target"))
        if "label" not in r and gold is not None:  # no gold at all (or null): the scorer names the field
            parsed = parse_literal(gold)  # VLMEvalKit may store the answers as a list literal
            if isinstance(parsed, list) and parsed and all(isinstance(x, str) for x in parsed):
                gold = parsed
            r["label"] = gold if isinstance(gold, list) else [str(gold)]
        if "type" not in r and "relaxed_augmented_split" in r:
            r["type"] = "augmented_test"
        elif "type" not in r and "relaxed_human_split" in r:
            r["type"] = "human_test"
        if r.get("prediction") is None:
            r.pop("prediction", None)
    elif bench == "mathverse":
        if "extraction" not in r and "extract" in r:  # VLMEvalKit's judged columns
            r["extraction"] = r["extract"]
        if "judgement" not in r:
            for key in ("score", "gpt_eval_score"):
                if key in r and isinstance(r[key], (bool, int, float)):
                    r["judgement"] = int(r[key])
                    break
        if "answer" not in r and "target" in r:
            r["answer"] = r["target"]
    elif bench == "mathvision":
        if "options" not in r:  # VLMEvalKit names them "choices" (a list literal)
            choices = r.get("choices")
            r["options"] = list(choices) if isinstance(choices, (list, tuple)) else []
        if "subject" not in r and "category" in r:
            r["subject"] = r["category"]
        for key in ("id", "answer"):
            if key in r and r[key] is not None and not isinstance(r[key], str):
                r[key] = _text(r[key])
    elif bench == "mathvista":
        if "pid" not in r:
            for key in ("question_id", "index", "id"):
                if key in r:
                    r["pid"] = _text(r[key])
                    break
        if "extraction" not in r and "res" in r:
            r["extraction"] = r["res"]
        if "answer" in r and r["answer"] is not None and not isinstance(r["answer"], str):
            r["answer"] = _text(r["answer"])
    elif bench == "wemath":
        for key in ("ID", "key", "answer"):
            if key in r and r[key] is not None and not isinstance(r[key], str):
                r[key] = _text(r[key])
    return r


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_results_file(bench: str, path: str, read_json_input: Callable[[str], Any],
                      data_rows: Callable[[], Sequence[Mapping[str, Any]]] | None = None) -> Any:
    """Items of any supported results file, with normalised field names (a list; MathVista: ``{pid: item}``
    when the file was a mapping). ``read_json_input`` reads our own JSON/JSONL layouts (with their errors);
    ``data_rows`` loads the benchmark split for lmms-eval samples that lack the dataset row."""
    if bench == "wemath":
        from eval.wemath import use_nodes_beside

        use_nodes_beside(Path(path).parent)  # accuracy.py's domain table
    if Path(path).suffix.lower() in TABLE_SUFFIXES:
        data: Any = read_table(path)
    else:
        data = read_json_input(path)
    if isinstance(data, list) and is_lmms_eval_samples(data):
        needs_data = not _has_row(data[0]) and bench != "chartqa"
        rows = None
        if needs_data:
            if data_rows is None:
                raise UserError(f"{path}: lmms-eval samples without the dataset rows ('doc'); pass --data with "
                                f"the benchmark's local copy to join them by doc_id")
            rows = data_rows()
        try:
            data = [from_lmms_eval(it, rows) for it in data]
        except UserError as e:
            raise UserError(f"{path}: {e}") from None
    elif isinstance(data, list) and data_rows is not None and data and all("answer" not in r for r in data[:5]):
        data = join_by_id(path, data, data_rows())
    if isinstance(data, dict):
        return {k: normalise_row(bench, v) for k, v in data.items()}
    return [normalise_row(bench, r) for r in data]


def join_by_id(path: str, items: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Result items that hold only ``id`` and the model's fields (MATH-Vision's official ``outputs/*.jsonl``:
    ``id``, ``response``, ``model_answer``), completed with the dataset row of the same ``id``."""
    by_id = {str(r.get("id")): r for r in rows}
    out = []
    for i, item in enumerate(items):
        key = str(item.get("id"))
        if key not in by_id:
            raise UserError(f"{path}: item {i}: id {key!r} is not in the --data split")
        base = {k: v for k, v in by_id[key].items() if k not in ("images", "decoded_image")}
        out.append({**base, **item})
    return out
