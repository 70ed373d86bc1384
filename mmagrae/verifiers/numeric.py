r"""Numbers: parse what models write, compare with the rules of the answer type. Never touches sympy.

Accepted forms: integers and decimals with signs (``+``, ``-``, Unicode minus), thousands separators
(``1,000``, ``1{,}000``, ``1\,000``, thin spaces), scientific notation (``1.5e-3``, ``1.5 \times 10^{-3}``,
``10^{6}``), percent (``25%``, ``25\%``, ``25 percent``), currency (``$``, ``€``, ``£``, ``¥``, ``USD``,
"dollars"), units (``cm``, ``m^2``, ``\text{ cm}``, ``\mathrm{~kg}``), degrees (``30°``, ``30^\circ``,
``30^{\circ}``, ``30 degrees``), number words (``seven``, ``twenty-one``) and ``±``.

Comparison (``numbers_match``):

- integer gold (no decimal point): exact value (``7.0`` matches ``7``, ``7.9`` does not);
- ``precision=p``: both sides rounded half-up to ``p`` decimals (``1.25`` → ``1.3``);
- decimal gold without precision: exact value, or the prediction rounded half-up to the gold's decimals when the
  prediction is more precise (gold ``3.14``, prediction ``3.14159``);
- percent on either side also matches the value divided by 100 (``25%`` ↔ ``0.25``);
- ``±`` matches only ``±`` with the same magnitude.

>>> parse_number("1{,}234.5 \\text{ cm}").value
Decimal('1234.5')
>>> numbers_match(parse_number("7.9"), parse_number("7"))[0]
False
>>> numbers_match(parse_number("1.25"), parse_number("1.3"), precision=1)[0]
True
>>> parse_number("3.2 \\times 10^{-2}").value
Decimal('0.032')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mmagrae.verifiers.math_text import _UNIT_WORDS

__all__ = ["Number", "parse_number", "numbers_match", "round_half_up", "normalize_math_text", "times_match"]

_MAX_EXPONENT = 400  # |exponent| above this is not a number we compare (and would be costly to quantize)
_MAX_NUMBER_CHARS = 200


@dataclass(frozen=True)
class Number:
    """A parsed number: exact decimal value, and how it was written."""

    value: Decimal
    decimals: int  # digits after the decimal point as written (0 for integers)
    is_integer_literal: bool
    percent: bool = False
    plus_minus: bool = False


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round half away from zero to ``decimals`` places (Python's round() is half-to-even).

    >>> round_half_up(Decimal("2.25"), 1), round_half_up(Decimal("-2.25"), 1)
    (Decimal('2.3'), Decimal('-2.3'))
    """
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


_TEXT_CMD_RE = re.compile(
    r"\\(?:text|textbf|textrm|mathrm|mathbf|mbox|operatorname|textit|mathit)\s*\{([^{}]*)\}"
)
_SEPARATOR_COMMA_RE = re.compile(r",\\!\s*")
_SPACING_RE = re.compile(r"\\[,;:! ]|\\q?quad|~")
_DEGREE_RE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ|\\degree|°|º|\^\{\\text\{o\}\}")


def normalize_math_text(text: str) -> str:
    r"""LaTeX/Unicode clean-up shared by the numeric and text paths (no structure is changed).

    >>> normalize_math_text("\\$1{,}000\\,\\text{dollars}")
    '$1,000 dollars'
    """
    s = text.strip()
    for _ in range(4):  # nested \text{\textbf{..}}
        new = _TEXT_CMD_RE.sub(r" \1 ", s)
        if new == s:
            break
        s = new
    s = _SEPARATOR_COMMA_RE.sub(",", s)  # "11,\! 111" (MATH's thousands separator)
    s = (
        s.replace("{,}", ",")
        .replace("\\%", "%")
        .replace("\\$", "$")
        .replace("\\left", "")
        .replace("\\right", "")
    )
    s = _DEGREE_RE.sub("°", s)
    s = _SPACING_RE.sub(" ", s)
    s = (
        s.replace("−", "-")
        .replace("–", "-")
        .replace("\u2009", " ")
        .replace("\u202f", " ")
        .replace("\u00a0", " ")
    )
    s = s.replace("\\pm", "±").replace("+/-", "±").replace("\\times", "×").replace("\\cdot", "·")
    s = s.replace("$", "") if s.count("$") >= 2 else s  # two or more: math delimiters; one: currency
    return " ".join(s.split())


# the unit words of math text (math_text._UNIT_WORDS, one list for both) plus what only follows a number here:
# one-letter and symbol units, counted things, currencies
_UNITS = _UNIT_WORDS + (
    "|m|μm|µm|g|lb|s|min|h|in|mi|km/h|m/s|N|J|W|V|A|L|l|cc|K|°C|°F|C|F|°|sq|square|cubic|cups?|gallons?|"
    "people|persons?|students?|times|points?|usd|USD|euros?|yuan|rupees?|%|percent|yrs?|"
    "apples?|books?|items?|objects?|cars?|boxes|coins?|"
    "°\\s*T|"  # a true bearing: "230° T"
    "平方厘米|平方分米|平方米|度|元|个"  # Chinese units besides math_text's lengths (We-Math's and MathVerse's options)
)
_POWER = r"(?:\s*\^\s*\{?[23]\}?|[²³]|(?<=m)[23]|(?<=ft)[23]|(?<=in)[23])"  # "cm^2", "cm²", "cm2", "dm3"
_UNIT_TAIL_RE = re.compile(
    r"\s*(?:(?:" + _UNITS + r")" + _POWER + r"?)(?:\s*(?:/|per)\s*(?:" + _UNITS + r")" + _POWER + r"?)?\s*$"
)
_CURRENCY_PREFIX_RE = re.compile(r"^(?:US\s*\$|\$|€|£|¥|₹|USD\s*|EUR\s*|Rs\.?\s*)")
_CURRENCY_SUFFIX_RE = re.compile(r"(?<=\d)\s*[$€£¥₹]$")
_DECIMAL_COMMA_RE = re.compile(r"^(?:0,\d+|\d+,\d\d|\d{4,},\d{1,2})$")  # not "1,2" (a list) nor "1,234"
_SCI_RE = re.compile(
    r"^(?P<m>[-+]?(?:\d+(?:\.\d*)?|\.\d+))?\s*(?:(?:×|·|\*|x)\s*)?10\s*\^\s*\{?\s*(?P<e>[-+]?\d{1,4})\s*\}?$"
)
_E_RE = re.compile(r"^(?P<m>[-+]?(?:\d+(?:\.\d*)?|\.\d+))[eE](?P<e>[-+]?\d{1,4})$")
_PLAIN_RE = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$")
_THOUSANDS_RE = re.compile(r"^[-+]?\d{1,3}(?:(?:,\d{3})+|(?: \d{3})+|(?:'\d{3})+)(?:\.\d+)?$")

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "none": 0, "no": 0,
}  # fmt: skip
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}


def _words_to_int(text: str) -> int | None:
    """A number written in English words, or None when the words are not one number.

    Each group is ``[tens] [one to nine]`` or one of zero to nineteen, then "hundred" and more of the same, then
    a larger scale ("thousand", "million", ...), the scales of successive groups falling; "and" only after a
    scale ("one hundred and two"). "one and two", "five six" or "one thousand two thousand" are not one number.

    >>> _words_to_int("two hundred and thirty-one"), _words_to_int("one and two"), _words_to_int("twenty one")
    (231, None, 21)
    >>> _words_to_int("two million three hundred thousand"), _words_to_int("one hundred two hundred")
    (2300000, None)
    """
    words = text.lower().replace("-", " ").split()
    if not words or len(words) > 8:
        return None
    total = current = 0
    last = ""  # the kind of the previous word: "", "ones", "tens", "scale", "and"
    hundred = False  # this group already has its "hundred"
    big = None  # the last scale of a thousand or more (the next one must be smaller)
    for w in words:
        if w in _ONES and (w not in ("none", "no", "zero") or len(words) == 1):
            if last not in ("", "scale", "and") and not (last == "tens" and _ONES[w] < 10):
                return None
            current += _ONES[w]
            last = "ones"
        elif w in _TENS:
            if last not in ("", "scale", "and"):
                return None
            current += _TENS[w]
            last = "tens"
        elif w == "hundred":
            if hundred or last not in ("", "ones", "tens"):  # "two thousand hundred" is not a number
                return None
            current = max(current, 1) * 100
            hundred, last = True, "scale"
        elif w in _SCALES:
            scale = _SCALES[w]
            if last == "and" or (big is not None and scale >= big):
                return None
            total += max(current, 1) * scale
            current, hundred, big, last = 0, False, scale, "scale"
        elif w == "and" and last == "scale":
            last = "and"
        else:
            return None
    return total + current if last in ("ones", "tens", "scale") else None


_WORD = "|".join(sorted([w for w in _ONES if w not in ("no", "none")] + list(_TENS), key=len, reverse=True))
_NUMBER_WORD_RE = re.compile(  # one number word, or a run of them with their scales ("three hundred sixty")
    rf"\b(?:{_WORD})(?:(?:[- ]|\s+and\s+)(?:{_WORD}|hundred|thousand|million|billion)\b)*",
    re.IGNORECASE,
)


_ONE_WORD_RE = re.compile(rf"\b(?:{_WORD})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?\b", re.IGNORECASE)


def number_words_in(text: str) -> list[int]:
    """Values of the number words in a sentence ("There are five." -> [5]); digits are not included. A run of
    words that is one number is one value ("three hundred sixty" -> 360), else each word is ("one and two").

    >>> number_words_in("There are twenty-one cubes and one sphere")
    [21, 1]
    >>> number_words_in("three hundred sixty square units"), number_words_in("one and two")
    ([360], [1, 2])
    """
    out = []
    for m in _NUMBER_WORD_RE.finditer(text):
        whole = _words_to_int(m.group(0))
        if whole is not None:
            out.append(whole)
        else:
            out.extend(v for w in _ONE_WORD_RE.finditer(m.group(0)) if (v := _words_to_int(w.group(0))) is not None)
    return out


_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9"}
_INT_WORDS = rf"(?:{_WORD})(?:(?:[- ]|\s+and\s+)(?:{_WORD}|hundred|thousand|million|billion)\b)*"
_SPOKEN = (  # "negative", "the square root of", the integer, "point" and its digits, "pi" (or "pi" alone)
    rf"(?P<{{p}}num>(?:(?P<{{p}}neg>negative|minus)\s+)?(?:(?P<{{p}}root>(?:the\s+)?square\s+root\s+of)\s+)?"
    rf"(?:(?P<{{p}}int>{_INT_WORDS})(?:\s+point(?P<{{p}}dec>(?:\s+(?:{'|'.join(_DIGIT_WORDS)})\b)+))?"
    r"(?P<{p}pi>\s+pi\b)?|(?<!\\)(?P<{p}pialone>pi)\b))"  # not LaTeX's "\pi"
)
_SPOKEN_RE = re.compile(  # one spoken value, perhaps a quotient ("three pi over two")
    r"\b" + _SPOKEN.format(p="a") + r"(?:\s+(?:over|divided\s+by)\s+" + _SPOKEN.format(p="b") + r")?",
    re.IGNORECASE,
)


def spoken_values(text: str) -> list[str]:
    """The values a sentence says in words, as math: decimals said with "point" and their digits, a factor of pi,
    "negative", "the square root of", and a quotient with "over" or "divided by" (a voice assistant's or a
    tutor's read-aloud answer). Integers alone are :func:`number_words_in`'s.

    >>> spoken_values("So the area is about one hundred twenty-two point five two square centimetres.")
    ['122.52']
    >>> spoken_values("It is three hundred forty-seven point four two four eight pi, or three pi over two.")
    ['347.4248π', '3π/2']
    >>> spoken_values("pi over two"), spoken_values("negative zero point five")
    (['π/2'], ['-0.5'])
    >>> spoken_values("the height is the square root of three divided by two"), spoken_values("negative zero point five")
    (['√3/2'], ['-0.5'])
    """
    out = []
    for m in _SPOKEN_RE.finditer(text):
        first = _spoken(m, "a")
        if first is None:
            continue
        second = _spoken(m, "b") if m.group("bnum") else ""
        if second is None:
            continue
        if second or m.group("adec") or m.group("api") or m.group("apialone") or m.group("aroot") or m.group("aneg"):
            out.append(first + ("/" + second if second else ""))
    return out


def _spoken(m: re.Match, p: str) -> str | None:
    if m.group(p + "pialone"):
        return ("-" if m.group(p + "neg") else "") + ("√π" if m.group(p + "root") else "π")
    whole = _words_to_int(m.group(p + "int"))
    if whole is None:
        return None
    digits = "".join(_DIGIT_WORDS[w.lower()] for w in (m.group(p + "dec") or "").split())
    value = f"{whole}.{digits}" if digits else str(whole)
    if m.group(p + "root"):
        value = "√" + value
    if m.group(p + "pi"):
        value = ("" if value == "1" else value) + "π"
    return ("-" if m.group(p + "neg") else "") + value


def _decimals_of(digits: str) -> int:
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def parse_number(text: str) -> Number | None:
    """Parse one number with its decorations; None when ``text`` is not exactly one number.

    >>> parse_number("-30°").value, parse_number("twenty-one").value, parse_number("25%").percent
    (Decimal('-30'), Decimal('21'), True)
    >>> parse_number("2x") is None
    True
    """
    if not isinstance(text, str) or len(text) > _MAX_NUMBER_CHARS:
        return None
    s = normalize_math_text(text)
    if not s:
        return None
    plus_minus = False
    if s.startswith("±"):
        plus_minus = True
        s = s[1:].strip()
    percent = False
    for _ in range(3):  # "$ 1,200 USD", "30 cm^2", "45 %"
        before = s
        s = _CURRENCY_SUFFIX_RE.sub("", _CURRENCY_PREFIX_RE.sub("", s)).strip()
        m = _UNIT_TAIL_RE.search(s)
        if m and m.start() > 0:
            tail = m.group(0).strip().lower()
            if tail in ("%", "percent"):
                percent = True
            s = s[: m.start()].strip()
        if s == before:
            break
    if not s:
        return None
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:].strip()
        if s.startswith("$"):
            s = s[1:].strip()
    if _THOUSANDS_RE.match(s) and not s.startswith("0,"):
        s = s.replace(",", "").replace(" ", "").replace("'", "")
    elif _DECIMAL_COMMA_RE.match(s):  # "2,74", "0,111", "1000,99": a comma that cannot separate thousands
        s = s.replace(",", ".")
    try:
        if _PLAIN_RE.match(s):
            value = Decimal(sign + s)
            return Number(value, _decimals_of(s), "." not in s, percent, plus_minus)
        m = _E_RE.match(s) or _SCI_RE.match(s)
        if m:
            exponent = int(m.group("e"))
            if abs(exponent) > _MAX_EXPONENT:
                return None
            mantissa = m.group("m") or "1"
            value = Decimal(sign + mantissa).scaleb(exponent)
            decimals = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
            return Number(value, decimals, decimals == 0, percent, plus_minus)
    except (InvalidOperation, ValueError):
        return None
    as_int = _words_to_int(s)
    if as_int is not None:
        return Number(Decimal(int(sign + "1") * as_int), 0, True, percent, plus_minus)
    return None


def _candidates(n: Number) -> list[Decimal]:
    return [n.value, n.value / 100] if n.percent else [n.value]


def numbers_match(
    pred: Number, gold: Number, *, precision: int | None = None, answer_type: str | None = None
) -> tuple[bool, str]:
    """Compare two parsed numbers under the rules in the module docstring; returns (equal, reason).

    >>> numbers_match(parse_number("25%"), parse_number("0.25"))
    (True, 'numeric: 25% == 0.25')
    """
    p_text = f"{'±' if pred.plus_minus else ''}{pred.value}{'%' if pred.percent else ''}"
    g_text = f"{'±' if gold.plus_minus else ''}{gold.value}{'%' if gold.percent else ''}"
    if pred.plus_minus != gold.plus_minus:
        return False, f"numeric: {p_text} != {g_text} (±)"
    if answer_type in ("integer", "int"):
        precision = None
    for g in _candidates(gold):
        for p in _candidates(pred):
            if pred.plus_minus:
                g, p = abs(g), abs(p)
            if precision is not None and precision >= 0:
                if round_half_up(p, precision) == round_half_up(g, precision):
                    return True, f"numeric: {p_text} == {g_text} at precision {precision}"
                continue
            if p == g:
                return True, f"numeric: {p_text} == {g_text}"
            if not gold.is_integer_literal and answer_type not in ("integer", "int"):
                d = gold.decimals
                if pred.decimals > d and round_half_up(p, d) == g:
                    return True, f"numeric: {p_text} rounds to {g_text}"
    return False, f"numeric: {p_text} != {g_text}"


_TIME_RE = re.compile(
    r"(?i)^(\d{1,2})(?::([0-5]\d)(?::([0-5]\d))?)?\s*(?:([ap])\.?\s*m\.?|(o['’]?\s*clock))?$"
)


def _time_of_day(text: str) -> tuple[int, bool, bool] | None:
    """(seconds after midnight, whether the half of the day is known, whether it is marked as a time)."""
    m = _TIME_RE.match(normalize_math_text(text).strip(" ."))
    if m is None:
        return None
    hour, minute, second, half, oclock = m.groups()
    if minute is None and half is None and oclock is None:
        return None  # a bare number is not a time
    h = int(hour)
    if half or oclock:
        if not 1 <= h <= 12 or (oclock and minute):
            return None
        if half:
            h = h % 12 + (12 if half.lower() == "p" else 0)
    elif h > 23:
        return None
    seconds = h * 3600 + int(minute or 0) * 60 + int(second or 0)
    return seconds, bool(half) or h == 0 or h > 12, bool(half or oclock or second)


def times_match(pred: str, gold: str) -> bool | None:
    """Times of day compared by value (``20:34`` is ``20:34:00`` and ``08:34 P.M.``; ``3 o'clock`` is ``3:00``);
    None unless both are times and one is marked as a time (seconds, a.m./p.m., o'clock), since ``1:20`` alone
    may be a ratio. A time whose half of the day is not known matches either half.

    >>> times_match("20:34:00", "20:34"), times_match("08:34 P.M.", "20:34"), times_match("8:34 am", "20:34")
    (True, True, False)
    >>> times_match("13:20", "1:20") is None, times_match("3 o'clock", "3:00")
    (True, True)
    """
    a, b = _time_of_day(pred), _time_of_day(gold)
    if a is None or b is None or not (a[2] or b[2]):
        return None
    if a[1] and b[1]:
        return a[0] == b[0]
    return a[0] % 43200 == b[0] % 43200
