"""How a response ends, read before its last number (round 5): a closing remark in parentheses that is not
the answer, a compass bearing, a letter alone closing the response, a point that ends the text. Each reader
looks at a bounded tail of the text and is a pure function; ``extraction.extract`` decides where in its order
each one applies (docs/VERIFIERS.md, "How a chain of thought ends")."""

from __future__ import annotations

import re

from mmagrae.verifiers.choice import normalize_option
from mmagrae.verifiers.math_text import _NUMBER_RE, SENTENCE_END_RE
from mmagrae.verifiers.numeric import _NUMBER_WORD_RE, _SPOKEN_RE, number_words_in, spoken_values
from mmagrae.verifiers.restated import restatement

__all__ = [
    "drop_trailing_remark", "drop_trailing_note", "answer_first", "drop_comparison_clause", "bearing",
    "closing_letter", "end_tuple", "set_aside", "spoken_value", "there_are_count", "worded_value",
    "later_labelled_value", "clock_or_ratio",
]  # fmt: skip

# a remark in parentheses that closes a response after its answer: "… = 121π/4 m² (about 95.03 m²).",
# "a = 62°.\n(The distance is √(3.2² + 5.9²) ≈ 6.7 km.)", "(Note: …)", "(i.e. −49/10)"; one level of nesting
_REMARK_RE = re.compile(  # "\( A = 9.4 \)" is math, not a remark opening with the word "A"
    r"(?<!\\)\(\s*(?:i\.\s?e\.|e\.\s?g\.|(?i:about|approx(?:imately|\.)?|roughly|around|nearly|almost|note|for|"
    r"without|with|the|this|that|these|which|where|rounded|in|since|because|as|using|here|assuming|an?|to|from|"
    r"given|see|check|exact|exactly|in|equivalently|if|each|not|or\s+equivalently|expanded|factored|"
    r"factori[sz]ed)\b[.,:]?\s|[=≈]\s*(?=[^\s)]))[^()\n]{0,300}(?:\([^()\n]{0,60}\)[^()\n]{0,300}){0,4}(?<!\\)\)\s*\.?\s*$"
)
# a precision note after the value: "(1 d.p.)", "(to 2 decimal places)", "(3 s.f.)", "(to the nearest metre)",
# "(nearest metre)", "(exact, 3 s.f.)", "(exact, no rounding)"
_PRECISION_TERM = (
    r"(?:correct\s+|rounded\s+)?(?:to\s+)?(?:\d+|one|two|three|four)\s*(?:d\.\s?p\.?|dp|s\.\s?f\.?|sf|"
    r"decimal\s+places?|significant\s+(?:figures?|digits?))|(?:(?:correct\s+|rounded\s+)?to\s+)?(?:the\s+)?"
    r"nearest\s+[\w ]{1,30}?|exact(?:ly)?|exact\s+value|no\s+rounding|unrounded|not\s+rounded"
)
_PRECISION_NOTE_RE = re.compile(
    r"\s*\(\s*(?i:" + _PRECISION_TERM + r")(?:\s*[,;]\s*(?i:" + _PRECISION_TERM + r"))*\s*\)"
)
# ... or a clause after it: "V ≈ 2854.54 cm³ (≈ 2.85454 × 10³ cm³), correct to two decimal places."
_PRECISION_CLAUSE_RE = re.compile(
    r"(?i)(?<=[\d)$}²³%°a-z])[ \t]*,[ \t]*(?:(?:correct|rounded|accurate)\s+)?to\s+(?:the\s+nearest\s+\w+|"
    r"(?:\d+|one|two|three|four)\s+(?:decimal\s+places?|significant\s+(?:figures?|digits?)|d\.\s?p\.?|s\.\s?f\.?))"
    r"[ \t]*[.!]?[ \t]*$"
)
# a supposition closing the last sentence after its value: "…, assuming the base edge in the diagram is 19 cm."
_SUPPOSITION_RE = re.compile(
    r"(?:[,;]|—|–)[ \t]?(?i:assuming|provided(?:\s+that)?|given\s+that|supposing|if\s+(?:the|we|this|that|my|our|each))\b"
    r"[^.;\n]{0,200}\.?\s*$"
)
_SUPPOSITION_STATES_RE = re.compile(r"[=≈]|(?i:\b(?:giving|gives|so|hence|thus|therefore|then|which|it is|it's)\b)")
_RESTATES_RE = re.compile(r"(?i)(?:which\s+(?:can|may)\s+(?:also\s+)?be\s+written|or\s+equivalently|equivalently|i\.\s?e\.)"
                          r"(?![^)]*\b(?:or|not|answer|option)\b)")
_UNEVALUATED_RE = re.compile(r"[×*+÷·]|\d\s*[-−]\s*\d|(?<![A-Za-z])[a-z](?![A-Za-z])|π[a-z]")  # "½ × 6 × 4", "πr²"
_IF_STATES_RE = re.compile(r"(?i)\b(?:it is|it's|it would be|would be|then|becomes|is|gives?)\s+[-−]?\d")
_REMARK_IS_ANSWER_RE = re.compile(r"(?i)(?:\b(?:is|are|was|were|be|equals?|of|to|as|by|than|at|on|in)|[:=≈])\s*$")
_REMARK_KEEP_RE = re.compile(  # a remark that answers, hedges or corrects is kept
    r"(?i)\banswer|\boption|\bchoice|\\boxed|\b(?:or|actually|wait|but|could|might|may|otherwise|other|instead|"
    r"correct|should|fact|precise|precisely|alternatively|possibly|perhaps|maybe|either|rather|mistake|error|"
    r"typo|sorry|oops|really|true|second|final|result|also|too|valid|exact|end|possibilit\w*|roots?|both)\b"
)


def drop_trailing_remark(text: str) -> str:
    """``text`` without a parenthesised remark that follows its answer (the remark is not the answer): only
    when the remark opens with a word, names no answer or option, and a value (a digit or math) precedes it.

    >>> drop_trailing_remark("So the area is 30.25π m² (about 95.03 m²).")
    'So the area is 30.25π m²'
    >>> drop_trailing_remark("The interval is (2, 5)."), drop_trailing_remark("So the answer is (B).")
    ('The interval is (2, 5).', 'So the answer is (B).')
    """
    cut = max(0, len(text) - 120)
    end = text[cut:]
    if ("d.p" in end or "dp" in end or "s.f" in end or "sf" in end or "decimal" in end or "significant" in end
            or "nearest" in end or "exact" in end or "round" in end):  # "≈ 220.0 cm³ (1 d.p.)."
        end = _PRECISION_CLAUSE_RE.sub("", end) if "," in end else end
        text = text[:cut] + (_PRECISION_NOTE_RE.sub("", end) if ")" in end else end)
    end = text[-300:]
    if "ssum" in end or "rovided" in end or "iven that" in end or "uppos" in end or ", if" in end or "; if" in end \
            or "— if" in end or "– if" in end:
        supposed = _SUPPOSITION_RE.search(text, max(0, len(text) - 300))
        if supposed is not None and not (_REMARK_KEEP_RE.search(supposed.group(0))
                                         or _SUPPOSITION_STATES_RE.search(supposed.group(0))):
            head = text[: supposed.start()].rstrip()
            if re.search(r"[\d$\\]", head[-40:]):  # a value just before it: "So the volume is 399 cm³, assuming …"
                return head
    if not text[-64:].rstrip().endswith((")", ").")):
        return text
    if (again := restatement(text)) is not None:  # "h ≈ 58 mm (5.8 cm)": the value; 5.8 cm is read too (verify)
        return text[: again.start()].rstrip()
    m = _REMARK_RE.search(text, max(0, len(text) - 1200))
    if m is None or (_REMARK_KEEP_RE.search(m.group(0)) and not _RESTATES_RE.match(m.group(0)[1:].lstrip())):
        return text  # (a restatement, "(which can also be written as 7√3 cm)", is dropped all the same)
    head = text[: m.start()].rstrip()
    if _REMARK_IS_ANSWER_RE.search(head):  # "the correct answer is (None of the above)": the answer itself
        return text
    opening = m.group(0)[1:].lstrip()[:13].lower()
    value = re.split(r"=|≈|\bis\b|:|\n", head)[-1].replace("**", "")  # "**Area = 25π/4 mm²**": bold, not a product
    if opening.startswith(("=", "≈", "equivalently")) and _UNEVALUATED_RE.search(value):
        return text  # "the area is ½ × 6 × 4 (= 12 cm²)": the remark is the value
    if opening.startswith("if") and _IF_STATES_RE.search(m.group(0)):
        return text  # "3 (if x must be an integer, it is 4)": another value
    stated = re.search(r"[\d$\\]", head[-300:]) or _NUMBER_WORD_RE.search(head[-80:])  # "x equals eleven (…)"
    return head if stated else text


# a closing paragraph that is a note, not the answer: "…, which is option **B**.\n\nNote that option D (156π) would
# come from …" (kept when it answers or corrects)
_NOTE_RE = re.compile(
    r"\n[ \t]*\n[ \t>*_]*(?:\((?=note\b))?(?i:note\b|remark\b|n\.\s?b\.|p\.\s?s\.)[^\n]{0,600}\s*$"
)
_NOTE_WORDS = ("note", "remark", "n.b", "n. b", "p.s", "p. s")
_NOTE_KEEP_RE = re.compile(  # a note that answers, corrects, hedges, converts or re-reads the question is read
    r"(?i)\banswer|\bcorrect|\bfinal|\\boxed|\bactually|\bwait|\bmistake|\berror|\bsecond thought|\bcould|\bmight|"
    r"\bmaybe|\bperhaps|\bask|\bwant|\bquestion"
)
# ... and one that concludes ("so", "therefore", "also", "or", "this is"), unless it only supposes ("the maximum
# would then be …", "if d were measured …") or sets another option aside ("option A lists …, but …")
_NOTE_CONCLUDES_RE = re.compile(r"(?i)\bcheck|\balso\b|\bor\b|\bso\b|\btherefore|\bthus|\bhence|\bthis is|\bwhich is")
_NOTE_SUPPOSES_RE = re.compile(
    r"(?i)\bwould\b|\bwere\b|\bnot needed\b|\bisn'?t needed\b|"
    r"^[^\w]*(?:note|remark)\b\W*(?:that\s+)?(?:options?|choices?)\s+\(?[A-H]\b(?=.*(?:\bbut\b|\bnot\b|n't\b|\bwould\b))"
)
# ... unless it corrects all the same ("the radius is 4, not 3, so the area would be 16π", "using 2 h instead") or
# prefers the option it names ("so C fits the question better")
_NOTE_CORRECTS_RE = re.compile(
    r"(?i)\bnot\b(?!\s+needed)|n't\b(?!\s+needed)|\binstead\b|\bswapped\b|\bbetter\b|\bfits\b|\bchoose\b|\bpick\b"
)
# a closing check of the value just found: "Check: 4.5² + (9√3/2)² = 81 = 9² ✓" (read when it finds an error)
_CHECK_RE = re.compile(
    r"\n[ \t>*_#]*(?i:check|checking|verification|verify|verifying|sanity check|double[- ]check|"
    r"let(?: me|'s| us) (?:verify|check|double[- ]check))(?:\*\*|__)?[ \t]*[:：—-]"
    r"[^\n]{0,600}\s*$"
)
_CHECK_KEEP_RE = re.compile(  # a check that corrects or doubts is read
    r"(?i)\banswer|\bfinal|\\boxed|\bactually|\bwait|\bhmm|\boh\b|\boops|\bbut\b|\bhowever|\bmistake|\berror|\bwrong|"
    r"\bincorrect|\bshould|\binstead|\bnot (?:correct|right|match|equal)|\bnot\s+[-−]?\d|\brecomput|"
    r"\b(?:does|is|do|are)(?:n't| not)\b|\bfails?\b|[✗✘❌≠]"
)
# ... and one that concludes anew ("so the length is √181 cm", "giving 13", "which matches option C"), unless it
# only confirms ("so the ratio is consistent. Verification passed.", "✓")
_CHECK_CONCLUDES_RE = re.compile(r"(?i)\bgiving\b|\bso (?:the|it|its|we|this|that|[a-z]\b)|\boption|\bchoice")
_CHECK_CONFIRMS_RE = re.compile(r"(?i)[✓✔✅]|\bconsistent\b|\bconfirm|\bverified\b|\bpassed\b|\bchecks out\b")
# a check that opens by setting the unknown ("Verification: x = 6 gives 2(6) + 5 = 17 ✓") may be the only place
# the value is stated: read as before
_CHECK_SETS_RE = re.compile(r"[^:：—-]*[:：—-]\s*([A-Za-z]\w?\s*=\s*[-−]?\d+(?:\.\d+)?)\s*(?:gives|in|into|:|,|→|⇒|=>)")


def _concludes_another_value(check: str, head: str) -> bool:
    """A check that confirms and then concludes a value not stated before it ("✓, so the perimeter is 20")."""
    after = check[check.lower().rfind("so ") :] if "so " in check.lower() else ""
    stated = set(re.findall(r"[-−]?\d+(?:\.\d+)?", head[-300:].replace("−", "-")))
    return any(n not in stated for n in re.findall(r"[-−]?\d+(?:\.\d+)?", after.replace("−", "-")))


def drop_trailing_note(text: str) -> str:
    r"""``text`` without a closing "Note …" paragraph, or a closing "Check: …" line, that follows a stated value
    (it explains or verifies, it does not answer).

    >>> drop_trailing_note("So the area is **65π**, option **B**.\n\nNote that option D (156π) uses the height.")
    'So the area is **65π**, option **B**.'
    >>> drop_trailing_note("So x = 4.\n\nNote: the final answer is 5.")
    'So x = 4.\n\nNote: the final answer is 5.'
    >>> drop_trailing_note("Summary: a = 9√3/2.\nCheck: 4.5² + (9√3/2)² = 81 = 9² ✓")
    'Summary: a = 9√3/2.'
    """
    tail = text[-700:].rstrip()
    last = max(tail.rfind("\n\n"), tail.rfind("\n \n"), tail.rfind("\n\t\n"))
    if last >= 0 and tail[last:last + 16].lstrip(" \t\n>*_(").lower().startswith(_NOTE_WORDS):
        m = _NOTE_RE.search(text, max(0, len(text) - 700))
        if m is None:
            return text
        note = m.group(0).strip()
        if _NOTE_KEEP_RE.search(note) or (_NOTE_CONCLUDES_RE.search(note) and (
                not _NOTE_SUPPOSES_RE.search(note) or _NOTE_CORRECTS_RE.search(note))):
            return text
    elif "heck" in tail or "erif" in tail:  # "Check:", "Verification:" (cheaply first)
        m = _CHECK_RE.search(text, max(0, len(text) - 700))
        check = m.group(0) if m is not None else ""
        if m is None or _CHECK_KEEP_RE.search(check) or (_CHECK_CONCLUDES_RE.search(check) and (
                not _CHECK_CONFIRMS_RE.search(check) or _concludes_another_value(check, text[: m.start()]))):
            return text
        if setting := _CHECK_SETS_RE.match(m.group(0).strip()):  # the value it checks is the answer: keep that
            return text[: m.start()].rstrip() + "\n" + setting.group(1).strip()
    else:
        return text  # the common case: the response ends with neither
    head = text[: m.start()].rstrip()
    return head if re.search(r"[\d$\\]|\*\*", head[-300:]) else text


# "The centre is (-3, -3).\n\nExplanation: …", "The answer is 12. This is because …": the answer is stated
# first and explained after
# a cue that opens a sentence or a paragraph, capitalised (not "… because …"), and what may precede it
_CUE_RE = re.compile(
    r"Here'?s why|Here is why|Here’s why|"
    r"To (?:find|get|see|show|check|verify|obtain|compute|calculate|work out|solve|determine) (?:this|that|it|why)\b|"
    r"Explanation\b|EXPLANATION\b|Reasoning:|Justification:|Reason:|Why:|This is because\b|That'?s because\b|"
    r"Let me explain\b"
)
_BEFORE_CUE_RE = re.compile(r"(?<=[.!。)*$])[ \t]+[ \t>*#_]*$|\n[ \t>*#_]*$")
_OPENING_MAX_CHARS = 300
_CUE_WORDS = ("Here", "To ", "Explanation", "EXPLANATION", "Reason", "Justification", "Why:", "because", "Let me")
_LIST_ITEM_RE = re.compile(r"(?m)^[ \t]*(?:[-*•]|\d+[.)])[ \t]")


def answer_first(text: str) -> tuple[str, str] | None:
    r"""``(opening, rest)`` when ``text`` opens with a short statement of its answer followed by the explanation
    ("The centre of the circle is (-3, -3).\n\nExplanation: …"), else None.

    >>> answer_first("The answer is 12. This is because 3 × 4 = 12, not 13.")
    ('The answer is 12.', 'This is because 3 × 4 = 12, not 13.')
    >>> answer_first("**B**\n\nExplanation: the other options are 3 and 5.")
    ('**B**', 'Explanation: the other options are 3 and 5.')
    >>> answer_first("Is it 5? Here's why it is not: …"), answer_first("AB = 5. Because AC = 13, BC = 12.")
    (None, None)
    """
    window = text[: _OPENING_MAX_CHARS + 400].lstrip()[: _OPENING_MAX_CHARS + 40]  # no copy of a long text
    if not any(cue in window for cue in _CUE_WORDS):  # the common case, cheaply
        return None
    head = text.lstrip()
    cut = None
    for cue in _CUE_RE.finditer(head, 1, _OPENING_MAX_CHARS + 40):
        before = _BEFORE_CUE_RE.search(head, max(0, cue.start() - 12), cue.start())
        if before is not None:
            cut = before.start()
            break
    if cut is None:
        return None
    opening = head[:cut].strip()
    if (
        not opening or len(opening) > _OPENING_MAX_CHARS or "?" in opening or opening.count("\n") > 1
        or opening.endswith(":") or _CUE_RE.match(opening.lstrip(" \t>*#_")) or _LIST_ITEM_RE.search(opening)
        or not re.search(r"[\d$\\π√°]|\*\*", opening)
    ):
        return None  # a question, a heading, a list, or nothing stated: not an answer given first
    return opening, head[cut:].strip()


# "…, the hypotenuse is 22 which is twice as long as 11.": a comparison after the value, not the value; the
# clause states nothing else (no box, tag, math, answer, option, conjunction or second verb)
_CLAUSE_CHAR = r"(?:[^.\n=\\<>$():]|(?<=\d)\.(?=\d))"  # (a decimal point is no sentence end: "the 0.1 dm³ of ①")
_COMPARISON_CLAUSE_RE = re.compile(
    r"(?<=[\d)}π°²³])\s*(?:,?\s+(?i:which|that)\s+(?i:is|are|was|were)\s+|,\s*(?i:exactly|about|roughly|just|only)?\s*"
    r"(?=(?i:half|twice|double|triple|\w+\s+times)\b)|,?\s+(?i:compared\s+(?:with|to))\s+|\s+[—–]\s+"
    r"(?=(?i:a\s+bit\s+|much\s+|slightly\s+|far\s+)?(?i:longer|shorter|larger|smaller|bigger|greater|less|more)\s+than\b))"
    r"(?![^.\n]*\b(?i:answer|option|choice|so|hence|thus|therefore|and|but|then|is|are|was|were|equals?|gives?)\b)"
    rf"{_CLAUSE_CHAR}{{0,80}}?"
    r"\b(?i:twice|half|double|triple|times|more|less|greater|smaller|larger|longer|shorter|bigger|than|compared)\b"
    rf"{_CLAUSE_CHAR}{{0,80}}(?:\([^()\n]{{0,30}}\){_CLAUSE_CHAR}{{0,40}})?\.?\s*$"
)
# "There are 4 values below 30.": the count, not the bound; any other number in the rest is a bound
_THERE_ARE_RE = re.compile(
    r"(?i)\bthere\s+(?:are|is|were|was|will\s+be)\s+(?:a\s+total\s+of\s+|exactly\s+|only\s+|just\s+)?"
    r"(\d+)(?= [A-Za-z])(?!\s+(?:to|or|and|choose|times|x|by|out|of)\b)([^=≈\n.;:!?()]*)\.?\s*$"
)
_STATES_AGAIN_RE = re.compile(  # another value stated after the count, or a hedge: "3 apples and 4 pears, total 7"
    r"(?i)\b(?:is|are|was|were|so|thus|hence|therefore|equals?|gives?|makes?|or|and|total|plus|altogether|"
    r"maybe|possibly|perhaps|probably|but|to|about|around|approximately|roughly)\b|[,×/^*+\-−\\$]"
)
_BOUND_NUMBER_RE = re.compile(  # "below 30", "with 2", "exactly 36": the question's number, not another answer
    r"(?i)\b(below|above|over|under|than|least|most|exceeding|exceeds?|exactly|with|has|have|having|containing)\s+\d+|\d+"
)


def drop_comparison_clause(text: str) -> str:
    """``text`` without a closing clause that compares the value just stated with another number.

    >>> drop_comparison_clause("the hypotenuse is 22 which is twice as long as 11.")
    'the hypotenuse is 22'
    """
    m = _COMPARISON_CLAUSE_RE.search(text, max(0, len(text) - 200))
    if m is None and "than" in text[-160:]:  # "g(x) = −2x², which is narrower than the basic parabola y = −x²."
        m = _THAN_CLAUSE_RE.search(text, max(0, len(text) - 200))
    return text[: m.start()] if m is not None else text


_THAN_CLAUSE_RE = re.compile(
    r"(?<=[\d)}π°²³])\s*,\s*(?i:which|that)\s+(?i:is|are|was|were)\s+(?:(?i:much|slightly|a\s+bit|far)\s+)?[a-z]+er\s+than\b"
    r"(?![^\n]*\b(?i:answer|option|choice|so|hence|thus|therefore|but|actually|instead)\b)[^\n]{0,120}$"
)


def there_are_count(text: str) -> str | None:
    """The count in a last sentence "There are N …" whose rest states no other value.

    >>> there_are_count("Values below 30 are 28, 22, 19 and 25. There are 4 values below 30.")
    '4'
    """
    m = _THERE_ARE_RE.search(text, max(0, len(text) - 200))
    if m is None or _STATES_AGAIN_RE.search(m.group(2)):
        return None
    if any(b.group(1) is None for b in _BOUND_NUMBER_RE.finditer(m.group(2))):
        return None  # "There are 2 digits in 17.": a number that is not a bound
    return m.group(1)


_STATED_WORD_RE = re.compile(r"(?i)\b(?:answer|option|choice)")  # an answer stated before: not overridden
_LONE_LETTER_END_RE = re.compile(r"(?:(?<![A-Za-z])[A-H]|\bor)\W*$")  # "C\nD", "C or\nD", "A? B? C? D."
_CLOSING_LETTER_RE = re.compile(r"(?:^|[.。!?\n])\s*[(\[]?([A-H])[)\]]?\.?\s*$")
_BEARING = r"(?<![A-Za-z])[NS]\s*\d+(?:\.\d+)?\s*(?:°|\^\s*\{?\\circ\}?|deg(?:rees?)?)?\s*[EW](?![A-Za-z])"
_BEARING_RE = re.compile(r"(" + _BEARING + r")[\s.$)]*$")  # one that ends the text
_BEARING_ANY_RE = re.compile(_BEARING)
_END_TUPLE_RE = re.compile(  # not "\( 1.2 \, \text{cm} \)": math delimiters and a thin space
    r"(?<![\w^_\\])([(\[][^()\[\]\n$]{1,60}(?<!\\),[^()\[\]\n$]{1,60}(?<!\\)[)\]])\s*[.!]?\s*$"
)


def closing_letter(text: str, choices: list[str]) -> str | None:
    """A letter alone closing the response after a sentence ("12 × 4 = 48 cm. A"), unless an answer, option
    or choice was stated in the 200 characters before, another lone letter precedes it ("C\\nD"), or that text
    states another option's value ("the length is 3 cm.\\nB" with A = 3 cm)."""
    closing = _CLOSING_LETTER_RE.search(text, max(0, len(text) - 40))
    if closing is None or ord(closing.group(1)) - ord("A") >= len(choices):
        return None
    before = text[max(0, closing.start() - 200) : closing.start() + 1]
    if _STATED_WORD_RE.search(before) or _LONE_LETTER_END_RE.search(before) \
            or _names_other_option(before, choices, closing.group(1)):
        return None
    return closing.group(1)


def end_tuple(text: str) -> str | None:
    """A point or interval with a number that ends the text ("…, i.e. (-3, -3)."), not offered after "or"."""
    if text.rstrip(" \t\n.!")[-1:] not in (")", "]"):
        return None
    m = _END_TUPLE_RE.search(text, max(0, len(text) - 200))
    if m is None or not re.search(r"\d", m.group(1)) or re.search(r"\bor\s*$", text[max(0, m.start() - 12) : m.start()]):
        return None
    return m.group(1)


def _names_other_option(text: str, choices: list[str], letter: str) -> bool:
    """Whether ``text`` states the value of an option other than ``letter``'s ("the length is 3 cm.\nB" with
    A = 3 cm): then a closing letter contradicts it and is not read."""
    words = f" {normalize_option(text)} "
    index = ord(letter) - ord("A")
    for i, option in enumerate(choices):
        norm = normalize_option(str(option))
        if i != index and norm and re.search(r"\d", norm) and re.search(
            r"(?<![\w.])" + re.escape(norm) + r"(?![\w]|\.\d)", words
        ):
            return True
    return False


def bearing(text: str) -> str | None:
    """A compass bearing that ends the text ("N 40° E"), when it is the last sentence's only number."""
    tail = text[-200:].replace("**", "")
    if tail.rstrip(" \t\n.$)")[-1:] not in ("E", "W"):  # cheap test first: a bearing ends with E or W
        return None
    m = _BEARING_RE.search(tail)
    if m is None:
        return None
    for other in _BEARING_ANY_RE.finditer(tail, 0, m.start()):  # another bearing offered before it: on its line,
        line = tail[tail.rfind("\n", 0, other.start()) + 1 : (tail.find("\n", other.end()) + 1 or len(tail))]
        between = tail[other.end() : m.start()]  # after "or", or as a list ("Possible bearings:\nN 40° E\nN 50° E")
        label = line[: line.find(other.group(0))].rstrip()
        if "\n" not in between or re.search(r"\bor\b|\beither\b", between + line) or not line.replace(
                other.group(0), "").strip(" \t\n-*•.,;:") or (label.endswith(":") and between.rstrip().endswith(":")):
            return None  # (nor one of several labelled lines: "Bearing of P: N 30° E\nBearing of Q: N 60° W")
    cut = max((e.end() for e in SENTENCE_END_RE.finditer(tail, 0, m.start())), default=0)
    if _STATED_WORD_RE.search(tail, 0, cut):
        return None  # "The answer is 12 km. Direction: N 40 E": an answer stated in an earlier sentence
    if re.search(r"\d", tail[cut : m.start()]):
        return None
    return re.sub(r"\s*deg(?:rees?)?\s*", "° ", m.group(1))  # "N 34 deg W" as "N 34° W"


_DIGIT_RE = re.compile(r"\d")
_WORDED_HEDGE_RE = re.compile(r"(?i)\b(?:or|to|between|maybe|perhaps|probably|not|no|than|least|most|about)\b")


def worded_value(text: str) -> str | None:
    """The one number a last sentence without digits writes in words ("So the angle is forty-five degrees." ->
    ``45``, "The area is three hundred sixty square centimeters." -> ``360``); None when it writes none, several,
    a bare "one" (a pronoun as often as a number), or hedges, bounds or negates ("five or six", "not three").

    >>> worded_value("So the angle is forty-five degrees."), worded_value("I pick the second one.")
    ('45', None)
    >>> worded_value("It is five or six."), worded_value("Please provide the ages of the two people in text form.")
    (None, None)
    >>> worded_value("So the ring covers twenty pi square centimetres (20π cm²).")
    '20π cm²'

    """
    tail = text[-300:].rstrip()
    cut = max((m.end() for m in SENTENCE_END_RE.finditer(tail[:-1])), default=0)
    sentence = tail[cut:]
    written = _WRITTEN_AFTER_RE.search(sentence)  # "twenty pi square centimetres (20π cm²).": as written in math
    if (written is not None and _DIGIT_RE.search(written.group(1)) and not _DIGIT_RE.search(sentence[: written.start()])
            and not _NOT_A_VALUE_RE.search(written.group(1))):  # not "(not 13)", "(twice 12)", "(see Fig. 1)"
        said = sentence[: written.start()]
        if _NUMBER_WORD_RE.search(said) and not _WORDED_HEDGE_RE.search(said):
            return written.group(1).strip()
    if _DIGIT_RE.search(sentence):
        return None
    if _SPOKEN_HINT_RE.search(sentence) and spoken_values(sentence):  # "one hundred twenty-two point five two"
        return spoken_value(sentence)
    if _WORDED_HEDGE_RE.search(sentence):
        return None
    values = set(number_words_in(sentence))
    if len(values) != 1 or (values == {1} and not _STATED_ONE_RE.search(sentence)):
        return None
    first = _NUMBER_WORD_RE.search(sentence)
    if len(sentence.split()) > 6 and not _STATES_BEFORE_RE.search(sentence, 0, first.start()):
        return None  # "Please provide the ages of the two people": a number in passing, not a stated value
    return str(values.pop())


_SPOKEN_HINT_RE = re.compile(r"(?i)\b(?:point|pi|over|divided\s+by|root|negative|minus)\b")
_ROUNDED_RE = re.compile(  # "(correct) to two decimal places", "rounded to the nearest tenth": how, not what
    r"(?i),?\s*\b(?:(?:correct|rounded|accurate|exact)\s+)?to\s+(?:the\s+nearest\s+\w+|\w+\s+(?:decimal\s+places?|"
    r"significant\s+(?:figures?|digits?)|d\.?\s?p\.?))"
)
_APPROX_BEFORE_RE = re.compile(r"(?i)\b(?:about|approximately|roughly|around|nearly)\s+$")


def spoken_value(sentence: str) -> str | None:
    """The one value a last sentence says aloud (``numeric.spoken_values``), or None when it says several, hedges
    ("I think it might be …", "just over …"), says another number too, or goes on to an operation ("three point five
    squared", "… plus x"). "about" just before the value is an approximation, not a hedge; "to two decimal places"
    says how it was rounded."""
    plain = _ROUNDED_RE.sub("", sentence)
    values = spoken_values(plain)
    if len(set(values)) != 1 or plain.rstrip(" .*").endswith("?"):
        return None
    spoken = [m for m in _SPOKEN_RE.finditer(plain) if spoken_values(m.group(0))]
    rest, end = "", 0
    for m in spoken:
        lead = plain[end : m.start()]
        rest += (lead[: len(lead) - len(a.group(0))] if (a := _APPROX_BEFORE_RE.search(lead)) else lead) + " NUM "
        if _OPERATION_AFTER_RE.match(plain, m.end()) or (m.group("bnum") and _DURING_RE.match(plain, m.end())):
            return None  # "three point five squared", "negative two point five minus x", "twelve over two weeks"
        end = m.end()
    rest += plain[end:]
    if _SPOKEN_HEDGE_RE.search(rest) or number_words_in(rest):
        return None  # "between two and three point five", "the two sides are one point five"
    return values[0] + ("%" if _PERCENT_AFTER_RE.match(plain, spoken[-1].end()) else "")


# what makes a said value no answer: a hedge, a bound, a negation, a range ("NUM to", "to NUM") or a supposition
_SPOKEN_HEDGE_RE = re.compile(
    r"(?i)\b(?:or|maybe|perhaps|probably|possibly|not|no|never|between|might|could|can'?t|cannot|couldn'?t|think|"
    r"believe|guess|suppose|assume|if|unless|whether|either|least|most|than|over|under|above|below|more|less|"
    r"almost|nearly|around\s+NUM\s+to)\b|n't\b|\bNUM\s+to\b|\bto\s+NUM\b"
)
# an operation or an unknown right after the value: the value is part of an expression, not the answer
_OPERATION_AFTER_RE = re.compile(
    r"(?i)\s*(?:squared|cubed|plus|minus|times|multiplied|divided|over|to\s+the|[a-z](?![\w']))"
)
_PERCENT_AFTER_RE = re.compile(r"(?i)\s*per\s?cent\b")  # "twelve point five percent"
_DURING_RE = re.compile(r"(?i)\s*(?:hours?|days?|weeks?|months?|years?|minutes?|seconds?)\b")  # "over two weeks"


_NOT_A_VALUE_RE = re.compile(
    r"(?i)\b(?:not|no|or|twice|half|times|than|about|approximately|maybe|from|see|step|fig|figure|each|per|of|and)\b"
)
_WRITTEN_AFTER_RE = re.compile(r"\(\s*([^()\n]{1,40}?)\s*\)\s*[.!]?\s*$")
_STATES_BEFORE_RE = re.compile(  # "is", "holds", "takes up", "measuring", "are each" before the number
    r"(?i)(?:\b(?:is|are|was|were|equals?|measures?|measuring|be|makes?|gives?|get|of|holds?|contains?|takes\s+up|"
    r"covers?|weighs?|costs?|totals?|comes\s+to|works\s+out\s+to|amounts\s+to)|[=:])\s+"
    r"(?:only\s+|exactly\s+|just\s+|each\s+|both\s+|about\s+|approximately\s+|roughly\s+)?$"
)


_STATED_ONE_RE = re.compile(r"(?i)\b(?:is|are|was|were|equals|has|have)\s+(?:only\s+|exactly\s+|just\s+)?one\b")


def set_aside(text: str, number: re.Match) -> tuple[bool, str | None]:
    """Whether the last number (a match in ``text``) is not stated as the answer, and what is instead:

    - negated: "The area is not 12 cm²." -> ``(True, None)``; "The area is 12 cm², not 13 cm²." -> ``(True, "12")``;
    - asked: "Maybe 12? Not sure." -> ``(True, None)``;
    - a bound: "3 people lifted at least 46 pounds" -> ``(True, "3")`` (as GPT's extraction reads it), and alone,
      "the wall needs to be at least 9 feet long" -> ``(True, "9")``;
    - stated -> ``(False, None)``.

    >>> t = "The area is 12 cm², not 13 cm²."; set_aside(t, list(_NUMBER_RE.finditer(t))[-1])
    (True, '12')
    """
    before = _SET_ASIDE_BEFORE_RE.search(text, max(0, number.start() - 40), number.start())
    if before is None:
        asked = _ASKED_AFTER_RE.match(text, number.end())
        doubted = asked is not None and (not text[asked.end():].strip(" \t\n*_.!")
                                         or _DOUBT_AFTER_RE.match(text, asked.end()) is not None)
        return doubted, None
    start = max((m.end() for m in SENTENCE_END_RE.finditer(text, max(0, number.start() - 300), number.start())),
                default=max(0, number.start() - 300))
    lead = text[start : before.start()]  # what the sentence states before the bound or the negation
    numbers = {m.group(0) for m in _NUMBER_RE.finditer(lead)}
    words = set(number_words_in(lead)) if not numbers else set()
    stated = numbers.pop() if len(numbers) == 1 else str(words.pop()) if len(words) == 1 else None
    return True, stated or (number.group(0) if before.group("bound") else None)


_SET_ASIDE_BEFORE_RE = re.compile(
    r"(?i)(?:(?P<bound>\bat\s+least|\bat\s+most|\bmore\s+than|\bless\s+than|\bgreater\s+than|\bfewer\s+than|"
    r"\bover|\bunder|\bbelow|\babove)|\bnot|n't|\bnever|\bother\s+than|\binstead\s+of|\brather\s+than|\bexcept)\s+"
    r"(?:equal\s+to\s+|be\s+|exactly\s+|quite\s+)?[$(\\*]*\s*[-−]?$"
)
_ASKED_AFTER_RE = re.compile(r"[^.!?\n]{0,30}\?")  # "Maybe 12?": the number's sentence is a question
_DOUBT_AFTER_RE = re.compile(r"(?i)\s*(?:\W*\s*)?(?:not\s+sure|unsure|no\s+idea|i\s+don'?t\s+know|maybe|perhaps|or\s+not)\b")


def later_labelled_value(window: str, bold: re.Match) -> bool:
    """A bold word without a digit is followed, a paragraph or more later, by a closing line that states a value
    under a label ("First maximum point: (x, y) = (315°, 1)"): that line, not the word, is the answer."""
    if any(c.isdigit() for c in bold.group(1)) or "\n\n" not in window[bold.end():]:
        return False
    if _COPULA_BEFORE_RE.search(window, max(0, bold.start() - 12), bold.start()):
        return False  # "The function is **even**.\n\nExample: f(2) = 4 = f(−2)": the bold predicate is the answer
    last = window.rstrip()[window.rstrip().rfind("\n") + 1:]
    return "**" not in last and _LABELLED_VALUE_LINE_RE.match(last) is not None


# a closing line that states the answer under its label: "First maximum point: (x, y) = (315°, 1)", "Final
# result: x = 4" (not a reason, an example, a test or a step: "Distance between max and min: … = π/2")
_LABELLED_VALUE_LINE_RE = re.compile(
    r"[ \t>*_-]*(?i:(?:[a-z]+\s+){0,3}(?:point|points|coordinates|answer|result|solution|final))[ \t]*:[^\n]*[=≈][^\n]*\d[^\n]*$"
)
_COPULA_BEFORE_RE = re.compile(r"(?i)\b(?:is|are|was|were|be|being|becomes?|seems?)\s+(?:\*\*|__)?$")


def clock_or_ratio(text: str, number: re.Match) -> tuple[str | None, bool] | None:
    """``(answer, hedged)`` when the last number (a match in ``text``) is the end of a time or a ratio ("The clock
    shows 10:30 PM." -> "10:30 PM.", "1 : 64"), None when it is not; the whole time is then read as a number is
    (negated, asked, offered with "or" or "between … and …": no answer; "10:45, not 10:30": 10:45).

    >>> t = "The clock shows 10:30 PM."; clock_or_ratio(t, list(_NUMBER_RE.finditer(t))[-1])
    ('10:30 PM.', False)
    >>> t = "It is 10:45, not 10:30."; clock_or_ratio(t, list(_NUMBER_RE.finditer(t))[-1])
    ('10:45', False)
    """
    clock = next((c for c in _COLON_NUMBER_RE.finditer(text, max(0, number.start() - 8), number.end() + 8)
                  if c.start() < number.start() < c.end()), None)
    if clock is None:
        return None
    before = text[max(0, clock.start() - 40) : clock.start()]
    if _CLOCK_RANGE_RE.search(before[-12:]) or (" : " in clock.group(0) and _STEP_LABEL_RE.search(before)):
        return None  # "from 10:00 to 10:30" (a duration was asked), "Step 2 : 25": read as before
    offered = _COLON_OR_BEFORE_RE.search(before)
    if (offered is not None and offered.group(1) != clock.group(1)) or _BETWEEN_RE.search(before):
        return None, True  # "1:16, or maybe 1:64", "2 pm or 3:00 pm", "between 10:15 and 10:45"
    withheld, stated = set_aside(text, clock)
    if withheld:
        start = max((m.end() for m in SENTENCE_END_RE.finditer(text, max(0, clock.start() - 200), clock.start())),
                    default=max(0, clock.start() - 200))
        others = [c.group(1) for c in _COLON_NUMBER_RE.finditer(text, start, clock.start())]
        return (others[0], False) if len(set(others)) == 1 else (None, True)  # "10:45, not 10:30": 10:45
    return clock.group(0), False


_CLOCK_RANGE_RE = re.compile(r"(?i)\b(?:to|until|till|by|from)\s+$")
_STEP_LABEL_RE = re.compile(r"(?i)\b(?:step|question|part|problem|exercise|item|no\.?|n°|question\s+\d+)\s+$")
_BETWEEN_RE = re.compile(r"(?i)\bbetween\s+\S+(?:\s?[ap]\.?m\.?)?\s+and\s+$")


_COLON_NUMBER_RE = re.compile(  # "10:30 PM", "3:4", "1 : 64" (a ratio set with spaces)
    r"(?i)(?<![\d:.,])(\d{1,3}(?::| : )\d{1,3}(?::\d\d)?)(?:\s?[ap]\.?m\b\.?)?(?![\d:]| : ?\d)"
)
_COLON_OR_BEFORE_RE = re.compile(
    r"(?i)(?<![\d:.,])(\d{1,3}(?::| : )\d{1,3}(?::\d\d)?|\d{1,2}(?=\s?[ap]\.?m))(?:\s?[ap]\.?m\b\.?)?\s*,?\s+or"
    r"(?:\s+(?:maybe|perhaps|possibly|even))*\s*$"
)
