"""MathVista (Lu et al., ICLR 2024, arXiv 2310.02255): loader, official prompts, official scoring, rules mode.

Scoring follows the rules of the official ``evaluation/calculate_score.py`` of lupantech/MathVista (the
version that produced the published ``results/*/scores_*.json``, commit ed0d56d, kept through 53d5258),
re-implemented here, not copied:

1. *Normalisation* of an extraction (``normalize_extracted_answer``):
   - ``multi_choice``: strip; the first ``(X)`` letter in the text wins (upper-cased); a letter among the
     first ``len(choices)`` letters maps to that choice; anything else maps to the choice at the smallest
     Levenshtein distance (first one on ties, so an empty extraction picks the shortest choice).
   - ``integer``: ``str(int(float(x)))``: truncation toward zero ("3.9" -> "3"), ``None`` if unparseable.
   - ``float``: ``str(round(float(x), precision))`` (Python's round-half-even on the binary value).
   - ``list``: ``str(x)``: a string stays as written; a JSON list is formatted the way Python prints one.
2. *Verdict*: the normalised prediction must be equal, as a string, to the gold ``answer``.
3. *Tables*: accuracy overall ("34.8": ``round(100·c/n, 2)`` as a string) and per value of question_type,
   answer_type, language, source, category, task, context, grade and skills ("48.70": two decimals), values in
   first-seen order then sorted by accuracy, highest first (stable). Skills are a list per item; an item
   counts under each of its skills.

Where we differ from the official script, on purpose:
- Nothing is ever executed: list answers are compared as strings (as the official scorer does) and a list
  given as JSON is printed like Python's ``str(list)``, never ``eval``-ed. Official forks that ``eval`` list
  strings (e.g. to compare ``[1,2]`` with ``[1, 2]``) would accept spacing variants that we reject; the
  published MathVista scorer does not, so the verdicts agree.
- The official script orders tied skills by Python ``set`` order (hash-randomised per run); we use first-seen
  order, so key order of tied skills can differ from a given published file while every number is the same.
- ``precision`` given as a float (the Hugging Face copy stores ``1.0``) is used as ``int(precision)``, as the
  current official script does; the 2023 script would have raised and scored the item wrong.

Example::

    >>> normalize_extracted_answer("(B) 8/11", ["3/11", "8/11", "6/11"], "multi_choice", "text", None)
    '8/11'
    >>> normalize_extracted_answer("3.97", None, "free_form", "integer", None)
    '3'
    >>> normalize_extracted_answer("1.456", None, "free_form", "float", 2)
    '1.46'
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from Levenshtein import distance as levenshtein

HF_DATASET_ID = "AI4Math/MathVista"
SPLITS = ("testmini", "test")
CATEGORY_KEYS = ("question_type", "answer_type", "language", "source", "category", "task", "context", "grade", "skills")
_LETTER_IN_PARENS = re.compile(r"\(([a-zA-Z])\)")


# --------------------------------------------------------------------------------------------- normalisation
def most_similar_choice(prediction: str, choices: list[str]) -> str:
    """The choice at the smallest Levenshtein distance from ``prediction`` (the first one on ties)."""
    best, best_distance = choices[0], None
    for choice in choices:
        d = levenshtein(prediction, str(choice))
        if best_distance is None or d < best_distance:
            best, best_distance = choice, d
    return best


def format_list_answer(value: Any) -> str:
    """A list as Python prints it (``[1, 2.5, 'a']``), without executing anything; strings stay as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        inner = ", ".join(format_list_answer(v) if isinstance(v, (list, tuple)) else repr(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return str(value)


def normalize_extracted_answer(
    extraction: Any,
    choices: list[str] | None,
    question_type: str,
    answer_type: str,
    precision: float | int | None,
) -> str | None:
    """Map an extracted answer onto MathVista's answer space (official rules, see the module docstring)."""
    if question_type == "multi_choice":
        text = extraction.strip() if isinstance(extraction, str) else str(extraction)
        letters = _LETTER_IN_PARENS.findall(text)
        if letters:
            text = letters[0].upper()
        if not choices:
            return None  # a multiple-choice item without choices is an error in the data
        options = [chr(ord("A") + i) for i in range(len(choices))]
        if text in options:
            return choices[options.index(text)]
        return most_similar_choice(text, list(choices))
    if answer_type == "integer":
        try:
            return str(int(_to_float(extraction)))
        except (TypeError, ValueError, OverflowError):
            return None
    if answer_type == "float":
        try:
            value = _to_float(extraction)
            return str(round(value) if precision is None else round(value, int(precision)))
        except (TypeError, ValueError, OverflowError):
            return None
    if answer_type == "list":
        return None if extraction is None else format_list_answer(extraction)
    return extraction


def _to_float(value: Any) -> float:
    """Python's ``float()`` on a string or number (it parses; it never executes). Booleans count as numbers."""
    if isinstance(value, (str, int, float)):
        return float(value)
    raise TypeError(f"not a number: {type(value).__name__}")


def official_verdict(item: Mapping[str, Any], extraction: Any) -> tuple[str | None, bool]:
    """``(prediction, true_false)`` for one MathVista item and an extraction, by the official rules."""
    prediction = normalize_extracted_answer(
        extraction, item.get("choices"), item["question_type"], item["answer_type"], item.get("precision")
    )
    return prediction, prediction is not None and prediction == item["answer"]


# ---------------------------------------------------------------------------------------------------- scoring
def _percent(correct: int, total: int, decimals: int) -> str:
    return f"{correct / total * 100:.{decimals}f}"


def score_table(results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The official ``scores_*.json`` layout from items that carry ``true_false`` and ``metadata``.

    ``average.accuracy`` is ``str(round(100·c/n, 2))`` ("34.8"); categories use two decimals ("48.70").
    """
    items = list(results.values())
    correct = sum(bool(it["true_false"]) for it in items)
    total = len(items)
    scores: dict[str, Any] = {
        "average": {"accuracy": str(round(correct / total * 100, 2)) if total else "0.0", "correct": correct,
                    "total": total}
    }
    for key in CATEGORY_KEYS:
        counts: dict[str, list[int]] = {}  # value -> [correct, total], first-seen order
        for it in items:
            meta = it.get("metadata") or {}
            raw = meta[key] if key in meta else it.get(key)  # the official script lets metadata override
            values = raw if key == "skills" else [raw]
            for value in values or []:
                c = counts.setdefault(value, [0, 0])
                c[0] += bool(it["true_false"])
                c[1] += 1
        table = {v: {"accuracy": _percent(c, n, 2), "correct": c, "total": n} for v, (c, n) in counts.items()}
        scores[key] = dict(sorted(table.items(), key=lambda kv: float(kv[1]["accuracy"]), reverse=True))
    return scores


Extractor = Callable[[Mapping[str, Any]], Any]


def score_results(
    results: Mapping[str, Mapping[str, Any]],
    *,
    mode: str = "official",
    extractor: Extractor | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Score an ``output_*.json`` mapping; returns ``(updated items, scores table)``.

    Modes: ``official`` normalises each item's given ``extraction``; ``rules`` extracts from ``response`` with
    mmagrae's verifiers first (:func:`rules_extraction`); ``judge`` uses ``extractor`` (see ``eval.judge``).
    The updated items carry ``extraction`` (for rules/judge), ``prediction`` and ``true_false``.
    """
    if mode == "official":
        extract: Extractor = lambda item: item.get("extraction")  # noqa: E731
    elif mode == "rules":
        extract = extractor or rules_extraction
    elif mode == "judge":
        if extractor is None:
            raise ValueError("mode='judge' needs an extractor (eval.judge.JudgeExtractor)")
        extract = extractor
    else:
        raise ValueError(f"unknown scoring mode {mode!r}; expected one of official, rules, judge")
    updated: dict[str, dict[str, Any]] = {}
    for pid, item in results.items():
        new = dict(item)
        extraction = extract(item)
        if mode != "official":
            new["extraction"] = "" if extraction is None else extraction
        new["prediction"], new["true_false"] = official_verdict(item, new.get("extraction"))
        updated[pid] = new
    return updated, score_table(updated)


def rules_extraction(item: Mapping[str, Any]) -> str | None:
    """Extract an answer from ``item['response']`` with mmagrae's verifier (no judge, no network).

    The official pipeline's cheap shortcuts come first, as in its ``extract_answer``: an empty response
    extracts nothing, a response that is one of the choices or a bare number is taken as it is. Otherwise the
    verifier's extraction (boxed, ``<answer>``, "the answer is", last option letter or number, ...) is used.
    MathVista rules follow for multiple choice: an answer that starts with one of the choices' words
    ("no, there are not ...") becomes that choice; when no choice is read, a response that names exactly one
    choice gets it (:func:`mentioned_choice`), else the whole response goes to the Levenshtein mapping, as the
    GPT extractor's copy of a non-answer would; before that, a stated letter the verifier missed ("The correct
    option letter is D.") is read. An integer answer given as a one-sentence count ("There are 3 bars with
    values below 40.") is the count. A program-of-thought file's ``execution`` field (the printed
    output, data in the file) is read instead of the program, as the official ``--response_label execution``. Then
    MathVista's normalisation then maps it onto the answer space (verifier and official rules never disagree
    about correctness this way: the official string comparison decides).
    """
    from mmagrae.verifiers import extract_answer

    response = item.get("response") or ""
    if isinstance(item.get("execution"), str) and item["execution"] not in ("None",):
        # a program-of-thought result file: the official extraction read the program's printed output
        # (``--response_label execution``); it is data in the file, nothing is run here
        response = item["execution"]
    if not response.strip():
        return ""
    from eval.rules import judged_text

    response = judged_text(response)  # a reasoner's answer left inside <think>: GPT's extraction reads it
    continued = _CONTINUATION.split(response) if ("Question" in response or "问题" in response) else [response]
    if len(continued) > 1 and len(continued[0].strip()) > _SHORT_ANSWER and continued[-1].strip():
        # a few-shot continuation after a worked solution ("…答案:C\n\nQuestion: What is 9x8? … = 72"): GPT's
        # extraction reads the end, even a bare question ("…The answer is B.\n\nQuestion: Completed"; the
        # published verdicts follow it, 15 items of the Claude 2-shot files); after a one-line answer ("The answer
        # is (C) 8.\n\nQuestion: …") it reads the start
        response = continued[-1]
    choices = item.get("choices")
    if item["question_type"] == "multi_choice" and response in (choices or []):
        return response
    if item["answer_type"] in ("integer", "float"):
        try:
            float(response)
            return response.strip()
        except ValueError:
            pass
    if item["question_type"] != "multi_choice" or not choices:
        if item["answer_type"] == "integer" and len(response) <= 300 and (m := _COUNT_RE.match(response)):
            return m.group(1)  # "There are 3 bars with values below 40.": the count, not the last number
        extraction = extract_answer(response)
        if item["answer_type"] in ("integer", "float") and extraction:
            extraction = _equation_value(extraction)
            return number_answer(extraction, item["answer_type"])
        return extraction
    extraction = extract_answer(response, choices=list(choices))
    if extraction and extraction not in choices:
        # "Answer: 10 \\sqrt{3}" is the choice "10 \\sqrt { 3 }" (blanks aside), not the choice "10" it starts with
        same = [c for c in choices if _bare(str(c)) == _bare(extraction)]
        if len(same) == 1:
            return same[0]
        # "no, there are not fewer ..." -> the choice the answer starts with ("No").
        lowered = extraction.lower()
        starts = [c for c in choices if lowered.startswith(str(c).lower()) and _ends_word(lowered, str(c).lower())]
        if starts:  # the longest: "quarter past, E" is "quarter past", not "quarter"
            return max(starts, key=lambda c: len(str(c)))
    if not extraction or (extraction not in choices and not _LETTER_IN_PARENS.search(extraction)
                          and not re.fullmatch(r"\s*[A-Z]\s*", extraction)):
        from eval.rules import stated_letter

        letter = stated_letter(response, len(choices))  # "The correct option letter is D."
        if letter is not None:
            return letter
        # No choice read: a response that names exactly one choice ("The wettest month is May.") gets it,
        # as GPT's extraction does; otherwise (a refusal, "not enough information") GPT copies the text and
        # the Levenshtein mapping runs on it, so do the same.
        named = mentioned_choice(response, [str(c) for c in choices])
        if named is not None:
            return named
        if not extraction:
            return response.strip()
    return extraction


@functools.lru_cache(maxsize=8192)
def _bare(text: str) -> str:
    """An option's text as compared without the blanks next to symbols (``10 \\sqrt { 3 }`` is ``10\\sqrt{3}``;
    one blank between two digits or letters stays: "2 1/2" is not "21/2"). Cached: choices repeat."""
    from mmagrae.verifiers.choice import normalize_option

    return _BLANKS_BY_SYMBOL.sub(r"\1", " ".join(normalize_option(text).split()))


_BLANKS_BY_SYMBOL = re.compile(r"\s*(\W)\s*")


def _ends_word(text: str, prefix: str) -> bool:
    """Whether ``text``, which starts with ``prefix``, has a word boundary right after it (regex ``\\b``; no
    regex is compiled per choice).

    >>> _ends_word("no, there are not", "no"), _ends_word("none left", "no"), _ends_word("5", "5")
    (True, False, True)
    """
    def is_word(ch: str) -> bool:
        return ch.isalnum() or ch == "_"

    if not prefix:
        return False
    after = text[len(prefix): len(prefix) + 1]
    return is_word(prefix[-1]) != (is_word(after) if after else False)


# a one-sentence count ("There are 3 bars with values below 40."): the number it opens with is the answer
_COUNT_RE = re.compile(
    r"^\s*(?:there\s+(?:are|is|were|was)|I\s+(?:see|count))\s+(\d+)\b(?![.,]\d)[^.\n]*\.?\s*$", re.I
)


def mentioned_choice(response: str, choices: list[str]) -> str | None:
    """The only choice whose text appears in ``response`` as whole words (case-insensitive), else None.

    >>> mentioned_choice("The function y = x^2 is even.", ["odd", "even"])
    'even'
    >>> mentioned_choice("Between 5 and 8.", ["5", "8", "11"]) is None
    True
    """
    text = response.lower()
    found = [c for c in choices if c.strip() and re.search(r"(?<!\w)" + re.escape(c.lower().strip()) + r"(?!\w)", text)]
    # a choice inside a longer named choice ("quarter" in "quarter past") does not count on its own
    found = [c for c in found if not any(c != d and c.lower() in d.lower() for d in found)]
    return found[0] if len(found) == 1 else None


_LEADING_NUMBER = re.compile(r"^\s*\$?\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)(?![\d/^]|\.\d|\s*(?:\\times|×|\\cdot|\*)\s*10\s*\^)")


def number_answer(extraction: str, answer_type: str) -> str:
    r"""An integer or float answer as the bare number GPT's extraction writes: the number it starts with
    (:func:`leading_number`), a number word (``"zero"`` -> ``"0"``), or the value of a short constant
    expression (``"4/5"`` -> ``"0.8"``, ``\frac{9}{3}`` -> ``"3"``; for an integer answer only when the value is
    a whole number). Anything else is returned as it is, for the official normalisation to reject.

    >>> number_answer("zero", "integer"), number_answer("4/5", "float"), number_answer("4/5", "integer")
    ('0', '0.8', '4/5')
    >>> number_answer("0.5^2", "float"), number_answer("No", "integer"), number_answer("1:2", "float")
    ('0.25', 'No', '0.5')
    """
    from mmagrae.verifiers.numeric import parse_number
    from mmagrae.verifiers.symbolic.compare import constant_value

    ratio = _RATIO.fullmatch(extraction.strip())
    clock = ratio is not None and len(ratio.group(2)) == 2 and float(ratio.group(1)) <= 24 and float(ratio.group(2)) < 60
    if ratio is not None and not clock and float(ratio.group(2)) != 0:  # "1:2" is 0.5 ("10:05" is a time)
        value = Fraction(ratio.group(1)) / Fraction(ratio.group(2))
        if answer_type == "integer" and value.denominator != 1:
            return extraction
        return str(value.numerator) if value.denominator == 1 else repr(float(value))
    text = leading_number(extraction)
    try:
        float(text)
        return text
    except ValueError:
        pass
    words = None  # "twenty-one"; not "no" / "none", which answer yes/no questions more often than counts
    if re.fullmatch(r"[a-zA-Z -]+", text.strip()) and text.strip().lower() not in ("no", "none"):
        words = parse_number(text)
    value: Fraction | complex | None = Fraction(words.value) if words is not None else None
    if value is None and len(text) <= _MAX_EXPRESSION and re.search(r"\d", text):
        value = constant_value(text)
    if isinstance(value, complex):
        value = Fraction(value.real) if value.imag == 0 and answer_type == "float" else None
    if value is None or (answer_type == "integer" and value.denominator != 1):
        return extraction
    return str(value.numerator) if value.denominator == 1 else repr(float(value))


_RATIO = re.compile(r"(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)")
_SHORT_ANSWER = 200  # characters: a direct answer, not a worked solution
_CONTINUATION = re.compile(r"(?m)^[ \t]*(?:Question|问题)[ \t]*[:：]")  # linear on blank runs
_EQUATION = re.compile(r"(?<![!<>=])=(?!=)|≈|\\approx(?![a-zA-Z])")  # not "!=", "<=", ">="
_PLAIN_NUMBER = re.compile(r"^\s*[-+]?\$?\d[\d,]*(?:\.\d+)?\s*(?:%|[A-Za-z]+)?\s*$")  # "12", "50%", "12 apples"


def _equation_value(extraction: str) -> str:
    """The value an equation states, as GPT's extraction writes it: "9x8 = 72" -> "72", "x = 12 = 3 × 4" -> "12";
    a left side that is itself a number states that number ("12 = 3 × 4", "50% = 0.5", "12 apples = 3 boxes"),
    and "=" inside brackets ("12 (= 3 × 4)") or in "!=", "<=" is not an equation.

    >>> _equation_value("9x8 = 72"), _equation_value("x = 12 = 3 × 4"), _equation_value("50% = 0.5")
    ('72', '12', '50% = 0.5')
    """
    from mmagrae.verifiers.math_text import split_outside_brackets

    sides = [part for _, part in split_outside_brackets(extraction, _EQUATION)]
    if len(sides) < 2 or _PLAIN_NUMBER.match(sides[0]):
        return extraction
    return next((side.strip() for side in reversed(sides[1:]) if _PLAIN_NUMBER.match(side)), sides[-1].strip())


_MAX_EXPRESSION = 60  # longer text is prose, not a constant expression to evaluate


def leading_number(extraction: str) -> str:
    """``"6 yards"`` -> ``"6"``, ``"64%"`` -> ``"64"``, ``"931,441"`` -> ``"931441"``: the number an integer or
    float answer starts with (the official normalisation needs a bare number; GPT's extraction drops units).
    Text that is already a number, or does not start with one (``"1/2"``, ``"x = 3"``), is returned as is.

    >>> leading_number("6 yards"), leading_number("64%"), leading_number("1/2"), leading_number("2.5")
    ('6', '64', '1/2', '2.5')
    """
    try:
        float(extraction)
        return extraction
    except ValueError:
        pass
    m = _LEADING_NUMBER.match(extraction)
    return m.group(1).replace(",", "") if m else extraction


def agreement(reference: Mapping[str, Mapping[str, Any]], scored: Mapping[str, Mapping[str, Any]]) -> dict:
    """Item-level agreement of ``scored['true_false']`` with ``reference['true_false']``."""
    pids = [pid for pid in reference if pid in scored]
    same = sum(bool(reference[p]["true_false"]) == bool(scored[p]["true_false"]) for p in pids)
    return {"items": len(pids), "agree": same, "agreement": same / len(pids) if pids else 0.0,
            "disagreeing_pids": [p for p in pids if bool(reference[p]["true_false"]) != bool(scored[p]["true_false"])]}


# --------------------------------------------------------------------------------------------- official prompt
def build_query(problem: Mapping[str, Any]) -> str:
    """The official zero-shot ``query`` (``evaluation/build_query.py``, shot_type=solution, no caption/OCR).

    >>> build_query({"question": "How many?", "unit": None, "choices": None, "precision": None,
    ...              "question_type": "free_form", "answer_type": "integer"}).splitlines()[1]
    'Question: How many?'
    """
    question_type, answer_type, precision = problem["question_type"], problem["answer_type"], problem.get("precision")
    if question_type == "multi_choice":
        hint = "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end."
    elif answer_type == "integer":
        hint = ("Hint: Please answer the question requiring an integer answer and provide the final value, "
                "e.g., 1, 2, 3, at the end.")
    elif answer_type == "float" and precision is not None and int(precision) == 1:
        hint = ("Hint: Please answer the question requiring a floating-point number with one decimal place and "
                "provide the final value, e.g., 1.2, 1.3, 1.4, at the end.")
    elif answer_type == "float" and precision is not None and int(precision) == 2:
        hint = ("Hint: Please answer the question requiring a floating-point number with two decimal places and "
                "provide the final value, e.g., 1.23, 1.34, 1.45, at the end.")
    elif answer_type == "list":
        hint = ("Hint: Please answer the question requiring a Python list as an answer and provide the final list, "
                "e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.")
    else:
        raise ValueError(f"no official hint for question_type={question_type!r}, answer_type={answer_type!r}, "
                         f"precision={precision!r}")
    question_text = f"Question: {problem['question']}"
    if problem.get("unit"):
        question_text += f" (Unit: {problem['unit']})"
    lines = [hint, question_text]
    if problem.get("choices"):
        lines.append("\n".join(["Choices:"] + [f"({chr(ord('A') + i)}) {c}" for i, c in enumerate(problem["choices"])]))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------------ loading
def load(split: str = "testmini", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """MathVista rows, from the Hub (``AI4Math/MathVista``) or a local copy.

    ``source`` may be a JSON file in the repository layout (``data/testmini.json``: pid -> item, images under
    ``images/`` beside it), a folder holding ``<split>.json`` (+ ``images/``), or a Parquet file / folder in
    the Hub layout (``decoded_image`` column). Each row keeps every original field and gets ``id`` and
    ``images`` (a list of image paths or PIL images; a missing file stays listed, and ``eval run`` skips
    that row with a warning).
    """
    if split not in SPLITS:
        raise ValueError(f"unknown MathVista split {split!r}; expected one of {SPLITS}")
    if source is None:
        import datasets

        rows = [dict(r) for r in datasets.load_dataset(HF_DATASET_ID, split=split)]
        return [_hub_row(r) for r in rows[:limit]]
    path = Path(source)
    if path.is_dir():
        if (path / f"{split}.json").exists():
            path = path / f"{split}.json"
        elif (path / "data" / f"{split}.json").exists():
            path = path / "data" / f"{split}.json"
    if path.suffix == ".json":
        from mmagrae.preflight import UserError, read_json

        data = read_json(path)
        if not isinstance(data, (dict, list)):
            raise UserError(f"{path}: expected a JSON object {{pid: item}} or a list of items, got "
                            f"{type(data).__name__}")
        keyed = list(data.items()) if isinstance(data, dict) else list(enumerate(data))
        bad = next((k for k, item in keyed if not isinstance(item, dict)), None)
        if bad is not None:
            raise UserError(f"{path}: item {bad}: expected a JSON object, got {type(dict(keyed)[bad]).__name__}")
        items = [item for _, item in keyed]
        root = path.parent
        out = []
        for item in items[:limit]:
            row = dict(item)
            img = root / item["image"] if item.get("image") else None
            row["id"] = str(item["pid"])
            row["images"] = [img] if img is not None else []  # a missing file: eval run skips the row and warns
            row.setdefault("query", build_query(row))
            out.append(row)
        return out
    from eval.loaders import read_parquet_rows

    return [_hub_row(r) for r in read_parquet_rows(path, split)[:limit]]


def _hub_row(row: dict) -> dict:
    row = dict(row)
    image = row.pop("decoded_image", None)
    row["id"] = str(row["pid"])
    row["images"] = [image] if image is not None else []
    if isinstance(row.get("metadata"), str):
        row["metadata"] = json.loads(row["metadata"])
    row.setdefault("query", build_query(row))
    return row


def prompt_text(row: Mapping[str, Any]) -> str:
    """The text shown to the model: the official ``query`` field (or one rebuilt by :func:`build_query`)."""
    return row.get("query") or build_query(row)


def read_results(path: str | Path) -> dict[str, dict[str, Any]]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ registry adapter
def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    meta = row.get("metadata") or {}
    return {key: meta[key] if key in meta else row.get(key) for key in CATEGORY_KEYS}


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor: Extractor | None = None):
    """One response judged by the official normalisation after a rules (or judge) extraction."""
    from eval.registry import SampleVerdict

    item = {**row, "response": response}
    if mode == "rules":
        extraction = rules_extraction(item)
    elif mode == "judge" and extractor is not None:
        extraction = extractor(item)
    else:
        raise ValueError(f"MathVista judges generated responses in mode 'rules' or 'judge' (with an extractor), not {mode!r}")
    _, correct = official_verdict(row, extraction)
    return SampleVerdict(extraction, correct)


def _make_benchmark():
    from eval.registry import Benchmark

    return Benchmark(name="mathvista", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt_text,
                     judge=judge, categories=categories, modes=("official", "rules", "judge"))


BENCHMARK = _make_benchmark()
