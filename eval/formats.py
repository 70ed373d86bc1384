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
import datetime
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mmagrae.preflight import TOO_DEEP, UserError

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
    except RecursionError:
        raise UserError(TOO_DEEP) from None
    try:
        value = ast.literal_eval(text)
    except RecursionError:
        raise UserError(TOO_DEEP) from None
    except (ValueError, SyntaxError, TypeError, MemoryError):
        return text
    try:  # a set, bytes, a complex number or a tuple key: not data JSON can hold, so the text as written
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return text
    return value


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
        values = _read_delimited(path)
    values = [r for r in values if any(v not in (None, "") for v in r)]
    if len(values) < 2:
        raise UserError(f"{path}: no rows under the header")
    header = [str(h) if h is not None else "" for h in values[0]]
    if "prediction" not in header:
        raise UserError(f"{path}: no 'prediction' column (columns: {', '.join(h for h in header if h)})")
    twice = next((h for i, h in enumerate(header) if h and h in header[:i]), None)
    if twice is not None:  # a dict of the row would keep the last one and drop the other silently
        raise UserError(f"{path}: the column {twice!r} appears twice in the header")
    rows = []
    for r in values[1:]:
        rows.append({h: _cell(v) for h, v in zip(header, r, strict=False) if h})
    return rows


def _cell(value: Any) -> Any:
    """A spreadsheet cell as JSON can hold it: a date or time (openpyxl reads them as ``datetime``) as ISO text."""
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return str(value) if isinstance(value, datetime.timedelta) else value.isoformat()
    return value


def _read_delimited(path: Path) -> list[list[str]]:
    """The cells of a ``.tsv``/``.csv`` file. The csv module reads the text itself (``newline=""``), so a quoted
    cell keeps its line breaks, and U+2028, NEL or a form feed inside a cell stays in the cell."""
    import csv
    import io

    try:
        with path.open(encoding="utf-8-sig", newline="") as f:  # "\r\n" inside a quoted cell stays as written
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: cannot read ({e})") from None
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # a long response is one cell, not an error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        return list(reader)
    except csv.Error as e:
        raise UserError(f"{path}: line {reader.line_num}: not a readable {path.suffix[1:]} row ({e})") from None


# -------------------------------------------------------------------------------------------- lmms-eval
def is_lmms_eval_samples(items: Sequence[Any]) -> bool:
    """Whether a results file is lmms-eval ``--log_samples`` output: its first sample has ``doc_id`` and
    ``filtered_resps`` or ``resps`` (every other line is then checked by :func:`check_lmms_eval_samples`)."""
    return bool(items) and isinstance(items[0], Mapping) and "doc_id" in items[0] \
        and ("filtered_resps" in items[0] or "resps" in items[0])


def check_lmms_eval_samples(path: str, items: Sequence[Mapping[str, Any]], names: Sequence[str]) -> None:
    """Every sample has an integer ``doc_id`` (its row's position in the split; a string of digits is read as
    one) used once, and ``filtered_resps`` or ``resps``; else a one-line :class:`UserError` naming the line."""
    seen: dict[int, str] = {}
    for item, name in zip(items, names, strict=True):
        if "doc_id" not in item:
            raise UserError(f"{path}: {name}: lmms-eval sample without 'doc_id'")
        if "filtered_resps" not in item and "resps" not in item:
            raise UserError(f"{path}: {name}: lmms-eval sample without 'filtered_resps' or 'resps'")
        doc_id = item["doc_id"]
        if isinstance(doc_id, str) and doc_id.strip().isascii() and doc_id.strip().isdigit() \
                and len(doc_id.strip()) <= 18:  # "²" and "٣" are digits to str.isdigit but not to int()
            doc_id = int(doc_id.strip())
        if not isinstance(doc_id, int) or isinstance(doc_id, bool) or doc_id < 0:
            raise UserError(f"{path}: {name}: doc_id {item['doc_id']!r} is not a row number (an integer ≥ 0)")
        if doc_id in seen:
            raise UserError(f"{path}: {seen[doc_id]} and {name} both have doc_id {doc_id}; each sample needs its "
                            "own document")
        seen[doc_id] = name


def _item_names(path: str, count: int) -> list[str]:
    """``line N`` for each item of a JSONL file (its non-blank lines, as read), else ``item i``."""
    if path.endswith(".jsonl"):
        from mmagrae.preflight import read_text

        numbers = [n for n, line in enumerate(read_text(path).split("\n"), start=1) if line.strip()]
        if len(numbers) == count:
            return [f"line {n}" for n in numbers]
    return [f"item {i}" for i in range(count)]


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
        k = int(item["doc_id"])  # checked by check_lmms_eval_samples
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
            r[key] = _literal(key, r[key])
    if "response" not in r:
        for key in ("prediction", "model_answer" if bench == "mathverse" else None, "filtered_resps", "resps"):
            if key and key in r:
                r["response"] = _response(r[key]) if key.endswith("resps") else r[key]
                break
    if isinstance(r.get("response"), (int, float)) and not isinstance(r.get("response"), bool):
        r["response"] = str(r["response"])
    if bench == "chartqa":
        gold = r.get("answer", r.get("target"))
        if "label" not in r and gold not in (None, []) and not isinstance(gold, Mapping):  # else checks name it
            key = "answer" if "answer" in r else "target"
            parsed = _literal(key, gold)  # VLMEvalKit may store the answers as a list literal
            if isinstance(parsed, list) and (not parsed or any(x is None for x in parsed)):
                r[key] = parsed  # "[]", "[None]": no gold, which the checks name (never the text "[]")
            else:
                if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
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


def _literal(key: str, value: Any) -> Any:
    try:
        return parse_literal(value)
    except UserError as e:
        raise UserError(f"field {key!r}: {e}") from None


def _text(value: Any) -> Any:
    """A number read as text (``3.0`` -> ``"3"``); an object or a list is left as it is, for
    :func:`eval.checks.check_items` to name."""
    if isinstance(value, (Mapping, list)):
        return value
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
    names = None
    if isinstance(data, list) and is_lmms_eval_samples(data):
        names = _item_names(path, len(data))
        check_lmms_eval_samples(path, data, names)
        needs_data = not _has_row(data[0]) and bench != "chartqa"
        rows = None
        if needs_data:
            if data_rows is None:
                raise UserError(f"{path}: lmms-eval samples without the dataset rows ('doc'); pass --data with "
                                f"the benchmark's local copy to join them by doc_id")
            rows = _split_data(bench, data_rows)
        samples, data = data, []
        for it, name in zip(samples, names, strict=True):
            try:
                data.append(from_lmms_eval(it, rows))
            except UserError as e:
                raise UserError(f"{path}: {name}: {e}") from None
    elif isinstance(data, list) and data_rows is not None and data and all("answer" not in r for r in data[:5]):
        data = join_by_id(path, data, _split_data(bench, data_rows))
    from eval.checks import check_items, item_id

    try:
        if isinstance(data, dict):
            data = {k: _normalised(bench, v, f"item {k}") for k, v in data.items()}
        else:
            data = [_normalised(bench, r, names[i] if names else f"item {item_id(r, i)}") for i, r in enumerate(data)]
    except UserError as e:
        raise UserError(f"{path}: {e}") from None
    check_items(bench, path, data, names=names)
    return data


def _normalised(bench: str, row: Mapping[str, Any], name: str) -> dict[str, Any]:
    try:
        return normalise_row(bench, row)
    except UserError as e:
        raise UserError(f"{name}: {e}") from None


def _split_data(bench: str, data_rows: Callable[[], Sequence[Mapping[str, Any]]]) -> Sequence[Mapping[str, Any]]:
    """The ``--data`` rows; a copy in another layout is one line, as for ``eval run``."""
    try:
        return data_rows()
    except KeyError as err:
        raise UserError(f"--data: not the {bench} layout (its rows have no field {err.args[0]!r}); docs/EVAL.md "
                        "lists the layouts each benchmark reads") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"--data: a file is not UTF-8 JSON ({' '.join(str(err).split())})") from None


def join_by_id(path: str, items: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Result items that hold only ``id`` and the model's fields (MATH-Vision's official ``outputs/*.jsonl``:
    ``id``, ``response``, ``model_answer``), completed with the dataset row of the same ``id``."""
    by_id: dict[str, Mapping[str, Any]] = {}
    for r in rows:
        if str(r.get("id")) in by_id:
            raise UserError(f"{path}: --data: two rows of the split have id {str(r.get('id'))!r}; items cannot be joined")
        by_id[str(r.get("id"))] = r
    out = []
    for i, item in enumerate(items):
        key = str(item.get("id"))
        if key not in by_id:
            raise UserError(f"{path}: item {i}: id {key!r} is not in the --data split")
        base = {k: v for k, v in by_id[key].items() if k not in ("images", "decoded_image")}
        out.append({**base, **item})
    return out
