r"""Answer layouts other than prose (round 7, found by a seventh held-out set): a JSON object with an answer
key, a Markdown table whose last row is the answer, "=> 123" and "✅ B" lines, and answers written in Spanish,
French, German, Portuguese or Italian (their answer phrases and decimal commas). :func:`answer_layout` rewrites
these into the plain forms the extraction already reads ("Answer: …", a decimal point); the text is only
scanned and parsed as JSON data, never executed.

>>> answer_layout("| Step | Value |\n|---|---|\n| **Answer** | **C. 72** |")
'| Step | Value |\n|---|---|\nAnswer: **C. 72**'
>>> answer_layout("Por lo tanto, el volumen es aproximadamente 944,07 cm³ y el punto es (5,4).")
'Por lo tanto, el volumen es aproximadamente 944.07 cm³ y el punto es (5,4).'
>>> json_answer('```json\n{"reasoning": "3 + 4 = 7", "final_answer": "7 cm"}\n```')
'7 cm'
"""

from __future__ import annotations

import json
import re

__all__ = ["answer_layout", "json_answer"]

_JSON_KEYS = {"answer", "finalanswer", "final", "result", "choice", "option", "finalchoice", "correctanswer",
              "correctoption", "finalresult", "respuesta", "reponse", "réponse", "antwort", "resposta", "risposta"}
_MAX_JSON_CHARS = 20_000


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.lower())


def json_answer(text: str) -> str | None:
    """The value of the answer key ("answer", "final_answer", "result", "choice", …) of the last JSON object in
    ``text`` (bare or in a code block), or None."""
    end = text.rfind("}")
    if end == -1 or '"' not in text:
        return None
    start = text.rfind("{", max(0, end - _MAX_JSON_CHARS), end)
    while start != -1:  # widen to the outermost object that parses
        try:
            value = json.loads(text[start : end + 1])
        except (ValueError, RecursionError):
            start = text.rfind("{", max(0, end - _MAX_JSON_CHARS), start)
            continue
        if isinstance(value, dict):
            for name, answer in reversed(list(value.items())):
                if _key(str(name)) in _JSON_KEYS and isinstance(answer, (str, int, float)) and str(answer).strip():
                    return str(answer)
        start = text.rfind("{", max(0, end - _MAX_JSON_CHARS), start)
    return None


# "| **Answer** | | **B (60)** |": a table row labelled as the answer gives its last filled cell
_ANSWER_ROW_RE = re.compile(
    r"(?im)^[ \t]*\|[ \t]*(?:\*\*|__)?[ \t]*(?:final[ \t]+answer|answer|final|result)[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*\|(.*)$"
)
# "- **Final:** C", "**Result:** 12 cm" opening a line: the answer marker the readers know
_FINAL_LABEL_RE = re.compile(r"(?im)^([ \t>*_#-]*(?:\*\*|__)?[ \t]*)(?:final(?:[ \t]+result)?|result)([ \t]*(?:\*\*|__)?[ \t]*[:：])")
_ARROW_RE = re.compile(r"(?m)^[ \t]*(?:=>|⟹|⇒|→)[ \t]*(\S[^\n]*)$")  # "=> 123" closing a derivation
_ARROW_LETTER_RE = re.compile(r"(?:→|=>|⟹|⇒)[ \t]*(?:\*\*|__)?\(?([A-H])\)?(?:\*\*|__)?[ \t]*[.!]?(?:\*\*)?[ \t|]*$")
_CHECK_RE = re.compile(r"(?m)^[ \t]*(?:(?:✅|✔️?|☑️?)[ \t]*\(?([A-H])\)?|\(?([A-H])\)?[ \t]*(?:✓|✔️?|✅))[ \t.]*$")  # "✅ D"
_EUROPEAN_RE = re.compile(
    r"(?i)\b(?:el|los|las|es|del|por|para|une|des|est|donc|avec|dans|ist|und|der|das|nicht|mit|liegt|quindi|"
    r"della|dunque|perché|não|uma|então|também|respuesta|réponse|antwort|resposta|risposta)\b"
)
_PHRASE_WORDS = {"respuesta", "réponse", "antwort", "resposta", "risposta"}
_EUROPEAN_PHRASES = (  # the answer phrases of five languages, as the English ones the extraction reads
    (re.compile(r"(?i)\b(?:la\s+)?respuesta(?:\s+correcta)?\s+es\b|\b(?:la\s+)?r[ée]ponse(?:\s+correcte)?\s+est\b|"
                r"\b(?:die\s+)?(?:richtige\s+)?antwort\s+(?:ist|lautet)\b|\b(?:a\s+)?resposta(?:\s+correta)?\s+[ée]\b|"
                r"\b(?:la\s+)?risposta(?:\s+corretta)?\s+[èe]\b"), "the answer is"),
    (re.compile(r"(?i)\b(?:respuesta|r[ée]ponse|antwort|resposta|risposta)(\s*(?:\*\*)?\s*[:：])"), r"Answer\1"),
)
_DECIMAL_COMMA_RE = re.compile(r"(?<=\d),(?=\d)")
_SPACE_THOUSANDS_RE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?![\d,]))")


def answer_layout(text: str) -> str:
    """``text`` with the layouts above rewritten; unchanged when it has none of them (the common case)."""
    if "|" in text and (rows := list(_ANSWER_ROW_RE.finditer(text))):
        last = rows[-1]
        cells = [c.strip() for c in last.group(1).split("|") if c.strip()]
        if cells:
            text = text[: last.start()] + "Answer: " + cells[-1] + text[last.end():]
    if ("inal" in text or "esult" in text) and (labels := list(_FINAL_LABEL_RE.finditer(text))):
        last = labels[-1]  # the closing label only ("3. **Result**: …" in a list of steps is none)
        if sum(1 for line in text[last.end():].split("\n")[1:] if line.strip()) <= 1:
            text = text[: last.start()] + last.group(1) + "Answer" + last.group(2) + text[last.end():]
    if ">" in text or "→" in text:
        arrows = list(_ARROW_RE.finditer(text))
        if arrows and not text[arrows[-1].end():].strip():  # only when it closes the response
            text = text[: arrows[-1].start()] + "Answer: " + arrows[-1].group(1) + text[arrows[-1].end():]
    if (tail := text.rstrip()[-40:]) and (arrow := _ARROW_LETTER_RE.search(tail)):
        text = text.rstrip() + "\n\nAnswer: " + arrow.group(1)  # "… = 45° → C": the option it points to
    if ("✓" in text or "✅" in text or "✔" in text or "☑" in text) and (checks := list(_CHECK_RE.finditer(text))):
        last = checks[-1]
        text = text[: last.start()] + "Answer: " + (last.group(1) or last.group(2)) + text[last.end():]
    words = {m.group(0).lower() for m in _EUROPEAN_RE.finditer(text[-3000:])}
    if words & _PHRASE_WORDS:
        for pattern, english in _EUROPEAN_PHRASES:
            text = pattern.sub(english, text)
    if len(words) >= 2 or words & _PHRASE_WORDS:  # a decimal comma language: "944,07", "34 159,095"
        text = _SPACE_THOUSANDS_RE.sub("", _DECIMAL_COMMA_RE.sub(_decimal_point, text))
    return text


def _decimal_point(m: re.Match) -> str:
    """A decimal comma becomes a point, except inside a pair ("(5,4)", "[2,3]")."""
    text = m.string
    i, j = m.start(), m.end()
    while i > 0 and (text[i - 1].isdigit() or text[i - 1] in "-−"):
        i -= 1
    while j < len(text) and text[j].isdigit():
        j += 1
    return "," if i > 0 and text[i - 1] in "([" and j < len(text) and text[j] in ")]" else "."
