r"""``verify``: one response against one gold answer, dispatched to the module of the answer kind.

Dispatch (first match): ``choices`` given → choice (also with ``task="chart"``); ``task="chart"`` →
chart.relaxed_match; answer_type ``list`` (or a list gold) → lists; ``integer``/``float`` →
numeric (an expression prediction such as ``\frac{1}{2}`` is evaluated first); ``expression``/``latex`` →
symbolic; ``text`` → normalised text (numbers and expressions still compared by value); ``None`` → detected
from the gold (number → numeric, expression → symbolic, else text).

Every call is bounded: responses are cut to their last ``MAX_RESPONSE_CHARS`` characters, answers longer than
``MAX_ANSWER_CHARS`` are not parsed, parsers check a cooperative deadline (``time_budget_s``), and any failure
becomes a wrong verdict with a reason. ``verify`` never raises.

A gold answer that cannot be read for its type is a data error: ``validate_gold`` raises ``GoldAnswerError``,
and ``verify`` returns ``Verdict(correct=False, score=0.0, extracted=..., reason="bad gold: ...", bad_gold=True)``.

>>> verify("<think>7.9 or so</think><answer>7</answer>", "7", answer_type="integer").correct
True
>>> verify("\\boxed{7.9}", "7").reason
'numeric: 7.9 != 7'
>>> verify("The answer is (C).", "145°", choices=["135°", "140°", "145°"]).correct
True
>>> verify("12", "twelve apples?", answer_type="integer").bad_gold
True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from mmagrae.verifiers import chart, choice, lists, numeric, symbolic
from mmagrae.verifiers.extraction import (
    clean_answer,
    extract,
    final_in_sentence,
    find_boxed,
    math_span_list,
    math_spans,
)
from mmagrae.verifiers.math_text import EQUALS_RE, TRAILING_UNIT_RE
from mmagrae.verifiers.numeric import Number, parse_number
from mmagrae.verifiers.readings import (
    final_values,
    inconsistent_chain,
    named_value,
    read_number,
    value_as_number,
)
from mmagrae.verifiers.restated import restated_values
from mmagrae.verifiers.verdict import (
    DEFAULT_TIME_BUDGET_S,
    MAX_ANSWER_CHARS,
    MAX_RESPONSE_CHARS,
    Deadline,
    GoldAnswerError,
    Verdict,
    VerifierTimeout,
)

__all__ = ["verify", "validate_gold", "normalize_answer_type", "ANSWER_TYPES"]

# accepted spellings -> canonical answer type
ANSWER_TYPES: dict[str | None, str] = {
    None: "auto", "auto": "auto",
    "integer": "integer", "int": "integer",
    "float": "float", "number": "float", "numeric": "float",
    "text": "text", "str": "text", "string": "text",
    "list": "list",
    "multiple_choice": "choice", "multi_choice": "choice", "choice": "choice", "mc": "choice",
    "expression": "expression", "latex": "expression", "math": "expression", "symbolic": "expression",
}  # fmt: skip


def normalize_answer_type(answer_type: str | None) -> str:
    key = answer_type.strip().lower() if isinstance(answer_type, str) else answer_type
    if key not in ANSWER_TYPES:
        raise GoldAnswerError(
            f"unknown answer_type {answer_type!r}; allowed: {sorted(k for k in ANSWER_TYPES if k)}"
        )
    return ANSWER_TYPES[key]


_GOLD_MARKUP_RE = re.compile(r"\\boxed|\\fbox|\\\(|\\\[|(?<!\\)\$[^$]*(?<!\\)\$")


_GOLD_LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z ]{1,30}:\s*(\S.*)$", re.DOTALL)


def _gold_text(gold: Any, *, cached: bool = True) -> str:
    r"""The gold answer as text; a gold with math markup is read like a response.

    ``$9$``, ``$125$ miles``, ``Circumference $=50.27 \mathrm{~cm}$``, ``Range: $[-3,3]$``, ``Length of
    $AB=14.1 \mathrm{~m}$`` (the named value), ``\(\boxed{\text{C}}\).`` and whole
    worked solutions (MATH's ``solution`` field: the boxed answer) all give their final answer; several boxes
    or math spans written as a list ("$1$ and $2$") give the list. A gold with markup but no answer in it is a
    data error. A plain gold with a label ("Range: [-3,3]") gives the value after the label, and a named value
    with a unit ("AB=14.1 m", "∠ABC=60°") its value; "x=2" stays an equation. ``cached=False`` reads without
    the cache of golds (for predictions, which are not shared by the samples of a prompt).
    """
    if isinstance(gold, (list, tuple)):
        return "[" + ", ".join(str(x) for x in gold) + "]"
    if isinstance(gold, float) and gold.is_integer():
        return str(int(gold))
    text = _tidy_gold(str(gold))
    if len(text) > MAX_RESPONSE_CHARS or not _GOLD_MARKUP_RE.search(text):
        m = _GOLD_LABEL_RE.match(text) if len(text) <= MAX_ANSWER_CHARS else None
        if m and (parse_number(m.group(1)) is not None or symbolic.looks_symbolic(m.group(1))):
            return m.group(1).strip()  # "Range: [-3,3]", "Area: 12 cm^2": the value after the label
        if "=" in text and len(text) <= 200:  # "AB=14.1 m", "∠ABC=60°": a value with its unit, named
            value = named_value(text)
            if not re.fullmatch(r"[-+]?[\d.,]+", value) or _WORD_LABEL_RE.match(text.rpartition("=")[0]):
                return value  # "slope =-4" names its value too; "x=2" stays an equation
        return text
    # the G samples of a prompt share its gold: read it once (cache only golds of ordinary size: bounded memory)
    return _gold_answer(text) if cached and len(text) <= 8_000 else _gold_answer.__wrapped__(text)


# "units $^{2}$" (bounded spaces: a long run of blanks must not make the search quadratic)
_UNIT_POWER_RE = re.compile(r"[ \t]{0,3}(?<!\\)\$[ \t]{0,3}\^[ \t]{0,3}\{?[ \t]{0,3}(\d)[ \t]{0,3}\}?[ \t]{0,3}(?<!\\)\$")
_WORD_LABEL_RE = re.compile(r"^\s*[A-Za-z][A-Za-z.]+(?:\s+[A-Za-z.]+)*\s*$")  # "slope", "S.A. of prism"


def _unit_powers(text: str) -> str:
    """``units $^{2}$`` -> ``units²``: an exponent set alone in math mode is the power of the unit before it
    (written as a superscript sign so that it is never read as a number of its own)."""
    return _UNIT_POWER_RE.sub(lambda m: "⁰¹²³⁴⁵⁶⁷⁸⁹"[int(m.group(1))], text) if "$" in text else text


def _tidy_gold(text: str) -> str:
    r"""Typesetting left in golds that is not part of the answer (MathVerse writes all of these):
    ``56.55 units $^{3}$`` (an exponent set alone in math mode: the unit's power), ``=\frac{7}{4}`` (a
    leading ``=``), ``-4.9\n-4.9`` (one value written twice), ``118掳T`` (a degree sign read in the wrong
    encoding, GBK for UTF-8 ``°``).

    >>> _tidy_gold("56.55 units $^{3}$"), _tidy_gold("=\\frac{7}{4}"), _tidy_gold("-4.9\n-4.9"), _tidy_gold("35掳")
    ('56.55 units³', '\\frac{7}{4}', '-4.9', '35°')
    """
    text = _unit_powers(text.strip()).replace("掳", "°")
    if text.startswith("=") and not text.startswith("=="):
        text = text[1:].strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and len(set(lines)) == 1:
        text = lines[0]
    return text


@functools.lru_cache(maxsize=2048)
def _gold_answer(text: str) -> str:
    if not find_boxed(text):
        spans = math_spans(text)
        if len(spans) > 1 and (joined := math_span_list(text, spans, gold=True)) is not None:
            return joined
        if (
            spans and spans[0][0] > 0 or len(spans) > 1
        ):  # "$125$ miles" is read whole; "Circumference $=50.27$"
            answer = clean_answer(final_in_sentence(text) or "")
            if answer:
                return named_value(answer) if _PROSE_LEAD_RE.match(text) else answer
    found = extract(text, hedging=False)
    if not found.answer:
        raise GoldAnswerError(f"no answer found in gold {text[:80]!r}")
    value = named_value(found.answer)  # "$\angle ABC=35^{\circ}$": a value with its unit, named
    return value if not re.fullmatch(r"[-+]?[\d.,]+", value) else found.answer


_PROSE_LEAD_RE = re.compile(r"^\s*[A-Za-z]{2,}")
def _gold_number(gold: str, deadline: Deadline) -> Number | None:
    n = parse_number(gold)
    if n is None:
        value = symbolic.constant_value(gold, deadline)
        n = value_as_number(value) if value is not None else None
    return n


def validate_gold(
    gold: Any,
    *,
    choices: Sequence[str] | None = None,
    answer_type: str | None = None,
    task: str | None = None,
    deadline: Deadline | None = None,
) -> str:
    """Check that ``gold`` can be read for its type; returns the canonical answer type used to compare.

    Raises GoldAnswerError (a ValueError) with the reason when it cannot.

    >>> validate_gold("3.5", answer_type="float")
    'float'
    >>> validate_gold("E", choices=["a", "b"])
    Traceback (most recent call last):
    ...
    mmagrae.verifiers.verdict.GoldAnswerError: gold 'E' is neither an option text nor a letter of 2 options
    """
    return _validate(gold, _gold_text(gold), choices, answer_type, task, deadline or Deadline(DEFAULT_TIME_BUDGET_S))


def _validate(gold: Any, text: str, choices, answer_type, task, deadline: Deadline) -> str:
    """:func:`validate_gold` on the gold's text, read once by the caller (``_gold_text(gold)``)."""
    kind = normalize_answer_type(answer_type)
    if gold is None or text == "":
        raise GoldAnswerError("empty gold answer")
    if len(text) > MAX_ANSWER_CHARS:
        raise GoldAnswerError(f"gold answer longer than {MAX_ANSWER_CHARS} characters")
    if choices:  # options decide even for charts: the answer is an option, not a value to approximate
        choice.resolve_gold_choice(text, choices)
        return "choice"
    if task == "chart":
        return "chart"
    if kind == "choice":
        raise GoldAnswerError("answer_type multiple_choice without choices")
    if kind == "list" or isinstance(gold, (list, tuple)):
        if not lists.split_list(text):
            raise GoldAnswerError("empty list gold")
        return "list"
    if kind in ("integer", "float"):
        n = _gold_number(text, deadline)
        if n is None:
            raise GoldAnswerError(f"{kind} gold {text[:80]!r} is not a number")
        if kind == "integer" and n.value != n.value.to_integral_value():
            raise GoldAnswerError(f"integer gold {text!r} has a fractional part")
        return kind
    if kind == "expression":
        try:
            symbolic.parse_gold(text, deadline)
        except symbolic.ParseError as exc:
            raise GoldAnswerError(f"expression gold {text[:80]!r} cannot be parsed: {exc}") from None
        return "expression"
    if kind == "text":
        return "text"
    # auto
    if parse_number(text) is not None:
        return "float"
    if symbolic.looks_symbolic(text) or _is_value_list(text):
        try:
            symbolic.parse_gold(text, deadline)
            return "expression"
        except symbolic.ParseError:
            return "text"
    return "text"


_LETTER_RE = re.compile(r"^\s*[A-Z]\s*$")
_LETTERED_GOLD_RE = re.compile(r"^\s*\(([A-H])\)\s+(\S.{0,80})$")  # a gold with its option letter: "(D) Alina"
_LETTER_ANSWER_RE = re.compile(
    r"^\s*(?:\(\s*([A-Za-z])\s*\)(?:\s+[^()]*)?|\[\s*([A-Za-z])\s*\]|([A-Za-z])[.)]?)\s*$"
)  # "C", "(C)", "[C]", "C.", and AMC's "(C) 12" (but not "(C) and (D)")


def _is_value_list(text: str) -> bool:
    """A comma list whose items are numbers or formulas ("1, 2", "{2, 3, 5}"), not words ("red, blue")."""
    items = [x for x in re.split(r"[,;]", text.strip().strip("{}")) if x.strip()]
    return len(items) > 1 and all(parse_number(x) is not None or symbolic.looks_symbolic(x) for x in items)


_BASE_N_RE = re.compile(r"([0-9A-Za-z]+)_\{?(\d{1,2})\}?")


def _is_base_n(digits: str, base: str) -> bool:
    """Whether ``digits_{base}`` is a number in that base (not a name: "V_1", "P_{A}")."""
    return 2 <= int(base) <= 36 and all(int(d, 36) < int(base) for d in digits)


def _text_equal(pred: str, gold: str) -> bool:
    if "_" in gold and (a := _BASE_N_RE.fullmatch(pred.strip())) and (b := _BASE_N_RE.fullmatch(gold.strip())):
        if _is_base_n(*a.groups()) and _is_base_n(*b.groups()):  # "4210_7" for "4210_{7}", "1A_{16}" for "1a_{16}"
            return a.group(1).lower() == b.group(1).lower() and int(a.group(2)) == int(b.group(2))
    return choice.normalize_option(pred) == choice.normalize_option(gold)


def _symbolic_match(pred: str, gold: str, deadline: Deadline) -> tuple[bool, str] | None:
    """``(True, why)`` when both parse and are equal; None otherwise (unparseable is not a verdict here)."""
    try:
        ok, why = symbolic.expressions_equal(pred, gold, deadline)
    except symbolic.ParseError:
        return None
    return (True, why) if ok else None


def _compare_scalar(
    pred: str, gold: str, kind: str, precision: int | None, deadline: Deadline
) -> tuple[bool, str]:
    if kind in ("integer", "float"):
        g = _gold_number(gold, deadline)
        if g is None:
            raise GoldAnswerError(f"{kind} gold {gold[:80]!r} is not a number")
        p = read_number(pred, deadline)
        if p is None:
            if len(pred) <= MAX_ANSWER_CHARS and symbolic.looks_symbolic(pred):  # "\sin^2 x + \cos^2 x" vs 1
                match = _symbolic_match(pred, gold, deadline)
                if match:
                    return match
            return False, "numeric: prediction is not a number"
        return numeric.numbers_match(p, g, precision=precision, answer_type=kind)
    if kind == "expression" and parse_number(gold) is not None:  # a decimal gold keeps the rounding rules
        return _compare_scalar(pred, gold, "float", precision, deadline)
    if kind == "expression":
        if len(pred) > MAX_ANSWER_CHARS:
            return False, "symbolic: prediction too long"
        try:
            return symbolic.expressions_equal(pred, gold, deadline)
        except symbolic.ParseError as exc:
            raise GoldAnswerError(f"expression gold {gold[:80]!r} cannot be parsed: {exc}") from None
    # text (and auto-detected text): words compared normalised; numbers and formulas by value
    if _text_equal(pred, gold):
        return True, "text: equal"
    if (same_time := numeric.times_match(pred, gold)) is not None:
        return same_time, f"time: {'equal' if same_time else 'differs'}"
    if _LETTER_RE.match(gold):  # a lone capital letter gold is an option letter, even without choices
        m = _LETTER_ANSWER_RE.match(numeric.normalize_math_text(pred))
        letter = next((g for g in m.groups() if g), "") if m is not None else ""
        ok = letter.upper() == gold.strip()
        return ok, f"choice: letter {'matches' if ok else 'differs'}"
    if lettered := _LETTERED_GOLD_RE.match(gold):  # "(D) Alina", "(C) 12": an option given with its text
        if m := _LETTER_ANSWER_RE.match(plain := numeric.normalize_math_text(pred)):
            ok = next((g for g in m.groups() if g), "").upper() == lettered.group(1)
            rest = re.sub(r"^\s*\(\s*[A-Za-z]\s*\)\s*", "", plain) if plain.lstrip()[:1] == "(" else ""
            if ok and rest and not _compare_scalar(rest, lettered.group(2), kind, precision, deadline)[0]:
                return False, "choice: the letter's text differs"  # "(C) 13" for "(C) 12"
            return ok, f"choice: letter {'matches' if ok else 'differs'}"
        return _compare_scalar(pred, lettered.group(2), kind, precision, deadline)  # "Alina", "12"
    g = parse_number(gold)
    if g is not None:
        p = read_number(pred, deadline)
        if p is not None:
            return numeric.numbers_match(p, g, precision=precision)
        return False, "text: differs"
    if symbolic.looks_symbolic(gold) and len(pred) <= MAX_ANSWER_CHARS:
        match = _symbolic_match(pred, gold, deadline)
        if match:
            return match
        if symbolic.canonical_text(pred) == symbolic.canonical_text(gold):  # e.g. inequalities: text only
            return True, "text: equal as formulas"
    return False, "text: differs"


def _verify(
    response, gold, choices, answer_type, precision, task, deadline: Deadline, seen: dict[str, str | None]
) -> Verdict:
    if not isinstance(response, str):
        response = "" if response is None else str(response)
    if precision is not None:
        try:
            precision = int(precision)
        except (TypeError, ValueError):
            return Verdict(False, 0.0, None, f"bad gold: precision {precision!r} is not an integer", True)
    if choices is not None and not isinstance(choices, (list, tuple)):
        return Verdict(False, 0.0, None, "bad gold: choices must be a list", True)
    choices = [str(c) for c in choices] if choices else None
    try:
        gold_text = _gold_text(gold)
        kind = _validate(gold, gold_text, choices, answer_type, task, deadline)
    except GoldAnswerError as exc:
        return Verdict(False, 0.0, None, f"bad gold: {exc}", True)

    response = _unit_powers(response[-MAX_RESPONSE_CHARS:])  # "12 units $^{2}$": a unit's power
    found = extract(response, choices=choices)
    if found.hedged:
        shown = " | ".join(c[:40] for c in found.candidates[:4])
        return Verdict(
            False, 0.0, None, f"hedging: {len(found.candidates)} different final answers ({shown})"
        )
    pred = found.answer
    if pred is None or pred == "":
        return Verdict(False, 0.0, None, "no answer found")
    seen["extracted"] = pred
    deadline.check()

    if kind == "chart":
        ok, why = chart.relaxed_match(pred, gold_text)
    elif kind == "choice":

        def equal(a: str, b: str) -> bool:
            try:
                return symbolic.expressions_equal(a, b, deadline)[0]
            except symbolic.ParseError:
                return False

        chained = EQUALS_RE.search(pred) is not None and not choice.resolve_choice(pred, choices or [])[0]
        readings = final_values(pred, gold_text) if chained else []
        named = next((v for v, _ in readings if choice.resolve_choice(v, choices or [], equal=equal)[0]), None)
        if named is not None:  # "UT = 22.5 m", "ED = 20/3 ≈ 6.67": the value the chain ends with
            ok, why = choice.choices_match(named, gold_text, choices or [], equal=equal)
        elif chained and inconsistent_chain(pred):
            ok, why = False, "choice: the chain's values disagree"  # "AB = 9 cm ≈ 5 cm"
        else:
            ok, why = choice.choices_match(pred, gold_text, choices or [], equal=equal)
    elif kind == "list":
        element_kind = "text"

        def element(p: str, g: str) -> tuple[bool, str]:
            return _compare_scalar(p, g, element_kind, precision, deadline)

        ok, why = lists.lists_match(pred, gold if isinstance(gold, (list, tuple)) else gold_text, element)
    else:
        ok, why = _compare_scalar(pred, gold_text, kind, precision, deadline)
        if not ok and (value := _stated_value(pred)) is not None:
            ok, why = _compare_scalar(value, gold_text, kind, precision, deadline)
        if not ok and ("≈" in pred or "approx" in pred) and len(pred) <= MAX_ANSWER_CHARS \
                and (exact := _rounded_from(pred)) is not None:  # "(√2/2, √2/2) ≈ (0.71, 0.71)"
            if _compare_scalar(exact, gold_text, kind, precision, deadline)[0]:
                ok, why = True, f"stated before its rounding as {exact[:40]!r}"
        if not ok:  # "h ≈ 58 mm (5.8 cm)": the same value in another unit, which a judge takes too
            for value in restated_values(response):
                if _compare_scalar(value, gold_text, kind, precision, deadline)[0]:
                    ok, why = True, f"restated as {value[:40]!r}"
                    break
        if not ok:
            for value, target in final_values(pred, gold_text):
                try:
                    same, how = _compare_scalar(value, target, kind, precision, deadline)
                except GoldAnswerError:
                    continue
                if same:
                    ok, why = True, f"{how} (read as {value[:40]!r})"
                    break
    return Verdict(bool(ok), 1.0 if ok else 0.0, pred, why)


_LAST_APPROX_RE = re.compile(r"(?:=|≈|\\approx(?![a-zA-Z]))?\s*([^=≈]+?)\s*(?:≈|\\approx(?![a-zA-Z]))\s*[^=≈]+$")


def _rounded_from(pred: str) -> str | None:
    """The value a chain states just before rounding it last ("(√2/2, √2/2) ≈ (0.71, 0.71)" -> "(√2/2, √2/2)",
    "2191.7 m ≈ 2.19 km" -> "2191.7 m"): the same value, so a judge takes it; None when the chain does not end
    with "≈", or that side is a computation ("36π ≈ 36 × 3.14 = 113.04" ends with "=": its last value decides)."""
    m = _LAST_APPROX_RE.search(pred)
    if m is None or not re.search(r"\d", m.group(1)) or re.search(r"[+×*·÷]|\d\s+[-−]\s*\d", m.group(1)):
        return None
    exact, rounded = m.group(1).strip(), pred[m.end(1):].lstrip(" ≈").replace("\\approx", "").strip()
    exact, rounded = (_TEXT_CMD_RE.sub(r" \1", x).replace("\\,", " ").strip() for x in (exact, rounded))
    shift: int | None = 0
    if (decimal := _DECIMAL_WITH_UNIT_RE.fullmatch(exact)) is not None:  # "14.45 ≈ 14.4" pays one gold, not two;
        unit = _DECIMAL_WITH_UNIT_RE.fullmatch(rounded)  # "2191.7 m ≈ 2.19 km" is the value in another unit
        if not decimal.group(1) or unit is None or unit.group(1) == decimal.group(1):
            return None
        if unit.group(1):
            shift = _unit_shift(decimal.group(1), unit.group(1))  # m -> km: 10^-3
    return exact if shift is not None and _rounds_to(exact, rounded, shift) else None  # ("2√17 ≈ 8.426")


_PREFIX = {"m": -3, "c": -2, "d": -1, "": 0, "k": 3}
_UNIT_RE = re.compile(r"(mm|cm|dm|km|m|mL|ml|L|l|mg|g|kg)([²³]?)")


def _unit_shift(a: str, b: str) -> int | None:
    """The power of ten from unit ``a`` to unit ``b`` (m -> km: -3, cm² -> m²: -4, L -> mL: 3), or None when they
    are not the same kind of unit of the metric system."""
    ma, mb = _UNIT_RE.fullmatch(a), _UNIT_RE.fullmatch(b)
    if ma is None or mb is None or ma.group(2) != mb.group(2):
        return None
    base_a, base_b = ma.group(1)[-1].lower(), mb.group(1)[-1].lower()
    if base_a != base_b:
        return None
    pa, pb = _PREFIX.get(ma.group(1)[:-1].lower()), _PREFIX.get(mb.group(1)[:-1].lower())
    return None if pa is None or pb is None else (pa - pb) * {"": 1, "²": 2, "³": 3}[ma.group(2)]


_TEXT_CMD_RE = re.compile(r"\\(?:text|mathrm)\s*\{([^{}]*)\}")
_DECIMAL_WITH_UNIT_RE = re.compile(r"[-−]?\d+(?:\.\d+)?\s*([A-Za-zµ°]{0,12}[²³]?)\.?")


def _rounds_to(exact: str, rounded: str, shift: int = 0) -> bool:
    """Whether each number of ``rounded`` is its counterpart of ``exact`` rounded, times ``10**shift`` (another
    metric unit: "2191.7 m ≈ 2.19 km"); "(√2/2, √2/2) ≈ (0.71, 0.71)", not "2√17 ≈ 8.426", "500 mL ≈ 5 L"."""
    parts = [x for x in re.split(r",\s*", exact.strip("() ")) if x]
    shown = [x for x in re.split(r",\s*", rounded.strip("() ")) if x]
    if not parts or len(parts) != len(shown):
        return False
    for a, b in zip(parts, shown, strict=True):
        value = symbolic.constant_value(re.sub(r"\s*[A-Za-zµ°]{1,12}[²³]?$", "", TRAILING_UNIT_RE.sub("", a)).strip())
        number = re.match(r"[-−]?\d+(?:\.(\d+))?", b.strip())
        if value is None or number is None or isinstance(value, complex) and abs(value.imag) > 1e-12:
            return False
        v, r = float(value.real if isinstance(value, complex) else value), float(number.group(0).replace("−", "-"))
        step = 0.5 * 10 ** -len(number.group(1) or "") + 1e-12
        if abs(r - v * 10.0**shift) > step:
            return False
    return True


def _stated_value(pred: str) -> str | None:
    r"""An extraction that states its value the way golds do ("Area $=9 \pi \mathrm{cm}^{2}$", "slope = -4",
    "56.55 units $^{3}$"), read as a gold is read; None when that reading adds nothing. The same text is then
    right as an answer exactly when it is right as a gold."""
    if len(pred) > MAX_ANSWER_CHARS:
        return None
    try:
        value = _gold_text(pred, cached=False)  # a prediction: keep it out of the golds' cache
    except GoldAnswerError:
        return None
    return value if value and value != pred else None


def verify(
    response: str,
    gold: Any,
    *,
    choices: Sequence[str] | None = None,
    answer_type: str | None = None,
    precision: int | None = None,
    task: str | None = None,
    time_budget_s: float | None = DEFAULT_TIME_BUDGET_S,
) -> Verdict:
    """Judge ``response`` against ``gold``; never raises (see the module docstring for the rules).

    response: the model's full output (``<think>`` blocks are ignored).
    gold: the reference answer (string, number, or list for list answers); a letter or option text with choices.
    choices: option texts in order (letters A, B, … refer to them).
    answer_type: "integer", "float", "text", "list", "multiple_choice"/"choice", "expression"/"latex", or None.
    precision: decimals to round both sides to (half-up) for float answers.
    task: "chart" for ChartQA relaxed accuracy.
    time_budget_s: cooperative wall-clock budget for this call (None: no deadline, size caps still apply).
    """
    deadline = Deadline(time_budget_s)
    seen: dict[str, str | None] = {}  # the extracted answer, kept for the reason of a late failure
    try:
        return _verify(response, gold, choices, answer_type, precision, task, deadline, seen)
    except VerifierTimeout:
        return Verdict(False, 0.0, seen.get("extracted"), f"timeout after {time_budget_s}s")
    except GoldAnswerError as exc:
        return Verdict(False, 0.0, seen.get("extracted"), f"bad gold: {exc}", True)
    except RecursionError:
        return Verdict(False, 0.0, seen.get("extracted"), "internal error: input nested too deeply")
    except Exception as exc:  # noqa: BLE001 - the contract is "never raises"; the reason says what happened
        reason = f"internal error: {type(exc).__name__}: {str(exc)[:120]}"
        return Verdict(False, 0.0, seen.get("extracted"), reason)
