r"""Multiple choice: map a predicted letter or option text to options, compare with the gold option.

Letters are A, B, C, … in the order of ``choices`` (any case; ``B``, ``(B)``, ``B.``, ``B)``, ``\text{(C)}``,
``\boxed{B}``, "Option B"). An answer may also be the option text itself, or a number equal to a numeric
option (``145`` for ``145°``, ``11.0 cm`` for ``11cm``). "(B) 145°" is accepted when the text agrees with B or
names no other option; when it names another option the answer is contradictory and wrong.

The gold may be a letter or an option text. Options with the same text are the same answer (duplicate texts).
Refusals ("none of the above", "cannot be determined", "N/A") are wrong unless they are literally an option:
an answer is never mapped to the *nearest* option.

>>> choices_match("(b)", "C", ["135°", "140°", "145°"])[0]
False
>>> choices_match("145", "145°", ["135°", "140°", "145°"])[0]
True
>>> choices_match("I cannot determine this", "A", ["Yes", "No"])
(False, 'choice: refusal')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from mmagrae.verifiers.math_text import OTHER_SCRIPT_UNIT_RE, last_sentence_start
from mmagrae.verifiers.numeric import normalize_math_text, parse_number
from mmagrae.verifiers.verdict import GoldAnswerError

__all__ = ["resolve_choice", "resolve_gold_choice", "choices_match", "is_refusal", "normalize_option",
           "stated_letter", "stated_letter_at"]

_LETTER_RE = re.compile(
    r"^(?:(?:option|choice|answer)\s*:?\s*)?[\(\[]?([A-Za-z])[\)\]]?\s*[.:)]?$", re.IGNORECASE
)
_LETTER_TEXT_RE = re.compile(  # "(B) 145°", "B. 145°", "B: 145°", "B(0.4 m)" and "B (0.4 m)" (a capital letter only)
    r"^(?:(?:option|choice)\s*:?\s*)?(?:\(([A-Za-z])\)\s*(.+)|([A-Z])[.:)]\s*(.+)|(?-i:([A-H]))[ \t]?\(([^()]+)\)\.?)$",
    re.IGNORECASE | re.DOTALL,
)
_PAREN_LETTER_RE = re.compile(r"\(([A-Za-z])\)")
_REFUSAL_RE = re.compile(
    r"none of (?:the|these)|cannot be determined|can ?not|can't|unable|not possible|impossible|"
    r"no answer|not enough information|insufficient|i don'?t know|not provided|^n/?a$|^none$|not sure",
    re.IGNORECASE,
)


# "So the correct option is D.", "The correct option letter is D", "the answer is **B**", "Answer: (B)",
# "The correct option is C:√{3}" (the letter, not the value after it). With ``strict`` (the verifiers) the
# noun must be followed by a verb or a colon, so "Option A is wrong" states nothing; eval's rules mode also
# reads a bare "option A" (its measured default). Hedging ("A or B", "(A) and (B)", "A, B") states nothing, nor
# does "A lot of". The noun is found first and the rest matched from it, on a short window whose blank runs
# are collapsed to one space: the work is linear in the text, whatever its blank runs.
_STATED_LETTER = (
    r" ?(?:\*\*)?[:：]? ?(?:\*\*|\$)? ?(?:\\(?:boxed|text|mathrm|textbf)\{)?[(\[<{]? ?([A-H])(?>(?: ?[)\]>}])?)"
    r"(?! ?(?:,|/|&|(?i:or|and)\b)(?: ?(?i:maybe|perhaps|possibly))? ?(?:\*\*)?[(\[]?[A-H](?>[)\]]?(?:\*\*)?)"
    r"(?= ?(?:$|[.;!?)]|(?i:or)\b|,)))"  # (not "B or maybe C", "C, possibly D")
    r"(?! (?:lot|few|little|bit|couple|number|total|pair|single)\b)"
    r"(?:(?<=[)\]])(?=[\d√π]|[-−]\d)|(?=[ .,;:：!)\]}*$。，；）（]|\\\)|$))"  # "选项是(D)10" as "（D）10"
)
# "答案是 C。", "故选B", "，选B"; Japanese "答えは B です", "正解は C"
_STATED_NOUN_CJK_RE = re.compile(r"(?i:option|choice|answer)|答案|选|答え|正解")
_CJK_HEDGE = (  # "答案是A，B", "A，也可能是B", "A。也可能是B", "A, 但也可能是 C", "选A或选B": no statement
    r"(?![，,、] ?[（(]?[A-H](?![A-Za-z])"
    r"|[，,、。.]? ?(?:但是?|不过)? ?(?:也可能是?|也可以是?|或者?是?|或选?|还可能是?|也许是?|可能是?|或许是?|和|与|及|还是选?) ?[（(]?[A-H]"
    r"| +[（(]?[A-H](?![A-Za-z])| ?吗| ?[（(][^）)\n]{0,12}(?:也可能|可能|不确定|或|还是))"  # "答案是A 吗？", "C（也可能是D）"
)  # "答案是A，B", "A，也可能是B": no statement
_CJK_NOUNS = 64  # Chinese nouns examined from the end (bounded work on "选\n" repeated)
# "或选B", "若正确选项为B", "假设正确的选项是B": a hedge or a supposition, not a choice
_CJK_NOT_CHOSEN = re.compile(
    r"(?:不|不能|不应|不该|排除|如果|若|别|假如|假设|或|或者|还是|可以)\s*(?:正确的?|的)?\s*$"
    r"|(?:若|如果|假如|假设)[^。！？\n]{0,24}则\s*$"  # "（注：若题目问∠ADE，则选A）": a supposition
)
_STATED_CJK_RE = {  # "答案" needs a verb or a colon ("答案 A 不正确" states nothing); "选" the letter itself
    "答案": re.compile(r" ?(?:是|为|應為|应为|应该是|[:：]) ?[（(]?" + _STATED_LETTER + _CJK_HEDGE),
    # "选B", "选择 C", "正确选项为B"; not "选项：A 错误"
    "选": re.compile(r"(?:择|项 ?(?:是|为|应为|应该是))? ?[（(]?" + _STATED_LETTER + _CJK_HEDGE),
    "答え": re.compile(  # not "答えは B ではなく C", "B じゃなくて", "B だと思いましたが", "A か B"
        r" ?(?:は|[:：]) ?[（(]?" + _STATED_LETTER
        + r"(?! ?(?:か|または|或いは|と|、 ?[（(]?[A-H]|では|じゃ|でな|だと|と思|かも))"
    ),
}
_STATED_CJK_RE["正解"] = _STATED_CJK_RE["答え"]
_STATED_LOOSE_RE = re.compile(r"(?i: letter)?(?i: (?:is|would be|should be|will be))?" + _STATED_LETTER)
_STATED_STRICT_RE = re.compile(  # a verb, a colon, or a bold label ("**Final Answer** B")
    r"(?i: letter)?(?:(?i: (?:is|would be|should be|will be))|(?= ?(?:\*\*)? ?[:：])|(?=\*\* ?[(\[]?[A-H]\b))"
    + _STATED_LETTER
)
_BLANKS_RE = re.compile(r"\s+")
_OTHER_BLANKS_RE = re.compile(r"[^\S ]|  ")
_STATED_SCAN_CHARS = 8000  # the last characters searched for a stated letter
_STATED_WINDOW = 80  # characters read after the noun (a statement's lead and letter fit in well under that)


def stated_letter_at(text: str, n_choices: int | None = None, *, strict: bool = True) -> tuple[int, str] | None:
    """``(where its noun starts, letter)`` of the last "the correct option is X" statement whose letter is among
    the choices, or None."""
    start = max(0, len(text) - _STATED_SCAN_CHARS)  # a statement is read near the end (bounded work)
    found = _noun_statement(text, start, n_choices, strict)
    if "is correct" in text or "is the " in text and (  # "…, so B is the answer.", "Option C is correct"
            "is the answer" in text or "is the correct" in text or "is the right" in text or "is the best" in text
            or "is the final" in text or "is the option" in text or "is the choice" in text
            or "is the statement" in text):
        for m in reversed(list(_LETTER_IS_ANSWER_RE.finditer(text, found[0] if found else start))):
            letter = m.group(1)
            before = text[max(0, m.start() - 48): m.start()]
            if _LISTED_OR_DENIED_RE.search(before) or _LETTER_AFTER_RE.search(text, m.end()):
                continue  # "none of the options A, B, C, D is correct"; "B is the answer… wait, no. … D"
            if n_choices is None or ord(letter) - ord("A") < n_choices:
                return m.start(), letter
    if found is None and "only " in text[-400:] and (only := _ONLY_TRUE_RE.search(text, max(0, len(text) - 400))) \
            and not _ONLY_DENIED_RE.search(text, max(0, only.start() - 24), only.start()) \
            and (n_choices is None or ord(only.group(1)) - 65 < n_choices):
        return only.start(), only.group(1)  # "A is false, B is false, C is false — only D is true: …"
    if found is None:  # "I'm fairly sure it's B.", "… it's the third choice."
        return _committed_letter(text, n_choices) or _ordinal_letter(text, n_choices)
    return found


# the one statement left true after the others are ruled out
_ONLY_TRUE_RE = re.compile(r"(?i:\bonly\s+(?:(?:option|choice|statement)\s+)?)\(?([A-H])\)?\s+(?i:is|remains)\s+"
                           r"(?i:true|correct|right(?![-\s]?angl)|valid)\b(?!\s*,?\s*(?i:if|unless|only\s+if|in\s+the)\b)(?!\s*\?)")
_ONLY_DENIED_RE = re.compile(r"(?i)\b(?:not|if|that|say|can'?t|cannot|false|whether)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$")


# a letter the last sentence commits to, with a qualifier: "I'm fairly sure it's B.", "My best guess is B — it's the
# only one that doubles.", "I'd say C", "I'll go with D" — the letter closing its clause (not "it's B or C", "it's
# not B", "I'd say B is wrong", "I'll go with D = 12 for the diameter", "It's B that lies on the line")
_COMMITTED_RE = re.compile(
    r"(?i:\b(?:i'd say|i would say|i'll go with|i will go with|i'm going with|going with|(?:my|best) guess is|"
    r"i'm (?:fairly |pretty |quite |very )?(?:sure|confident) (?:that )?(?:it's|it is|the answer is)|"
    r"it's probably|it is probably|probably|(?<!the )(?:most|very)\s+likely(?:\s+(?:represents|is|be|shows))?))"
    r" (?:option )?\(?([A-H])\)?(?=[ \t]*(?:[.!]*[ \t]*$|[—–]|[.!]\s))"
)
_COMMITTED_DOUBT_RE = re.compile(
    r"(?i)\b(?:not|or|if|whether|unless|either|except|wrong|incorrect|false|fails?|eliminat\w*|too|maybe|perhaps|least)\b|"
    r"n't\b|\?"
)


def _last_sentence(text: str) -> tuple[int, str]:
    tail = text[-200:].rstrip()
    start = last_sentence_start(tail)
    return len(text) - len(tail) + start, _BLANKS_RE.sub(" ", tail[start:])


def _committed_letter(text: str, n_choices: int | None) -> tuple[int, str] | None:
    tail = text[-200:]
    if ("'" not in tail and "with" not in tail and "sure" not in tail and "guess" not in tail and "robabl" not in tail
            and "likely" not in tail):
        return None
    at, sentence = _last_sentence(text)
    m = _COMMITTED_RE.search(sentence)
    if m is None or _COMMITTED_DOUBT_RE.search(sentence) or _LETTER_AFTER_RE.search(sentence, m.end()):
        return None
    at += m.start(1)  # where the letter is: an answer phrase after it still wins
    letter = m.group(1)
    return (at, letter) if n_choices is None or ord(letter) - ord("A") < n_choices else None


# an option named by its place: "it's the third choice", "That's option two", "which is option #2", "option (ii)"
_ORDINAL_RE = re.compile(  # after a verb that states it ("is", "it's", "choose", "go with", "→"), not "Option 1 is 3 cm";
    # an option or choice, not "the second one" (a root, a step, a triangle) or "option 40°"
    r"(?i)(?:\bis|'s|\bchoose|\bpick|\bselect|\bgo\s+with|\banswer:?|→|=>|->)\s+(?:\*\*)?(?:"
    r"(?:the\s+)?(first|second|third|fourth|fifth|sixth|last)\s+(?:option|choice)\b|"
    r"(?:option|choice)\s*(?:#\s*|number\s+|no\.\s*)?(\d(?![\d°%]|[.,]\d)|one|two|three|four|five|six|"
    r"\((?:i|ii|iii|iv|v|vi)\)|(?:ii|iii|iv|vi)\b))"
)
_PLACES = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "one": 1, "two": 2, "three": 3,
           "four": 4, "five": 5, "six": 6, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
_ORDINAL_DOUBT_RE = re.compile(
    r"(?i)\b(?:not|or|if|whether|unless|either|except|wrong|incorrect|false|eliminat\w*|rule[sd]?|ruled|fails?)\b|"
    r"n't\b|\?"
)


def _ordinal_letter(text: str, n_choices: int | None) -> tuple[int, str] | None:
    """The letter of the one option the last sentence names by its place ("that's the second option"), when
    the sentence neither negates nor hedges; with ``n_choices`` unknown, "last" names none."""
    tail = text[-200:].lower()
    if "option" not in tail and "choice" not in tail:
        return None
    at, sentence = _last_sentence(text)
    named = {(m.group(1) or m.group(2)).lower().strip("()") for m in _ORDINAL_RE.finditer(sentence)}
    if len(named) != 1 or _ORDINAL_DOUBT_RE.search(sentence):
        return None
    word = named.pop()
    place = (n_choices or 0) if word == "last" else int(word) if word.isdigit() else _PLACES.get(word, 0)
    if place < 1 or (n_choices is not None and place > n_choices):
        return None
    return at, chr(ord("A") + place - 1)


# "B is the answer", "(C) is the correct option", "Option D is correct", "B is the statement that …" (not "… is correct only if", "… is correct?")
_LETTER_IS_ANSWER_RE = re.compile(  # not "angle B is right", "B is correct only if …", "B is correct?"
    r"(?<![\w(])(?:(?i:option|choice)\s+)?\(?([A-H])\)?\s+is\s+(?:the\s+(?:(?:correct|right|best|final)\s+)?"
    r"(?:answer|option|choice|statement(?![^.\n]*\b(?:false|incorrect|wrong|not|contradicts?|fails?|verify|check|"
    r"untrue)\b|[^.\n]*n't\b))|correct)\b(?![^\n.]{0,12}\b(?:only|if|when|unless)\b)(?!\s*\?)(?![.…]{2})"
)
# ... read only when nothing after it names another letter or takes it back ("B is the answer... wait, no. … D")
_LETTER_AFTER_RE = re.compile(r"(?<![A-Za-z])\(?[A-H]\)?(?![A-Za-z])|(?i:\b(?:wait|but|however|actually|hmm|no,|mistake)\b)")


_LISTED_OR_DENIED_RE = re.compile(  # "none of A, B, C, D is correct", "One might think B is the answer", "C. B is correct"
    r"(?i)(?:[,&/]|\band|\bor|\bnor)\s*$|(?:^|\s)[A-H][.)]\s*$|[\"“'‘]\s*$|"
    r"\b(?:none|neither|nor|not|no|if|whether|think|thinks|thought|claims?|claimed|might|mistake|assume|assuming|"
    r"suppose|supposing|guess|initially|at first|seems?|seemed|would|could)\b[^.\n]*$|"
    r"\b(?:set|point|angle|side|line|vertex|segment|triangle|part|case|figure|graph|region|step|statement|row|column)\s*$"
)


def _noun_statement(text: str, start: int, n_choices: int | None, strict: bool) -> tuple[int, str] | None:
    """The last "the correct option is X" statement from ``start`` on (see :func:`stated_letter_at`)."""
    rest = _STATED_STRICT_RE if strict else _STATED_LOOSE_RE
    examined = 0
    for noun_start, noun_end, noun in _nouns_from_the_end(text, start):  # the last statement wins
        window = text[noun_end: noun_end + _STATED_WINDOW]
        if _OTHER_BLANKS_RE.search(window):  # a newline, a tab or a blank run: collapse them to one space
            window = _BLANKS_RE.sub(" ", text[noun_end: noun_end + 4 * _STATED_WINDOW])[:_STATED_WINDOW]
        if not noun.isascii():
            if _CJK_NOT_CHOSEN.search(text, max(0, noun_start - 30), noun_start):
                continue  # "不选A", "排除选A", "如果选A", "若答案是A": not chosen
            if noun == "答案" and text.startswith(("不是", "不为", "不应", "并非"), noun_end):
                return None  # "…答案不是A": the last statement takes the answer back
            examined += 1
            if examined > _CJK_NOUNS:
                break
        m = (rest if noun.isascii() else _STATED_CJK_RE[noun]).match(window)
        if m is not None and (n_choices is None or ord(m.group(1)) - ord("A") < n_choices):
            return noun_start, m.group(1)
    return None


def _nouns_from_the_end(text: str, start: int) -> list[tuple[int, int, str]]:
    """``(start, end, noun)`` of each "option", "choice" or "answer" (any case; with Chinese or Japanese text
    also 答案, 选, 答え, 正解) from ``start`` on, the last first. Without CJK the three words are found by
    ``str.find`` on the lower-cased text, which costs a fifth of a case-insensitive pattern scan."""
    lowered = text.lower()
    if "答" in text or "选" in text or "正解" in text or len(lowered) != len(text):
        return [(m.start(), m.end(), m.group(0)) for m in reversed(list(_STATED_NOUN_CJK_RE.finditer(text, start)))]
    found = []
    for word in ("option", "choice", "answer"):
        i = lowered.find(word, start)
        while i != -1:
            found.append((i, i + len(word), text[i: i + len(word)]))
            i = lowered.find(word, i + len(word))
    found.sort(reverse=True)
    return found


def stated_letter(text: str, n_choices: int | None = None, *, strict: bool = True) -> str | None:
    """The option letter of the last "option/choice/answer is X" statement, if it is among the choices.

    >>> stated_letter("So the correct option is D.", 4), stated_letter("The correct option is C:√{3}", 4)
    ('D', 'C')
    >>> stated_letter("Option A is wrong, so we check B.", 4), stated_letter("Option A is wrong.", 4, strict=False)
    (None, 'A')
    >>> stated_letter("The answer is A or B.", 4), stated_letter("Answer: (A) and (B)", 4), stated_letter("The answer is A lot.", 4)
    (None, None, None)
    >>> stated_letter("The answer is B, C is wrong.", 4), stated_letter("**Final Answer**\\n\\nB", 4)
    ('B', 'B')
    >>> stated_letter("所以纸帽底面周长为 4π cm。答案是 C。", 4), stated_letter("故选B", 4), stated_letter("答案：(D)", 4)
    ('C', 'B', 'D')
    >>> stated_letter("所以AB和BC一样长，选B", 4), stated_letter("选择题：A或B", 4), stated_letter("选项：A 错误，B 正确", 4)
    ('B', None, None)
    >>> stated_letter("答案是A，B", 4), stated_letter("答案是A，也可能是B", 4), stated_letter("分析：答案 A 不正确", 4)
    (None, None, None)
    >>> stated_letter("It has one solution, so B is the answer.", 4), stated_letter("(C) is correct only if x > 0.", 4)
    ('B', None)
    >>> stated_letter("故选D。（选项A，B，C均不符合题意）", 4), stated_letter("因此，正确选项为B。", 4)
    ('D', 'B')
    >>> stated_letter("よって、答えは B です。", 4), stated_letter("正解は C。", 4), stated_letter("答えは A か B", 4)
    ('B', 'C', None)
    """
    found = stated_letter_at(text, n_choices, strict=strict)
    return found[1] if found else None


def normalize_option(text: str) -> str:
    r"""Case-, space- and markup-insensitive form of an option text (a list's "8,6,2" is "8, 6, 2").

    >>> normalize_option(" \\text{Quarter  To}. "), normalize_option("8,6, 2")
    ('quarter to', '8, 6, 2')
    """
    s = normalize_math_text(str(text)).strip().rstrip(".").strip()
    s = s.replace("**", "")
    return re.sub(r"\s*,\s*", ", ", " ".join(s.lower().split()))


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL_RE.search(text))


def _letter_index(letter: str, n_choices: int) -> int | None:
    index = ord(letter.upper()) - ord("A")
    return index if 0 <= index < n_choices else None


def _text_matches(text: str, options: Sequence[str], equal: Callable[[str, str], bool] | None) -> set[int]:
    norm = normalize_option(text)
    exact = {i for i, o in enumerate(options) if normalize_option(o) == norm}
    if exact:
        return exact
    num = parse_number(text)
    if num is not None:
        hits = set()
        for i, o in enumerate(options):
            on = parse_number(str(o))
            if on is not None and on.value == num.value and on.percent == num.percent:
                hits.add(i)
        if hits:
            return hits
    if equal is not None and len(text) <= 100:  # formulas are short; sentences are not compared by value
        return {i for i, o in enumerate(options) if equal(text, str(o))}
    return set()


def _plain_option(option: str) -> str:
    """An option without a closing period and without a unit in another script (cheaply: most are ASCII)."""
    option = _FINAL_PERIOD_RE.sub("", option) if option.rstrip().endswith(".") else option
    if not option.isascii():
        option = OTHER_SCRIPT_UNIT_RE.sub("", option) or option
    return option


_FINAL_PERIOD_RE = re.compile(r"(?<=[^\d\s.])\.\s*$")


def resolve_choice(
    answer: str, choices: Sequence[str], *, equal: Callable[[str, str], bool] | None = None
) -> tuple[set[int], str]:
    """Indices of the options an answer designates (empty when none), and why.

    ``equal`` is an optional extra comparison of an answer text with an option text (e.g. symbolic).

    >>> resolve_choice("\\\\text{(C)}", ["a", "b", "c"])
    ({2}, 'letter C')
    """
    # We-Math's "D. 6.28 cm.": the option is "6.28 cm"; "12 سم", "12 см": a unit in another script is a unit
    options = [_plain_option(str(c)) for c in choices]
    text = normalize_math_text(answer).strip().replace("**", "").strip()
    if not text:
        return set(), "empty answer"
    exact = {i for i, o in enumerate(options) if normalize_option(o) == normalize_option(text)}
    if exact:
        return exact, "option text"
    m = _LETTER_RE.match(text)
    if m:
        index = _letter_index(m.group(1), len(options))
        if index is None:
            return set(), f"letter {m.group(1).upper()} out of range"
        return {index}, f"letter {m.group(1).upper()}"
    m = _LETTER_TEXT_RE.match(text)
    if m:
        letter = m.group(1) or m.group(3) or m.group(5)
        index = _letter_index(letter, len(options))
        if index is not None:
            rest = m.group(2) or m.group(4) or m.group(6)
            other_letters = {x.upper() for x in _PAREN_LETTER_RE.findall(rest)} - {letter.upper()}
            if other_letters or (_LETTER_RE.match(rest.strip()) and rest.strip().upper() != letter.upper()):
                return set(), "several letters"
            named = _text_matches(rest, options, None)
            if named and index not in named:
                return set(), f"contradiction: letter {letter.upper()} with text of another option"
            return {index}, f"letter {letter.upper()}"
    if is_refusal(text):
        return set(), "refusal"
    hits = _text_matches(text, options, equal)
    if hits:
        return hits, "option value"
    # "∠2 = (C) 15°", "therefore choice (B)": exactly one parenthesised letter in range
    letters = {
        m.upper() for m in _PAREN_LETTER_RE.findall(text) if _letter_index(m, len(options)) is not None
    }
    if len(letters) == 1:
        letter = letters.pop()
        return {_letter_index(letter, len(options))}, f"letter {letter}"  # type: ignore[arg-type]
    # "no, there are not more ...": an option text before the first comma
    head = text.split(",", 1)[0]
    if head != text:
        hits = {i for i, o in enumerate(options) if normalize_option(o) == normalize_option(head)}
        if hits:
            return hits, "option text before a comma"
    return set(), "matches no option"


def resolve_gold_choice(gold: str, choices: Sequence[str]) -> set[int]:
    """Indices of the gold option (given as text or letter); raises GoldAnswerError when it is neither.

    >>> sorted(resolve_gold_choice("Yes", ["Yes", "No", "yes"]))
    [0, 2]
    """
    options = [str(c) for c in choices]
    if not options:
        raise GoldAnswerError("multiple-choice gold without choices")
    norm = normalize_option(str(gold))
    exact = {i for i, o in enumerate(options) if normalize_option(o) == norm}
    if exact:
        return exact
    m = _LETTER_RE.match(str(gold).strip())
    if m:
        index = _letter_index(m.group(1), len(options))
        if index is not None:
            return {
                i for i, o in enumerate(options) if normalize_option(o) == normalize_option(options[index])
            }
    hits = _text_matches(str(gold), options, None)
    if hits:
        return hits
    raise GoldAnswerError(
        f"gold {str(gold)[:80]!r} is neither an option text nor a letter of {len(options)} options"
    )


def choices_match(
    answer: str, gold: str, choices: Sequence[str], *, equal: Callable[[str, str], bool] | None = None
) -> tuple[bool, str]:
    """Whether ``answer`` designates the gold option; options with identical texts count as one answer.

    >>> choices_match("B", "Yes", ["Yes", "No", "Yes"])
    (False, 'choice: letter B -> No; gold Yes')
    """
    gold_indices = resolve_gold_choice(gold, choices)
    pred_indices, why = resolve_choice(answer, choices, equal=equal)
    if not pred_indices:
        return False, f"choice: {why}"
    texts = {normalize_option(str(choices[i])) for i in pred_indices}
    gold_texts = {normalize_option(str(choices[i])) for i in gold_indices}
    shown = str(choices[min(pred_indices)])
    gold_shown = str(choices[min(gold_indices)])
    if len(texts) > 1:
        return False, f"choice: {why} is ambiguous"
    if texts <= gold_texts:
        return True, f"choice: {why} -> {shown}"
    return False, f"choice: {why} -> {shown}; gold {gold_shown}"
