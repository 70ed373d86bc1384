"""The answer phrase ("the answer is", "Final Answer:", "答案是", "答えは") and the answer that follows it: the
phrase readers of ``extraction.extract``, in their own module (round 8)."""

from __future__ import annotations

import re

from mmagrae.verifiers.math_text import SENTENCE_END_RE

__all__ = ["LETTER_HEDGED_RE", "answer_after", "labels_working", "last_phrase", "phrase_answer"]

_PHRASE_MAX_CHARS = 300
_PHRASE_EN = (
    r"(?:(?:final\s+answers?|the\s+(?:correct\s+|final\s+)?answers?|answers?)"
    r"(?:\s+(?:to|for)\s+(?:the|this)\s+(?:question|problem)|\s+you\s+should\s+(?:get|have|find|obtain)|\s+we\s+(?:should\s+)?(?:get|find|obtain))?"
    r"(?:\s*\*\*|\s*__|>)?\s*(?:is|are|:|=|：|would\s+be|should\s+be)\s*(?:\*\*|__)?\s*:?"
    r")"
)  # "<Answer>: 13" (We-Math's prompt) too
_PHRASE_RE = re.compile(_PHRASE_EN, re.IGNORECASE)
_PHRASE_CJK_RE = re.compile(  # "答案：221° T", "所以答案是 4", "答えは 12 cm です"; only for a text with 答案/答え/正解
    r"(?:最终|所以|因此|故)?答案\s*(?:应该?是|是|为|[:：])\s*|(?:答え|正解)\s*(?:は|[:：])\s*|" + _PHRASE_EN, re.IGNORECASE
)


def last_phrase(text: str) -> re.Match | None:
    """The last "the answer is" phrase (a match object), or None. Every English phrase holds the word "answer": the phrase pattern is
    tried only around its occurrences, from the last one back (a scan of the whole text costs five times more)."""
    if "答案" in text or "答え" in text or "正解" in text:
        return _last_match(_PHRASE_CJK_RE, text)
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer ("İ"): positions would not match
        return _last_match(_PHRASE_RE, text)
    i = lowered.rfind("answer")
    while i != -1:
        last = None
        for m in _PHRASE_RE.finditer(text, max(0, i - _PHRASE_LEAD_CHARS), i + _PHRASE_TAIL_CHARS):
            if m.start() <= i < m.end():
                last = m
        if last is not None:
            return last
        i = lowered.rfind("answer", 0, i)
    return None


_PHRASE_LEAD_CHARS = 48  # "the correct " / "final " before "answer"
_PHRASE_TAIL_CHARS = 160  # " to the question ** is **:" after it


def _last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    last = None
    for m in pattern.finditer(text):
        last = m
    return last


def phrase_answer(text: str) -> str | None:
    """The answer after the last "the answer is" phrase.

    >>> phrase_answer("The answer is 5? No. So the final answer is 12 cm. Done."), phrase_answer("答えは 12 cm です")
    ('12 cm', '12 cm です')
    """
    return answer_after(text, last_phrase(text))


def answer_after(text: str, last: re.Match | None) -> str | None:
    """The answer after the phrase ``last`` (None: no phrase, no answer)."""
    if last is None:
        return None
    rest = text[last.end() : last.end() + _PHRASE_MAX_CHARS]
    if (quoted := _QUOTED_LINE_RE.match(rest)) and (last.group(0)[-1:] == "\n" or quoted.group(1)):
        rest = rest[quoted.end() :]  # "Final answer:\n> 12": the answer on a quoted line (not "Answer: > 5")
    rest = rest.lstrip()
    if rest.startswith("<") and (end := rest.find(">")) > 1 and "<" not in rest[1:end]:
        return rest[1:end]  # "<Answer>: <B. 31.4 cm>" (We-Math's "<<option>>")
    if rest.startswith(("$$", "\\[", "\\(")):
        close = {"$$": "$$", "\\[": "\\]", "\\(": "\\)"}[rest[:2]]
        end = rest.find(close, 2)
        if end != -1 and rest[2:end].strip():
            return rest[2:end]
    elif rest.startswith("$"):
        end = rest.find("$", 1)
        while end > 0 and rest[end - 1] == "\\":  # "\$" is a dollar sign, not the closing delimiter
            end = rest.find("$", end + 1)
        if end != -1 and rest[1:end].strip():
            return rest[1:end]
    m = SENTENCE_END_RE.search(rest)
    candidate = rest[: m.start()] if m else rest
    if m is not None and _POINTS_ON_RE.match(candidate):  # "the answer is the first:\n\nDistance toward B = 3799 km"
        after = rest[m.start() :].lstrip()
        m = SENTENCE_END_RE.search(after)
        candidate = after[: m.start()] if m else after
    if candidate.rstrip().endswith(_FILLER_ENDS):  # "229 m either way"
        candidate = _FILLER_END_RE.sub("", candidate)
    if _LEADS_ON_RE.match(candidate):
        return None  # "The answer is as follows:": the working follows, not the answer
    candidate = candidate.lstrip(" \t*_").removeprefix("?")  # "So the answer is? 7."
    return candidate if candidate.strip(" \t\n?*_") else None  # "So the answer is?": a question, no answer


_LEADS_ON_RE = re.compile(r"(?i)\s*(?:as\s+follows|the\s+following|below|given\s+below)\s*:?\s*$")
_POINTS_ON_RE = re.compile(r"(?i)\s*(?:the\s+)?(?:first|second|third|last)(?:\s+one)?\s*:\s*$")  # not "as follows:"
_QUOTED_LINE_RE = re.compile(r"[ \t*_:]*(\n)?[ \t]*(?:>[ \t]+)+(?![=>])")
_FILLER_ENDS = ("way", "case", "cases", "regardless", "anyway")  # not "in total" ("5 per box, 20 in total")
_FILLER_END_RE = re.compile(r"(?i)[ \t,]+(?:either\s+way|in\s+(?:any|either|both)\s+cases?|regardless|anyway)\s*$")


def labels_working(phrase: str, after: str) -> bool:
    """Whether an answer label opens the working, not the answer ("Answer: Before computing, recall that …" with
    the computation after it): prose that opens working, then at least a line more with a number."""
    return (_PROSE_OPENING_RE.match(phrase) is not None and not re.search(r"[\d=≈√π]", phrase) and len(after) >= 40
            and re.search(r"\d", after) is not None and not _AFTER_IS_CHECK_RE.match(after.lstrip(" .\n")))


_AFTER_IS_CHECK_RE = re.compile(r"(?i)(?:check|verif|substitut|we\s+can\s+(?:double[- ]?)?check|as\s+a\s+check|which\s+is\s+not)")


_PROSE_OPENING_RE = re.compile(  # prose that opens working, not an answer ("the slope is rise over run …")
    r"(?i)\s*(?:before|first|let'?s|let\s+us|we\s+(?:need|have|can|first|start)|to\s+(?:find|solve|compute|get)|"
    r"recall|since|because|using|start|the\s+\w+\s+is\s+(?:the\s+)?(?:rise|ratio|sum|product|difference|distance)\b)"
)
LETTER_HEDGED_RE = re.compile(  # "答案：C（也可能是D）", "B (or maybe C)": no answer
    r"\(?[A-H]\)?\s*[（(][^）()]{0,20}(?:也可能|可能|不确定|或|还是|(?i:\bor\b|maybe|perhaps|not\s+sure|possibly))[^）()]{0,20}[）)]\s*$"
)
