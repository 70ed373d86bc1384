r"""Text to tokens: LaTeX/Unicode spelling normalised, then a linear regex scan (nothing is executed).

>>> from mmagrae.verifiers.verdict import NO_DEADLINE
>>> [t.text for t in tokenise(normalise("\\dfrac94 \\le x"), NO_DEADLINE)]
['frac', '{', '9', '}', '{', '4', '}', '<=', 'x']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mmagrae.verifiers.extraction import TRAILING_UNIT_RE
from mmagrae.verifiers.verdict import Deadline

__all__ = ["Token", "ParseError", "normalise", "tokenise", "FUNCTIONS_NAMES", "RELATION_CMDS"]


class ParseError(ValueError):
    """The text is outside the answer subset the parser reads."""


FUNCTIONS_NAMES = (
    "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sin", "cos", "tan", "cot", "sec", "csc",
    "log", "ln", "exp", "sqrt",
)  # fmt: skip
_GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
)  # fmt: skip
RELATION_CMDS = {"leq": "<=", "geq": ">=", "neq": "!=", "lt": "<", "gt": ">"}
_STRUCTURE_CMDS = {"frac", "sqrt", "cup", "lbrace", "rbrace", "pm", "mp"} | set(RELATION_CMDS)
_TEXT_RE = re.compile(
    r"\\(?:text|textrm|textnormal|mathrm|textbf|mathbf|textit|mathit|mbox|operatorname)\s*\{([^{}]*)\}"
    r"(\s*\^\s*\{?[23]\}?)?"
)
_UNIT_WORD_RE = re.compile(  # "\text{ cm}", "\text{square units}"
    r"^\s*~?\s*(?:(?:square|cubic|sq\.?|cu\.?)\s+)?(?:[a-zA-Z]{2,}|cm|m|km|mm|kg|g|s)\s*(?:\^?\{?[23]\}?)?\s*$"
)
_CONNECTIVE_RE = re.compile(r"\\text\s*\{\s*(?:and|or|,)\s*\}|(?<![a-zA-Z\\])(?:and|or)(?![a-zA-Z])")
_REPEATING_RE = re.compile(r"(\d*)\.(\d{0,20})\\overline\s*\{(\d{1,20})\}")


def _repeating_fraction(m: re.Match) -> str:
    """``A.B\\overline{C}`` as an exact fraction: (ABC - AB) / (10^|B| (10^|C| - 1))."""
    whole, fixed, cycle = m.group(1) or "0", m.group(2), m.group(3)
    numerator = int(whole + fixed + cycle) - int(whole + fixed)
    return f"({numerator}/{10 ** len(fixed) * (10 ** len(cycle) - 1)})"


_BINOM_RE = re.compile(r"\\[dt]?binom\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_VULGAR = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3"}
_REPLACEMENTS = (
    ("\\left", ""), ("\\right", ""), ("\\bigl", ""), ("\\bigr", ""), ("\\Bigl", ""), ("\\Bigr", ""),
    ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\cfrac", "\\frac"),
    ("\\cdot", "*"), ("\\times", "*"), ("×", "*"), ("·", "*"), ("\\div", "/"), ("÷", "/"), ("√", "\\sqrt"),
    ("π", "\\pi "), ("∞", "\\infty"), ("²", "^2"), ("³", "^3"), ("⁴", "^4"), ("−", "-"), ("–", "-"),
    ("\\{", "\\lbrace "), ("\\}", " \\rbrace"), ("\\lbrace", "\\lbrace "), ("\\rbrace", " \\rbrace"),
    ("∪", "\\cup "), ("\\%", "%"), ("\\$", " "), ("$", ""),
    ("\\,", " "), ("\\;", " "), ("\\:", " "), ("\\!", ""), ("\\ ", " "), ("~", " "), ("\\displaystyle", ""),
    ("\\qquad", ","), ("\\quad", ","), ("\\mathrm{e}", "e"),
    ("^\\circ", ""), ("^{\\circ}", ""), ("\\circ", ""), ("°", ""), ("\\degree", ""), ("{,}", ""),
    ("\\lvert", "|"), ("\\rvert", "|"), ("\\vert", "|"), ("\\mid", "|"), ("≠", "\\neq "),
    ("\\infin", "\\infty"),
)  # fmt: skip


def normalise(text: str) -> str:
    r"""One spelling per symbol: ``\dfrac`` → ``\frac``, ``≤``/``<=``/``\le`` → ``\leq``, units dropped, ….

    >>> normalise("\\frac{1}{3} \\text{ meters}")
    '\\frac{1}{3}'
    >>> normalise("√30/2")
    '\\sqrt{30}/2'
    """
    s = text.strip()
    if "\\\\" in s and "\\begin" not in s:  # "\\frac" written with a doubled (JSON-escaped) backslash
        s = re.sub(r"\\\\(?=[a-zA-Z{}()\[\]])", r"\\", s)
    s = _CONNECTIVE_RE.sub(",", s)
    s = _REPEATING_RE.sub(_repeating_fraction, s)  # 0.\overline{3} = 1/3
    s = _BINOM_RE.sub(r"\\frac{(\1)!}{(\2)!((\1)-(\2))!}", s)  # \binom{n}{k} = n! / (k! (n-k)!)
    for _ in range(4):
        new = _TEXT_RE.sub(
            lambda m: " " if _UNIT_WORD_RE.match(m.group(1)) else m.group(1) + (m.group(2) or ""), s
        )
        if new == s:
            break
        s = new
    m = TRAILING_UNIT_RE.search(s)  # "\sqrt{3} cm", "2\pi meters": the unit is not a product of variables
    if m is not None and m.start() > 0:
        s = s[: m.start()]
    if "√" in s:  # "√30" is the root of 30 (unlike LaTeX's one-token "\sqrt30")
        s = re.sub(r"√\s*(\d+(?:\.\d+)?)", r"\\sqrt{\1}", s)
    for a, b in _REPLACEMENTS:
        if a in s:
            s = s.replace(a, b)
    if any(ch in s for ch in _VULGAR):
        s = re.sub(r"(\d+)\s*([½¼¾⅓⅔])", lambda m: f"({m.group(1)}+{_VULGAR[m.group(2)]})", s)  # 2½ = 2 + 1/2
        s = re.sub(r"[½¼¾⅓⅔]", lambda m: f"({_VULGAR[m.group(0)]})", s)
    s = re.sub(r"(?<=[a-zA-Z\s])!=", r"\\neq ", s)  # "x != 3", not "3!=6"
    s = re.sub(r"\\ne(?![a-z])", r"\\neq ", s)
    s = re.sub(r"\\le(?![a-z])|≤|<=|\\leqslant", r"\\leq ", s)
    s = re.sub(r"\\ge(?![a-z])|≥|>=|\\geqslant", r"\\geq ", s)
    s = re.sub(r"^\s*[a-zA-Z]\s*(?:\\in|∈)\s*", "", s)  # "x \in [2, 5)" -> "[2, 5)"
    s = re.sub(r"\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])", r"\\frac{\1}{\2}", s)
    s = re.sub(r"\\frac\s*([0-9a-zA-Z])\s*\{", r"\\frac{\1}{", s)
    s = re.sub(r"\\frac\s*(\{[^{}]*\})\s*([0-9a-zA-Z])", r"\\frac\1{\2}", s)
    s = re.sub(r"\\sqrt\s*([0-9a-zA-Z])", r"\\sqrt{\1}", s)
    return s.strip().rstrip(".").strip()


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, var, func, const, op, rel, open, close, comma, cmd
    text: str
    space_before: bool


_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)|(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<cmd>\\[a-zA-Z]+)|(?P<word>[a-zA-Z]+)"
    r"|(?P<op>[-+*/^_!=%|:])|(?P<rel><|>)|(?P<open>[({\[])|(?P<close>[)}\]])|(?P<comma>[,;])|(?P<other>.)"
)
_CONST_CMDS = {"\\pi": "pi", "\\infty": "inf"}


def _word_tokens(text: str, space: bool, out: list[Token]) -> None:
    i = 0
    while i < len(text):  # split letters, recognising function names and pi
        for name in FUNCTIONS_NAMES + ("pi",):
            if text.startswith(name, i):
                out.append(Token("func" if name != "pi" else "const", name, space))
                i += len(name)
                break
        else:
            letter = text[i]
            out.append(Token("const", "e", space) if letter == "e" else Token("var", letter, space))
            i += 1
        space = False


def tokenise(s: str, deadline: Deadline) -> list[Token]:
    """Tokens of a normalised answer; raises ParseError on a command or character outside the subset."""
    tokens: list[Token] = []
    space = False
    for n, m in enumerate(_TOKEN_RE.finditer(s)):
        if n % 256 == 0:
            deadline.check()
        kind = m.lastgroup
        text = m.group(0)
        if kind == "ws":
            space = True
            continue
        if kind == "word":
            _word_tokens(text, space, tokens)
        elif kind == "cmd":
            name = text[1:]
            if text in _CONST_CMDS:
                tokens.append(Token("const", _CONST_CMDS[text], space))
            elif name in FUNCTIONS_NAMES and name != "sqrt":
                tokens.append(Token("func", name, space))
            elif name in _GREEK:
                tokens.append(Token("var", name, space))
            elif name in RELATION_CMDS:
                tokens.append(Token("rel", RELATION_CMDS[name], space))
            elif name in _STRUCTURE_CMDS:
                tokens.append(Token("cmd", name, space))
            else:
                raise ParseError(f"unsupported command {text}")
        elif kind == "other":
            raise ParseError(f"unexpected character {text!r}")
        else:
            tokens.append(Token(kind, text, space))
        space = False
    return tokens
