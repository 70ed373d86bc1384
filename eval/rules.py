r"""Benchmark-aware readings for rules mode, applied before ``mmagrae.verifiers``.

The verifiers extract answers for any task; multiple-choice benchmarks add what their prompts make models
write, which a generic extractor reads wrongly or not at all:

- a stated option letter: "So the correct option is D.", "The correct option is C:√{3}" (the letter, not
  the value after it), "Answer: (B)", "the answer is **B**" — the last such statement wins;
- a letter that opens the answer (We-Math's "<Answer>: A. 3 cm", "<C> because 8", a response that is just
  "B." or "(B) 4"): :func:`leading_letter`;
- option lists whose texts contain ``;`` or circled numbers ("A. ①; ③;B. ②; ③"): :func:`split_options` cuts
  at the option markers, in order, not at every ``;``.

Free-form golds in structured forms (labelled parts, piecewise functions) are read by :mod:`eval.gold_forms`.

>>> stated_letter("So the correct option is D.", 4), stated_letter("The correct option is C:√{3}", 4)
('D', 'C')
>>> stated_letter("the answer is a triangle", 4) is None, leading_letter("A. 3 cm", 4), leading_letter("<C> because 8", 4)
(True, 'A', 'C')
>>> split_options("A. ①; ③;B. ②; ③;C. ①; ②")
['①; ③', '②; ③', '①; ②']
>>> split_options("A. 45° B. 60° ;C. 120°"), split_options("A. ①;B．②")
(['45°', '60°', '120°'], ['①', '②'])
"""

from __future__ import annotations

import re

# (no two blank runs side by side: a long blank response must not make the match quadratic)
_LEADING = re.compile(  # not "C = πd": a circumference, not the option
    r"^\s*(?:\*\*\s*)?(?:[<(\[{]\s*)?([A-H])(?:\s*[>)\]}]|\s*[.:：,](?!\d)|\s*$|\s+(?![A-Za-z=≈]))"
)
_CLOSING_BOLD_LETTER = re.compile(  # "\n\n**A**", "… is 210 liters — B.", "… fits both folds: A.", "∴ D"
    r"(?:\n[ \t]*(?:\*\*|__)|[ \t]+[—–]|:|∴|\b[Tt]herefore,?)[ \t]*\(?([A-H])\)?[ \t]*(?:\*\*|__)?[ \t.!]*$"
)
# ... not a point, a vertex, a label or an option ruled out: "The right angle is at vertex: C", "Eliminated: D"
_NAMED_BEFORE_RE = re.compile(
    r"(?i)\b(?:vertex|vertices|point|labell?ed|label|at|eliminated?|not|constant|consider|center|centre|angle|side|"
    r"line|segment|fails?|wrong|incorrect)\b[\s:—–]*$"
)
_ARROW_TO_LETTER_RE = re.compile(  # not from a point ("shape A → B", "(A → D)"): after a longer name or a value
    r"(?<![(\[])(?<![(\[] )(?<!(?<![A-Za-z∠])[A-Z] )(?<!(?<![A-Za-z∠])[A-Z])(?:→|⇒|=>|->)\s*\(?([A-H])\)?\s*[.!]?\s*$"
)
_MARKER = re.compile(r"(?:^|[;\s])[ \t]{0,3}([A-H])[ \t]{0,3}[.:：、)．]")  # "B．②" and "A. 45° B. 60°" (no ";") too


def judged_text(response: str) -> str:
    """The text a judge reads. The verifiers read only what is outside ``<think>…</think>`` (a training reward
    for the final answer); a judge model reads everything, so when nothing is left outside the block (a reasoner
    that put its ``\\boxed{}`` inside it, or never closed it) the thinking itself, without its tags, is read.

    >>> judged_text("<think>9 + 3 = 12\\n\\\\boxed{12}</think>"), judged_text("<think>x</think> 5")
    ('9 + 3 = 12\\n\\\\boxed{12}', '<think>x</think> 5')
    """
    from mmagrae.verifiers.closings import drop_closings
    from mmagrae.verifiers.layouts import answer_layout
    from mmagrae.verifiers.markup import plain_markup
    from mmagrae.verifiers.runoff import drop_runoff

    # "…</s>", a loop cut; "Confidence: 92%", a description of the figure, "…, i.e. twice the radius of 4" dropped;
    # then "| **Answer** | C |", "=> 12", "✅ B", "La respuesta es 6,3"
    response = answer_layout(drop_closings(plain_markup(drop_runoff(response))))  # HTML, other scripts
    if "think>" not in response:
        return response
    from mmagrae.verifiers.extraction import strip_think

    if strip_think(response).strip():
        return response
    return response.replace("<think>", " ").replace("</think>", " ").strip()


def _in_range(letter: str, n_choices: int | None) -> bool:
    return n_choices is None or ord(letter) - ord("A") < n_choices


def stated_letter(text: str, n_choices: int | None = None) -> str | None:
    """The option letter of the last "option/choice/answer (is) X" statement, if it is among the choices: the
    verifiers' reading (:func:`mmagrae.verifiers.choice.stated_letter`), in its loose form that also takes a
    bare "option X"."""
    from mmagrae.verifiers.choice import stated_letter as verifier_stated_letter

    check = next(reversed(list(_CHECK_SECTION_RE.finditer(text))), None) if "heck" in text or "erif" in text else None
    if check is not None and not _CHECK_REVISES_RE.search(text, check.end()):
        concluded = [m for m in _CONCLUDES_LETTER_RE.finditer(text, check.end()) if _in_range(m.group(1), n_choices)]
        if concluded:  # "… so it is option C", "Final choice: C", "matching option C": the check concludes anew
            return concluded[-1].group(1)
        before = verifier_stated_letter(text[: check.start()], n_choices, strict=False)
        if before is not None:  # "→ **Choice A**\n\nVerification:\n- Option D (…) is the domain, not the range ✓"
            return before
    return verifier_stated_letter(text, n_choices, strict=False)


# a check section that ends by concluding on a letter
_CONCLUDES_LETTER_RE = re.compile(  # the letter ends its line (not a point: "so A lies on …", "B → A is 3 units")
    r"(?m)(?i:\b(?:so|hence|thus|therefore|which\s+is|matching|matches|i\.\s?e\.,?|final\s+(?:choice|answer|option)\s*:?|"
    r"the\s+(?:right|correct)\s+(?:choice|option|answer)\s+is|it\s+is|it's)|→|=>|(?i:choice|option|answer)\s*:)"
    r"\s*(?i:it\s+is\s+|it's\s+)?(?i:(?:option|choice)\s+)?\(?([A-H])\)?(?=[ \t*_]*(?:[✓✔.!])?[ \t*_]*$)"
)
# a verification section after the answer: the options it mentions are checked, not chosen
_CHECK_SECTION_RE = re.compile(
    r"(?im)^[ \t>*#_-]*(?:verification|verifying|check(?:ing)?|double[- ]check(?:ing)?|sanity[- ]check|"
    r"let\s+me\s+(?:double[- ])?check|let'?s\s+(?:double[- ])?check)\b[^\n:]{0,30}[:：]"
)
_CHECK_REVISES_RE = re.compile(
    r"(?i)\banswer\b|\bcorrect\s+(?:option|choice)\b|\bshould\s+be\s+(?:option|choice)\b|\bmistake|\bwrong\b|"
    r"\binstead\b|\bwait\b|\boops\b|\brevis"
)


def leading_letter(text: str, n_choices: int | None = None) -> str | None:
    """The option letter that opens ``text`` ("A. 3 cm", "<C> because 8", "(B) 4", "D"), if any."""
    m = _LEADING.match(text)
    return m.group(1) if m and _in_range(m.group(1), n_choices) else None


def split_options(option: str) -> list[str]:
    """Option texts from ``"A. x;B. y;C. z"``: cut at the markers ``A.``, ``B.``, ... in order (so a ``;`` or
    a circled number inside an option stays in it); without markers, at every ``;``."""
    text = str(option)
    starts, expect = [], 0
    markers = list(_MARKER.finditer(text))
    for m, after in zip(markers, [*markers[1:], None], strict=False):
        if ord(m.group(1)) - ord("A") == expect:
            if (
                after is not None and after.group(1) == m.group(1) and ";" in after.group(0)
                and not text[m.end():after.start()].strip(" \t;")
            ):
                continue  # "… then north to ;C.  ;C. First head …": the point C ends an option, the next C. starts one
            starts.append(m)
            expect += 1
    if not starts:
        return [p.strip() for p in text.split(";") if p.strip()]
    out = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        out.append(text[m.end():end].strip().rstrip(";").strip())
    return out


def _norm(text: str) -> str:
    """Lower case, markup and spacing removed; no spaces around operators ("2OB + 2OC" is "2ob+2oc")."""
    text = " ".join(re.sub(r"\\?[$*`]|\\[()]", " ", text).lower().replace("’", "'").split()).strip(" .")
    return _OPERATOR_SPACES.sub(r"\1", text)


_OPERATOR_SPACES = re.compile(r"(?<=[\w)}\]]) ?([-+=×÷·/]) ?(?=[\w({\[√π])")  # between operands only


def _letter_with_its_option(response: str, choices: list[str]) -> str | None:
    """A response that is an option written out with its letter ("A. The graph has been translated 4 units
    downwards.") gets that letter."""
    if len(response) > max(len(c) for c in choices) + 40:  # not an option written out: don't scan it
        return None
    letter = leading_letter(response, len(choices))
    if letter is None:
        return None
    rest = _LEADING.sub("", response, count=1)
    return letter if _norm(rest) == _norm(choices[ord(letter) - ord("A")]) else None


def _opening_option(response: str, choices: list[str]) -> str | None:
    """The letter of an option written out with its letter on the response's first line and explained after
    ("D. AE\nBecause the perpendicular segment is the shortest."), unless another line opens with another
    letter (an echoed option list) or the explanation ends by naming another option."""
    head, _, rest = response.strip().partition("\n")
    letter = _letter_with_its_option(head.strip(), choices)
    if letter is None or not rest.strip():
        return None
    n = len(choices)
    if any(leading_letter(line, n) not in (None, letter) for line in rest.split("\n")):
        return None
    if _EXPLANATION_DOUBTS_RE.search(rest) or named_option(rest, choices) not in (None, letter):
        return None  # "Wait, AE is not perpendicular …", "Actually … none of the options match"
    from mmagrae.verifiers.extraction import extract
    from mmagrae.verifiers.opening import option_of

    concluded = extract(rest, choices=choices, opening=False).answer
    if concluded is not None and re.search(r"\d", concluded):  # "A. 3 cm\n… r = 5 cm.": ends on another value
        if option_of(concluded, choices) != ord(letter) - ord("A"):
            return None
    return letter


_EXPLANATION_DOUBTS_RE = re.compile(
    r"(?i)\b(?:wait|actually|oops|sorry|mistake|error|incorrect|wrong|not|no|none|n't|could|might|maybe|perhaps|"
    r"unsure|would|only if|instead|rather|however|but|ruled out|rule out|too (?:small|large|big|short|long)|"
    r"eliminat\w*|exclud\w*|impossible|cannot)\b|n't\b|\?"
)


_OPERATOR_END_RE = re.compile(r"[-+*/×÷^·−]\s*$")


def named_option(response: str, choices: list[str]) -> str | None:
    """The letter of the one option the response ends by naming: the option text that closes its last sentence
    ("Thus, the solid is a cone." -> "Cone"; "so the sides are 7, 5." -> "7, 5"), or, for an option of three
    words or more (a statement, not a value), that its last sentences contain ("So this is not a function." ->
    "This is not a function"). An option inside a longer named one does not count; two named: None.

    >>> named_option("The vertical line test fails, so this is not a function.", ["This is a function", "This is not a function"])
    'B'
    >>> named_option("So this relation is not a function.", ["This is a function", "This is not a function"])
    'B'
    >>> named_option("Thus, the result is 12, 4.", ["4", "12, 4", "No correct answer"]), named_option("It is 15.", ["5", "1"])
    ('B', None)
    >>> named_option("Answer: 36 - 9π", ["π", "9π"]), named_option("So 2EF + 2HG = 20, EF + HG = 10.", ["EF + HG", "2EF + 2HG"])
    (None, None)
    """
    text = _norm(response[-400:])
    last = _norm(_last_sentence(response))
    normed = [_norm(c) for c in choices]  # single-spaced: the sentence ends with an option after " ", ":", "," or "("
    found = []
    for i, option in enumerate(normed):
        if not option:
            continue
        ends = last == option or (last.endswith(option) and last[-len(option) - 1] in " :,(")
        if ends and _OPERATOR_END_RE.search(last[: max(1, len(last) - len(option))]):
            ends = False  # "36 - 9π" ends with the option "9π" but is not it
        inside = _is_statement(option) and (
            re.search(r"(?<!\w)" + re.escape(option) + r"(?!\w)", text)
            or _words_within(option, last)  # "this relation is not a function" for "This is not a function"
            and len(_NEGATING.findall(last)) <= len(_NEGATING.findall(option))  # not "It is false that this is …"
        )
        if ends or inside:
            found.append(i)
    found = [i for i in found if not any(normed[i] != normed[j] and (normed[i] in normed[j] or _words_within(
        normed[i], normed[j])) for j in found)]
    if len({_exact(choices[i]) for i in found}) != 1:  # none, or two different options named ("5 mA" ≠ "5 MA")
        return None
    return chr(ord("A") + found[0])  # duplicate option texts (a data error) are one answer: the first


_NEGATING = re.compile(r"(?i)\b(?:not|no|never|false|untrue|wrong|incorrect|cannot|neither|nor)\b|n't\b")
_NEGATIONS = {"not", "no", "never", "isn't", "aren't", "cannot", "can't", "neither", "nor", "n't"}


def _words_within(small: str, big: str, gap: int = 1) -> bool:
    """Whether the words of ``small`` occur in ``big`` in order, with at most ``gap`` other words between two
    of them and none missing ("this is not a function" within "so this relation is not a function")."""
    want, words = small.split(), big.split()
    for start in range(len(words)):
        if words[start] != want[0]:
            continue
        k, skipped, i = 1, 0, start + 1
        while k < len(want) and i < len(words) and skipped <= gap:
            if words[i] == want[k]:
                k, skipped = k + 1, 0
            elif words[i] in _NEGATIONS:  # "the function is not increasing" does not state "… is increasing"
                break
            else:
                skipped += 1
            i += 1
        if k == len(want) and skipped <= gap:
            return True
    return False


def answer_tail(response: str) -> str | None:
    """The text after the last ``Answer`` marker (We-Math's "<Answer>: <<option>>"), with the colon, angle
    brackets and bold marks removed, or None when there is no marker.

    >>> answer_tail("<Thought process>: ... <Answer>: <B. 31.4 cm>"), answer_tail("†Answer: 31.4cm.")
    ('B. 31.4 cm', '31.4cm.')
    >>> answer_tail("**Answer: D**")
    'D'

    """
    if "Answer" not in response:
        return None
    tail = re.sub(r"[<>]|\*\*", " ", response.rsplit("Answer", 1)[-1]).strip().lstrip(":：").strip()
    tail = re.sub(r'^[*_\s]*["“`]([A-H])["”`]', r"\1", tail)  # '***Answer:*** "A" (Yes)': the quoted letter
    return _LOWER_OPTION_RE.sub(lambda m: m.group(1).upper(), tail)  # "Answer: option c (30°)": the letter C


_LOWER_OPTION_RE = re.compile(  # the whole tail: "option c", "option c (30°)"; not "option c, or maybe d"
    r"^(?i:option|choice)\s+\(?([a-h])\)?(?=(?:\s*\((?![^()]*\b(?:(?i:or|if|not|maybe|perhaps|possibly|probably|likely|also|close|could|might|either)|[a-hA-H])\b)[^()]*\))?\s*[.!]?\s*$)"
)


_SHORT_TAIL = 200  # a longer text after the marker is reasoning, not the stated answer


def marked_answer(response: str, choices: list[str] | None = None) -> tuple[str, bool] | None:
    r"""The answer a response marks as final: its ``<answer>`` tag or its last ``\boxed{}`` outside
    ``<think>`` (the verifiers' extraction), or the statement an answer-first response opens with, and whether
    it comes after the last ``Answer`` marker; None when it marks none (or several different ones).

    >>> marked_answer("<think>60° is option A</think><answer>C</answer>")
    ('C', True)
    >>> marked_answer("\\boxed{120^\\circ}. Answer: C"), marked_answer("so option A")
    (('120^\\circ', False), None)
    """
    from mmagrae.verifiers.extraction import extract, strip_think
    from mmagrae.verifiers.opening import opening_answer

    visible = strip_think(response)
    if "answer>" not in response and "box" not in response and "{" not in response:
        opening = opening_answer(visible, choices)  # "The correct option is (B) 30°. To find this, …"
        if opening is None:
            return None
        return opening, visible.rfind("Answer") < len(opening)  # a later "<Answer>: C" decides (We-Math)
    found = extract(visible, choices=choices)
    if found.answer is None or found.method not in ("answer_tag", "boxed"):
        return None
    if found.method == "answer_tag" and "<answer>" not in visible:  # a JSON object's "answer" value
        where = visible.rfind("}")
    else:
        where = visible.rfind("<answer>") if found.method == "answer_tag" else visible.rfind("box")
    answer = _TEXT_WRAPPER.sub(r"\1", found.answer)  # "\text{B. 30cm, 70cm, 100cm}": read as written
    return answer, where > visible.rfind("Answer")


_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|mbox)\s*\{([^{}]*)\}")


def _is_statement(option: str) -> bool:
    """An option that is a statement in words (three words of two letters or more: "This is not a function"),
    not a formula ("EF + HG") or a value ("40 m")."""
    words = re.findall(r"(?<![\w\\])[^\W\d_]{2,}(?![\w])", option)
    return sum(w.lower() not in _FUNCTION_NAMES for w in words) >= 3


_FUNCTION_NAMES = {"sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "lim", "max", "min"}


def choice_verdict(response: str, gold: str, choices: list[str] | None, *, tail: str | None = None):
    """Rules-mode verdict for a multiple-choice item.

    With a short ``tail`` (the text after the answer marker, We-Math), the tail decides when it names an
    option: a letter opening it or stated in it, an option it ends by naming, or ``mmagrae.verifiers`` on it
    with the choices ("31.4cm" for "C. 31.4 cm"). Otherwise: a stated letter in the response ("the correct
    option is D"), a letter opening a short response, an option written out or named, and last the verifier
    on the tail (or the response)."""
    from eval.registry import rules_verdict
    from mmagrae.verifiers.choice import stated_letter as verifier_stated_letter
    from mmagrae.verifiers.closings import depends, offers_second_answer
    from mmagrae.verifiers.endings import drop_trailing_note
    from mmagrae.verifiers.layouts import checked_letters

    response = drop_trailing_note(response)  # "…option **B**.\n\nNote that option D (156π) would come from …"
    if offers_second_answer(response) and (  # "Answer: C\n\nVerification: … I'd say C or A.": the closing hedges
            marked_answer(response, choices) is None):  # (not after \boxed{C} or <answer>C</answer>)
        from eval.registry import SampleVerdict

        return SampleVerdict(None, False)
    n = len(choices) if choices else None
    letter = None
    marked = marked_answer(response, choices)
    if marked is not None and (tail is None or marked[1]):  # "<answer>C</answer>" after "… which is option A"
        tail = marked[0]
    if tail is not None:
        letter = leading_letter(tail, n) or (  # "Answer: ∠BCD = ∠DCF → C": the option the answer points to
            arrow.group(1) if (arrow := _ARROW_TO_LETTER_RE.search(tail.strip().split("\n", 1)[0]))
            and _in_range(arrow.group(1), n) else None)
        if letter is None and tail and len(tail) <= _SHORT_TAIL:
            letter = stated_letter(tail, n) or (named_option(tail, choices) if choices else None)
            if letter is None:
                verdict = rules_verdict(tail, gold, choices=choices)
                if verdict.extracted is not None and _names_an_option(verdict.extracted, choices):
                    return verdict
    if letter is None:
        letter = stated_letter(response, n)
        if letter is not None and depends(response) and verifier_stated_letter(response, n) is None:
            from eval.registry import SampleVerdict

            return SampleVerdict(None, False)  # "… = 100° (choice C).\n\nIt depends on which vertex is which."
    if letter is None and (closing := _CLOSING_BOLD_LETTER.search(response[-40:])) and _in_range(closing.group(1), n) \
            and not _NAMED_BEFORE_RE.search(response[-40:][: closing.start(1)]):
        letter = closing.group(1)  # "- D. No correct answer ✗ (A works)\n\n**A**": the letter set alone at the end
    if letter is None and len(response.strip()) <= 40 and len(checked_letters(response)) < 2:
        letter = leading_letter(response, n)  # not "A ✓\nB ✓": two letters checked
    if letter is None and choices and (hedged_letters(response, len(choices)) or hedged_options(response, choices)
                                       or depends(response)):  # "… (choice C). It depends on which vertex is which."
        from eval.registry import SampleVerdict

        return SampleVerdict(None, False)  # "so I'd say C or D", "it can be 2 or 3 cm": no answer
    if letter is None and choices:
        letter = _letter_with_its_option(response, choices) or _opening_option(response, choices)
        letter = letter or named_option(response, choices)
    if letter is not None:
        verdict = _letter_verdict(letter, gold, choices)
        if verdict.extracted is not None:
            return verdict
    verdict = rules_verdict(tail if tail is not None else response, gold, choices=choices)
    if choices and not (verdict.extracted is not None and _names_an_option(verdict.extracted, choices)):
        # "so Oliver is traveling faster", "an undefined slope"; "rotate it 90° counterclockwise about Q"
        letter = word_option(response, choices) or distinguished_option(response, choices)
        if letter is not None:
            return _letter_verdict(letter, gold, choices)
    return verdict


_NOT_CHOSEN = re.compile(r"(?i)\b(?:no|none|different|differs?|otherwise|ruled out|impossible|would|could|"
                         r"instead|rather|but|unlike|excluded?|eliminated?)\b")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
_FILLER_OPTIONS = re.compile(r"(?i)no correct answer|cannot be determined|none of the above|neither of the above")


def _tokens(text: str) -> set[str]:
    """Words (lower case; a one-letter name keeps its case: point "P") and numbers of a text."""
    return {t if len(t) == 1 and t.isalpha() else t.lower() for t in _TOKEN.findall(text.replace("°", " "))}


def distinguished_option(response: str, choices: list[str]) -> str | None:
    """The one statement option whose distinguishing words (those not in every statement option) all appear in
    the last sentence, while every other option misses one of its own ("rotate it 90° counterclockwise about
    Q" names "Rotating 90° counterclockwise around point Q", not "… clockwise around point Q" or "…
    counterclockwise around point P"). None for a negated sentence, a question, or options that are not
    statements.

    >>> opts = ["Rotating 90° counterclockwise around point P", "Rotating 90° clockwise around point Q",
    ...         "Rotating 90° counterclockwise around point Q", "No correct answer"]
    >>> distinguished_option("So we rotate it 90° counterclockwise about Q.", opts)
    'C'
    >>> distinguished_option("So we rotate it 90° about Q.", opts), distinguished_option("It is not counterclockwise about Q.", opts)
    (None, None)
    """
    statements = [(i, _tokens(c)) for i, c in enumerate(choices) if _is_statement(c) and not _FILLER_OPTIONS.search(c)]
    if len(statements) < 2:
        return None
    last = _last_sentence(response)
    if last.rstrip(" *").endswith(("?", "？")) or _ANY_NEGATION.search(last) or _DOUBT.search(last) \
            or _NOT_CHOSEN.search(last):
        return None  # "… gives a different figure", "… is ruled out", "… would be needed, but …"
    said = _tokens(last)
    common = set.intersection(*(t for _, t in statements))
    named = [i for i, t in statements if (t - common) and (t - common) <= said]
    if len(named) != 1:
        return None
    return chr(ord("A") + named[0])


def letters_verdict(response: str, gold: str, n_choices: int | None):
    r"""Rules-mode verdict for a gold of several letters ("C\nD", "Choose 2 answers"): the letters of the final
    statement (the text after the last "answer" or "option(s)", else the last line) must be exactly the gold's.

    >>> letters_verdict("C and D are both -tan θ.\nAnswer: C and D", "C\nD", 4).correct
    True
    >>> letters_verdict("Answer: C", "C\nD", 4).correct, letters_verdict("Answer: A, C and D", "C\nD", 4).correct
    (False, False)
    """
    from eval.registry import SampleVerdict

    gold_letters = set(re.findall(r"[A-H]", gold))
    text = response.strip()
    marks = [m for m in re.finditer(r"(?i)\b(?:answers?|options?|choices?)\b", text)
             if re.search(r"(?<![A-Za-z])[A-H](?![a-z])", text[m.end() : m.end() + 20])]  # followed by a letter
    final = text[marks[-1].end():] if marks else text.splitlines()[-1] if text else ""
    final = re.split(r"\n|(?<=[.!?])\s", final.strip(" :*"), maxsplit=1)[0][:200]  # the statement only
    lead = re.split(r"[.!?\n]", text[max(0, marks[-1].start() - 120) : marks[-1].start()])[-1] if marks else ""
    if any(r.search(final) or r.search(lead) for r in (_HEDGE_WORDS, _ANY_NEGATION, _DOUBT)):
        return SampleVerdict(None, False)  # "C or D", "C; D is incorrect", "not sure whether … C and D"
    letters = {ch for m in re.finditer(r"(?<![A-Za-z])\(?([A-H]{1,8})\)?(?![A-Za-z])", final) for ch in m.group(1)
               if _in_range(ch, n_choices)}
    return SampleVerdict(", ".join(sorted(letters)) or None, bool(letters) and letters == gold_letters)


_HEDGE_WORDS = re.compile(r"(?i)\b(?:or|maybe|perhaps|possibly|unsure|not sure)\b|\?")


def _letter_verdict(letter: str, gold: str, choices: list[str] | None):
    """The verdict for a chosen letter: against a letter gold as a letter (never an option's text "A"; options
    with the same text are one answer), else through the verifier with the choices."""
    if re.fullmatch(r"\s*\(?[A-H]\)?\s*", gold):
        from eval.registry import SampleVerdict

        gold_letter = gold.strip().strip("()")
        return SampleVerdict(letter, letter == gold_letter or _same_text(choices, letter, gold_letter))
    from eval.registry import rules_verdict

    return rules_verdict(letter, gold, choices=choices)


_HEDGE = re.compile(  # ends the sentence: "so I'd say C or D." (not "… C and D, and D is correct")
    r"(?<!not )(?i:\b(?:say|answer(?:\s+is)?|option|options|choice|choose|pick|select|be|either|probably|likely|"
    r"maybe|perhaps|possibly|guess|it's(?=\s+\(?[A-H]\)?(?:\s*\([^()\n]{1,20}\))?\s+or\b)))\s+(?i:either\s+)?"
    r"(?:\*\*)?\(?([A-H])\)?(?:\*\*)?(?:\s*\([^()\n]{1,20}\))?\s*(?:,\s*\(?[A-H]\)?\s*)*"
    r"(?:(?i:or|/|and)\s+(?i:maybe\s+|perhaps\s+|possibly\s+)?|,\s*(?i:maybe|perhaps|possibly|or)\s+)(?:\*\*)?"
    r"\(?([A-H])\)?(?:\*\*)?(?:\s*\([^()\n]{1,20}\))?"
    r"(?![\w])\W*$"
)


def hedged_letters(response: str, n_choices: int) -> bool:
    """Whether the last sentence offers two option letters ("so I'd say C or D", "either A or C").

    >>> hedged_letters("BC is 12 or 13, so I'd say C or D.", 4), hedged_letters("So A and B are congruent.", 4)
    (True, False)
    """
    last = _last_sentence(response)
    return any(a != b and _in_range(a, n_choices) and _in_range(b, n_choices) for a, b in _HEDGE.findall(last))


def hedged_options(response: str, choices: list[str]) -> bool:
    """Whether the closing clause offers two different options joined by "or" ("so it can be 2 or 3 cm", "it
    could be ① or ②"), each the value or text of an option.

    >>> hedged_options("It is longer than 1 and shorter than 5, so it can be 2 or 3 cm.", ["1", "2", "3", "14"])
    True
    >>> hedged_options("So the side is 3 cm, not 2.", ["1", "2", "3"]), hedged_options("It is 3 or more.", ["1", "3"])
    (False, False)
    """
    from mmagrae.verifiers.choice import resolve_choice

    clause = _closing_clause(_last_sentence(response).rstrip(".!?。 "))
    m = _OR_VALUES.search(clause)
    if m is None or any(" or " in _norm(c) and _norm(c) in _norm(clause) for c in choices):
        return False  # "So it can be 2 or 3." names the option "2 or 3"
    named = [resolve_choice(m.group(k), choices)[0] for k in (1, 2)]
    return all(named) and named[0] != named[1]


_OR_VALUES = re.compile(r"(?<![\w.])([-\d.,/√π①-⑳]+)\s*(?:\w{1,3}[²³]?\s*)?\bor\s+([-\d.,/√π①-⑳]+(?:\s*\w{1,3}[²³]?)?)\s*$")


def _closing_clause(sentence: str) -> str:
    """The clause after the sentence's last "so"/"thus"/"therefore" or ";"/":" (the whole sentence without)."""
    cuts = list(_CLAUSE_CUT.finditer(sentence))
    return sentence[cuts[-1].end():] if cuts else sentence


def _last_sentence(response: str) -> str:
    text = response.strip()[-400:]
    return re.split(r"(?<=[.!?。])\s+|\n", text)[-1] if text else ""


_CLAUSE_CUT = re.compile(r"(?i),\s*(?:and\s+)?(?:so|thus|hence|therefore|which means)\b|\b(?:so|thus|hence|therefore)\b|[;:]")
_NEGATION = re.compile(r"(?i)(?:\bnot|n't|\bno|\bnever|\bneither|\bnor)\s+(?:\w+\s+){0,1}$")
_WORDS_OPTION = re.compile(r"[^\W\d_]{2,}(?: [^\W\d_]+){0,2}|[①-⑳]")  # "oliver", "north east", "②"
_ANY_NEGATION = re.compile(r"(?i)\b(?:not|never|neither|nor|cannot|wrong|incorrect|false|fails?|except)\b|n't\b")
_DOUBT = re.compile(r"(?i)\b(?:whether|check|if|suppose|assume|unless)\b")
_ANSWER_WORD_END = re.compile(r"\s*(?:[,.!;]|$)")
_ANSWER_WORDS = {"yes", "no", "none", "true", "false", "all", "both", "neither", "either"}


def word_option(response: str, choices: list[str]) -> str | None:
    """The letter of the one short option in words (three words or fewer: a name, a direction) that the closing clause
    of the last sentence names, or failing that the whole last sentence; None when none or several are named,
    or the option is negated ("not an equilateral triangle"). "yes"/"no"-like options count only when they
    open the clause.

    >>> word_option("Oliver's line is steeper, so Oliver is traveling faster.", ["Justin", "Oliver"])
    'B'
    >>> word_option("The lines never meet, so BD is perpendicular to AB.", ["Parallel", "Perpendicular"])
    'B'
    >>> word_option("So it is not an equilateral triangle.", ["Isosceles", "Equilateral"]), word_option("There is no solution.", ["Yes", "No"])
    (None, None)
    """
    last = _last_sentence(response)
    if last.rstrip(" *").endswith(("?", "？")) or _DOUBT.search(last):
        return None  # "Is Oliver traveling faster?", "we need to check whether …": nothing chosen
    last = last.rstrip(".!?。 ")
    scopes = list(dict.fromkeys([_closing_clause(last), last]))  # the closing clause first, then the sentence
    short = [(i, _norm(c)) for i, c in enumerate(choices) if _WORDS_OPTION.fullmatch(_norm(c))]
    for scope in scopes:
        text = _norm(scope)
        opening = re.match(r"([^\W\d_]+)\s*[,.!;]", text)
        answer_words = {i for i, option in short if option in _ANSWER_WORDS and opening and opening.group(1) == option}
        if len(answer_words) == 1:  # "No, it does not.": the answer word that opens the clause
            return chr(ord("A") + answer_words.pop())
        if _ANY_NEGATION.search(text):
            return None  # "Oliver is definitely not the faster one": a negated clause names nothing
        hits = set()
        for i, option in short:
            for m in re.finditer(r"(?<![\w.])" + re.escape(option) + r"(?![\w]|\.\d)", text):
                if option in _ANSWER_WORDS and (text[: m.start()].strip(" ,") or not _ANSWER_WORD_END.match(text, m.end())):
                    continue  # "No, it does not." names No; "No doubt, …" and "there is no …" do not
                if not _NEGATION.search(text[: m.start()]):
                    hits.add(i)
        named = {_exact(choices[i]) for i in hits}
        if len(named) == 1:
            return chr(ord("A") + min(hits))
        if named:
            return None  # several options named: no answer
    return None


def _same_text(choices: list[str] | None, a: str, b: str) -> bool:
    """Whether options ``a`` and ``b`` (letters) have the same text: duplicates in the data are one answer, as
    for the verifiers."""
    if not choices:
        return False
    i, j = ord(a) - ord("A"), ord(b) - ord("A")
    return 0 <= i < len(choices) and 0 <= j < len(choices) and bool(_exact(choices[i])) \
        and _exact(choices[i]) == _exact(choices[j])


def _exact(text: str) -> str:
    """An option's text with only its spacing normalised (case kept: "5 mA" and "5 MA" differ)."""
    return " ".join(str(text).split())


def _names_an_option(extracted: str, choices: list[str] | None) -> bool:
    """Whether the verifier's extraction designates an option (a letter, an option's text or value)."""
    from mmagrae.verifiers.choice import resolve_choice

    return bool(choices) and bool(resolve_choice(extracted, choices)[0])
