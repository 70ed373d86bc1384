r"""Turn a source's gold answer text into the schema's ``answer``/``answer_type``/``precision``/``unit``.

Real datasets write answers many ways ("35°", "$2\sqrt{3}$", "7.50", "12 cm", "\frac{40}{3}", "B"). The
verifier needs to know how to compare, so converters classify every gold answer here:

>>> infer_answer("35°")
Answer(answer='35', answer_type='integer', precision=None, unit='degrees')
>>> infer_answer("$2\\sqrt{3}$")
Answer(answer='2\\sqrt{3}', answer_type='expression', precision=None, unit=None)
>>> infer_answer("7.50")
Answer(answer='7.50', answer_type='float', precision=2, unit=None)
>>> infer_answer("1,250")
Answer(answer='1250', answer_type='integer', precision=None, unit=None)
>>> infer_answer("Yes")
Answer(answer='Yes', answer_type='text', precision=None, unit=None)

Options written inside a problem's text are parsed by :func:`parse_choices`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from data_recipes.schema import CHOICE_LETTERS


class Answer(NamedTuple):
    answer: str
    answer_type: str
    precision: int | None
    unit: str | None


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_UNITS = {
    "°": "degrees", "degrees": "degrees", "degree": "degrees", "^\\circ": "degrees", "^{\\circ}": "degrees",
    "\\circ": "degrees", "%": "%", "\\%": "%", "cm": "cm", "m": "m", "mm": "mm", "km": "km", "cm^2": "cm^2",
    "cm²": "cm^2", "m^2": "m^2", "m²": "m^2", "cm^3": "cm^3", "cm³": "cm^3", "units": "units", "unit": "units",
}
_NUMBER_WITH_UNIT = re.compile(
    rf"^({_NUMBER})\s*({'|'.join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))})$"
)
_MATH_HINT = re.compile(r"\\|\^|√|π|sqrt|pi\b|/|[0-9][a-z]|[a-z]\s*[=+*-]|[+*]|\d\s*-\s*\d")


def strip_math_delimiters(text: str) -> str:
    r"""Remove ``$...$``, ``\(...\)``, ``\[...\]`` and ``\boxed{...}`` around a whole answer."""
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"), ("\\boxed{", "}")):
            if text.startswith(left) and text.endswith(right) and len(text) > len(left) + len(right):
                text = text[len(left) : len(text) - len(right)].strip()
                changed = True
    return text


def infer_answer(text: str) -> Answer:
    """Classify a gold answer: integer, float (with its written decimals as precision), expression or text."""
    answer = strip_math_delimiters(str(text)).strip()
    unit = None
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", answer):  # thousands separators: 1,000 -> 1000
        answer = answer.replace(",", "")
    match = _NUMBER_WITH_UNIT.match(answer)
    if match:
        answer, unit = match.group(1), _UNITS[match.group(2)]
    if re.fullmatch(r"[+-]?\d+", answer):
        return Answer(answer, "integer", None, unit)
    if re.fullmatch(_NUMBER, answer):
        decimals = len(answer.split(".", 1)[1]) if "." in answer else 0
        return Answer(answer, "float", decimals, unit)
    if _MATH_HINT.search(answer) and len(answer) <= 80:
        return Answer(answer, "expression", None, None)
    return Answer(answer, "text", None, None)


_LINE_OPTION = re.compile(r"^\s*\(?([A-H])\s*[\).:：、]\s*(.+?)\s*$")
_INLINE_OPTION = re.compile(r"\(([A-H])\)\s*")


def parse_choices(problem: str) -> list[str] | None:
    """Options A, B, C, ... written in a problem's text, one per line ("A. 3" / "(B) 4") or inline
    ("Choices: (A) 3 (B) 4"); ``None`` when there are fewer than two in order.

    >>> parse_choices("Find x.\\nChoices:\\nA. 3\\nB. 4\\nC. 5")
    ['3', '4', '5']
    >>> parse_choices("Find x. Choices: (A) 30° (B) 45° (C) 60°")
    ['30°', '45°', '60°']
    >>> parse_choices("What is x?") is None
    True
    """
    lines: list[str] = []
    for line in problem.splitlines():
        match = _LINE_OPTION.match(line)
        if match and match.group(1) == CHOICE_LETTERS[len(lines)]:
            lines.append(match.group(2))
        elif lines:
            break
    if len(lines) >= 2:
        return lines
    parts = _INLINE_OPTION.split(problem)
    # parts: [before, "A", text, "B", text, ...]
    letters, texts = parts[1::2], [p.strip().rstrip(",;").strip() for p in parts[2::2]]
    if len(letters) >= 2 and letters == list(CHOICE_LETTERS[: len(letters)]) and all(texts):
        return texts
    return None
