r"""Find the final answer in a model response.

Before anything is read, what is not the answer is set aside, in this order: ``<think>`` blocks
(``think.strip_think``); run-on text after an end-of-turn token or a loop (``runoff.drop_runoff``); HTML,
a JSON-escaped string and other scripts' answer phrases (``markup.plain_markup``); program blocks
(``layouts.program_output``); closing self-checks, figure descriptions and restatements
(``closings.drop_closings``); closing notes and checks (``endings.drop_trailing_note``) and remarks
(``endings.drop_trailing_remark``).

Order of precedence (the first that finds something wins):

1. ``<answer>…</answer>`` (outside ``<think>``); inside it, a box or an answer phrase still wins over the rest.
2. The last ``\boxed{…}`` / ``\fbox{…}`` outside ``<think>…</think>`` (nested and doubled boxes unwrapped).
   Then, for an answer given first and explained after ("The answer is 12. This is because …"), only its
   opening statement is read by the steps below (``endings.answer_first``).
3. With choices, a stated option letter ("So the correct option is D.", "The correct option letter is D",
   "the correct choice is A, since …"; :func:`mmagrae.verifiers.choice.stated_letter`) unless a later
   "the answer is" phrase states the answer; then the last "the answer is …" / "Final Answer: …" phrase
   (markdown bold allowed).
4. The whole response when it is short and not a sentence ("145°", "quarter to", "B"); the math after its prose
   words ("So we get \frac{1}{2}" gives ``\frac{1}{2}``).
5. The last markdown-bold span in the last 400 characters ("there are **3** groups"), up to 40 characters, unless
   it is a label followed by a colon ("1. **Purple things**: there is one …"; then no bold is read).
6. Bare math ending the text, taken whole ("the length is \frac{\sqrt{30}}{2}", "the range is [-3, 3]"; see
   ``trailing_math``), else the last math span, option letter "(B)" (only when choices are given) or number.

Several *different* final answers (two ``<answer>`` tags or two boxes that disagree) are hedging: the result
has ``hedged=True`` and no answer, and the verdict is wrong. Text is only scanned, never executed; every scan
is linear in the input length (no backtracking regexes over unbounded text).

>>> extract_answer("<think>maybe \\boxed{3}</think> so \\boxed{\\boxed{4}}")
'4'
>>> extract_answer("**Final Answer:** $\\frac{9}{4}$.")
'\\frac{9}{4}'
>>> extract_answer("x is 2 or 3, I think the value is 7.5 cm") is None or True
True
>>> extract("\\boxed{3} or maybe \\boxed{5}").hedged
True
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from mmagrae.verifiers.boxes import boxed_spans, find_boxed
from mmagrae.verifiers.choice import normalize_option, stated_letter_at
from mmagrae.verifiers.closings import depends, drop_closings, drop_offer, offers_second_answer, undecided
from mmagrae.verifiers.endings import (
    bearing,
    clock_or_ratio,
    closing_letter,
    drop_comparison_clause,
    drop_trailing_note,
    drop_trailing_remark,
    end_tuple,
    later_labelled_value,
    set_aside,
    spoken_value,
    there_are_count,
    worded_value,
)
from mmagrae.verifiers.inverted import affirmed_value, drop_justification, drop_trailing_clause, value_first
from mmagrae.verifiers.layouts import (
    answer_layout,
    answer_tags,
    emphasis_in_prose,
    json_answer,
    program_output,
)
from mmagrae.verifiers.markup import plain_markup
from mmagrae.verifiers.math_text import (  # re-exported: public names stay importable from here
    _NUMBER_RE,
    _UNIT_WORDS,
    EQUALS_RE,
    OTHER_SCRIPTS,
    SENTENCE_END_RE,
    TRAILING_UNIT_RE,
    MathTail,
    _command_free_words,
    _is_formula,
    _is_number,
    _states_value,
    chinese_withholds,
    cjk_states_value,
    final_in_sentence,
    math_spans,
    or_hedged,
    split_outside_brackets,
    trailing_math,
)
from mmagrae.verifiers.math_text import (
    OTHER_SCRIPT_UNIT_RE as _OTHER_SCRIPT_END_RE,
)
from mmagrae.verifiers.numeric import parse_number
from mmagrae.verifiers.opening import opening_answer
from mmagrae.verifiers.phrases import LETTER_HEDGED_RE, labels_working
from mmagrae.verifiers.phrases import answer_after as _answer_after
from mmagrae.verifiers.phrases import last_phrase as _last_phrase
from mmagrae.verifiers.phrases import phrase_answer as _phrase_answer
from mmagrae.verifiers.runoff import drop_runoff
from mmagrae.verifiers.think import strip_think
from mmagrae.verifiers.verdict import MAX_RESPONSE_CHARS

__all__ = [
    "Extraction", "extract", "extract_answer", "find_boxed", "boxed_spans", "math_spans", "math_span_list",
    "final_in_sentence", "trailing_math", "MathTail", "TRAILING_UNIT_RE", "strip_think", "clean_answer",
    "drop_trailing_remark",
]  # fmt: skip

_SHORT_ANSWER_CHARS = 60


@dataclass(frozen=True)
class Extraction:
    """answer: the cleaned final answer or None; method: where it came from; hedged: several different ones."""

    answer: str | None
    method: str
    hedged: bool = False
    candidates: tuple[str, ...] = ()


# between two boxes of one list answer: "\boxed{1}, \boxed{2}", "\boxed{a} \quad \text{and} \quad \boxed{b}"
_LIST_SEPARATOR_RE = re.compile(
    r"^(?:\s|[,;$]|\\[()\[\]]|\\q?quad|\\[ ,;]|\\text\s*\{[^{}\d]{0,30}\}|[a-zA-Z]++|\\(?=\\|$))*+$"  # possessive
)
_NOT_A_LIST_RE = re.compile(
    r"\b(?:or|maybe|perhaps|possibly|probably|wait|actually|not|either|alternatively)\b", re.I
)
_LIST_MARK_RE = re.compile(r",|;|\band\b|\\q?quad")


def math_span_list(text: str, spans: list[tuple[int, int, str]], *, gold: bool = False) -> str | None:
    r"""Several boxes or math spans written as one list ("\boxed{2}, \boxed{3}", "$1$ and $2$"): "2, 3".

    gold: the text is a gold answer, which does not hedge: "$21, 16$ or $11$" lists the answers too.
    """
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        between = text[end:start]
        if gold and re.fullmatch(r"\s*or\s*", between):
            continue
        if len(between) > 60 or _NOT_A_LIST_RE.search(between) or not _LIST_MARK_RE.search(between):
            return None
        if not _LIST_SEPARATOR_RE.match(between):
            return None
    return ", ".join(clean_answer(c) for _, _, c in spans)


_JA_COPULA_RE = re.compile(r"[ \t]*(?:です|である|となります|となる|になります|になる|だ)(?=[ \t]*[。．.]?[ \t]*(?:\n|$))")
_HEDGE_WORDS_RE = re.compile(
    r"^(?:approximately|about|around|roughly|therefore|thus|so|still|option|choice|≈|~|i\.\s?e\.,?|that is,?|namely|#{1,6}|"
    r"for sure|definitely|certainly|surely|clearly|probably|most likely|likely|"
    r"약|대략|около|примерно|khoảng|sekitar|kira-kira|yaklaşık|लगभग|حوالي)\s+",  # "약 9236.28 m²", "около 12"
    re.IGNORECASE,
)


_BOLD_LABEL_RE = re.compile(r"\s*(?i:(?:the\s+)?(?:final\s+|correct\s+)?(?:answers?|solution|result))\s*")


_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"), ("**", "**"), ("__", "__"), ("`", "`"))


def clean_answer(answer: str) -> str:
    r"""Strip math delimiters, markdown emphasis, trailing punctuation and "approximately"-style words.

    >>> clean_answer(" **$\\frac{1}{2}$.** ")
    '\\frac{1}{2}'
    """
    s = answer.strip()
    for _ in range(8):
        before = s
        s = s.strip().rstrip(".;,。").strip()
        for left, right in _WRAPPERS:
            if (
                len(s) >= len(left) + len(right) and s.startswith(left) and s.endswith(right)
                and right not in s[len(left) + 1 : len(s) - len(right)]  # "$a$ and $b$" is two spans
            ):  # fmt: skip
                s = s[len(left) : len(s) - len(right)].strip()
        s = _HEDGE_WORDS_RE.sub("", s)
        if s.endswith("**") and s.count("**") % 2 == 1:  # "5**" left by "**The answer is 5**"
            s = s[:-2].strip()
        if s.startswith("**") and s.count("**") % 2 == 1:
            s = s[2:].strip()
        if s[:1] in ("=", "≈") and len(s) > 1:  # "Circumference $=50.27$": the value after the sign
            s = s[1:].strip()
        if s[:1] in "AaF" and (label := re.match(r"(?i)(?:final\s+)?answer\s+(?=[-−\d(√π$\\])", s)):  # "Answer 315°T"
            s = s[label.end():]
        if s.startswith("\\displaystyle"):
            s = s[len("\\displaystyle") :].strip()
        if s[:1] == "\\" and (lead := _LATEX_CONNECTIVE_RE.match(s)) and s[lead.end():].strip() \
                and not _NEGATED_RE.search(s):  # (not "\therefore \text{not } 12")
            s = s[lead.end():].strip()  # "\therefore\quad y - 3 = \frac{2}{3}(x - 8)", "\therefore\ \textbf{C}"
        if "`" in s:  # "Perimeter ≈ `18.89 cm`"
            s = s.replace("`", "").strip()
        if s[:1] in "\"“" and len(s) > 2 and (m := _QUOTED_RE.match(s)):  # "\"B\" (108)", "“A”": the quoted answer
            s = (m.group(1) + " " + m.group(2).strip().strip("*_")).strip()
        elif s.endswith('"') and s.count('"') == 1:  # a JSON string's closing quote left on the answer
            s = s[:-1].strip()
        if not s.isascii() and _OTHER_SCRIPT_RE.search(s):  # (cheaply: most answers are ASCII or Latin)
            if _OTHER_SCRIPT_END_RE.search(s) and _OTHER_SCRIPT_END_RE.sub("", s).strip():  # "… लीटर", "874.93 см³"
                s = _OTHER_SCRIPT_END_RE.sub("", s).strip()
            if (named := _OTHER_SCRIPT_NAME_RE.match(s)) is not None:  # "ب = 12": a side named in another script
                s = named.group(1).strip()
        if s and (s[0] in _CHECK_MARKS or s[-1] in _CHECK_MARKS) and s.strip(_CHECK_MARKS):  # "✔ r ≈ 24.4 cm ✔"
            s = s.strip(_CHECK_MARKS)
        if (s.endswith("$$") or s.startswith("$$")) and s.count("$$") == 1:  # "32 cm^3$$": a display's lone end
            s = s.replace("$$", "").strip()
        if s[:1] == "'" and s[-1:] == "'" and 2 < len(s) <= 42 and "'" not in s[1:-1]:  # YAML's "answer: 'B'"
            s = s[1:-1].strip()
        if s.endswith(")") and s.count(")") > s.count("(") + s.count("["):  # "9π cm²)" (not "[2, \infty)")
            s = s[:-1].strip()
        if s.endswith(")") and (unit := _PAREN_UNIT_RE.search(s)) and unit.start() > 0:  # "h = 15 (km)"
            s = s[: unit.start()].strip()
        if s[:1] == "(" and s[-1:] == ")" and "=" in s and s.count("(") == 1 and "," not in s:  # "est (35 + 70 = 105)."
            s = s[1:-1].strip()
        if ("—" in s or " - " in s or "–" in s) and (confirmed := _CONFIRMED_RE.search(s)):  # "847/3 mm³ — yes, 847/3"
            if set(_SIGNED_RE.findall(confirmed.group(1).replace("−", "-"))) <= set(
                    _SIGNED_RE.findall(s[: confirmed.start()].replace("−", "-"))):  # (signed, as written: not "-5", "3/2")
                s = s[: confirmed.start()].strip()  # (a confirmation that repeats the value, not a new one)
        if s[:1] in "ABCDEFGH(" and (m := _LETTER_REJECTS_RE.match(s)):  # "D, it can't be A or B", "B。不是 A"
            s = m.group(1)
        if s == before:
            break
    return s


_SIGNED_RE = re.compile(r"-?\d+(?:[./]\d+)?")
_NEGATED_RE = re.compile(r"(?i)\b(?:not|never|impossible|wrong|cannot|isn't|incorrect)\b")
_LATEX_CONNECTIVE_RE = re.compile(  # a conclusion's sign opening the answer, with the spacing after it
    r"\\(?:therefore|Rightarrow|Longrightarrow|implies|hence)(?![A-Za-z])(?:\s|\\[ ,;:!]|\\q?quad(?![A-Za-z]))*"
)
_CONFIRMED_RE = re.compile(r"\s+[—–-]\s+(?i:yes|yep|definitely|indeed|again)\b[,:!]?\s*(.*)$")
_LETTER_REJECTS_RE = re.compile(  # a letter, then the others rejected: its answer is the letter
    r"\(?([A-H])\)?[ \t]*[.,;:。，]?[ \t]*\(?[ \t]*(?i:not|non|nicht|no|never|it\s+(?:can'?t|cannot|couldn'?t|isn'?t|is\s+not)\s+be|"
    r"it\s+doesn'?t\s+make\s+sense\s+for\s+it\s+to\s+be|不是|而不是|并非)[ \t]*\(?[A-H]\)?"
    r"(?:[ \t]*(?:,|or|and|nor|或|和|、)[ \t]*\(?[A-H]\)?)*[ \t]*\)?[ \t.。!]*$"
)


_QUOTED_RE = re.compile(r'["“]([^"“”]{1,40})["”]\s*(.*)$')
_OTHER_SCRIPT_RE = re.compile(f"[{OTHER_SCRIPTS}]")
_OTHER_SCRIPT_NAME_RE = re.compile(  # "ب = 12", "المساحة الكلية ≈ 603.186": a name in another script, then the value
    f"[{OTHER_SCRIPTS}](?:[{OTHER_SCRIPTS} ]{{0,40}}[{OTHER_SCRIPTS}])?" + r"\s*[=≈]\s*([^=≈]+)$"
)
_PAREN_UNIT_RE = re.compile(r"\s+\(\s*(?:" + _UNIT_WORDS + r")(?:\^?[23²³])?\s*\)$")  # not "\log(m)", "f(g)"


_BOLD_WINDOW_CHARS = 400
_BOLD_RE = re.compile(r"\*\*(?=[^\s*])([^*\n]{0,39}[^\s*])\*\*")
_LABEL_COLON_RE = re.compile(r"[ \t]*[:：]")
_FULL_WIDTH_MATH = str.maketrans("＋－＝＜＞０１２３４５６７８９⁄", "+-=<>0123456789/")  # "x＝－\frac{1}{2}", "9√3⁄2"
_FULL_WIDTH_MATH_RE = re.compile("[＋－＝＜＞０-９⁄]")
# a closing line that is one bold sentence of three words or more ("**The bearing of C from B is 221°T.**")
_BOLD_SENTENCE_RE = re.compile(  # prose, not "**D = 13.37 cm**" or "**Area: 12**" (read as the bold they are)
    r"(?:^|\n)([ \t]*)(?:\*\*|__)([^*_\n=:≈\\]{5,300})(?:\*\*|__)([.!]?)[ \t]*$"
)
# what keeps a bold sentence whole (no value read from it): a negation, a bound, a hedge or a second value
_PROSE_DOUBT_RE = re.compile(
    r"(?i)\b(?:not|no|never|neither|nor|cannot|least|most|greater|less|more|fewer|below|above|over|under|maybe|"
    r"might|could|perhaps|probably|unsure|or|and|wrong|incorrect)\b|n't\b"
)
_CHECK_MARKS = "✔✓✅☑ "
_PAREN_LETTER_RE = re.compile(r"\(([A-Za-z])\)")


def _same_answer(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def _all_same(items: list[str]) -> bool:
    if len(set(items)) == 1:  # the same text repeated (cheap, and keeps long repetitive input fast)
        return True
    first = clean_answer(items[0])
    first_num = parse_number(first)
    for other in items[1:]:
        o = clean_answer(other)
        if _same_answer(first, o):
            continue
        on = parse_number(o)
        if first_num is not None and on is not None and first_num.value == on.value:
            continue
        return False
    return True


# between the last two boxes, a correction: the first is taken back and the last one is the answer
_CORRECTION_RE = re.compile(
    r"(?i)\b(?:wait|actually|oops|correction|on second thought|i made an? (?:mistake|error)|that(?:'s| is| was) "
    r"(?:wrong|incorrect|a mistake)|(?:but|however),? (?:then )?(?:i |we )?(?:realiz|notic|recheck|re-check)\w*)"
)

_ALSO_RE = re.compile(r"(?i)\b(?:also|too|either|as well|both|or)\b")


def _from_boxes(
    text: str, method: str, hedging: bool, choices: list[str] | None, spans: list[tuple[int, int, str]]
) -> Extraction | None:
    if not spans:
        return None
    boxes = [c for _, _, c in spans]
    if (len(boxes) > 1 and _CORRECTION_RE.search(text, spans[-2][1], spans[-1][0]) and not _all_same(boxes)
            and not _ALSO_RE.search(text, spans[-2][1])):  # not "\boxed{3}. Actually, \boxed{5} works too"
        return Extraction(_marked_answer(boxes[-1], choices), method)  # "\boxed{A}, but then I realized it is \boxed{B}"
    if len(boxes) > 1 and not _all_same(boxes):
        joined = None if choices else math_span_list(text, spans)
        if joined is None and not hedging:  # a gold: boxes side by side are a list, else its last box counts
            between = [text[a[1] : b[0]] for a, b in zip(spans, spans[1:], strict=False)]
            if not all(sep.strip(" $") == "" for sep in between):
                return Extraction(clean_answer(boxes[-1]), method)
            joined = ", ".join(map(clean_answer, boxes))
        if joined is None:
            return Extraction(None, method, hedged=True, candidates=tuple(clean_answer(b) for b in boxes))
        return Extraction(joined, method)
    return Extraction(_marked_answer(boxes[-1], choices), method)


def _marked_answer(content: str, choices: list[str] | None) -> str:
    """A box's or an answer tag's content, cleaned; a sentence with a number gives the value it states
    ("\boxed{The amplitude is 4.6}", "<answer>The amplitude is 6.5.</answer>")."""
    answer = clean_answer(content)
    if (
        _command_free_words(answer) >= 3 and not choices and re.search(r"\d", answer)
        and not re.match(r"[-−+.(\d]", answer)  # "1982 with an actual total income of …": the value comes first
        and len(_NUMBER_RE.findall(_MATH_SPAN_RE.sub(" 0 ", answer))) == 1  # one value: not "8, not 6"
    ):
        answer = _sentence_answer(answer, choices)
    return answer


# a math span, a command with its arguments or a root counts as one value ("6\sqrt{3}", "$\frac{1}{2}$", "6√3")
_MATH_SPAN_RE = re.compile(r"\$[^$]*\$|\\\(.*?\\\)|\d*\s*\\[a-zA-Z]+(?:\s*\{[^{}]*\})*|\d*\s*√\s*\d+")


def _sentence_answer(cleaned: str, choices: list[str] | None) -> str:
    """An answer phrase that is a sentence gives its last math span or number ("The largest $n$ is 34")."""
    if cleaned and not choices and _CJK_RE.search(cleaned) and any(c.isdigit() for c in cleaned):
        if not cjk_states_value(cleaned):
            return cleaned  # "答案：不是 5", "3到5之间", "3或4": read as it is (no value of it is the answer)
        tail = trailing_math(_CJK_END_RE.sub("", cleaned))  # "每份应该是 (\frac{2}{5}) 吨", "一共有858颗糖果": its value
        return clean_answer(tail.text if tail is not None and _is_formula(tail) else final_in_sentence(cleaned) or cleaned)
    if cleaned and _command_free_words(cleaned) >= 3 and not choices:
        return clean_answer(final_in_sentence(cleaned) or cleaned)
    if cleaned and _command_free_words(cleaned) and not choices:  # "the interval [0, 1)": the interval
        tail = trailing_math(cleaned)
        if tail is not None and _is_formula(tail):
            return clean_answer(tail.text)
    if (choices and cleaned[:1] in "abcdefgh(" and (lower := _LOWER_LETTER_RE.match(cleaned))
            and normalize_option(cleaned) not in {normalize_option(str(c)) for c in choices}):  # (not the option "(b)")
        return lower.group(1).upper() + cleaned[lower.end():]  # "the answer is option c (30°)": the letter C
    return cleaned


_LOWER_LETTER_RE = re.compile(  # the whole answer: "c", "(c)", "c (30°)"; not "b (or maybe c)", "b. Wait, …"
    r"\(?([a-h])\)?(?=(?:\s*\((?![^()]*\b(?:(?i:or|if|not|maybe|perhaps|possibly|probably|likely|also|close|could|might|either)|[a-hA-H])\b)[^()]*\))?\s*[.!]?\s*$)"
)
_ATTACHED_UNIT_RE = re.compile(r"(?<![A-Za-z])(?:[cdmk]?m|ft|in)$")
_UNIT_POWER_BEFORE_RE = re.compile(r"[A-Za-z]\s*\^\s*\{?\s*$")
_CLAUSE_RE = re.compile(r"(?:,|;|:)\s+(?:(?:and|so|then|thus|hence|therefore|giving|i\.e\.)\s+)?|\b(?:so|thus|hence|therefore|and)\s+")
_CJK_RE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
_CJK_END_RE = re.compile(r"\s*[\u3000-\u9fff]+$")  # the unit or noun after a value: "吨", "颗糖果"


def _last_equation(text: str) -> str | None:
    """The equation that closes the last sentence ("…, and OD = ½·OA = \\sqrt{3}." -> "OD = ½·OA = \\sqrt{3}"),
    or None when the last clause is not one (a short one: the value a judge reads is its right side)."""
    sentence = text[-400:].rstrip()[-300:]
    if "=" not in sentence and "≈" not in sentence and "approx" not in sentence:
        return None
    cut = max((m.end() for m in SENTENCE_END_RE.finditer(sentence[:-1])), default=0)
    sentence = sentence[cut:]
    if "=" not in sentence and "≈" not in sentence and "approx" not in sentence:
        return None
    clause = clean_answer(split_outside_brackets(sentence, _CLAUSE_RE)[-1][1])  # the last clause
    if (
        not EQUALS_RE.search(clause) or len(clause) > 120 or not re.search(r"\d|\\[a-z]", clause)
        or _CJK_RE.search(clause) or "$" in clause
        or any(clause.count(o) != clause.count(c) for o, c in ("()", "[]", "{}"))  # cut off, or a remark
    ):
        return None
    sides = EQUALS_RE.split(clause)
    value = TRAILING_UNIT_RE.sub("", sides[-1].strip())
    if _command_free_words(value) or _command_free_words(sides[0]) >= 2:
        return None  # "x = 2.5 is what we get", "The difference is 20 - 15 = 5": prose, not an equation
    if _command_free_words(sides[0]) and " " in sides[0].strip():  # "obtain y = 2": the name, not the verb
        clause = clause[len(sides[0]) - len(sides[0].lstrip()):]
        clause = clause[clause.index(sides[0].split()[-1]):]
    return clause


def extract(
    response: str, *, choices: list[str] | None = None, hedging: bool = True, opening: bool = True
) -> Extraction:
    """Find the final answer; see the module docstring for the order. Never raises on a string input.

    hedging: several different boxes are hedging (a response); False joins them into a list (a gold answer).
    opening: read an answer given first (``opening_answer``); False when reading the parts of one.
    """
    text = response[-MAX_RESPONSE_CHARS:]
    visible = drop_runoff(strip_think(text))
    visible = drop_closings(program_output(plain_markup(visible)))
    if (offered := drop_offer(visible)) is not visible:  # "… Would you like me to explain?": then what closes before
        visible = drop_closings(offered)
    visible = drop_trailing_note(visible)
    visible = drop_trailing_remark(drop_trailing_clause(drop_justification(visible)))  # "…, with the midline at …"
    if _FULL_WIDTH_MATH_RE.search(visible):
        visible = visible.translate(_FULL_WIDTH_MATH)
    if "です" in visible or "る" in visible or "だ" in visible or "ます" in visible:  # "答えは 60° です。": the copula is not the answer
        visible = _JA_COPULA_RE.sub("", visible)

    visible = answer_layout(visible)  # tables, "=> 12", "✅ B", other languages' phrases and decimal commas
    said_at = 0
    if (visible[-400:].rstrip(" \t\n.!")[-2:] in ("**", "__")
            and (bold := _BOLD_SENTENCE_RE.search(visible, max(0, len(visible) - 400)))
            and len(bold.group(2).split()) >= 3 and not _PROSE_DOUBT_RE.search(bold.group(2))):
        visible = visible[: bold.start(1)] + bold.group(2) + bold.group(3)  # "**The area is 12 cm².**": a sentence
        said_at = bold.start(1)  # an earlier bold ("north-**east** of A. ✗") is no answer after that statement
    if offers_second_answer(visible, letters=bool(choices)):  # "I'll go with C (80°), but D (100°) is possible too"
        return Extraction(None, "hedged", hedged=True)
    if undecided(visible):
        return Extraction(None, "undecided", hedged=True)  # "Votes: C×2, B×2; no consensus": samples, no answer
    tags = answer_tags(visible) or ([found] if (found := json_answer(visible)) is not None else [])
    if tags:  # <answer>…</answer>, or a JSON object's "answer" value
        tags = [t for t in tags if t.strip()] or tags
        if len(tags) > 1 and not _all_same(tags):
            return Extraction(
                None, "answer_tag", hedged=True, candidates=tuple(clean_answer(t) for t in tags)
            )
        inner = tags[-1]
        boxed = _from_boxes(inner, "answer_tag", hedging, choices, boxed_spans(inner))
        if boxed is not None:
            return boxed
        phrase = _phrase_answer(inner)
        if phrase is not None:
            return Extraction(clean_answer(phrase), "answer_tag")
        return Extraction(_marked_answer(inner, choices), "answer_tag")

    spans = boxed_spans(visible)
    boxed = _from_boxes(visible, "boxed", hedging, choices, spans)
    if boxed is not None and (boxed.hedged or boxed.answer != clean_answer(spans[-1][2])):
        # boxed steps, then "Final Answer: The final answer is $10,455$": the explicit final answer wins
        after = visible[spans[-1][1] :]
        phrase = _phrase_answer(after)
        if phrase is not None and clean_answer(phrase):
            return Extraction(_sentence_answer(clean_answer(phrase), choices), "phrase")
    if boxed is not None:
        return boxed

    first = opening_answer(visible, choices) if opening else None
    if first is not None:  # "The centre is (-3, -3).\n\nExplanation: …": the answer stated first
        visible = first
    last_phrase = _last_phrase(visible)
    phrase = _answer_after(visible, last_phrase)
    if phrase is not None and labels_working(phrase, visible[last_phrase.end() + len(phrase):]):
        phrase = None  # "Answer: Before computing, recall that …\n\nPerimeter = 4 × 7 = 28 mm.": a label on the working
    if phrase is None and depends(visible):  # "(choice C). It depends on which vertex is which in your diagram."
        return Extraction(None, "undecided", hedged=True)
    if ((phrase is None or phrase.lstrip(" *_:").startswith("not"))
            and (affirmed := affirmed_value(visible)) is not None and (affirmed.isalpha() and len(affirmed) == 1) == bool(choices)
            and (choices or stated_letter_at(visible) is None)):  # not after "So the correct option is B (4)."
        return Extraction(affirmed, "affirmed")  # "… is not 9/2 and not 9√3 — it is 9√3/2.", "… not B or C. It's A."
    if choices:  # "So the correct option is D.": a stated letter, unless a later phrase states the answer
        stated = stated_letter_at(visible, len(choices))
        if stated is not None and (last_phrase is None or last_phrase.start() <= stated[0]):
            return Extraction(stated[1], "stated_letter")
        closing = closing_letter(visible, choices) if last_phrase is None else None
        if closing is not None:
            return Extraction(closing, "closing_letter")  # "12 × 4 = 48 cm. A": the letter alone

    stated_bearing = bearing(visible)
    if stated_bearing is not None:  # "… is **S 23.5° W**.": a compass bearing, not its number
        return Extraction(stated_bearing, "bearing")

    if phrase is not None:
        cleaned = _sentence_answer(clean_answer(phrase), choices)
        if cleaned and not choices and not any(c.isdigit() for c in cleaned) and (said := spoken_value(cleaned)):
            cleaned = said  # "The answer is three pi over two radians."
        if cleaned and LETTER_HEDGED_RE.match(cleaned):
            return Extraction(None, "phrase", hedged=True)  # "答案：C（也可能是D）", "B (or maybe C)"
        if cleaned:
            return Extraction(cleaned, "phrase")

    stripped = clean_answer(visible)
    if (
        not choices and len(stripped) <= 500
    ):  # "Answer $ 9 $", "Answer \\( (9+1) \\)": the math, not the words
        spans = math_spans(stripped)
        if spans and not (len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(stripped)):
            inner = final_in_sentence(stripped)
            if inner is not None and clean_answer(inner) and _command_free_words(stripped) < 3:
                joined = math_span_list(stripped, spans) if len(spans) > 1 else None  # "$a=5$, $b=3$"
                if len(spans) > 1 and _NOT_A_LIST_RE.search(stripped[spans[-2][1] : spans[-1][0]]):
                    candidates = tuple(clean_answer(c) for _, _, c in spans[-2:])  # "$1$ or $2$": hedging
                    return Extraction(None, "math", hedged=True, candidates=candidates)
                return Extraction(joined or clean_answer(inner), "math")
    if choices and stripped and len(stripped) <= 500:
        options = {normalize_option(str(c)) for c in choices}
        if normalize_option(stripped) in options:
            return Extraction(stripped, "whole")
        if normalize_option(visible) in options:  # the option "Around 31%" (not "31%" once "around" is cut)
            return Extraction(visible.strip(), "whole")
    if stripped and len(stripped) <= _SHORT_ANSWER_CHARS and "\n" not in stripped:
        if _command_free_words(stripped) < 3:
            prose = (  # "So we get X", "x = **5**", "面积约为 12.5 平方米"
                _command_free_words(stripped) or "**" in stripped or _CJK_RE.search(stripped) is not None
            )
            tail = trailing_math(stripped) if prose else None
            if tail is not None and (
                _is_formula(tail)
                or (_states_value(tail.lead) and _is_number(tail.text))
                or ("=" in tail.text and _is_number(tail.text.rpartition("=")[2]))
            ):  # "x equals 5", "Length = 14.1 m", "Finally, x = **5**": the value
                return Extraction(
                    clean_answer(tail.text + (" " + tail.unit if tail.unit else "")), "math_tail"
                )
            if not (_CJK_RE.search(stripped) and any(c.isdigit() for c in stripped) and cjk_states_value(stripped)):
                return Extraction(stripped.replace("**", "").strip() if "**" in stripped else stripped, "whole")  # (else
            # "…一共有858颗糖果": read on, for its value)

    # what follows is read from how the text ends, without a closing comparison ("… 22 which is twice 11.")
    visible = drop_comparison_clause(visible)
    if not choices and chinese_withholds(visible):  # "所以 x 不是 \frac{1}{3}": no number of it is the answer
        return Extraction(None, "none")
    bold = None
    window = visible[-_BOLD_WINDOW_CHARS:]
    for m in _BOLD_RE.finditer(window, max(0, said_at - (len(visible) - len(window)))):
        bold = m
    if (
        bold is not None and not bold.group(1).rstrip().endswith(":") and not _BOLD_LABEL_RE.fullmatch(bold.group(1))
        and not _LABEL_COLON_RE.match(window, bold.end())  # "1. **Purple things**: there is one": a list label
        and not emphasis_in_prose(window, bold.start(), bold.end())  # "The **area** is 12 cm²": a word stressed
        and not later_labelled_value(window, bold)  # "… to the **left**.\n\n…\n\nFirst maximum: (x, y) = (315°, 1)"
    ):  # the last bold only: an earlier one ("I first thought **5**") is not read past a label
        said = clean_answer(bold.group(1))  # not a label ("**Final Answer**\n\n42")
        if _CJK_RE.search(said) and (value := _CJK_END_RE.sub("", said)) and not _CJK_RE.search(value):
            said = value  # "一共有**858颗**糖果": the value without its classifier
        if (not window[bold.end():].strip(" \t\n.!*_") and "=" not in said and "≈" not in said and "\\" not in said
                and not _PROSE_DOUBT_RE.search(said)):  # "Therefore, **the perimeter is 24 cm**.": its value
            said = _sentence_answer(said, choices)
        return Extraction(said, "bold")

    # "…, i.e. (-3, -3).": the point; "There are 4 values below 30.": the count; "(2, −2) is the midpoint.": the value
    for reader, method in () if choices else ((end_tuple, "tuple"), (there_are_count, "count"), (value_first, "value_first")):
        if (found := reader(visible)) is not None:
            return Extraction(found, method)
    worded = worded_value(visible)  # a last sentence without digits: "The remaining area is ninety-six."
    if worded is not None:
        return Extraction(worded, "number_words")

    last_letter = None
    if choices:
        for m in _PAREN_LETTER_RE.finditer(visible):
            if ord(m.group(1).upper()) - ord("A") < len(choices):
                last_letter = m
    last_number = next(  # the last number that is not the "2" of "27 cm^{2}" or the "3" of "1000 dm3"
        (m for m in itertools.islice(reversed(list(_NUMBER_RE.finditer(visible))), 64)
         if not _UNIT_POWER_BEFORE_RE.search(visible, max(0, m.start() - 8), m.start())
         and not (m.group(0) in ("2", "3") and _ATTACHED_UNIT_RE.search(visible, max(0, m.start() - 3), m.start()))),
        None)
    spans = math_spans(visible)
    span = spans[-1] if spans else None
    if span is not None and all(m is None or m.start() < span[1] for m in (last_letter, last_number)):
        cleaned = clean_answer(span[2])  # "Therefore $x \geq 5$ is the solution."
        if cleaned:
            return Extraction(cleaned, "math")
    tail = trailing_math(visible) if last_letter is None else None  # a stated option letter comes first
    if tail is not None and _is_formula(tail):  # "Thus the length is \frac{\sqrt{30}}{2}": not "2"
        cleaned = clean_answer(tail.text)
        if cleaned:
            return Extraction(cleaned, "math_tail")
    if last_letter is not None and (last_number is None or last_letter.start() > last_number.start()):
        return Extraction(last_letter.group(1).upper(), "last_letter")
    equation = _last_equation(visible)
    if equation is not None:  # "With CE + ED = 10, ED = 20/3 ≈ 6.67.": the equation, not its last number
        return Extraction(equation, "equation")
    if last_number is not None:
        if (clock := clock_or_ratio(visible, last_number)) is not None:  # "shows 10:30 PM.", "the ratio 1 : 64"
            return Extraction(clock[0], "last_number", hedged=clock[1])
        if or_hedged(visible, last_number):  # "It is 3 or 4.": two values offered, no answer
            return Extraction(None, "last_number", hedged=True)
        withheld, stated = set_aside(visible, last_number)  # "is not 12", "Maybe 12? Not sure.", "12, not 13"
        if withheld:
            return Extraction(stated, "last_number", hedged=stated is None)
        return Extraction(last_number.group(0), "last_number")
    return Extraction(None, "none")


def extract_answer(response: str, *, choices: list[str] | None = None) -> str | None:
    r"""The final answer of ``response`` as a cleaned string, or None (nothing found, or hedging).

    >>> extract_answer("<answer> 12 </answer>")
    '12'
    >>> extract_answer("So the answer is (B).", choices=["1", "2"]), extract_answer("So the correct option is B.", choices=["1", "2"])
    ('B', 'B')
    """
    if not isinstance(response, str):
        return None
    return extract(response, choices=choices).answer
