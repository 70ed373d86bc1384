r"""Find the final answer in a model response.

Order of precedence (the first that finds something wins):

1. ``<answer>…</answer>`` (outside ``<think>``); inside it, a box or an answer phrase still wins over the rest.
2. The last ``\boxed{…}`` / ``\fbox{…}`` outside ``<think>…</think>`` (nested and doubled boxes unwrapped).
3. The last "the answer is …" / "Final Answer: …" phrase (markdown bold allowed).
4. The whole response when it is short and not a sentence ("145°", "quarter to", "B"); the math after its prose
   words ("So we get \frac{1}{2}" gives ``\frac{1}{2}``).
5. The last markdown-bold span in the last 400 characters ("there are **3** groups"), up to 40 characters.
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

import re
from dataclasses import dataclass

from mmagrae.verifiers.verdict import MAX_ANSWER_CHARS, MAX_RESPONSE_CHARS

__all__ = [
    "Extraction", "extract", "extract_answer", "find_boxed", "boxed_spans", "math_spans", "math_span_list",
    "final_in_sentence", "trailing_math", "MathTail", "TRAILING_UNIT_RE", "strip_think", "clean_answer",
]  # fmt: skip

_PHRASE_MAX_CHARS = 300
_SHORT_ANSWER_CHARS = 60


@dataclass(frozen=True)
class Extraction:
    """answer: the cleaned final answer or None; method: where it came from; hedged: several different ones."""

    answer: str | None
    method: str
    hedged: bool = False
    candidates: tuple[str, ...] = ()


def strip_think(text: str) -> str:
    """Remove ``<think>…</think>`` blocks; text before a lone ``</think>`` and after a lone ``<think>`` too.

    >>> strip_think("<think>a</think>b<think>c")
    'b'
    >>> strip_think("reasoning</think>final")
    'final'
    """
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<think>", pos)
        end_tag = text.find("</think>", pos)
        if end_tag != -1 and (start == -1 or end_tag < start):
            # a closing tag without an opening one: the chat template opened it; drop what came before
            out.clear()
            pos = end_tag + len("</think>")
            continue
        if start == -1:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find("</think>", start)
        if end == -1:  # unclosed: the rest is thinking
            break
        pos = end + len("</think>")
    return "".join(out)


def _match_brace(text: str, open_index: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``open_index``, or -1. Escaped braces ``\\{`` are skipped."""
    depth = 0
    i = open_index
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


_BOX_RE = re.compile(r"\\(?:boxed|fbox)\b")


def find_boxed(text: str) -> list[str]:
    r"""Contents of the top-level ``\boxed{…}`` / ``\fbox{…}`` groups, in order, each with inner boxes unwrapped.

    Linear time: scanning resumes after each closed box and stops at an unclosed one.

    >>> find_boxed(r"a \boxed{1} b \fbox{\boxed{2}} \boxed 3")
    ['1', '2', '3']
    """
    return [content for _, _, content in boxed_spans(text)]


def boxed_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, content)`` of each top-level box (see ``find_boxed``)."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = _BOX_RE.search(text, pos)
        if m is None:
            break
        j = m.end()
        while j < len(text) and text[j] == " ":
            j += 1
        if j < len(text) and text[j] == "{":
            end = _match_brace(text, j)
            if end == -1:
                break
            content = text[j + 1 : end]
            pos = end + 1
        else:  # \boxed 5 : one token
            m2 = re.compile(r"[^\s$]+").match(text, j)
            if m2 is None:
                pos = j
                continue
            content = m2.group(0)
            pos = m2.end()
        found.append((m.start(), pos, _unwrap_boxes(content)))
    return found


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


def _unwrap_boxes(content: str) -> str:
    if len(content) > MAX_ANSWER_CHARS:  # too long to be judged anyway; keep the scan linear
        return content
    for _ in range(64):
        stripped = content.strip()
        m = _BOX_RE.match(stripped)
        if not m:
            break
        j = m.end()
        while j < len(stripped) and stripped[j] == " ":
            j += 1
        if j < len(stripped) and stripped[j] == "{" and _match_brace(stripped, j) == len(stripped) - 1:
            content = stripped[j + 1 : -1]
        else:
            break
    return content


def _find_answer_tags(text: str) -> list[str]:
    found = []
    pos = 0
    while True:
        start = text.find("<answer>", pos)
        if start == -1:
            break
        end = text.find("</answer>", start)
        if end == -1:
            break
        found.append(text[start + len("<answer>") : end])
        pos = end + len("</answer>")
    return found


_PHRASE_RE = re.compile(
    r"(?:final\s+answers?|the\s+(?:correct\s+|final\s+)?answers?|answers?)"
    r"(?:\s+(?:to|for)\s+(?:the|this)\s+(?:question|problem))?"
    r"(?:\s*\*\*|\s*__)?\s*(?:is|are|:|=|：|would\s+be|should\s+be)\s*(?:\*\*|__)?\s*:?",
    re.IGNORECASE,
)
_HEDGE_WORDS_RE = re.compile(
    r"^(?:approximately|about|around|roughly|therefore|thus|so|still|option|choice|≈|~)\s+", re.IGNORECASE
)
# the sentence ends at a period followed by a space/end (not a decimal point), or at a newline
_SENTENCE_END_RE = re.compile(r"\.(?=\s|$)|\n")


def _phrase_answer(text: str) -> str | None:
    last = None
    for m in _PHRASE_RE.finditer(text):
        last = m
    if last is None:
        return None
    rest = text[last.end() : last.end() + _PHRASE_MAX_CHARS]
    rest = rest.lstrip()
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
    m = _SENTENCE_END_RE.search(rest)
    candidate = rest[: m.start()] if m else rest
    return candidate if candidate.strip() else None


_MATH_OPEN_RE = re.compile(r"\$\$|\$|\\\(|\\\[")
_MATH_CLOSE = {"$$": "$$", "$": "$", "\\(": "\\)", "\\[": "\\]"}
_MAX_SPANS = 1024
_SPAN_WINDOW_CHARS = 4000


def math_spans(text: str) -> list[tuple[int, int, str]]:
    r"""``(start, end, content)`` of the math spans ``$…$``, ``$$…$$``, ``\(…\)``, ``\[…\]`` in order.

    Inline spans (``$``, ``\(``) do not cross a line break; ``\$`` is a dollar sign. Only the last 4,000
    characters are scanned (final answers come last), so the cost is bounded whatever the input.

    >>> [c for _, _, c in math_spans("Answer $ 9 $, or \\[ x+1 \\] and \\$5")]
    [' 9 ', ' x+1 ']
    """
    spans: list[tuple[int, int, str]] = []
    pos = max(0, len(text) - _SPAN_WINDOW_CHARS)  # final answers come last: scan the tail only
    unclosed: set[str] = set()  # delimiters with no closing one left: later openers of that kind are skipped
    while len(spans) < _MAX_SPANS:
        m = _MATH_OPEN_RE.search(text, pos)
        if m is None:
            break
        start = m.start()
        if m.group(0) in unclosed or (start > 0 and text[start - 1] == "\\" and m.group(0).startswith("$")):
            pos = m.end()  # "\$5" is money
            continue
        close = _MATH_CLOSE[m.group(0)]
        end = text.find(close, m.end())
        while close == "$" and end > 0 and text[end - 1] == "\\":
            end = text.find(close, end + 1)
        if end == -1:
            unclosed.add(m.group(0))
            pos = m.end()
            continue
        content = text[m.end() : end]
        if m.group(0) in ("$", "\\(") and "\n" in content:  # inline math does not span lines
            pos = m.end()
            continue
        if content.strip():
            spans.append((start, end + len(close), content))
        pos = end + len(close)
    return spans


def _command_free_words(text: str) -> int:
    """Words of two letters or more, LaTeX command names not counted (``\\frac``, ``\\left``)."""
    return len(_PLAIN_WORD_RE.findall(text))


_PLAIN_WORD_RE = re.compile(r"(?<![\\a-zA-Z])[A-Za-z]{2,}")


def final_in_sentence(text: str) -> str | None:
    """The last math span or number of a sentence ("The largest $n$ is 34." -> "34"), whichever is later."""
    spans = math_spans(text)
    last_number = None
    i = 0  # spans are in order: one pass over numbers and spans together (linear)
    for m in _NUMBER_RE.finditer(text):
        while i < len(spans) and spans[i][1] <= m.start():
            i += 1
        if i == len(spans) or m.start() < spans[i][0]:  # not inside a span
            last_number = m
    span = spans[-1] if spans else None
    if span is not None and (last_number is None or last_number.start() < span[0]):
        return span[2]
    if last_number is not None:
        tail = trailing_math(text)  # "the length is \frac{\sqrt{30}}{2}": the expression, not its last number
        if tail is not None and _is_formula(tail):
            return tail.text
    return last_number.group(0) if last_number is not None else None


_TAIL_WINDOW_CHARS = 300
_TAIL_MAX_CHARS = 200
_TAIL_WORD_RE = re.compile(
    r"(?<![\\A-Za-z0-9])[A-Za-z]{2,}(?:'[A-Za-z]+)?(?![A-Za-z0-9])"
)  # not \cmd, not 2cm
# written without a backslash these are still math, not prose ("sin x", "log 8")
_MATH_WORDS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln lg exp sqrt pi infty mod gcd lcm".split()
)
_POINT_NAME_RE = re.compile(r"[A-Z]{2,4}$")  # "AB", "ABCD": geometry names are math, not prose
# a clause that hedges or negates: its trailing math is not a final answer ("it is not \frac12", "2 or \sqrt3")
_CLAUSE_HEDGE_RE = re.compile(
    r"\b(?:or|nor|not|no|never|cannot|maybe|perhaps|possibly|either|neither|unless|if|wrong|incorrect)\b|n't\b",
    re.IGNORECASE,
)
# the word just before the math makes it a bound or one end of a range, not the value ("at least \sqrt2")
_BOUND_WORDS = frozenset(
    "and than least most over under above below exceeds exceed exceeding nearly almost between from minus "
    "plus times except without".split()
)
# before a plain number, these make a short answer a statement of the value ("we get 5", "x equals 5")
_COPULAS = frozenset(
    "is are was were be equals equal get gets got gives give yields yield becomes become obtain makes".split()
)
_UNIT_WORDS = (
    "km|cm|mm|nm|kg|mg|lbs?|pounds?|oz|ounces?|tons?|sec|secs|seconds?|mins|minutes?|hr|hrs|hours?|days?|"
    "weeks?|months?|years?|inch|inches|ft|feet|foot|yd|yards?|miles?|mph|kph|kJ|kW|Pa|kPa|Hz|ml|mL|"
    "rad|radians?|deg|degrees?|units?|square units|liters?|litres?|meters?|metres?|centimeters?|millimeters?|"
    "kilometers?|kilograms?|grams?|cents?|dollars?"
)
# a unit word that ends an answer ("\sqrt{3} cm", "2\pi \text{ meters}^2"): not part of the value
TRAILING_UNIT_RE = re.compile(
    r"(?:(?<=[\d}\])π°])\s*|\s+)(?:\\(?:text|mathrm)\s*\{\s*~?\s*)?(?:(?:square|cubic)\s+)?(?:"
    + _UNIT_WORDS
    + r")\}?"
    r"(?:\s*\^\s*\{?[23]\}?|[²³])?$"
)


@dataclass(frozen=True)
class MathTail:
    """The bare math that ends a sentence: ``text`` without prose; ``lead`` the prose before it; ``unit``."""

    text: str
    lead: str
    unit: str = ""


def trailing_math(text: str) -> MathTail | None:
    r"""The bare (undelimited) math expression that ends ``text``, taken whole, or None.

    "Thus the length is \frac{\sqrt{30}}{2}." gives ``\frac{\sqrt{30}}{2}`` (not the ``2`` inside it); "the range
    is [-3, 3]" gives ``[-3, 3]``; "Length = 14.1 m" gives ``14.1`` with unit ``m``. The expression is what follows
    the last prose word (two letters or more, outside braces, not a function name such as ``sin`` nor a point name
    such as ``AB``). None when it
    is not math (no digit, command, π, √ or ∞), is unbalanced, a bare comma list, ends in an operator, follows a
    bound word ("at least", "than", "and") or sits in a clause that hedges or negates ("or", "not", "maybe").
    Only the last 300 characters are read.

    >>> trailing_math("So we get \\dfrac{5}{7}.").text
    '\\dfrac{5}{7}'
    >>> trailing_math("It is not \\sqrt{3}") is None
    True
    """
    s = text[-_TAIL_WINDOW_CHARS:]
    for _ in range(4):  # sentence-final punctuation and markdown bold around the answer
        before = s
        s = s.rstrip().rstrip(".;!。").rstrip()
        if s.endswith(("**", "__")):
            s = s[:-2]
        if s == before:
            break
    s = s[s.rfind("\n") + 1 :].replace("**", "  ")
    if not s.strip():
        return None
    unit = ""
    m = TRAILING_UNIT_RE.search(s)
    if m is not None and m.start() > 0:
        unit, s = m.group(0).strip(), s[: m.start()]
    # the last prose word outside braces ends the lead
    depth = 0
    depths = []
    i = 0
    while i < len(s):
        ch = s[i]
        depths.append(depth)
        if ch == "\\" and i + 1 < len(s) and s[i + 1] in "{}":
            depths.append(depth)
            i += 2
            continue
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        i += 1
    if depth != 0:
        return None
    cut = 0
    for w in _TAIL_WORD_RE.finditer(s):
        word = w.group(0)
        if depths[w.start()] == 0 and word.lower() not in _MATH_WORDS and not _POINT_NAME_RE.match(word):
            cut = w.end()
    for close in ("$", "\\)", "\\]"):  # math after a delimited span ("$\Rightarrow$ \frac12"): after it
        end = s.rfind(close)
        cut = max(cut, end + len(close) if end != -1 else 0)
    tail = s[cut:].strip().lstrip(",:=≈").strip()
    lead = s[: len(s.rstrip()) - len(tail)]  # the prose and any ":" or "=" before the math
    if unit and not tail:  # "the answer is 12 meters" already cut at "meters": nothing left
        return None
    if (
        not tail
        or len(tail) > _TAIL_MAX_CHARS
        or "$" in tail
        or tail[-1] in "+-*/=^_\\,(<>"
        or tail.endswith("\\left")
    ):
        return None
    if not re.search(r"\d|\\[a-zA-Z]|[π√∞]", tail) or _bracket_balance(tail) != 0:
        return None
    if re.search(r",\s", _outside_brackets(tail)):  # "2, 3": a list, not one value
        return None
    words = _TAIL_WORD_RE.findall(lead)
    if words and words[-1].lower() in _BOUND_WORDS:
        return None
    clause = re.split(r"\.\s|[;!?]", lead)[-1]
    if _CLAUSE_HEDGE_RE.search(clause):
        return None
    return MathTail(tail, lead, unit)


def _bracket_balance(text: str) -> int:
    """Opening minus closing round and square brackets (an interval mixes them: ``(0, 1]``)."""
    return text.count("(") + text.count("[") - text.count(")") - text.count("]")


def _outside_brackets(text: str) -> str:
    """``text`` with everything inside (), [] and {} removed (one linear pass)."""
    out = []
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _states_value(lead: str) -> bool:
    """The prose before a number states it as the value: "we get", "x equals", "Length =", "Area:"."""
    lead = lead.rstrip()
    words = _TAIL_WORD_RE.findall(lead)
    return lead.endswith(("=", ":")) or bool(words) and words[-1].lower() in _COPULAS


_FORMULA_RE = re.compile(
    r"\\[a-zA-Z{]|[π√∞^=<>≤≥≠]|[\d)}]\s*[-+*/]\s*[\d(\\a-zA-Z{]|[(\[{][^()\[\]{}]*,[^()\[\]{}]*[)\]}]"
)


def _is_formula(tail: MathTail) -> bool:
    """Clearly math (a command, π, an operator between operands, a relation, an interval or tuple), and not a
    plain number or a computation ending in one: "B12", "1:2", "2A" are not taken out of their words."""
    return not _plain_number_tail(tail) and _FORMULA_RE.search(tail.text) is not None


def _is_number(text: str) -> bool:
    from mmagrae.verifiers.numeric import parse_number  # lazy, as in _all_same

    return parse_number(text) is not None


def _plain_number_tail(tail: MathTail) -> bool:
    """A plain number (unit aside), or a computation ending in one ("20 - 15 = 5"): the last-number rule gives it."""
    return _NUMBER_RE.fullmatch(tail.text.rpartition("=")[2].strip()) is not None


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
        if s.startswith("\\displaystyle"):
            s = s[len("\\displaystyle") :].strip()
        if s == before:
            break
    return s


_BOLD_WINDOW_CHARS = 400
_BOLD_RE = re.compile(r"\*\*(?=[^\s*])([^*\n]{0,39}[^\s*])\*\*")
_NUMBER_RE = re.compile(
    r"[-−+]?\d+/[1-9]\d*(?![\d/]|[.,]\d)|[-−+]?\d+(?:[,\u2009\u202f]\d{3})*(?:\.\d+)?%?|[-−+]?\.\d+%?"
)
_PAREN_LETTER_RE = re.compile(r"\(([A-Za-z])\)")


def _same_answer(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def _all_same(items: list[str]) -> bool:
    # lazy import keeps extraction usable alone; numeric parsing is cheap and sympy-free
    from mmagrae.verifiers.numeric import parse_number

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


def _from_boxes(
    text: str, method: str, hedging: bool, choices: list[str] | None, spans: list[tuple[int, int, str]]
) -> Extraction | None:
    if not spans:
        return None
    boxes = [c for _, _, c in spans]
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
    return Extraction(clean_answer(boxes[-1]), method)


def _sentence_answer(cleaned: str, choices: list[str] | None) -> str:
    """An answer phrase that is a sentence gives its last math span or number ("The largest $n$ is 34")."""
    if cleaned and _command_free_words(cleaned) >= 3 and not choices:
        return clean_answer(final_in_sentence(cleaned) or cleaned)
    if cleaned and _command_free_words(cleaned) and not choices:  # "the interval [0, 1)": the interval
        tail = trailing_math(cleaned)
        if tail is not None and _is_formula(tail):
            return clean_answer(tail.text)
    return cleaned


def extract(response: str, *, choices: list[str] | None = None, hedging: bool = True) -> Extraction:
    """Find the final answer; see the module docstring for the order. Never raises on a string input.

    hedging: several different boxes are hedging (a response); False joins them into a list (a gold answer).
    """
    text = response[-MAX_RESPONSE_CHARS:]
    visible = strip_think(text)

    tags = _find_answer_tags(visible)
    if tags:
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
        return Extraction(clean_answer(inner), "answer_tag")

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

    phrase = _phrase_answer(visible)
    if phrase is not None:
        cleaned = _sentence_answer(clean_answer(phrase), choices)
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
        from mmagrae.verifiers.choice import normalize_option

        options = {normalize_option(str(c)) for c in choices}
        if normalize_option(stripped) in options:
            return Extraction(stripped, "whole")
        if normalize_option(visible) in options:  # the option "Around 31%" (not "31%" once "around" is cut)
            return Extraction(visible.strip(), "whole")
    if stripped and len(stripped) <= _SHORT_ANSWER_CHARS and "\n" not in stripped:
        if _command_free_words(stripped) < 3:
            prose = _command_free_words(stripped) or "**" in stripped  # "So we get X", "x = **5**"
            tail = trailing_math(stripped) if prose and not choices else None
            if tail is not None and (
                _is_formula(tail)
                or (_states_value(tail.lead) and _is_number(tail.text))
                or ("=" in tail.text and _is_number(tail.text.rpartition("=")[2]))
            ):  # "x equals 5", "Length = 14.1 m", "Finally, x = **5**": the value
                return Extraction(
                    clean_answer(tail.text + (" " + tail.unit if tail.unit else "")), "math_tail"
                )
            return Extraction(stripped, "whole")

    bold = None
    for m in _BOLD_RE.finditer(visible[-_BOLD_WINDOW_CHARS:]):
        bold = m
    if bold is not None and not bold.group(1).rstrip().endswith(":"):
        return Extraction(clean_answer(bold.group(1)), "bold")

    last_letter = None
    if choices:
        for m in _PAREN_LETTER_RE.finditer(visible):
            if ord(m.group(1).upper()) - ord("A") < len(choices):
                last_letter = m
    last_number = None
    for m in _NUMBER_RE.finditer(visible):
        last_number = m
    spans = math_spans(visible)
    span = spans[-1] if spans else None
    if span is not None and all(m is None or m.start() < span[1] for m in (last_letter, last_number)):
        cleaned = clean_answer(span[2])  # "Therefore $x \geq 5$ is the solution."
        if cleaned:
            return Extraction(cleaned, "math")
    tail = None if choices else trailing_math(visible)
    if tail is not None and _is_formula(tail):  # "Thus the length is \frac{\sqrt{30}}{2}": not "2"
        cleaned = clean_answer(tail.text)
        if cleaned:
            return Extraction(cleaned, "math_tail")
    if last_letter is not None and (last_number is None or last_letter.start() > last_number.start()):
        return Extraction(last_letter.group(1).upper(), "last_letter")
    if last_number is not None:
        return Extraction(last_number.group(0), "last_number")
    return Extraction(None, "none")


def extract_answer(response: str, *, choices: list[str] | None = None) -> str | None:
    r"""The final answer of ``response`` as a cleaned string, or None (nothing found, or hedging).

    >>> extract_answer("<answer> 12 </answer>")
    '12'
    >>> extract_answer("So the answer is (B).", choices=["1", "2"])
    '(B)'
    """
    if not isinstance(response, str):
        return None
    return extract(response, choices=choices).answer
