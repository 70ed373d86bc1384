"""A closing parenthesis that restates the value just stated in other units or notation (round 11, a twentieth
held-out set): "h ≈ 58 mm (5.8 cm)", "≈ 2,827.43 cm² (≈ 2.83 × 10³ cm², or 0.282743 m²)", "= 49 (forty-nine square
units, 4.9 × 10¹)". The extraction reads the value before it (``endings.drop_trailing_remark``) and the verifier
also accepts a restated value (the same quantity, which a judge takes either way; ``restated_values``). Not a
restatement: a hedge ("x = 12 (or 13)", "(13 also works)"), another value in the same unit ("x = 5 cm (or 6 cm)"),
a point or interval ("is 4 (0, 4)"), the value of an unevaluated head ("½ × 6 × 4 (= 12 cm²)")."""

from __future__ import annotations

import re

from mmagrae.verifiers.math_text import _UNIT_WORDS

__all__ = ["restatement", "restated_values"]

# the value just stated, restated in other units or notation in a closing parenthesis: "h ≈ 58 mm (5.8 cm)",
# "≈ 2,827.43 cm² (≈ 2.83 × 10³ cm², or 0.282743 m²)", "= 49 (forty-nine square units, 4.9 × 10¹)",
# "L = 24 units (2.4 × 10¹, i.e. three times the middle base of 8)"; each item a value with a unit or a word
_NUMBER_WORDS = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|half)"
)
_RESTATED_ITEM = (
    r"(?:≈|~|about|approx(?:imately|\.)?|roughly|i\.\s?e\.,?|or|that\s+is,?)?\s*(?:[-−]?\d[\d.,  ]*(?:\s*[×x·]\s*10"
    r"(?:\^\{?[-−]?\d+\}?|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+))?|" + _NUMBER_WORDS + r"(?:[- ]" + _NUMBER_WORDS + r")*)"
    r"(?:\s*[A-Za-zµμ°²³]{1,12}(?:[²³]|\^\{?[23]\}?)?){0,3}"
    r"(?:\s+(?:[a-z]+\s+){0,6}(?:of\s+)?[-−]?\d+(?:\.\d+)?)?"
)
_RESTATED_VALUE_RE = re.compile(
    r"(?<=[\d²³°%πA-Za-z])[ \t]*\(\s*(" + _RESTATED_ITEM + r"(?:\s*[,;]\s*" + _RESTATED_ITEM + r"){0,3})\s*\)[ \t]*\.?\s*$"
)
_OPERATION_RE = re.compile(r"[×*+÷·/^]|\d\s*[-−]\s*\d")
_VALUE_BEFORE_RE = re.compile(  # a value, perhaps with its unit, right before: "58 mm", "49", "2,827.43 cm²"
    r"[\d²³°%π](?:\s?(?:" + _UNIT_WORDS + r"|[mgsL](?![A-Za-z])|[a-zA-Z](?=[²³^]))(?:\^\{?[23]\}?|[²³])?){0,2}[ \t]*$"
)
_RESTATED_KEEP_RE = re.compile(
    r"(?i)\b(?:answer|option|choice|not|actually|wait|but|instead|correct|maybe|perhaps|possibly|probably|either|"
    r"if|would|could|rounded\s+up|wrong|error|mistake|also|possible|possibly|works?|another|otherwise|"
    r"alternatively)\b|\bor\s+[-−]?\d[\d.]*\s*$|\?"
)

def restatement(text: str) -> re.Match | None:
    """The closing parenthesis that restates the value before it in other units or notation ("h ≈ 58 mm (5.8
    cm)"), or None: not a hedge ("x = 12 (13 also works)"), a point ("is 4 (0, 4)") or the value of an
    unevaluated head ("½ × 6 × 4 (= 12 cm²)")."""
    again = _RESTATED_VALUE_RE.search(text, max(0, len(text) - 160))
    if again is None or _RESTATED_KEEP_RE.search(again.group(1)) \
            or not _VALUE_BEFORE_RE.search(text, max(0, again.start() - 40), again.start()) \
            or _OPERATION_RE.search(re.split(r"=|≈|\bis\b|:|\n", text[max(0, again.start() - 80): again.start()])[-1]):
        return None
    items = [x.strip() for x in re.split(r"[,;]", again.group(1))]
    if len(items) > 1 and all(re.fullmatch(r"[-−]?\d+(?:\.\d+)?", x) for x in items):
        return None  # "(0, 4)", "(2, 5]": a point or an interval
    head = _PLAIN_VALUE_RE.search(text, max(0, again.start() - 40), again.start())
    seen: dict[str, str] = {head.group(2): head.group(1)} if head else {}
    for item in items:  # the same unit and another number: a second value, not a restatement
        plain = _PLAIN_VALUE_RE.match(re.sub(r"^(?:or|≈|~|about|roughly)\s+", "", item))
        if plain is not None:
            if seen.get(plain.group(2), plain.group(1)) != plain.group(1):
                return None  # "x = 5 cm (or 6 cm)", "t = 3 (3 seconds, or 4 seconds …)", "8 (8.5 from the edge)"
            seen[plain.group(2)] = plain.group(1)
    return again


# a plain value and its unit: "5 cm", "8", "3 seconds" (not "2.83 × 10³": other notation; a word that is no
# unit counts as none: "8.5 from the edge")
_PLAIN_VALUE_RE = re.compile(
    r"([-−]?\d+(?:\.\d+)?)(?![\d.,]|\s*[×x·]\s*10)\s*((?:" + _UNIT_WORDS + r"|[a-zA-Z]{1,2})(?![A-Za-z])|)"
)


def restated_values(text: str) -> list[str]:
    """The values a closing parenthesis restates the answer in ("h ≈ 58 mm (5.8 cm)" -> ["5.8 cm"]): the same
    quantity, so a judge takes either; empty when there is none.

    >>> restated_values("So h ≈ 58 mm (5.8 cm)."), restated_values("x = 12 (or 13).")
    (['5.8 cm'], [])
    """
    if not text[-64:].rstrip().endswith((")", ").")):
        return []
    again = restatement(text)
    if again is None:
        return []
    items = [re.sub(r"^(?:≈|~|about|approx(?:imately|\.)?|roughly|i\.\s?e\.,?|or|that\s+is,?)\s*", "", x.strip())
             for x in re.split(r"[,;]", again.group(1))]
    return [x for x in items if re.match(r"[-−]?\d", x)]
