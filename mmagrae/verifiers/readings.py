r"""How an answer text is read as a value: a number (plain, after ``x =``, a constant expression, a leading
number), a value a left side only names ("Length of $AB=14.1$"), and, when an extraction is not right as it
stands, the other readings a judge makes of a longer final line (``final_values``: the end of an ``=``/``≈``
chain, the text after a label, a function's right side, a side of a gold chain, one answer written twice, a
ratio as its quotient; docs/VERIFIERS.md, "How a chain of thought ends"). Pure functions; ``dispatch`` calls
them."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from fractions import Fraction

from mmagrae.verifiers import numeric, symbolic
from mmagrae.verifiers.math_text import EQUALS_RE, split_outside_brackets
from mmagrae.verifiers.numeric import Number, parse_number
from mmagrae.verifiers.verdict import MAX_ANSWER_CHARS, Deadline, VerifierTimeout

__all__ = ["named_value", "value_as_number", "read_number", "final_values", "inconsistent_chain"]

# a left side that only names the value: "AB", "m\angle ABC", "S_{\triangle ABC}", "\overline{PQ}" (no operator)
_NAME_LHS_RE = re.compile(r"^\s*(?:[A-Za-z∠△]|\\[A-Za-z]+)[^-+*/=<>^]*$")


def named_value(answer: str) -> str:
    r"""MathVerse's "Length of $AB=14.1 \mathrm{~m}$": the value on the right of the last ``=`` when it is a
    number (a unit allowed) and the left only names it; otherwise the answer unchanged.

    >>> named_value("AB=14.1 \\mathrm{~m}"), named_value("3x = 6"), named_value("y = 2x + 1")
    ('14.1 \\mathrm{~m}', '3x = 6', 'y = 2x + 1')
    """
    lhs, sep, rhs = answer.rpartition("=")
    if not sep or not _NAME_LHS_RE.match(lhs.split("=")[0]) or parse_number(rhs) is None:
        return answer
    return rhs.strip()


def value_as_number(value: Fraction | complex) -> Number | None:
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
_TEXT_WORDS_RE = re.compile(r"\\(?:text|mathrm|textrm)\s*\{\s*([A-Za-z][A-Za-z ]{0,60})\}")  # words set in LaTeX text


def read_number(text: str, deadline: Deadline) -> Number | None:
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
    if len(last) > 1 and not _OFFERED_RE.search(text):  # "m∠ABC = 60°", "2 + 3 = 5": the value after the last "="
        n = parse_number(last[-1])
        if n is not None:
            return n
    if len(stripped) <= MAX_ANSWER_CHARS and "±" not in stripped and "\\pm" not in stripped:
        value = symbolic.constant_value(stripped, deadline)
        if value is not None:
            n = value_as_number(value)
            if n is not None:
                return n
    m = _LEADING_NUMBER_RE.match(_TEXT_WORDS_RE.sub(r" \1", text) if "\\" in text else text)
    # "7 because ...", "1982 with an income of $931,441", "17\text{ apples and pears}"; not "3 or 4", "5 cm and
    # 10 cm", "2 to 3"
    if m and m.group(2) and not _SECOND_ANSWER_RE.search(m.group(2)):
        return parse_number(m.group(1))
    if not _ANY_NUMBER_RE.search(text) and len(text) <= 200 and not _WORDED_MATH_RE.search(text):
        words = numeric.number_words_in(text)  # "There are five." but not "five or six", "three x", "three over x"
        if len(set(words)) == 1:
            return Number(Decimal(words[0]), 0, True)
    return None


_COLON_RE = re.compile(r":\s")
# an operation or an unknown beside a number in words: an expression ("three x", "two pi over three"), not a number
_WORDED_MATH_RE = re.compile(
    r"(?i)\b(?:over|plus|minus|times|squared|cubed|divided|multiplied|power|root|pi)\b|(?<![\w'’])[b-hj-zB-HJ-Z](?![\w'’])"
)
_FUNCTION_LHS_RE = re.compile(r"^\s*(?:y|([a-zA-Z])\s*\(\s*[a-z]\s*\))\s*=\s*(?=\S)")  # "y =", "g(x) ="
_LABEL_RE = re.compile(r"[A-Za-z]{2,}|^\s*\([^()]*\)\s*$")  # a label: "Final answer", "Using (2, −3)", "(2, −3)"
_NEGATION_RE = re.compile(r"(?i)\b(?:not|no|never)\b|n't")
_NAMED_RIGHT_RE = re.compile(  # a bare name: "x", "θ", "\\theta", "AB", "y_1", "h(x)", "∠ABC"
    r"^\s*(?:[A-Za-z]{1,3}|[α-ωΑ-Ω]|\\[a-zA-Z]+|∠[A-Z]{1,3})(?:_\{?\w+\}?)?(?:\s*\(\s*[a-z]\s*\))?\s*$"
)
_NAME_ONLY_RE = re.compile(r"^[A-Za-z∠△]+(?:_\{?\w+\}?)?$")  # "BC", "∠ABC": a name, not a value


def _same_name(a: str, b: str) -> bool:
    """Whether two left sides name the same thing (spacing and ``_{…}`` braces ignored)."""
    def key(text: str) -> str:
        return re.sub(r"[\s{}]", "", text)
    return key(a) == key(b)


_OFFERED_RE = re.compile(  # two different values or names offered: "x ≈ 24.5 or x ≈ 24.6", "x = 0 or y = 0"
    r"([-−]?\d+(?:\.\d+)?)[^\d\n=≈]{0,12}?\s+or\s+(?:[A-Za-z]\w?\s*[=≈]\s*)?(?!\1(?![\d.]))[-−]?\d|"
    r"\b([A-Za-z]\w?)\s*[=≈]\s*[-−]?\d+(?:\.\d+)?\s+or\s+(?!\2\b)[A-Za-z]\w?\s*[=≈]"  # (not "x = 3 or x = 3")
)
_SET_BUILDER_RE = re.compile(r"\{[^{}:|]{1,40}(?::|\|)([^{}]{1,200})\}\s*$")  # the set's condition
_REPEATED_RE = re.compile(r"\s*;\s*|,\s+|\s+and\s+")  # not "100,100"
_PAIR_RE = re.compile(r"(?<!\d),(?!\d)\s*(?:(?:or\s+)?equivalently,?\s*|i\.e\.,?\s*)?")  # not "100,100"
_GOLD_METRES_RE = re.compile(r"\\(?:mathrm|text)\s*\{\s*~?\s*m\s*\}\s*\^\s*\{?[23]\}?\s*$")
_METRES_RE = re.compile(r"^(.*?\S)\s+m(?:\s*\^\s*\{?[23]\}?|[²³])$")
_VARIABLE_RE = re.compile(r"^[a-zA-Zα-ωΑ-Ω](?:_\{?\w+\}?)?$")
_RATIO_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def inconsistent_chain(pred: str) -> bool:
    """A chain ending "a ≈ b" where a is a number that does not round to b ("AB = 9 cm ≈ 5 cm")."""
    return _disagrees(split_outside_brackets(pred, EQUALS_RE))


def _disagrees(chain: list[tuple[str, str]]) -> bool:
    """Whether a chain's last "≈" joins a number to a value it does not round to."""
    return len(chain) > 2 and chain[-1][0] != "=" and read_number(chain[-2][1].strip(), Deadline(0.05)) is not None \
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
        a, b = read_number(exact.strip(), deadline), read_number(rounded.strip(), deadline)
    except VerifierTimeout:
        return False
    if a is None or b is None:
        return False
    return abs(a.value - b.value) <= Decimal(5) * Decimal(10) ** (-b.decimals - 1) * Decimal("1.000001")


def final_values(pred: str, gold: str) -> list[tuple[str, str]]:
    r"""Other readings of an extraction that states its answer inside a longer line, as ``(value, gold)``
    pairs to compare, in order (none when the extraction is short and plain):

    - the value that ends an ``=``/``≈`` chain, and for ``≈`` the exact value before it ("A = ¼ × π × 11² =
      30.25π m²"; "cos θ = −2/√13 ≈ −0.555" is both −0.555 and −2/√13), when the gold is a value (a gold
      "r=24.4" is read as 24.4);
    - the text after a label's colon ("Using (2, −3): y = \frac{3}{4}x - \frac{9}{2}");
    - a function's right side against the gold's ("y = (x+4)^2 - 5" for "g(x)=(x + 4)^2 - 5");
    - a ratio as a quotient ("1/64" for "1:64");
    - one value in brackets as that value ("[45 degrees]", Geometry3K's answer form; not an interval);
    - one value repeated as that value ("−4.9 and −4.9", one for each part of a question);
    - a set in set-builder notation as its condition ("{(x, y) ∈ ℝ² : y²/9 − (x + 1)²/9 = 1}");
    and none when two values are offered ("x ≈ 24.5 or x ≈ 24.6").

    >>> final_values("A = ¼ × π × 11² = 30.25π m²", "\\frac{121 \\pi}{4}")
    [('30.25π', '\\frac{121 \\pi}{4}')]
    >>> final_values("r = √(2A/θ) ≈ 24.4 cm", "r=24.4"), final_values("x = 20/3 ≈ 6.67", "6.67")
    ([('24.4 cm', '24.4')], [('6.67', '6.67'), ('20/3', '6.67')])
    >>> final_values("x = 11 ≈ 12", "12")  # 11 does not round to 12: neither side is read
    []
    """
    if len(pred) > MAX_ANSWER_CHARS or _OFFERED_RE.search(pred.strip()):
        return []  # "x ≈ 24.5 or x ≈ 24.6": two values offered, no reading of either
    out: list[tuple[str, str]] = []
    original = pred
    colon = split_outside_brackets(pred, _COLON_RE)
    if len(colon) == 2 and colon[1][1].strip() and _LABEL_RE.search(colon[0][1]) \
            and not _NEGATION_RE.search(colon[0][1]) and not re.search(r"\d", re.sub(r"\([^()]*\)", "", colon[0][1])):
        # "Using (2, −3): y = …"; not "5: 7", "3 hours: 5 minutes" nor "3, not: 5"
        out.append((colon[1][1].strip(), gold))
        pred = colon[1][1]
    sides = split_outside_brackets(pred, EQUALS_RE)
    if len(sides) == 2 and sides[1][0] == "=" and _NAMED_RIGHT_RE.match(sides[1][1]) \
            and not _NAMED_RIGHT_RE.match(sides[0][1]):  # "60° = θ", "3.5 cos(…) − 0.5 = h(x)": the name on the right
        pred = sides[1][1].strip() + " = " + sides[0][1].strip()
    gold_value = named_value(gold)
    chain = [(c, part.replace("**", "")) for c, part in split_outside_brackets(pred, EQUALS_RE)]  # "≈ **94.59**"
    names = (gold.partition("=")[0].strip(), chain[0][1].strip()) if gold_value != gold else ("", "")
    if names[0] and (
        not _NAME_LHS_RE.match(names[1])
        or _VARIABLE_RE.match(names[0]) and _VARIABLE_RE.match(names[1]) and names[0] != names[1]
    ):
        chain = chain[:1]  # "x = 2" and "2y + x = 6" do not state the gold "y = 6"
    if _disagrees(chain):
        chain = chain[:1]  # "x = 13 ≈ 5": a value that does not round to the last one; no reading of the chain
    if not EQUALS_RE.search(gold_value):  # a value, not an equation
        alone = _METRES_RE.match(pred.strip()) if len(chain) == 1 else None
        if alone and (not re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", alone.group(1)))
                      or _GOLD_METRES_RE.search(gold_value)):
            out.append((alone.group(1), gold_value))  # "121π/4 m²": metres, as in a chain's last side
        if len(chain) > 1:
            last = chain[-1][1].strip()
            metres = _METRES_RE.match(last)
            if metres and (not re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", metres.group(1)))
                           or _GOLD_METRES_RE.search(gold_value)):
                last = metres.group(1)  # "30.25π m²", or metres the gold also has ("… \mathrm{m}^3"); not "5n + 4 m^2"
            if last:
                out.append((last, gold_value))
            if chain[-1][0] != "=" and len(chain) > 2 and _approximates(chain[-2][1], last) \
                    and parse_number(chain[-2][1]) is None:  # "≈": the exact value it rounds (not "14.45 ≈ 14.4")
                out.append((chain[-2][1].strip(), gold_value))
    gold_chain = split_outside_brackets(gold, EQUALS_RE)
    if len(gold_chain) > 2 and len(chain) > 1 and _same_name(gold_chain[0][1], chain[0][1]):
        # a gold chain "y_2=(x+2)^3=y_1(x+2)": each side that is a value or formula (not a bare name) states it
        out.extend((chain[-1][1].strip(), side.strip()) for _, side in gold_chain[1:-1]
                   if not _VARIABLE_RE.match(side.strip()) and not _NAME_ONLY_RE.match(side.strip()))
    gold_rhs, pred_rhs = _FUNCTION_LHS_RE.match(gold), _FUNCTION_LHS_RE.match(pred)
    if gold_rhs and pred_rhs and "=" not in gold[gold_rhs.end():] and "=" not in pred[pred_rhs.end():] \
            and (gold_rhs.group(1) is None or pred_rhs.group(1) is None or gold_rhs.group(1) == pred_rhs.group(1)):
        # "y = …" for "g(x) = …"; but "g(x) = …" does not state "f(x) = …"
        out.append((pred[pred_rhs.end():].strip(), gold[gold_rhs.end():].strip()))
    bare = original.strip()
    if re.search(r"[=<>≤≥]", gold) and (built := _SET_BUILDER_RE.search(bare)) is not None:  # "H = {(x, y) ∈ ℝ² : …}"
        out.append((built.group(1).strip(), gold))
    parts = _REPEATED_RE.split(bare)
    if len(parts) > 1 and len(set(parts)) == 1 and parts[0]:
        out.append((parts[0], gold))  # "−4.9 and −4.9": one value given for each part of a question
    if bare[:1] == "[" and bare[-1:] == "]" and bare.count("[") == 1 and "," not in bare and ";" not in bare:
        out.append((bare[1:-1].strip(), gold))  # "[45 degrees]": one value in brackets (Geometry3K-style answers)
    pair = split_outside_brackets(original, _PAIR_RE)
    if len(pair) == 2 and not _PAIR_RE.search(gold) and _same_value(pair[0][1], pair[1][1]):
        out.append((pair[0][1].strip(), gold))  # "y + 3 = ¾(x − 2), y = ¾x − 9/2": one answer written twice
    ratio = _RATIO_RE.match(gold)
    if ratio:
        value = _RATIO_RE.sub(r"\1/\2", chain[-1][1] if len(chain) > 1 else pred)
        out.append((value.strip(), f"{ratio.group(1)}/{ratio.group(2)}"))
    return [(v, g) for v, g in out if v and (v, g) != (original, gold)]
