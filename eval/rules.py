r"""Benchmark-aware readings for rules mode, applied before ``mmagrae.verifiers``.

The verifiers extract answers for any task; multiple-choice benchmarks add what their prompts make models
write, which a generic extractor reads wrongly or not at all:

- a stated option letter: "So the correct option is D.", "The correct option is C:√{3}" (the letter, not
  the value after it), "Answer: (B)", "the answer is **B**" — the last such statement wins;
- a letter that opens the answer (We-Math's "<Answer>: A. 3 cm", "<C> because 8", a response that is just
  "B." or "(B) 4"): :func:`leading_letter`;
- option lists whose texts contain ``;`` or circled numbers ("A. ①; ③;B. ②; ③"): :func:`split_options` cuts
  at the option markers, in order, not at every ``;``.

>>> stated_letter("So the correct option is D.", 4), stated_letter("The correct option is C:√{3}", 4)
('D', 'C')
>>> stated_letter("the answer is a triangle", 4) is None, leading_letter("A. 3 cm", 4), leading_letter("<C> because 8", 4)
(True, 'A', 'C')
>>> split_options("A. ①; ③;B. ②; ③;C. ①; ②")
['①; ③', '②; ③', '①; ②']
"""

from __future__ import annotations

import re

_STATED = re.compile(
    r"(?i:(?:correct|right|final|best|the)\s+)?(?i:option|choice|answer)(?i:\s+(?:is|would\s+be|should\s+be|will\s+be))?"
    r"\s*[:：]?\s*(?:\*\*|\$)?\s*(?:\\(?:boxed|text|mathrm|textbf)\{)?[(\[<{]?\s*([A-H])\s*[)\]>}]?"
    r"(?=\s*(?:$|[\s.,;:：!)\]}*$]|\\\)))"
)
_LEADING = re.compile(r"^\s*(?:\*\*)?[<(\[{]?\s*([A-H])\s*(?:[>)\]}]|[.:：,](?!\d)|$|\s+(?![A-Za-z]))")
_MARKER = re.compile(r"(?:^|;)\s*([A-H])\s*[.:：、)]")


def _in_range(letter: str, n_choices: int | None) -> bool:
    return n_choices is None or ord(letter) - ord("A") < n_choices


def stated_letter(text: str, n_choices: int | None = None) -> str | None:
    """The option letter of the last "option/choice/answer (is) X" statement, if it is among the choices."""
    found = [m.group(1) for m in _STATED.finditer(text) if _in_range(m.group(1), n_choices)]
    return found[-1] if found else None


def leading_letter(text: str, n_choices: int | None = None) -> str | None:
    """The option letter that opens ``text`` ("A. 3 cm", "<C> because 8", "(B) 4", "D"), if any."""
    m = _LEADING.match(text)
    return m.group(1) if m and _in_range(m.group(1), n_choices) else None


def split_options(option: str) -> list[str]:
    """Option texts from ``"A. x;B. y;C. z"``: cut at the markers ``A.``, ``B.``, ... in order (so a ``;`` or
    a circled number inside an option stays in it); without markers, at every ``;``."""
    text = str(option)
    starts, expect = [], 0
    for m in _MARKER.finditer(text):
        if ord(m.group(1)) - ord("A") == expect:
            starts.append(m)
            expect += 1
    if not starts:
        return [p.strip() for p in text.split(";") if p.strip()]
    out = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        out.append(text[m.end():end].strip().rstrip(";").strip())
    return out


def choice_verdict(response: str, gold: str, choices: list[str] | None, *, tail: str | None = None):
    """Rules-mode verdict for a multiple-choice item: a stated letter ("the correct option is D"), else a
    letter opening ``tail`` (the text after the answer marker, for We-Math) or a short response, else
    ``mmagrae.verifiers`` on ``tail`` (or the response) with the choices."""
    from eval.registry import rules_verdict

    n = len(choices) if choices else None
    letter = None
    if tail is not None:
        letter = leading_letter(tail, n)
    if letter is None:
        letter = stated_letter(response, n)
    if letter is None and len(response.strip()) <= 40:
        letter = leading_letter(response, n)
    if letter is not None:
        verdict = rules_verdict(letter, gold, choices=choices)
        if verdict.extracted is not None:
            return verdict
    return rules_verdict(tail if tail is not None else response, gold, choices=choices)
