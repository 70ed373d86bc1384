"""Checks of the items ``eval score`` reads and the dataset rows ``eval run`` reads, before anything is scored or
written: each problem is one :class:`mmagrae.preflight.UserError` line naming the file and the item (or line).

Results files (:func:`check_items`, after :func:`eval.formats.normalise_row`):

- ``response`` is a string, or a list of strings (n samples; not for MathVista, whose results hold one
  response per item). A number is read as its text. ``null`` means "no response": it is scored as an empty
  response (wrong) and one warning counts such items. A dict, a boolean, an empty list, or a list holding
  anything but strings is an error naming the item.
- The gold (``answer``; ChartQA ``label``) may be absent (the scorer then names the missing field) but not
  ``null`` or ``[]`` (``missing field 'answer'``), an object, or a list where one answer is expected (only
  ChartQA's ``label`` holds several).
- Category fields (MathVerse ``problem_version``, MATH-V ``subject``, We-Math ``knowledge concept``, MathVista's
  metadata fields, ...) are text or numbers (lists of them where the benchmark counts an item under several
  values), checked as written (:data:`RAW_CATEGORY_FIELDS`) and as :func:`categories` reads them; anything
  else is an error naming the item and the field. ChartQA's ``type`` is one of :data:`CHARTQA_TYPES`.
- An id field holding an object or a list is an error; so are two items with the same id (``id``, ``pid``,
  ``sample_index``, ``question_id`` or ``index``, else the position, as ``eval score`` keys them), named
  both.

Dataset rows (:func:`check_rows`): no two rows with the same ``id``, and every row has its gold answer unless
none has (a split whose answers are hidden, such as MathVista test).

    >>> check_items("chartqa", "r.json", [{"id": "1", "response": None, "label": ["3"]}], log=lambda m: None)
    >>> try:
    ...     check_items("chartqa", "r.json", [{"id": "1", "response": {"x": 1}, "label": ["3"]}])
    ... except Exception as err:
    ...     print(err)
    r.json: item 1: field 'response' must be text or a list of texts, got dict
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mmagrae.preflight import UserError

ID_KEYS = ("id", "pid", "sample_index", "question_id", "index")
_SCALARS = (str, int, float, bool, type(None))


def item_id(item: Mapping[str, Any], fallback: Any) -> str:
    """The id ``eval score`` keys an item by: the first of :data:`ID_KEYS` it has, else its position."""
    for key in ID_KEYS:
        if item.get(key) not in (None, ""):
            return str(item[key])
    return str(fallback)


def gold_field(bench: str) -> str:
    return "label" if bench == "chartqa" else "answer"


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def check_items(bench: str, path: str, data: list[dict[str, Any]] | dict[str, dict[str, Any]], *,
                names: Sequence[str] | None = None, log: Callable[[str], None] = _warn) -> None:
    """Check (and where documented, normalise in place) the items of a results file; see the module docstring.

    ``names``: how to name each item of a list in a message (e.g. ``line 7`` for lmms-eval samples); default
    ``item <id>``."""
    from eval.registry import get

    categories = get(bench).categories
    if isinstance(data, dict):
        entries = [(f"item {key}", item) for key, item in data.items()]
    else:
        entries = [(names[i] if names is not None else f"item {item_id(item, i)}", item)
                   for i, item in enumerate(data)]
        _check_unique_ids(path, data, names)
    null_responses = 0
    for name, item in entries:
        for key in (*ID_KEYS, *(("ID", "key") if bench == "wemath" else ())):
            if isinstance(item.get(key), (Mapping, list)):
                raise UserError(f"{path}: {name}: field {key!r} must be text or a number, got "
                                f"{_kind(item[key])}")
        null_responses += _check_response(bench, path, name, item)
        _check_gold(bench, path, name, item)
        _check_categories(bench, path, name, item, categories)
    if null_responses:
        log(f"[eval] warning: {null_responses} of {len(entries)} items have a null response; they are read as "
            "empty responses (scored as wrong)")


def _check_unique_ids(path: str, items: Sequence[Mapping[str, Any]], names: Sequence[str] | None) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        key = item_id(item, i)
        if key in seen:
            j = seen[key]
            both = f"{names[j]} and {names[i]}" if names is not None else f"items {j} and {i} (counting from 0)"
            raise UserError(f"{path}: {both} both have id {key!r}; each item needs its own id (the second would "
                            "replace or double the first)")
        seen[key] = i


def _check_response(bench: str, path: str, name: str, item: dict[str, Any]) -> int:
    """1 when the response is null (read as ""), else 0; a response of another kind is an error."""
    if "response" not in item:
        return 0
    response = item["response"]
    if response is None:
        item["response"] = ""
        return 1
    if isinstance(response, (int, float)) and not isinstance(response, bool):
        item["response"] = str(response)
        return 0
    if isinstance(response, str):
        return 0
    if isinstance(response, list):
        if bench == "mathvista":
            raise UserError(f"{path}: {name}: field 'response' is a list; MathVista results hold one response "
                            "per item (a string)")
        if not response:
            raise UserError(f"{path}: {name}: field 'response' is an empty list (no samples)")
        bad = next((k for k, r in enumerate(response) if not isinstance(r, str)), None)
        if bad is not None:
            raise UserError(f"{path}: {name}: response {bad} of the list must be text, got "
                            f"{_kind(response[bad])}")
        return 0
    raise UserError(f"{path}: {name}: field 'response' must be text or a list of texts, got {_kind(response)}")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_gold(bench: str, path: str, name: str, item: Mapping[str, Any]) -> None:
    field = gold_field(bench)
    if field == "label" and "label" not in item:
        field = "answer" if "answer" in item or "target" not in item else "target"  # ChartQA's gold as other
        # tools write it (VLMEvalKit's answer, lmms-eval's target; normalise_row makes it the label)
    if field not in item:
        return  # the scorer names the missing field when it reads it
    gold = item[field]
    if gold is None or (isinstance(gold, (list, tuple)) and any(g is None for g in gold)):
        raise UserError(f"{path}: {name}: missing field {field!r} (it is null)")
    if isinstance(gold, (list, tuple)) and not gold:
        raise UserError(f"{path}: {name}: missing field {field!r} (it is an empty list)")
    if isinstance(gold, (list, tuple)) and bench != "chartqa":  # ChartQA alone keeps several gold labels
        raise UserError(f"{path}: {name}: field {field!r} must be text (one answer), got a list")
    many = gold if isinstance(gold, (list, tuple)) else [gold]
    bad = next((g for g in many if not isinstance(g, (str, int, float)) or isinstance(g, bool)), None)
    if bad is not None:
        raise UserError(f"{path}: {name}: field {field!r} must be text, got {_kind(bad)}")


def _check_categories(bench: str, path: str, name: str, item: Mapping[str, Any],
                      categories: Callable[[Mapping[str, Any]], dict[str, Any]]) -> None:
    if bench == "mathvista":
        meta = item.get("metadata")
        if meta is not None and not isinstance(meta, Mapping):
            raise UserError(f"{path}: {name}: field 'metadata' must be an object, got {_kind(meta)}")
        skills = (meta or {}).get("skills", item.get("skills"))
        if skills is not None and not (isinstance(skills, list) and all(isinstance(s, _SCALARS) for s in skills)):
            raise UserError(f"{path}: {name}: field 'skills' must be a list of texts, got {_kind(skills)}")
    _check_raw_categories(bench, path, name, item)
    try:
        values = categories(item)
    except Exception:  # noqa: BLE001 - a missing or malformed field: the scorer names it
        return
    for key, value in values.items():
        many = isinstance(value, (list, tuple)) and (bench != "mathvista" or key == "skills")
        if all(isinstance(v, _SCALARS) for v in (value if many else [value])):
            continue
        what = f"field {key!r}" if key in item or (bench == "mathvista" and key in (item.get("metadata") or {})) \
            else f"category {key!r}"
        raise UserError(f"{path}: {name}: {what} must be text, got {_kind(value)}")


# The fields each benchmark files an item under, read as they are in the file (before categories() formats
# them, e.g. MATH-V's ``level`` -> "level3"): True where a list of values is allowed.
RAW_CATEGORY_FIELDS: dict[str, dict[str, bool]] = {
    "mathvision": {"level": False, "subject": False},
    "chartqa": {"type": False, "category": False, "split": False, "human_or_machine": False},
    "mathverse": {"problem_version": False, "subject": False, "subfield": False},
    "wemath": {"knowledge concept": False},
    "geometry3k": {"problem_type_goal": True, "problem_type_graph": True},
}
CHARTQA_TYPES = ("human", "augmented", "human_test", "augmented_test", "human_val", "augmented_val",
                 "human_train", "augmented_train")
_TEXT_OR_NUMBER = (str, int, float)


def _check_raw_categories(bench: str, path: str, name: str, item: Mapping[str, Any]) -> None:
    """Category fields as written: text or numbers (lists of them where allowed); ChartQA ``type`` one of
    :data:`CHARTQA_TYPES`."""
    fields = RAW_CATEGORY_FIELDS.get(bench, {})
    places: list[tuple[str, Mapping[str, Any]]] = [("", item)]
    if bench == "mathverse":  # subject/subfield sit in metadata (or a category dict)
        for key in ("metadata", "category"):
            if isinstance(item.get(key), Mapping):
                places.append((f"{key}.", item[key]))
    for prefix, where in places:
        for key, many in fields.items():
            if key not in where or where[key] is None:
                continue
            value = where[key]
            values = value if many and isinstance(value, (list, tuple)) else [value]
            bad = next((v for v in values if not isinstance(v, _TEXT_OR_NUMBER) or isinstance(v, bool)), None)
            if bad is not None:
                got = f"a list holding {_kind(bad)}" if values is value else _kind(bad)
                raise UserError(f"{path}: {name}: field {prefix + key!r} must be text or a number"
                                + (" (or a list of them)" if many else "") + f", got {got}")
    if bench == "chartqa" and "type" in item and item["type"] is not None:
        kind = str(item["type"]).strip().lower()
        if kind not in CHARTQA_TYPES:
            raise UserError(f"{path}: {name}: field 'type' is {_short(item['type'])}; ChartQA's types are "
                            "human_test and augmented_test (or human / augmented)")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_rows(bench: str, where: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """``eval run``'s dataset rows: unique ``id``s, and a gold answer in every row unless no row has one (a split
    whose answers are hidden). Raises a one-line :class:`UserError` naming the rows."""
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        key = str(row.get("id"))
        if key in seen:
            raise UserError(f"{where}: rows {seen[key]} and {i} of the split (counting from 0) both have id {key!r}; "
                            "each row needs its own id (their responses and scores would be mixed)")
        seen[key] = i
    field = gold_field(bench)

    def gold(row: Mapping[str, Any]) -> Any:
        value = row.get(field, row.get("answer")) if field == "label" else row.get(field)
        if isinstance(value, (list, tuple)):
            value = value[0] if value and all(v is not None for v in value) else None
        return value

    if all(gold(row) in (None, "") for row in rows):
        return  # hidden answers: eval run warns that the scores mean nothing
    for row in rows:
        if gold(row) is None:
            raise UserError(f"{where}: row id {row.get('id')!r}: missing field 'answer'"
                            + (" (it is null)" if field in row or "answer" in row else ""))
