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
from decimal import Decimal, localcontext
from fractions import Fraction
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
from mmagrae.verifiers.numeric import Number, parse_number
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
            value = _named_value(text)
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
                return _named_value(answer) if _PROSE_LEAD_RE.match(text) else answer
    found = extract(text, hedging=False)
    if not found.answer:
        raise GoldAnswerError(f"no answer found in gold {text[:80]!r}")
    value = _named_value(found.answer)  # "$\angle ABC=35^{\circ}$": a value with its unit, named
    return value if not re.fullmatch(r"[-+]?[\d.,]+", value) else found.answer


_PROSE_LEAD_RE = re.compile(r"^\s*[A-Za-z]{2,}")
# a left side that only names the value: "AB", "m\angle ABC", "S_{\triangle ABC}", "\overline{PQ}" (no operator)
_NAME_LHS_RE = re.compile(r"^\s*(?:[A-Za-z∠△]|\\[A-Za-z]+)[^-+*/=<>^]*$")


def _named_value(answer: str) -> str:
    r"""MathVerse's "Length of $AB=14.1 \mathrm{~m}$": the value on the right of the last ``=`` when it is a
    number (a unit allowed) and the left only names it; otherwise the answer unchanged.

    >>> _named_value("AB=14.1 \\mathrm{~m}"), _named_value("3x = 6"), _named_value("y = 2x + 1")
    ('14.1 \\mathrm{~m}', '3x = 6', 'y = 2x + 1')
    """
    lhs, sep, rhs = answer.rpartition("=")
    if not sep or not _NAME_LHS_RE.match(lhs.split("=")[0]) or parse_number(rhs) is None:
        return answer
    return rhs.strip()


def _value_as_number(value: Fraction | complex) -> Number | None:
    """A constant expression's value as a Number (exact when the fraction has a finite decimal expansion)."""
    if isinstance(value, complex):  # evaluated in floating point (irrational): noise below 1e-13 is zero
        if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
            return None
        d = Decimal(repr(value.real)) if abs(value.real) >= 1e-13 else Decimal(0)
        return Number(d, max(0, -d.as_tuple().exponent), False)  # type: ignore[operator]
    with localcontext() as ctx:
        ctx.prec = 40
        d = Decimal(value.numerator) / Decimal(value.denominator)
    rest = value.denominator
    for p in (2, 5):
        while rest % p == 0:
            rest //= p
    exact = rest == 1  # a finite decimal expansion (1/3 is not one, whatever the precision)
    decimals = max(0, -d.as_tuple().exponent)  # type: ignore[operator]
    return Number(
        d.normalize() if exact else d, decimals if not exact else 0, exact and value.denominator == 1
    )


_ASSIGNMENT_RE = re.compile(r"^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*(?:=|≈|\\approx)\s*")
_LAST_EQUALS_RE = re.compile(r"=|≈|\\approx")
_LEADING_NUMBER_RE = re.compile(r"^\s*([-−+]?\$?\d[\d,]*(?:\.\d+)?\s*%?)(\s+[A-Za-z]{2,}.*)?$", re.DOTALL)
_SECOND_ANSWER_RE = re.compile(r"\b(?:or|and|to|nor)\b\s*[-−+]?\$?\s*\d|[-–/]\s*\d")
_ANY_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


def _read_number(text: str, deadline: Deadline) -> Number | None:
    """A prediction as a number: plain, after ``x =``, as a constant expression, or a lone leading number."""
    n = parse_number(text)
    if n is not None:
        return n
    stripped = _ASSIGNMENT_RE.sub("", text)
    if stripped != text:
        n = parse_number(stripped)
        if n is not None:
            return n
    last = _LAST_EQUALS_RE.split(text)
    if len(last) > 1:  # "m∠ABC = 60°", "2 + 3 = 5": the value after the last "=" or "≈"
        n = parse_number(last[-1])
        if n is not None:
            return n
    if len(stripped) <= MAX_ANSWER_CHARS and "±" not in stripped and "\\pm" not in stripped:
        value = symbolic.constant_value(stripped, deadline)
        if value is not None:
            n = _value_as_number(value)
            if n is not None:
                return n
    m = _LEADING_NUMBER_RE.match(text)
    # "7 because ...", "1982 with an income of $931,441"; not "3 or 4", "5 cm and 10 cm", "2 to 3"
    if m and m.group(2) and not _SECOND_ANSWER_RE.search(m.group(2)):
        return parse_number(m.group(1))
    if not _ANY_NUMBER_RE.search(text) and len(text) <= 200:
        words = numeric.number_words_in(text)  # "There are five." but not "five or six"
        if len(set(words)) == 1:
            return Number(Decimal(words[0]), 0, True)
    return None


def _gold_number(gold: str, deadline: Deadline) -> Number | None:
    n = parse_number(gold)
    if n is None:
        value = symbolic.constant_value(gold, deadline)
        n = _value_as_number(value) if value is not None else None
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
_LETTER_ANSWER_RE = re.compile(
    r"^\s*(?:\(\s*([A-Za-z])\s*\)(?:\s+[^()]*)?|\[\s*([A-Za-z])\s*\]|([A-Za-z])[.)]?)\s*$"
)  # "C", "(C)", "[C]", "C.", and AMC's "(C) 12" (but not "(C) and (D)")


def _is_value_list(text: str) -> bool:
    """A comma list whose items are numbers or formulas ("1, 2", "{2, 3, 5}"), not words ("red, blue")."""
    items = [x for x in re.split(r"[,;]", text.strip().strip("{}")) if x.strip()]
    return len(items) > 1 and all(parse_number(x) is not None or symbolic.looks_symbolic(x) for x in items)


def _text_equal(pred: str, gold: str) -> bool:
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
        p = _read_number(pred, deadline)
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
    if _LETTER_RE.match(gold):  # a lone capital letter gold is an option letter, even without choices
        m = _LETTER_ANSWER_RE.match(numeric.normalize_math_text(pred))
        letter = next((g for g in m.groups() if g), "") if m is not None else ""
        ok = letter.upper() == gold.strip()
        return ok, f"choice: letter {'matches' if ok else 'differs'}"
    g = parse_number(gold)
    if g is not None:
        p = _read_number(pred, deadline)
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

        chained = _CHAIN_RE.search(pred) is not None and not choice.resolve_choice(pred, choices or [])[0]
        readings = _final_values(pred, gold_text) if chained else []
        named = next((v for v, _ in readings if choice.resolve_choice(v, choices or [], equal=equal)[0]), None)
        if named is not None:  # "UT = 22.5 m", "ED = 20/3 ≈ 6.67": the value the chain ends with
            ok, why = choice.choices_match(named, gold_text, choices or [], equal=equal)
        elif chained and _CHAIN_RE.search(pred) and _inconsistent_chain(pred):
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
        if not ok:
            for value, target in _final_values(pred, gold_text):
                try:
                    same, how = _compare_scalar(value, target, kind, precision, deadline)
                except GoldAnswerError:
                    continue
                if same:
                    ok, why = True, f"{how} (read as {value[:40]!r})"
                    break
    return Verdict(bool(ok), 1.0 if ok else 0.0, pred, why)


def _depth0_split(text: str, pattern: re.Pattern) -> list[tuple[str, str]]:
    """``[(connector, part)]`` of ``text`` cut at ``pattern`` outside brackets (the first connector is "")."""
    parts: list[tuple[str, str]] = []
    depth, scanned, start, connector = 0, 0, 0, ""
    for m in pattern.finditer(text):
        for ch in text[scanned : m.start()]:
            depth += (ch in "([{") - (ch in ")]}")
        scanned = m.start()
        if depth == 0:
            parts.append((connector, text[start : m.start()]))
            connector, start = m.group(0), m.end()
    parts.append((connector, text[start:]))
    return parts


_CHAIN_RE = re.compile(r"=|≈|\\approx(?![a-zA-Z])|≅")
_COLON_RE = re.compile(r":\s")
_FUNCTION_LHS_RE = re.compile(r"^\s*(?:y|([a-zA-Z])\s*\(\s*[a-z]\s*\))\s*=\s*(?=\S)")  # "y =", "g(x) ="
_LABEL_RE = re.compile(r"[A-Za-z]{2,}|^\s*\([^()]*\)\s*$")  # a label: "Final answer", "Using (2, −3)", "(2, −3)"
_NEGATION_RE = re.compile(r"(?i)\b(?:not|no|never)\b|n't")
_NAME_ONLY_RE = re.compile(r"^[A-Za-z∠△]+(?:_\{?\w+\}?)?$")  # "BC", "∠ABC": a name, not a value


def _same_name(a: str, b: str) -> bool:
    """Whether two left sides name the same thing (spacing and ``_{…}`` braces ignored)."""
    def key(text: str) -> str:
        return re.sub(r"[\s{}]", "", text)
    return key(a) == key(b)


_PAIR_RE = re.compile(r"(?<!\d),(?!\d)\s*(?:(?:or\s+)?equivalently,?\s*|i\.e\.,?\s*)?")  # not "100,100"
_GOLD_METRES_RE = re.compile(r"\\(?:mathrm|text)\s*\{\s*~?\s*m\s*\}\s*\^\s*\{?[23]\}?\s*$")
_METRES_RE = re.compile(r"^(.*?\S)\s+m(?:\s*\^\s*\{?[23]\}?|[²³])$")
_VARIABLE_RE = re.compile(r"^[a-zA-Z](?:_\{?\w+\}?)?$")
_RATIO_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def _inconsistent_chain(pred: str) -> bool:
    """A chain ending "a ≈ b" where a is a number that does not round to b ("AB = 9 cm ≈ 5 cm")."""
    chain = _depth0_split(pred, _CHAIN_RE)
    return len(chain) > 2 and chain[-1][0] != "=" and _read_number(chain[-2][1].strip(), Deadline(0.05)) is not None \
        and not _approximates(chain[-2][1], chain[-1][1])


def _same_value(a: str, b: str) -> bool:
    """Whether two texts are the same answer by value (equations included), within a short time budget; plain
    numbers and "name = number" are not paired ("40°, i.e. 40 rad"; "y = 150000, y = 150010" differ exactly)."""
    if any(parse_number(t) is not None or parse_number(t.rpartition("=")[2]) is not None for t in (a, b)):
        return False
    try:
        return symbolic.expressions_equal(a.strip(), b.strip(), Deadline(0.05))[0]
    except (symbolic.ParseError, VerifierTimeout):
        return False


def _approximates(exact: str, rounded: str) -> bool:
    """Whether ``rounded`` is ``exact`` rounded as written ("20/3 ≈ 6.67" yes; "11 ≈ 12" no): both read as
    numbers, and they differ by at most half a unit of the rounded value's last decimal."""
    deadline = Deadline(0.05)
    try:
        a, b = _read_number(exact.strip(), deadline), _read_number(rounded.strip(), deadline)
    except VerifierTimeout:
        return False
    if a is None or b is None:
        return False
    return abs(a.value - b.value) <= Decimal(5) * Decimal(10) ** (-b.decimals - 1) * Decimal("1.000001")


def _final_values(pred: str, gold: str) -> list[tuple[str, str]]:
    r"""Other readings of an extraction that states its answer inside a longer line, as ``(value, gold)``
    pairs to compare, in order (none when the extraction is short and plain):

    - the value that ends an ``=``/``≈`` chain, and for ``≈`` the exact value before it ("A = ¼ × π × 11² =
      30.25π m²"; "cos θ = −2/√13 ≈ −0.555" is both −0.555 and −2/√13), when the gold is a value (a gold
      "r=24.4" is read as 24.4);
    - the text after a label's colon ("Using (2, −3): y = \frac{3}{4}x - \frac{9}{2}");
    - a function's right side against the gold's ("y = (x+4)^2 - 5" for "g(x)=(x + 4)^2 - 5");
    - a ratio as a quotient ("1/64" for "1:64").

    >>> _final_values("A = ¼ × π × 11² = 30.25π m²", "\\frac{121 \\pi}{4}")
    [('30.25π', '\\frac{121 \\pi}{4}')]
    >>> _final_values("r = √(2A/θ) ≈ 24.4 cm", "r=24.4"), _final_values("x = 20/3 ≈ 6.67", "6.67")
    ([('24.4 cm', '24.4')], [('6.67', '6.67'), ('20/3', '6.67')])
    >>> _final_values("x = 11 ≈ 12", "12")  # 11 does not round to 12: neither side is read
    []
    """
    if len(pred) > MAX_ANSWER_CHARS:
        return []
    out: list[tuple[str, str]] = []
    original = pred
    colon = _depth0_split(pred, _COLON_RE)
    if len(colon) == 2 and colon[1][1].strip() and _LABEL_RE.search(colon[0][1]) \
            and not _NEGATION_RE.search(colon[0][1]) and not re.search(r"\d", re.sub(r"\([^()]*\)", "", colon[0][1])):
        # "Using (2, −3): y = …"; not "5: 7", "3 hours: 5 minutes" nor "3, not: 5"
        out.append((colon[1][1].strip(), gold))
        pred = colon[1][1]
    gold_value = _named_value(gold)
    chain = [(c, part.replace("**", "")) for c, part in _depth0_split(pred, _CHAIN_RE)]  # "≈ **94.59**"
    names = (gold.partition("=")[0].strip(), chain[0][1].strip()) if gold_value != gold else ("", "")
    if names[0] and (
        not _NAME_LHS_RE.match(names[1])
        or _VARIABLE_RE.match(names[0]) and _VARIABLE_RE.match(names[1]) and names[0] != names[1]
    ):
        chain = chain[:1]  # "x = 2" and "2y + x = 6" do not state the gold "y = 6"
    if len(chain) > 2 and chain[-1][0] != "=" and _read_number(chain[-2][1].strip(), Deadline(0.05)) is not None \
            and not _approximates(chain[-2][1], chain[-1][1]):
        chain = chain[:1]  # "x = 13 ≈ 5": a value that does not round to the last one; no reading of the chain
    if not _CHAIN_RE.search(gold_value):  # a value, not an equation
        if len(chain) > 1:
            last = chain[-1][1].replace("**", "").strip()
            metres = _METRES_RE.match(last)
            if metres and (not re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", metres.group(1)))
                           or _GOLD_METRES_RE.search(gold_value)):
                last = metres.group(1)  # "30.25π m²", or metres the gold also has ("… \mathrm{m}^3"); not "5n + 4 m^2"
            if last:
                out.append((last, gold_value))
            if chain[-1][0] != "=" and len(chain) > 2 and _approximates(chain[-2][1], last) \
                    and parse_number(chain[-2][1]) is None:  # "≈": the exact value it rounds (not "14.45 ≈ 14.4")
                out.append((chain[-2][1].strip(), gold_value))
    gold_chain = _depth0_split(gold, _CHAIN_RE)
    if len(gold_chain) > 2 and len(chain) > 1 and _same_name(gold_chain[0][1], chain[0][1]):
        # a gold chain "y_2=(x+2)^3=y_1(x+2)": each side that is a value or formula (not a bare name) states it
        out.extend((chain[-1][1].strip(), side.strip()) for _, side in gold_chain[1:-1]
                   if not _VARIABLE_RE.match(side.strip()) and not _NAME_ONLY_RE.match(side.strip()))
    gold_rhs, pred_rhs = _FUNCTION_LHS_RE.match(gold), _FUNCTION_LHS_RE.match(pred)
    if gold_rhs and pred_rhs and "=" not in gold[gold_rhs.end():] and "=" not in pred[pred_rhs.end():] \
            and (gold_rhs.group(1) is None or pred_rhs.group(1) is None or gold_rhs.group(1) == pred_rhs.group(1)):
        # "y = …" for "g(x) = …"; but "g(x) = …" does not state "f(x) = …"
        out.append((pred[pred_rhs.end():].strip(), gold[gold_rhs.end():].strip()))
    pair = _depth0_split(original, _PAIR_RE)
    if len(pair) == 2 and not _PAIR_RE.search(gold) and _same_value(pair[0][1], pair[1][1]):
        out.append((pair[0][1].strip(), gold))  # "y + 3 = ¾(x − 2), y = ¾x − 9/2": one answer written twice
    ratio = _RATIO_RE.match(gold)
    if ratio:
        value = _RATIO_RE.sub(r"\1/\2", chain[-1][1] if len(chain) > 1 else pred)
        out.append((value.strip(), f"{ratio.group(1)}/{ratio.group(2)}"))
    return [(v, g) for v, g in out if v and (v, g) != (original, gold)]


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
