r"""The quantity a free-form question asks for, and the value a response states for it (round 11).

A judge reads the question: when a response's closing sentence states the asked value and then another one
("So the true bearing of C from A is 132°T, and the third angle of the triangle is 85°."; "So b = 36.4°, and the
other acute angle is 53.6°." for "Find the size of the angle marked b"), the judge takes the asked one, where a
reading of the response alone takes the last. Rules mode does the same for MathVerse free-form items: when the
question names what it asks for ("Find the volume of …", "find d to one decimal place", "State the radius …",
"Solve for the unknown a") and the response's last paragraph states that quantity with a verb or a sign, its
last such statement is read, unless the response marks its answer otherwise (a box, an answer tag, "the answer
is …"). Pure functions; nothing is executed.

>>> asked_quantity("If Ned and Bart are d metres apart, find d to one decimal place.")
'd'
>>> asked_quantity("Find the surface area of the cylinder.  Round your answer to two decimal places.")
'surface area'
>>> t = "So the surface area is 192π ≈ 603.19 cm², of which 376.99 cm² is the curved side."
>>> t[: stated_for("surface area", t)]
'So the surface area is 192π ≈ 603.19 cm²'
>>> t = "So b = 36.4°, and the other acute angle in the triangle is 90° − 36.4° = 53.6°."
>>> t[: stated_for("b", t)]
'So b = 36.4°'
"""

from __future__ import annotations

import functools
import re

__all__ = ["asked_quantity", "drop_question_echo", "stated_for"]

# the nouns MathVerse's free-form questions ask for (the longest first: "surface area" before "area")
_NOUNS = (
    "total surface area", "surface area", "area", "volume", "perimeter", "circumference", "radius", "diameter",
    "height", "length", "width", "distance", "true bearing", "compass bearing", "bearing", "slope", "gradient",
    "amplitude", "period", "centre", "center", "midline", "hypotenuse",
)  # fmt: skip
_NOUN = "|".join(n.replace(" ", r"\s+") for n in _NOUNS)
_VERB = r"(?:find|calculate|determine|state|compute|solve\s+for|what\s+is|work\s+out|evaluate|give)"
_ASKED_RE = re.compile(
    rf"(?i)\b{_VERB}\s+(?:the\s+)?(?:exact\s+|approximate\s+)?(?:(?:value|size|measure)\s+of\s+(?:the\s+)?"
    rf"(?:angle\s+)?(?:marked\s+)?|unknown\s+|angle\s+)?(?:(?P<noun>{_NOUN})\b|\$?(?P<name>[a-zA-Z])\$?(?![\w$'’-]))"
)


def asked_quantity(question: str) -> str | None:
    """The noun ("volume", "true bearing") or the one-letter name ("d", "b") the last asking phrase of the
    question names; None when it names neither (an equation, coordinates, an expression: read as before)."""
    found = None
    for m in _ASKED_RE.finditer(question):
        found = m
    if found is None:
        return None
    if found.group("noun"):
        return " ".join(found.group("noun").lower().split())
    name = found.group("name")
    return None if name in ("a", "A", "I") and _ARTICLE_RE.match(question, found.end("name")) else name


_ARTICLE_RE = re.compile(r"\s+[a-z]{2,}")  # "find a formula", "state a reason": an article, not the name a
_CLAUSE_END_RE = re.compile(r"[,;]\s|\s+(?:and|which|so|while|but|with|whose|where)\s|\s[—–]\s?|[.。!?](?:\s|$)|\n|\\\)|\\\]|\$")


@functools.lru_cache(maxsize=64)
def _stated_re(quantity: str) -> re.Pattern:
    if len(quantity) == 1:  # "b = 36.4°", "d ≈ 11.8 km", "so h is 9 m"
        subject = rf"(?<![\w\\]){re.escape(quantity)}(?![\w(])"
    else:  # "the true bearing of C from A is 132°T", "the radius r is 7.00 cm"
        words = r"\s+".join(quantity.split())
        subject = rf"\b{words}\b[^.;,\n=≈]{{0,50}}?"
    return re.compile(
        rf"(?i:{subject})\s*(?:=|≈|\b(?i:is|equals|works\s+out\s+to|comes\s+to|measures)\b)\s*"
        r"(?:(?i:about|approximately|roughly)\s+)?"
    )


def _value_at(text: str, start: int) -> str:
    """The value from ``start`` to the end of its clause, brackets kept whole ("(1, 3)", "\\frac{a, b}")."""
    depth, i = 0, start
    while i < len(text) and i - start < 120:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and _CLAUSE_END_RE.match(text, i):
            break
        i += 1
    return text[start:i].strip(" *_$!。")


def stated_for(quantity: str, text: str) -> int | None:
    """Where the statement of ``quantity`` in the last sentence of ``text`` ends, when another statement follows
    it in that sentence ("So d ≈ 11.8 km, and the westward leg b works out to about 5.0 km." -> the end of "d ≈
    11.8 km"); None otherwise: no such statement, a negated or hedged one ("a is not 9/2", "5.3 under the first
    definition, or 10.6 …"), or nothing after it (the usual reading already takes it)."""
    body = text.rstrip()
    start = max(body.rfind(". ", 0, len(body) - 1), body.rfind("\n", 0, len(body) - 1), body.rfind("。", 0, len(body) - 1)) + 1
    sentence = body[start:]
    if "```" in sentence or len(sentence) > 400:
        return None
    found = None
    for m in _stated_re(quantity).finditer(sentence):
        value = _value_at(sentence, m.end())
        if re.search(r"[\d√π\\]", value) and not _NOT_STATED_RE.match(value):
            found = (m, m.end() + len(value))
    if found is None:
        return None
    rest = sentence[found[1]:]
    if not _ANOTHER_STATEMENT_RE.match(rest) or _HEDGED_REST_RE.search(rest) or not re.search(r"\d", rest):
        return None
    return start + found[1]


_NOT_STATED_RE = re.compile(r"(?i)(?:not|never|neither|either|maybe|perhaps|probably|possibly|between|at\s+least|at\s+most)\b")
# what follows the asked value: another quantity's statement ("…, and the third angle … is 85°", "; the other two
# angles are 36° each", ", of which 376.99 cm² is the curved side", ", making its diameter about 14.01 cm")
_ANOTHER_STATEMENT_RE = re.compile(
    r"(?i)\s*(?:[,;]\s*(?:and\s+|while\s+|whereas\s+)?(?:the|its|his|her|their|of\s+which|making|giving\s+(?:a|the|its))\b|"
    r"[,;]?\s+and\s+(?:the|its)\b|\s[—–]\s)"
)
_HEDGED_REST_RE = re.compile(r"(?i)\bor\b|\bif\b|\bunder\b|\bmaybe\b|\bperhaps\b|\bprobably\b|\bpossibly\b|\banswer\b")


_ECHO_ANSWER_RE = re.compile(
    r"(?i)\banswer\s*(?:is|:)|\\boxed|<answer>|\bso\b|\btherefore\b|\bthus\b|\brecomput|\bwait\b|\bactually\b"
)


def drop_question_echo(response: str, question: str) -> str:
    r"""``response`` without the question echoed after its answer ("The area of triangle ABC is 49.\nIn the figure
    above, the circle with center O has radius 7, … What is the area of triangle ABC?"): the question's opening,
    found after some answer text and followed by no answer of its own, ends the response. Unchanged otherwise.

    >>> drop_question_echo("P = 17\nIn this right triangle, one leg is 8.5. Solve for P.",
    ...                    "In this right triangle, one leg is 8.5. Solve for P.")
    'P = 17'
    """
    words = question.split()
    if len(words) < 6:
        return response
    opening = r"\s+".join(re.escape(w) for w in words[:6])
    found = None
    for m in re.finditer(opening, response):
        found = m
    if found is None:
        return response
    before = re.sub(r"(?im)^[ \t>*_#]*(?:user|assistant|student|tutor|q|question|problem|step\s*\d+|\d+[.)]|#\d+|"
                    r"note|hmm\.?|let\s+me\s+restate|\[image\]|<image>)[ \t]*[:：.]?[ \t]*\Z", "",
                    response[: found.start()])  # a role or step label alone before it: nothing answered yet
    if not re.search(r"[\d√π]|\b[A-H]\b", before) \
            or len(response) - found.start() > len(question) + 20:
        return response  # (the question restated at the start of a dialogue or a solution is no echo)
    tail = response[found.start():]
    if _ECHO_ANSWER_RE.search(tail) or set(re.findall(r"\d+(?:\.\d+)?", tail)) - set(re.findall(r"\d+(?:\.\d+)?", question)):
        return response  # (a correction after it, "Recomputing: ½·14·7 = 49.", is read)
    head = re.sub(r"(?i)[\s|>*_#]*(?:question|problem|q)\s*[:：]?\s*$", "", response[: found.start()])
    return head.rstrip(" \t\n|:")
