r"""Answers stated the other way round (round 10, found by the fourteenth and sixteenth held-out sets): the value
first and what it is after ("(2, −2) is the midpoint of each diagonal.", "So 36 is what we get for the area."); a
value followed by why it holds ("θ = 60° because sine of 60° is √3/2.", "So 18.89 cm is the perimeter, since it
is the 4.89 cm arc plus two 7 cm radii.") or by a clause that adds a given ("… is 17 units — twice the side
opposite 30°, as expected."); a value affirmed after others are ruled out ("not 9/2 and not 9√3 — it is
9√3/2"). A reversed equation ("60° = θ") is read in ``readings.final_values``. Pure functions over a bounded
tail of the text.

>>> value_first("The diagonals cross at the centre. (2, −2) is the midpoint of each diagonal.")
'(2, −2)'
>>> drop_justification("So θ = 60° because sine of 60° is exactly √3/2.")
'So θ = 60°'
"""

from __future__ import annotations

import re

from mmagrae.verifiers.math_text import last_sentence_start
from mmagrae.verifiers.numeric import number_words_in

__all__ = ["affirmed_value", "drop_justification", "drop_trailing_clause", "value_first"]

# a closing clause that says why: ", since it is made up of …", " because sine of 60° is …"
_JUSTIFICATION_RE = re.compile(  # inside the sentence: not "… 4.5. Since the question asks …, it is 4."
    r"(?<![.!?:])(?:[ \t]*[,;]|[ \t]*[—–])?[ \t]+(?:because|since)\b([^\n]{1,300})$"
)
# ... unless it concludes, answers, corrects or hedges: then it is read as before
_JUSTIFICATION_KEEP_RE = re.compile(
    r"(?i)\b(?:answer|option|choice|final|actually|wait|but|however|maybe|perhaps|instead|rather|correct|wrong|"
    r"mistake|though|although|could|might|unsure|probably|really|real|true|fact|misread|forgot|overlooked)\b|"
    r"\\boxed|\?"
)
# ... or goes on to a result ("…, giving a perimeter of 20", "…; it is −12", ", and 8 vertices"), unless it only
# confirms the value ("because the vertices check out: y = −3 gives …")
_JUSTIFICATION_CONCLUDES_RE = re.compile(
    r"(?i)\b(?:so|therefore|hence|thus|giving|gives|making|makes|reaching|reaches|leaving|leaves|yielding|yields|"
    r"then|total|altogether|which)\b|[;:—–]\s*[^;:—–]*\d|,\s+and\b"
)
# "since" of time: "has saved $40 since March", "grown 5 cm since last year", "since 2015"
_SINCE_TIME_RE = re.compile(
    r"(?i)\s*(?:then|last|yesterday|today|this|the\s+(?:start|beginning|sale|morning|day|week)|morning|breakfast|"
    r"lunch|noon|birth|\d{4}\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)"
)
_PERFECT_RE = re.compile(r"(?i)\b(?:has|have|had|been|passed|ago)\b")
_CONFIRMS_RE = re.compile(r"(?i)\bchecks?\s+out\b|\bconsistent\b|\bconfirm|\bverif|\bholds\b|[✓✔]")
_HEAD_SENTENCE_END_RE = re.compile(r"(?<!\.[A-Za-z])[.!?](?=\s)(?!\s*\$)")  # sentences, not lines: "$$…$$\n\nand"
_STATES_VALUE_RE = re.compile(r"[\d$\\=≈π√°]")
_NEGATED_RE = re.compile(  # the head negates, supposes or sets its value aside ("x = 3 is rejected because …")
    r"(?i)\b(?:not|never|no|cannot|if|wrong|incorrect|rejected|discarded|excluded|earlier|initially|first|off|"
    r"mistake|probably|likely|only)\b|n't\b"
)


def drop_justification(text: str) -> str:
    """``text`` without a closing "because …"/"since …" clause that follows a stated value in its sentence; the
    text is returned unchanged when the clause concludes, hedges or computes another value without confirming
    the first, or the sentence before it states no value or is negated ("It can't be 12 because …")."""
    end = len(text)
    while end and text[end - 1] == "\n":  # (not text.rstrip(): a copy of the whole text)
        end -= 1
    start = max(end - 400, text.rfind("\n", max(0, end - 400), end) + 1, 0)  # the last line's tail
    found = [i for i in (text.find(" because", start), text.find(" since", start)) if i != -1]
    if not found:  # (str.find first: a pattern scan of the whole tail costs ten times more)
        return text
    m = _JUSTIFICATION_RE.search(text, max(start, min(found) - 4))
    if m is None:
        return text
    why = m.group(1)
    if _JUSTIFICATION_KEEP_RE.search(why) or _HEAD_SENTENCE_END_RE.search(why.rstrip(" .!")):
        return text
    if _JUSTIFICATION_CONCLUDES_RE.search(why) and not _CONFIRMS_RE.search(why):
        return text
    if m.group(0).lstrip(" \t,;—–").startswith("since") and (_SINCE_TIME_RE.match(why) or _PERFECT_RE.search(
            text, max(0, m.start() - 80), m.start())):
        return text  # "since" of time: "Tom has saved $40 since March, …"
    if ("=" in why or "equals" in why) and not _CONFIRMS_RE.search(why):
        return text  # "is 6 units, because … 1 + 3 + 2 + 2 + 3 = 10 cm": it computes anew (GPT's extraction reads 10)
    head = text[: m.start()]
    start = max((s.end() for s in _HEAD_SENTENCE_END_RE.finditer(head, max(0, len(head) - 300))),
                default=max(0, len(head) - 300))
    sentence = head[start:]
    if not _STATES_VALUE_RE.search(sentence) or _NEGATED_RE.search(sentence):
        return text
    return head.rstrip()


# the last sentence opening with its value: "(2, −2) is the midpoint …", "So 12 cm is the length of AB.", "The
# value 12 is obtained."
_VALUE = (
    r"\([^()\n]{1,40}\)|\[[^\[\]\n]{1,40}[\])]|\$[^$\n]{1,60}\$|"
    r"[-−]?\d[\d,]*(?:\.\d+)?(?:\s*(?:π|√\d+))?(?:\s*(?:°|%|cm|mm|km|m|units?|sq\.?\s*\w+)(?:\^?[23²³])?)?"
)
_VALUE_FIRST_RE = re.compile(
    r"(?i)[\s*_>]*(?:[-•]\s+)?(?:(?:so|thus|hence|therefore|then|finally|and)\b,?\s*)?(?:the\s+(?:value|number|result)\s+)?"
    r"(" + _VALUE + r")[*_]*\s+(?:(?:is|are|was|would\s+be|must\s+be)\s+(?:(?:exactly|precisely|indeed|then)\s+)?"
    r"(?:the|our|its|their|what|how)\b|is\s+(?:obtained|found|reached))([^\d\n$\\=,;:]{0,120})$"
)
_VALUE_FIRST_DOUBT_RE = re.compile(  # "12 is the one we would get if …", "3 is not the …", "is it 4?", "12 was the
    # initial estimate", "3 is the smaller of the two", "2 is the last step"
    r"(?i)\b(?:not|never|if|would|could|might|maybe|perhaps|or|wrong|incorrect|mistake|question|asked|initial|"
    r"old|previous|earlier|first|estimate|guess|smaller|larger|bigger|half|twice|less|more|whole|step|eq|"
    r"equation|part|case|original|start)\b|n't\b|\?"
)


def value_first(text: str) -> str | None:
    """The value that opens the last sentence when the sentence says what it is ("(2, −2) is the midpoint of
    each diagonal."), or None: the rest must state no other number and neither doubt nor suppose."""
    tail = text[-300:].rstrip(" \t\n.!*_")
    if " is " not in tail and " are " not in tail and " was " not in tail and " be " not in tail:
        return None
    m = _VALUE_FIRST_RE.match(tail, last_sentence_start(tail))
    if m is None or not re.search(r"\d", m.group(1)) or _VALUE_FIRST_DOUBT_RE.search(m.group(2)) \
            or number_words_in(m.group(2)):  # "… so the area is thirty": another value
        return None
    return m.group(1).strip("$ ")


# a clause after the value that adds a given, a second quantity or a comparison, not the answer ("… is 3.15, with
# the midline at y = −5.35.", "… is 17 units — twice the side opposite 30°, as expected.", "… 4√3, equal to the
# given leg, while the hypotenuse x would be 4√6.", "… 1368.21 square units, which is larger than 1209.84.")
_TRAILING_CLAUSE_RE = re.compile(
    r"(?:,|[ \t]+[—–])[ \t]*(?:with|whose|when|equal\s+to|twice|half|as\s+expected|in\s+simplest|"
    r"which\s+(?:is|was)\s+(?:larger|smaller|greater|less|more|bigger|twice|half|the\s+same|equal))\b"
    r"[^\n;]{0,200}$"
)
# ... unless it concludes, corrects or hedges, or states a value of its own right after a verb ("where f(1) = −3",
# "whose product is 6", "with a sum of 5", "— twice that gives the diameter, 14", "equal to 120°"): read as before
_CLAUSE_KEEP_RE = re.compile(
    r"(?i)\b(?:answer|so|therefore|thus|hence|final|actually|correct|instead|rather|or|gives?|giving|makes?|making|"
    r"yields?|yielding|leaves|leaving)\b|"
    r"(?:\b(?:is|are|of|by|to)|[=:])\s*(?:about\s+|approximately\s+|roughly\s+|≈\s*)?[-−$√\\(]?\d"
)
_STATED_VALUE_RE = re.compile(  # the value the main clause states: "is 3.15", "= (x + 2)² + 1", "at (90°, 5)"
    r"(?i)(?:\b(?:is|are|be|of|at|gives?|equals?|after)|[=≈])\s*(?:about\s+|approximately\s+|roughly\s+|≈\s*)?[-−$(√\\\d]"
)


def drop_trailing_clause(text: str) -> str:
    """``text`` without a clause that follows the value its last sentence states and adds something else (a
    given, a second quantity, a comparison); unchanged when the clause concludes, corrects or hedges, or no
    value is stated before it."""
    if "," not in text[-200:] and "—" not in text[-200:] and "–" not in text[-200:]:
        return text
    start = last_sentence_start(text[-300:]) + max(0, len(text) - 300)
    at = start
    while (m := _TRAILING_CLAUSE_RE.search(text, at)) is not None:  # the first clause after a stated value
        if _STATED_VALUE_RE.search(text, start, m.start()):
            return text if _CLAUSE_KEEP_RE.search(m.group(0)) else text[: m.start()].rstrip()
        at = m.start() + 1  # "Therefore, with a maximum at (π/4, −2.2), the amplitude is 3.15, with …"
    return text


# a value affirmed after the values ruled out: "So a is not 9/2 and not 9√3 — it is 9√3/2 (≈ 7.79).", "The answer is
# not B or C. It's A (36 cm).", "It can't be 12, and it isn't 15 either; it must be 18."
_AFFIRMED_RE = re.compile(
    r"(?i)(?:[—–;:]|\.\s|,\s*but|^)\s*(?:so\s+)?(?:it\s+is|it's|it\s+must\s+be|the\s+answer\s+is|this\s+is)\s+"
    r"(\(?[A-H]\)?(?=\s*(?:\([^()\n]{1,30}\))?\s*[.!]?\s*$)|[-−]?[\d$\\√(][^\s;,]*(?:\s*[a-zA-Z°²³]{1,6})?)"
    r"\s*(?:\([^()\n]{1,40}\))?\s*[.!]?\s*$"
)
_RULED_OUT_RE = re.compile(  # a value or letter ruled out: "not 9/2", "isn't 15", "can't be 12", "not B or C"
    r"(?i)(?:\b(?:not|neither|nor|cannot)|n't)\s+(?:be\s+|either\s+)?(?:\(?[A-H]\)?(?![\w])|[-−]?[\d$\\√(])"
)


def affirmed_value(text: str) -> str | None:
    """The value or option letter the text affirms at its end after ruling others out, or None."""
    tail = text[-300:].rstrip()
    m = _AFFIRMED_RE.search(tail, max(0, last_sentence_start(tail) - 120))
    if m is None or not _RULED_OUT_RE.search(tail, max(0, m.start() - 200), m.start()):
        return None
    if _RULED_OUT_RE.search(m.group(0)) or re.search(r"(?i)\b(?:or|maybe|perhaps|probably)\b", m.group(0)):
        return None
    value = m.group(1).strip().rstrip(".")
    letter = value.strip("() ")
    return letter if len(letter) == 1 and letter.isalpha() else value
