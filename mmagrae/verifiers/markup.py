r"""Markup and scripts around an answer (round 8, found by an eleventh held-out set): responses rendered as HTML
(``<p>The angle is <b>45&deg;</b>.</p>``), responses that are a JSON-escaped string (``"…\nFinal answer: 5"``),
a tutor's "Did you get (B)? Great", and answer phrases in Russian, Korean, Vietnamese, Arabic, Hindi,
Indonesian and Turkish with their decimal commas; and (round 9, a twelfth held-out set) Unicode math: letters in
the mathematical alphabets (``𝑓(𝑥)``, read as ``f(x)``), fractions in superscript and subscript digits
(``−³⁄₂𝑥``), thin spaces between digit groups (``1 520.53``) and the signs ``∴``/``∵``. :func:`plain_markup` rewrites them into the plain forms the
extraction reads; HTML entities are decoded by the standard library (``html.unescape``), tags are only removed or
turned into line breaks and powers, and a JSON string is only decoded as data (``json.loads``), never run.

>>> plain_markup("<p>Total = 194&pi; &asymp; <b>609.47 cm<sup>3</sup></b></p>")
'Total = 194π ≈ 609.47 cm^3'
>>> plain_markup("Вычисляем…\nОтвет: V ≈ 874,93 см³")
'Вычисляем…\nAnswer: V ≈ 874.93 см³'
>>> plain_markup("<Thought process>: 2r = 16 <Answer>: <B>")  # We-Math's format, not HTML
'<Thought process>: 2r = 16 <Answer>: <B>'
>>> plain_markup("So what is 4 × √2? Did you get (A) 4√2? Great — that's the right choice!")
"So what is 4 × √2? Answer: (A) 4√2. Great — that's the right choice!"
>>> plain_markup("∴ 𝑓(𝑥) = −³⁄₂𝑥 + 3, area ≈ 1\u2009520.53 cm²")
'Therefore, f(x) = −\\frac{3}{2}x + 3, area ≈ 1520.53 cm²'
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata

from mmagrae.verifiers.layouts import in_pair
from mmagrae.verifiers.math_text import OTHER_SCRIPTS

__all__ = ["plain_markup"]

# the HTML a chat UI renders: block tags become line breaks, <sup>/<sub> powers and indices, the rest is dropped
_HTML_TAG_RE = re.compile(  # one-letter tags in lower case only: We-Math's "<Answer>: <B>" is an option letter
    r"</?(?:(?i:p|div|br|li|ul|ol|strong|em|span|sup|sub|h[1-6]|table|tr|td|th|tbody|thead|code|pre|font|small|"
    r"big|center|blockquote|hr|mark|del|ins|details|summary)|b|i|u|s)(?:\s[^<>]{0,200})?/?>"
)
_HTML_BREAK_RE = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|hr|details)(?:\s[^<>]{0,200})?/?>", re.I)
_HTML_SUP_RE = re.compile(r"<sup>\s*((?:(?!</?sup)[^\n]){1,60}?)\s*</sup>", re.IGNORECASE)
_HTML_SUB_RE = re.compile(r"<sub>\s*((?:(?!</?sub)[^\n]){1,40}?)\s*</sub>", re.IGNORECASE)
# a folded answer: "<details><summary>Answer</summary>\n\n**B. Cylinder**\n</details>" as "Answer: **B. Cylinder**"
_DETAILS_SUMMARY_RE = re.compile(r"(?i)<summary>\s*((?:the\s+)?(?:final\s+)?(?:answer|result|solution))\s*:?\s*</summary>\s*")
_HTML_STRUCK_RE = re.compile(r"<(del|s|strike|DEL|STRIKE)>[^<>]{0,200}</\1>")  # struck-through: not said
_INLINE_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,100}>")
_FOOTNOTE_RE = re.compile(r"[*†‡§]+|\[?\d{1,2}\]|\(\d{1,2}\)")
_LATEX_AFTER_ESCAPE_RE = re.compile(r"(?<!\\)\\[ntbfr][a-z]")  # "\\neq", "\\times", "\\boxed", "\\frac", "\\right"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ENTITY_RE = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")

# answer phrases of other scripts and languages, as the English one the extraction reads
_PHRASES = (
    r"Ответ|ответ|Правильный ответ|Đáp án(?: đúng)?|Đáp số|Trả lời|정답|답|الإجابة(?: الصحيحة)?|الجواب|उत्तर|सही उत्तर|"
    r"Jawaban(?: yang benar)?|Cevap|Doğru cevap|Yanıt"
)
_PHRASE_RE = re.compile(rf"(?:^|(?<=[\s*>#(]))(?:{_PHRASES})(?:\s*(?:은|는|:|：|=|là|adalah)\s*)", re.MULTILINE)
_SCRIPT_RE = re.compile(f"[{OTHER_SCRIPTS}đĐăâêôơưğış]")  # one of them (and Vietnamese, Turkish), cheaply
_KOREAN_NOT_BUT_RE = re.compile(r"(?<![A-Za-z])[A-H]\s*(?:가|이)\s*아니(?:라|고)\s*([A-H])")  # "D가 아니라 B": B
_KOREAN_IS_RE = re.compile(  # "정답은 D입니다", "12개입니다": the letter or number without its ending
    r"(?<![A-Za-z])([A-H]|\d+(?:\.\d+)?)\s*(?:개|명)?\s*(?:입니다|이다|예요|이에요)"
)
_ARABIC_LETTERS = {"أ": "A", "ا": "A", "ب": "B", "ج": "C", "د": "D", "هـ": "E", "ه": "E"}
_ARABIC_LETTER_RE = re.compile(r"(Answer:\s*)(هـ|[أابجده])(?=\s*(?:$|[.\n،,)؛]))(?!\s*[،,]?\s*و\s)")  # not "ب و د"
# a script whose numbers may use a decimal comma: Cyrillic, Vietnamese, Turkish, Indonesian
# a script whose numbers use a decimal comma, by several of its letters: Cyrillic, Vietnamese, Turkish
_COMMA_SCRIPT_RE = re.compile(r"[\u0400-\u04FF]|[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]|[ğış]")
_APPROX_COMMA_RE = re.compile(r"(≈\s*[-−]?\d{1,6}),(\d{1,2}|\d{4,})(?![\d,])")  # not "≈ 1,250" (thousands)
_KOREAN_COPULA_RE = re.compile(r"(?<=[\dA-Za-z√π)}°²³%])\s*(?:입니다|이다|예요|이에요)")
# Indonesian, a Latin script with decimal commas ("panjang CX ≈ 15,81"): its commonest words
_INDONESIAN_RE = re.compile(r"\b(?:yang|adalah|dengan|sehingga|maka|jadi|Jadi|dari|untuk|karena|jawabannya|Jawaban)\b")
_DECIMAL_COMMA_RE = re.compile(r"(?<![\d,])(\d{1,6}),(\d{1,2}|\d{4})(?![\d,])")  # not "1,250": thousands
# a tutor's question answered by its praise: "Did you get (90°, 5)? Great — …"
_DID_YOU_RE = re.compile(
    r"(?i)\bdid you (?:get|pick|choose|find|obtain|end up with|say)\s+(?!(?:that|it|this|the same|so|right)\W)"
    r"([^?\n]{1,80}?)\?\s*"
    r"(?=(?:great|good|correct|yes|right|well done|nice|excellent|perfect|awesome|that's (?:it|right|correct))\b)"
)


# misspelt answer words, as sloppy typing writes them (only before a colon, "=", "is" or "iz"; and "teh", "iz"),
# found first by substrings that "answer" itself does not hold
_TYPO_RE = re.compile(
    r"(?i)\b(?:(answr|anwser|anwer|asnwer|anser|answre|awnser)(?=\s*(?:[:：=]|is\b|iz\b))|(teh)(?= )|(?<= )(iz)(?= )|"
    r"(?<=answer)('s)(?= (?:[A-H]\b|[-−(\d$\\])))"  # "Answer's A!": "Answer is A!" (not "the answer's unit")
)
_TYPO_FIXED = {"teh": "the", "iz": "is", "'s": " is"}


# exam shorthand for the answer: a label "Ans:", "Ans.", "Ans =", "ANS -" before the value, and a tag "(Ans.)" or
# "[Ans]" closing the line that states it (not MATLAB's lower-case "ans =")
_ANS_LABEL_RE = re.compile(
    r"(?<![A-Za-z])(?:Ans|ANS)\b\.?[ \t]*(?:[:=：]|-(?![\d-])|(?=[-−(\[\d$\\√]|[A-H]\b))[ \t]*(?P<rest>[^\n]*)$"
)
_ANS_TAG_RE = re.compile(r"^[ \t]*(?:∴|(?:Therefore|Hence|So|Thus),?)?[ \t]*(\S[^\n]*?)[ \t]*[(\[](?:Ans|ANS)\.?[)\]][ \t.]*$")
# what an "Ans" label may be followed by: a value or an option letter, not a sentence ("Ans: Let the breadth be x",
# "Ans: A right triangle …", "Ans: B is the midpoint …", "Ans: A = 12 cm²" where A is the area)
_ANS_VALUE_RE = re.compile(r"[-−(\[\d$\\√]|\(?[A-H]\)?(?![ \t]*(?:[a-z]|=|is\b|are\b|was\b|has\b))")


def _ans_tag(m: re.Match) -> str:
    return "Answer: " + m.group(1)


def _ans_label(m: re.Match) -> str:
    rest = m.group("rest")
    return "Answer: " + rest if _ANS_VALUE_RE.match(rest) and len(rest) <= 60 else m.group(0)


def _untypo(m: re.Match) -> str:
    word = m.group(0)
    fixed = _TYPO_FIXED.get(word.lower(), "answer")
    return fixed.upper() if word.isupper() else fixed.capitalize() if word[0].isupper() else fixed


@functools.lru_cache(maxsize=256)  # eval's rules read a response, then the verifier reads it again
def plain_markup(text: str) -> str:
    """``text`` with the markup and phrases above made plain; unchanged when it has none (the common case: a
    few substring tests)."""
    if text[:1] == '"' and text.rstrip()[-1:] == '"' and "\\n" in text and not _LATEX_AFTER_ESCAPE_RE.search(text):
        try:  # a JSON-escaped string, whole ("…\\nFinal answer: 5"); not LaTeX such as "\\neq", "\\times"
            decoded = json.loads(text.strip())
        except ValueError:
            decoded = None
        if isinstance(decoded, str) and not _CONTROL_RE.search(decoded):
            text = decoded
    if "<" in text and _HTML_TAG_RE.search(text):
        text = _HTML_STRUCK_RE.sub("", text)
        if "<summary>" in text:
            text = _DETAILS_SUMMARY_RE.sub(r"\1: ", text)
        text = _HTML_SUP_RE.sub(_power, text)
        text = _HTML_SUB_RE.sub(lambda m: "_{" + _INLINE_TAG_RE.sub("", m.group(1)) + "}", text)
        text = _HTML_BREAK_RE.sub("\n", text)
        text = _HTML_TAG_RE.sub("", text)
        text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text).strip()
    if "&" in text and _ENTITY_RE.search(text):
        text = html.unescape(text).replace("\u00a0", " ")
    if "id you" in text:
        text = _DID_YOU_RE.sub(_did_you, text)
    if "Ans" in (foot := text[-120:]) or "ANS" in foot:  # exam shorthand on the last line: "Ans: (B) 4√2", "∴ y = 4√3 (Ans.)"
        cut = text.rfind("\n", 0, len(text.rstrip())) + 1
        last = text[cut:]
        text = text[:cut] + (_ANS_TAG_RE.sub(_ans_tag, last) if _ANS_TAG_RE.search(last) else _ANS_LABEL_RE.sub(_ans_label, last))
    low = text[-120:].lower()  # the closing line (a chain of substring tests: a generator costs five times more)
    if ("nswr" in low or "nwse" in low or "nwer" in low or "snwe" in low or "nser" in low or "swre" in low
            or "wnse" in low or "teh " in low or " iz " in low or "answer's " in low) and _TYPO_RE.search(low):
        text = _TYPO_RE.sub(_untypo, text)  # "ANSWR: D!!", "Teh answer iz 12", "final anser = 12"
    if "\\" in (foot := text[-400:]) and _DECORATION_RE.search(foot):  # where answers are
        text = _latex_decorations(text)
    if not (foot := text[-600:]).isascii() and _UNICODE_MATH_RE.search(foot):  # near the answer: then all of it
        text = _unicode_math(text)
    tail = max(0, len(text) - 150)  # the closing sentences, where the answer is
    if _spaced_group(text, tail) and _SPACED_THOUSANDS_RE.search(text, tail):  # "≈ 1 520.53 cm²"
        text = text[:tail] + _SPACED_THOUSANDS_RE.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), text[tail:])
    if ("$" in (end := text[tail:]) or "£" in end or "€" in end) and _SPACED_MONEY_RE.search(text, tail):  # "$2 500"
        text = text[:tail] + _SPACED_MONEY_RE.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), text[tail:])
    if "≈" in text and "," in text:  # "≈ 15,81": after "≈" one value, so its comma is a decimal comma (any language)
        text = _APPROX_COMMA_RE.sub(r"\1.\2", text)
    if not text.isascii() and _SCRIPT_RE.search(text) or "Jawaban" in text or "Cevap" in text or "Jadi" in text \
            or " adalah " in text:
        text = _other_scripts(text)  # (Indonesian and Turkish phrases need no letter of their own)
    return text


# letters and digits of the mathematical alphabets (𝑥, 𝐀, 𝟏, 𝜋), "³⁄₂", "1 520", "∴", "∵"
_MATH_ALPHABET_RE = re.compile("[\U0001D400-\U0001D7FF]")
_SMALL_FRACTION_RE = re.compile("([⁰¹²³⁴⁵⁶⁷⁸⁹]+)[⁄/]([₀₁₂₃₄₅₆₇₈₉]+)")
_THIN_THOUSANDS_RE = re.compile("(?<=\\d)[\u2009\u202f\u00a0](?=\\d{3}(?!\\d))")  # not "5 cm": digits both sides
_UNICODE_MATH_RE = re.compile(  # one character class (a fast scan), with the emoji of chat-app styles
    "[\U0001D400-\U0001D7FF∴∵\u2009\u202f\u00a0⁄₀-₉\U0001F300-\U0001FAFF\ufe0f➡✨✏⚖Ａ-Ｚａ-ｚ（）]"
)
# full-width Latin letters and brackets as CJK input methods type them ("Answer: Ｂ", "（C）138"); full-width
# digits and operators are read later (extraction); full-width punctuation (："，。) and the ideographic space (a
# list's separator: "x=3\u3000y=4") stay: CJK phrases are read with them
_FULL_WIDTH_LATIN = {**{c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)}, **{c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)},
                     0xFF08: "(", 0xFF09: ")"}
_POINTING_RE = re.compile("(?m)^([ \t>*_-]*)(?:👉|➡\ufe0f?|👇)[ \t]*(?=\\S)([^\n]*)")  # "👉 B: √3": an arrow to it
_POINTING_KEEP_RE = re.compile(r"(?i)\b(?:if|but|would|could|mistake|wrong|not|error|instead|common)\b|n't\b")
# decorative emoji, dropped: a target, a flex, sparkles, a party, a bulb, a ruler, … and "✔️"'s variation selector;
# not those that say something of a value ("🚫", "❌", "🤷", "🤔", "👎"), which stay and keep it from being read
_EMOJI_RE = re.compile("(?:[🎯💪✨🎉🥳💡📐📏🧮📝📌🔍🔎⚖🙂😊😀😄👍🔥💯🙌⭐🌟🏁🚀📊📈🔢🧠👀✏]|\ufe0f|\u200d)[ \t]?")
# digit groups set apart by plain spaces, as SI writes them, where a value with decimals is stated: "≈ 1 520.53"
# (not "are 3 125" or "= 4 500": plain spaces without decimals may part two numbers)
_SPACED_THOUSANDS_RE = re.compile(
    r"((?:[=≈]|\b(?:is|are|of|about|approximately))[ \t]*)(\d{1,3}(?: \d{3})+\.\d+)(?![\d,]|\.\d| \d)"
)
_SPACED_MONEY_RE = re.compile(r"([$£€][ \t]?)(\d{1,3}(?: \d{3})+)(?![\d,]|\.\d| \d)")  # money: "$50 000", "£2 500"
_SMALL_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")
_THEREFORE_RE = re.compile(r"∴\s*")
_BECAUSE_RE = re.compile(r"∵\s*")


# LaTeX that decorates an answer: emphasis and frames around it, an end-of-proof mark after it, "\text{Answer: }"
_DECORATION_RE = re.compile(r"\\(?:underline|textbf|mathbf|colorbox|(?:black)?square|Box|qed|text\s*\{)")
_BRACED = r"\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}"  # a braced group, two levels of nesting inside
_FRAME_RE = re.compile(r"\\(?:underline|textbf|mathbf|boldsymbol|emph|textit)\s*" + _BRACED)
_COLORBOX_RE = re.compile(r"\\colorbox\s*\{[^{}]*\}\s*" + _BRACED)
_END_MARK_RE = re.compile(r"(?:\\q?quad|\\hfill|\\,|~)*\s*\\(?:blacksquare|square|Box|qed|qedsymbol)\b")
_TEXT_PHRASE_RE = re.compile(r"(?i)\\text(?:bf|rm|it)?\s*\{\s*((?:the\s+)?(?:final\s+)?answer\s*(?:is)?\s*:?)\s*\}")


def _latex_decorations(text: str) -> str:
    r"""LaTeX decorations as plain math: ``\underline{\textbf{32 cm}^3}`` as ``32 cm^3``, ``\colorbox{yellow}{$12$}``
    as ``$12$``, an end-of-proof mark (``\qquad\blacksquare``) dropped, ``\text{Answer: }`` as ``Answer: ``."""
    for _ in range(3):  # frames inside frames: "\underline{\textbf{…}}"
        before = text
        text = _COLORBOX_RE.sub(r"\1", _FRAME_RE.sub(r"\1", text))
        if text == before:
            break
    return _TEXT_PHRASE_RE.sub(r"\1 ", _END_MARK_RE.sub("", text))


def _reason_dropped(line: str) -> str:
    """A line "∴ result ∵ reason" without its reason (a "∵" before the "∴" opens the line's reasoning: kept)."""
    therefore = line.find("∴")
    because = line.find("∵", therefore + 1) if therefore != -1 else -1
    return line[:because].rstrip(" \t,;") if because != -1 else line


def _pointing(m: re.Match) -> str:
    """A pointing emoji opening a line as an arrow to what follows ("👉 θ = 45°"), unless the line supposes,
    warns or corrects ("👉 But if the base were 8, …", "👉 Common mistake: …"): then it is only dropped."""
    return m.group(1) + ("" if _POINTING_KEEP_RE.search(m.group(2)) else "→ ") + m.group(2)


def _spaced_group(text: str, start: int) -> bool:
    """A cheap test before ``_SPACED_THOUSANDS_RE``: a digit, a space and three digits before a decimal point
    ("1 520.53") from ``start`` on (``str.find`` over the points; a pattern scan costs ten times more)."""
    i = text.find(".", start + 5)
    while i != -1:
        if text[i - 4] == " " and text[i - 3 : i].isdigit() and text[i - 5].isdigit():
            return True
        i = text.find(".", i + 1)
    return False


def _unicode_math(text: str) -> str:
    r"""Unicode math as plain text: mathematical-alphabet letters as their letters (NFKC: "𝑥" -> "x"), full-width
    Latin letters and brackets as ASCII ("（Ｂ）" -> "(B)"), a fraction
    in small digits as ``\frac`` ("³⁄₂" -> ``\frac{3}{2}``), thin and no-break spaces between digit groups
    dropped ("1 520.53" -> "1520.53"), "∴"/"∵" as "Therefore,"/"Because", a pointing emoji opening a line as
    an arrow ("👉 B: √3" -> "→ B: √3") and other pictographs dropped."""
    if "👉" in text or "➡" in text or "👇" in text:
        text = _POINTING_RE.sub(_pointing, text)
    text = _EMOJI_RE.sub("", text)  # decorations say nothing of the answer ("🎯 Answer: 12", "63.3 g 💪")
    text = _MATH_ALPHABET_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    text = text.translate(_FULL_WIDTH_LATIN)
    text = _SMALL_FRACTION_RE.sub(
        lambda m: "\\frac{" + m.group(1).translate(_SMALL_DIGITS) + "}{" + m.group(2).translate(_SMALL_DIGITS) + "}",
        text,
    )
    text = _THIN_THOUSANDS_RE.sub("", text)
    if "∴" in text and "∵" in text:  # "∴ x = 5 ∵ 2x = 10": the reason given after the result is no answer
        text = "\n".join(_reason_dropped(line) for line in text.split("\n"))
    return _BECAUSE_RE.sub("Because ", _THEREFORE_RE.sub("Therefore, ", text))


def _other_scripts(text: str) -> str:
    """Answer phrases of other languages as "Answer:", their option letters as Latin ones, decimal commas."""
    comma_script = "," in text and (  # before "Ответ" is replaced
        len(_COMMA_SCRIPT_RE.findall(text[-2000:])) >= 4 or len(_INDONESIAN_RE.findall(text[-2000:])) >= 4)
    if _PHRASE_RE.search(text):
        text = _PHRASE_RE.sub(_phrase, text)
        text = _KOREAN_IS_RE.sub(r"\1", _KOREAN_NOT_BUT_RE.sub(r"\1", text))
        text = _ARABIC_LETTER_RE.sub(lambda m: m.group(1) + _ARABIC_LETTERS[m.group(2)], text)
    if "입니" in text or "이다" in text or "예요" in text:  # "따라서 t = 4 + 4√3입니다.": the value without its ending
        text = _KOREAN_COPULA_RE.sub("", text)
    if comma_script:
        text = _DECIMAL_COMMA_RE.sub(_decimal_point, text)
    return text


def _phrase(m: re.Match) -> str:
    """The phrase as "Answer: ", unless its line negates ("Đáp án: 5 không", "Ответ: нет"): then left as it is."""
    line = m.string[m.end(): m.string.find("\n", m.end()) if "\n" in m.string[m.end():] else len(m.string)]
    return m.group(0) if _NEGATION_RE.search(line) else "Answer: "


_NEGATION_RE = re.compile(r"(?i)(?<!\w)(?:không|нет|не|아님|아니|아닙니다|नहीं|değil|bukan|tidak|ليس|لا)(?!\w)")


def _power(m: re.Match) -> str:
    """``<sup>n+1</sup>`` as ``^{n+1}`` (tags inside dropped); a footnote mark (``*``, ``[1]``) as nothing."""
    inner = _INLINE_TAG_RE.sub("", m.group(1)).strip()
    if _FOOTNOTE_RE.fullmatch(inner):
        return ""
    return "^" + inner if len(inner) == 1 else "^{" + inner + "}"


def _did_you(m: re.Match) -> str:
    """A tutor's "Did you get X? Great" states X, unless what follows takes it back ("Great, but …") or goes on
    to another value ("Did you get 2x + 3 = 11? Good. Then … x = 4")."""
    rest = m.string[m.end(): m.end() + 200]
    said = set(re.findall(r"\d+(?:\.\d+)?", m.group(1)))
    if _TAKEN_BACK_RE.search(rest) or any(n not in said for n in _LATER_VALUE_RE.findall(rest)):
        return m.group(0)
    return "Answer: " + m.group(1) + ". "


_LATER_VALUE_RE = re.compile(r"(?:=|\bis\b|\bare\b)\s*[-−]?(\d+(?:\.\d+)?)")


_TAKEN_BACK_RE = re.compile(
    r"(?i)^[^\n]{0,20}\?|\b(?:but|however|though|then you|wrong|mistake|forgot|actually|instead|only|not|correct would|"
    r"would be|try again|almost|close)\b"
)


def _decimal_point(m: re.Match) -> str:
    """A decimal comma becomes a point, except inside a pair or set ("(5,4)", "{2,5}")."""
    return m.group(0) if in_pair(m.string, m.start(), m.end(), "([{", ")]}") else m.group(1) + "." + m.group(2)
