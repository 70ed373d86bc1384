r"""Math inside prose: the delimited math spans of a text and the bare math that ends a sentence.

``math_spans`` finds ``$…$``, ``$$…$$``, ``\(…\)``, ``\[…\]``; ``trailing_math`` takes the undelimited expression
after the last prose word ("Thus the length is \frac{\sqrt{30}}{2}."), with a trailing unit split off;
``final_in_sentence`` picks the last math span or number of a sentence. Used by ``extraction``, which re-exports
the public names (the symbolic lexer takes ``TRAILING_UNIT_RE`` from there). Text is only scanned, never executed; every
scan reads a bounded tail of the input.

>>> trailing_math("The side is \\sqrt{3} cm.")
MathTail(text='\\sqrt{3}', lead='The side is ', unit='cm')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "math_spans", "final_in_sentence", "trailing_math", "MathTail", "TRAILING_UNIT_RE", "SENTENCE_END_RE", "EQUALS_RE",
    "split_outside_brackets",
]  # fmt: skip

# the sentence ends at a period followed by a space/end (not a decimal point, not the last period of an
# abbreviation such as "S.A." or "e.g."), or at a newline
SENTENCE_END_RE = re.compile(r"(?<!\.[A-Za-z])\.(?=\s|$)|\n")
EQUALS_RE = re.compile(r"=|≈|\\approx(?![a-zA-Z])|≅")  # what joins the sides of a chain: "x = 20/3 ≈ 6.67"


def split_outside_brackets(text: str, pattern: re.Pattern) -> list[tuple[str, str]]:
    """``[(connector, part)]`` of ``text`` cut where ``pattern`` matches outside (), [] and {} (the first
    connector is ""); one pass over the text.

    >>> split_outside_brackets("f(a, b) = 2, so x = 3", re.compile(r",\\s"))
    [('', 'f(a, b) = 2'), (', ', 'so x = 3')]
    """
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

_NUMBER_RE = re.compile(
    r"[-−+]?\d+/[1-9]\d*(?![\d/]|[.,]\d)|[-−+]?\d+(?:[,\u2009\u202f]\d{3})*(?:\.\d+)?%?|[-−+]?\.\d+%?"
)


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


# "3 or 4", "30° or 150°", "5, or maybe 6": two values offered, the second is no answer (not "12 cm, or 120 mm"
# nor "2π, or about 6.28": the same value restated)
_OR_BEFORE_RE = re.compile(
    r"(?<![/:√^{\\\d.])(\d+(?:\.\d+)?)\s?(°|%|[^\W\d_]{1,6}(?:\^?[23²³])?)?\s*,?\s+(?i:or|或者?)"
    r"(?:\s+(?i:maybe|perhaps|possibly|even))*(\s+[A-Za-z]\w?\s*[=≈])?\s*[-−]?$"  # "x = 0 or y = 0"
)
_NAME_BEFORE_RE = re.compile(r"([A-Za-z]\w?)\s*[=≈]\s*[-−]?$")
_UNIT_AFTER_RE = re.compile(r"\s?(°|%|[^\W\d_]{1,6}(?:\^?[23²³])?)")


def last_break(text: str, low: int, end: int) -> int:
    """Index of the last sentence break (". ", "! ", "? " or a line break) in ``text[low:end]``, or -1: a
    bounded backward search (an absent break does not scan the whole text)."""
    return max(text.rfind(". ", low, end), text.rfind("! ", low, end), text.rfind("? ", low, end),
               text.rfind("\n", low, end))


def last_sentence_start(tail: str) -> int:
    """Where the last sentence of ``tail`` starts: after the last ". ", "! ", "? " or line break, not after a
    number's point ("… is 3. 5 …") or an abbreviation ("e.g. ")."""
    end = len(tail)
    while True:
        i = last_break(tail, 0, end)
        if i <= 0 or tail[i] != "." or not (tail[i - 1].isdigit() or (i > 1 and tail[i - 2] == ".")):
            return i + 1
        end = i


def or_hedged(text: str, number: re.Match) -> bool:
    """Whether ``number`` (a match in ``text``) is the second of two values offered with "or" ("It is 3 or 4",
    "30° or 150°"), which a judge reads as no answer; a restatement in another unit is not ("12 cm, or 120 mm").

    >>> or_hedged("It is 3 or 4.", list(_NUMBER_RE.finditer("It is 3 or 4."))[-1])
    True
    >>> t = "So it is 12 cm, or 120 mm."; or_hedged(t, list(_NUMBER_RE.finditer(t))[-1])
    False
    """
    before = _OR_BEFORE_RE.search(text, max(0, number.start() - 40), number.start())
    if before is None:
        return False
    if before.group(3) and (name := _NAME_BEFORE_RE.search(text, max(0, before.start() - 12), before.start())) \
            and name.group(1) != before.group(3).strip(" =≈"):
        return True  # "x = 0 or y = 0": two equations offered
    unit_after = _UNIT_AFTER_RE.match(text, number.end())
    first, second = before.group(2), unit_after.group(1) if unit_after else None
    if first in ("π", "pi") or (first or "").startswith("\\"):
        return False  # "2π, or 6.28": a restatement of an exact value
    if first and second and first.lower() != second.lower() and first.lower() not in ("or", "and"):
        return False  # "12 cm, or 120 mm": one value in two units
    a, b = float(before.group(1)), float(number.group(0).replace(",", "").rstrip("%").replace("−", "-"))
    a, b = (a / 100 if first == "%" else a), (b / 100 if number.group(0).endswith("%") or second == "%" else b)
    return abs(a - b) > 1e-9 * max(1.0, abs(a))  # "0.5, or 50%": the same value twice


def final_in_sentence(text: str) -> str | None:
    """The last math span or number of a sentence ("The largest $n$ is 34." -> "34"), whichever is later;
    None when that number is offered with another ("It is 3 or 4")."""
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
    if last_number is not None and or_hedged(text, last_number):
        return None
    return last_number.group(0) if last_number is not None else None


_TAIL_WINDOW_CHARS = 300
_TAIL_MAX_CHARS = 200
# Chinese words and the full-width colon end a lead; full-width list marks and operators do not (a tail that
# holds "，" or "、" is a list, and "＋－＝" are read as "+-=" by ``extraction.extract``)
_CJK_CHAR_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff1a。]")  # kana too ("面積は 12 cm²")
_CJK_LIST_RE = re.compile(r"[，、；\u3000]")
_CJK_VALUES_RE = re.compile(  # values listed: "\frac{1}{2}、\frac{1}{3}", "x=3，y=5" (not "因此，一共有858颗糖果")
    r"[\d}）)$]\s*[，、；\u3000]\s*(?:[-−\d\\$(（]|[A-Za-z]\s*[=＝])"
)
# the Chinese word before the math makes it a sign, an operand, a bound or one end of a range, not the value
_CJK_BOUND_END_RE = re.compile(
    r"(?:(?:负|正负|零下|加上?|减去?|乘以?|除以?|到|至|和|与|及|或者?)"
    r"|(?:大于|小于|不超过|不少于|不小于|不大于|不低于|不高于|超过|低于|高于|少于|多于|至少|至多|最多|最少|不到|将近|接近)"
    r"\s*(?:等于|是|为)?)\s*$"
)
# a Chinese clause that hedges, negates or supposes ("可能" as "possible" in "最大可能值" is not a hedge)
_CJK_HEDGE_RE = re.compile(
    r"或|不是|不等于|不为|不能|不会|不应|不该|不可能|绝非|并非|可能(?![的值性])|也许|大概|如果|假如|倘若|假设|若|设|吗"
)
_CJK_CLAUSE_END_RE = re.compile(r"[。；！？，]")


# a Chinese or Japanese sentence read for its value (no answer phrase) must state it: a conclusion or a copula,
# and nothing that negates, hedges, bounds, asks, supposes, corrects, gives a range or ratio, or counts steps
_CJK_STATES_RE = re.compile(r"因此|所以|故|答|总共|一共|共|合计|总计|结果|即|得|是|為|为|等于|約|约|は|です|となる|になる")
_CJK_DOUBTS_RE = re.compile(
    r"不|没|沒|非|无|無|未|错|錯|误|誤|缺|吗|嗎|呢|假设|假設|如果|若|设|猜|可能|也许|大概|或|还是|還是|之间|之間|至[少多]|"
    r"\d\s*(?:到|至|[~～]|比)\s*\d|比[^，。]{0,8}?(?:多|少|大|小|高|低|长|短)|以上|以下|以内|以內|超过|超過|多于|少于|"
    r"大于|小于|第\s*\d|分\s*\d+\s*步|求(?![得出])|题目|題目|"
    r"ない|ません|じゃ|かも|でしょう|だろう|はず|未満|から|間|わから|(?<=\d)\s*か|\?|？"
)


def cjk_states_value(text: str) -> bool:
    """Whether a Chinese or Japanese sentence states its value plainly ("因此，弗兰克一共有858颗糖果。"), so that
    its last value is the answer; not "并没有858颗", "不超过12元", "3到5之间", "12ではありません", "12かもしれません"."""
    return _CJK_STATES_RE.search(text) is not None and _CJK_DOUBTS_RE.search(text) is None


def _cjk_hedges(text: str) -> bool:
    """Whether the last Chinese clause of ``text`` hedges, negates or supposes ("所以 x 不是", "如果 x = 4")."""
    return _CJK_HEDGE_RE.search(_CJK_CLAUSE_END_RE.split(text)[-1]) is not None
_RESTATING_RE = re.compile(r"\bi\.\s?e\.,?|,\s*that is,?")
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
    "kilometers?|kilograms?|grams?|cents?|dollars?|dm|decimeters?|decimetres?|centimetres?|millimetres?|"
    "kilometres?|(?:平方|立方)?(?:千米|公里|厘米|毫米|分米|米)|度|升|毫升|克|千克|元|秒|分钟|小时|"
    "(?:平方|立方)?(?:センチ|ミリ|キロ)?メートル"
)
# Cyrillic, Arabic, Devanagari and Hangul: scripts whose words may close an answer (units, names)
OTHER_SCRIPTS = "\u0400-\u04FF\u0600-\u06FF\u0900-\u097F\uAC00-\uD7AF"
OTHER_SCRIPT_UNIT_RE = re.compile(  # a unit in another script ("874.93 см³", "… लीटर"); not "12 이상", "5 नहीं"
    r"\s*(?:(?:кв\.\s*|куб\.\s*)?(?:мм|см|дм|км|м|кг|г|мл|л|с|мин|ч|градус(?:ов|а)?|руб|ед)|куб|кв|मीटर|सेमी|मिमी|किमी|लीटर|"
    r"किलोग्राम|ग्राम|डिग्री|इकाई|वर्ग\s+इकाई|미터|센티미터|밀리미터|킬로미터|리터|도|제곱\s*단위|단위|"
    r"(?:وحدة|وحدات)(?:\s+(?:مربعة|مكعبة))?|سم|مم|كم|متر|لتر|درجة)[²³]?\.?$"
)
# a unit word that ends an answer ("\sqrt{3} cm", "2\pi \text{ meters}^2"): not part of the value
TRAILING_UNIT_RE = re.compile(
    r"(?:(?<=[\d}\])π°])\s*|\s+)(?:\\(?:text|mathrm)\s*\{\s*~?\s*)?(?:(?:square|cubic)\s+)?(?:"
    + _UNIT_WORDS
    + r")\}?"
    r"(?:\s*\^\s*\{?[23]\}?|[²³]|(?<=m)[23])?$"
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
    is [-3, 3]" gives ``[-3, 3]``; "Length = 14.1 cm" gives ``14.1`` with unit ``cm`` (a one-letter unit such as
    ``m`` is not split off: "14.1 m" stays whole, and the number reader drops it later). The expression is what follows
    the last prose word (two letters or more, outside braces, not a function name such as ``sin`` nor a point name
    such as ``AB``). None when it
    is not math (no digit, command, π, √ or ∞), is unbalanced, a bare comma list, ends in an operator, follows a
    bound word ("at least", "than", "and") or sits in a clause that hedges or negates ("or", "not", "maybe").
    Only the last 300 characters are read.

    >>> trailing_math("So we get \\dfrac{5}{7}.").text
    '\\dfrac{5}{7}'
    >>> trailing_math("It is not \\sqrt{3}") is None
    True
    >>> tail = trailing_math("Length = 14.1 cm"); (tail.text, tail.unit)
    ('14.1', 'cm')
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
    if "i.e" in s or ", that is" in s:  # "…, i.e. 30.25π m²": the restated value after it, as after a word
        for m in _RESTATING_RE.finditer(s):
            if depths[m.start()] == 0:
                cut = max(cut, m.end())
    for c in _CJK_CHAR_RE.finditer(s):  # Chinese prose ends the lead too ("答：圆心的坐标是 (0, 0)")
        if depths[c.start()] == 0:
            cut = max(cut, c.end())
    for close in ("$", "\\)", "\\]"):  # math after a delimited span ("$\Rightarrow$ \frac12"): after it
        end = s.rfind(close)
        cut = max(cut, end + len(close) if end != -1 else 0)
    cjk = _CJK_CHAR_RE.search(s) is not None
    if cjk and (_CJK_BOUND_END_RE.search(s, 0, cut) or _CJK_LIST_RE.search(s, cut)):
        return None  # "所以 x 为负 \frac{1}{3}", "x 大于 5", "x = \frac{1}{2}，\frac{1}{3}"
    tail = s[cut:].strip().lstrip(",:=≈").strip()
    if (named := _NAMED_BY_LETTER_RE.match(tail)) is not None:  # "Domain of f: [−5, 5]": the value, not "f:"
        tail = tail[named.end():]
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
    if not re.search(r"\d|\\[a-zA-Z]|[π√∞⁰¹²³⁴-⁹]", tail) or _bracket_balance(tail) != 0:  # ("y = −x²")
        return None
    if re.search(r",\s", _outside_brackets(tail)):  # "2, 3": a list, not one value
        return None
    words = _TAIL_WORD_RE.findall(lead)
    if words and words[-1].lower() in _BOUND_WORDS:
        return None
    clause = re.split(r"\.\s|[;!?。；！？，]" if cjk else r"\.\s|[;!?]|,\s+but\s+", lead)[-1]  # (", but as an exact value …")
    if _CLAUSE_HEDGE_RE.search(clause) or (cjk and _cjk_hedges(clause)):
        return None
    return MathTail(tail, lead, unit)


_NAMED_BY_LETTER_RE = re.compile(r"[A-Za-z][ \t]*[:：][ \t]+(?=\S)")


def chinese_withholds(text: str) -> bool:
    """Whether the last line is Chinese prose that states no value: its last clause hedges, negates or
    supposes ("所以 x 不是 \\frac{1}{3}", "若 x 为 5"), or its math is a sign, an operand, a bound or a list
    ("x 为负 \\frac{1}{3}", "x 大于 5", "\\frac{1}{2}、\\frac{1}{3}"). The extraction then reads no number of it."""
    line = text[-_TAIL_WINDOW_CHARS:].rstrip().rstrip(".;!。").rstrip()
    line = line[line.rfind("\n") + 1 :]
    if _CJK_CHAR_RE.search(line) is None or trailing_math(line) is not None:
        return False
    last_word_end = max(m.end() for m in _CJK_CHAR_RE.finditer(line))
    return bool(_cjk_hedges(line) or _CJK_BOUND_END_RE.search(line, 0, last_word_end) or _CJK_VALUES_RE.search(line))


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
    if lead.endswith(("=", ":", "：", "是", "为", "為", "等于", "得", "は")):  # "面积是 12", "面積は 12 cm²"
        return True
    return bool(words) and words[-1].lower() in _COPULAS


_FORMULA_RE = re.compile(  # "x³ + 12x²": a letter's power in superscript is algebra too
    r"\\[a-zA-Z{]|[π√∞^=<>≤≥≠]|[\d)}²³]\s*[-+*/]\s*[\d(\\a-zA-Z{]|[(\[{][^()\[\]{}]*,[^()\[\]{}]*[)\]}]|"
    r"(?<!\d )(?<![A-Za-z])[a-zA-Z][²³]"  # not a unit after its number ("60.21 m²")
)
_RATIO_RE = re.compile(r"\d+(?:\.\d+)?\s*:\s*\d+(?:\.\d+)?")


def _is_formula(tail: MathTail) -> bool:
    """Clearly math (a command, π, an operator between operands, a relation, an interval or tuple), and not a
    plain number or a computation ending in one: "B12", "1:2", "2A" are not taken out of their words, except a
    ratio that the words call one ("The ratio of A to B is 1 : 64")."""
    if _RATIO_RE.fullmatch(tail.text.strip()):  # "The ratio of A to B is 1 : 64" (not a label "Ratio: 3:5")
        lead = tail.lead.lower()
        return "ratio" in lead and re.search(r"\b(?:is|are|equals|be)\s*$|=\s*$", lead.rstrip()) is not None
    return not _plain_number_tail(tail) and _FORMULA_RE.search(tail.text) is not None


def _is_number(text: str) -> bool:
    from mmagrae.verifiers.numeric import parse_number  # lazy, as in extraction._all_same

    return parse_number(text) is not None


def _plain_number_tail(tail: MathTail) -> bool:
    """A plain number (unit aside), or a computation ending in one ("20 - 15 = 5"): the last-number rule gives it.
    An equation in variables that ends in a number ("x²/81 + y²/9 = 1") is a formula: taken whole, it still
    equals a number gold by its last side."""
    lhs, _, rhs = tail.text.rpartition("=")
    if _NUMBER_RE.fullmatch(rhs.strip()) is None:
        return False
    return not (re.search(r"[A-Za-z]", lhs.split("=")[0]) and re.search(r"[-+*/^²³]", lhs.split("=")[0]))
