"""An answer given first and explained after (round 7): "The centre of the circle is (-3, -3).\n\nExplanation:
…". ``endings.answer_first`` finds the opening statement; :func:`opening_answer` decides whether it is the
answer: not when the explanation states an answer again, takes it back, or ends on another value it never
reaches (docs/VERIFIERS.md, "Round 7")."""

from __future__ import annotations

import re

from mmagrae.verifiers.choice import resolve_choice, stated_letter_at
from mmagrae.verifiers.endings import answer_first
from mmagrae.verifiers.math_text import _NUMBER_RE

__all__ = ["opening_answer", "option_of"]

_RETRACTS_RE = re.compile(
    r"(?i)\b(?:actually|wait|oops|sorry|mistake|error|erred|correction|corrected|re-?check(?:ing)?|instead|rather|"
    r"should be|should have|could be|might be|may be|maybe|perhaps|not sure|unsure|wrong|incorrect)\b"
)


def option_of(answer: str, choices: list[str]) -> int | None:
    """The one option ``answer`` names (its letter, text or value; ``choice.resolve_choice``), or None."""
    named, _ = resolve_choice(answer, choices)
    return next(iter(named)) if len(named) == 1 else None


def opening_answer(visible: str, choices: list[str] | None = None) -> str | None:
    """The opening statement of an answer-first response ("The answer is 12. This is because …"), unless the
    explanation states an answer again ("… so the answer is 13", "the correct option is C"), takes it back,
    or ends on another value it never arrives at ("The area is 12. Here's why: 6 × 5 / 2 = 15.")."""
    from mmagrae.verifiers.extraction import (  # (extraction imports this module)
        _last_phrase,
        _same_answer,
        extract,
    )

    first = answer_first(visible)
    if first is None or _last_phrase(first[1]) is not None or _RETRACTS_RE.search(first[1]):
        return None  # "… Actually, I made an error: it should be 6.": the opening is not the final word
    opening, rest = first
    if choices and stated_letter_at(rest, len(choices)) is not None:
        return None
    said = extract(opening, choices=choices, opening=False).answer
    if said is None:
        return None
    concluded = extract(rest, choices=choices, opening=False).answer
    if choices and concluded is not None:
        said_option, concluded_option = option_of(said, choices), option_of(concluded, choices)
        if concluded_option is not None and concluded_option != said_option:
            return None  # "The correct option is (A) 60°. To find this, … = 120°, which is option C."
        if said_option is not None:
            said = str(choices[said_option])  # "(C)": the option's value, which the explanation reaches
    if concluded is None or _same_answer(said, concluded):
        return opening
    numbers = set(_NUMBER_RE.findall(said))  # the explanation arrives at the value it opened with
    return opening if numbers and numbers <= set(_NUMBER_RE.findall(rest)) else None
