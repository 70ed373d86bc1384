r"""Symbolic answers: fractions, roots, π, expressions, equations, intervals and sets, without sympy or eval.

A small recursive-descent parser reads the LaTeX/plain-text subset that answers use (``\frac``/``\dfrac``/
``\tfrac`` with braced or single-character arguments such as ``\frac94``, ``a/b``, mixed numbers ``2\frac{1}{4}``
and ``2 1/4``, ``\sqrt{}``/``\sqrt[n]{}``/``√``, ``^``, implicit multiplication, ``\pi``/``π``, ``e``,
``\infty``, ``!``, ``|x|``, trigonometric and logarithmic functions, subscripted variables) into a tiny tree.
Two trees are compared by value:

- exactly, with fractions, when both are rational constants (so ``10^{-13}`` is *not* ``0``, a false positive of
  float-tolerance checkers);
- otherwise by evaluating both at 4 seeded random complex points for the free variables (relative tolerance
  1e-9, absolute 1e-13): ``\frac{x^2-1}{x-1}`` equals ``x+1`` as an answer, ``-x^2`` is ``-(x^2)`` (no sign flip).

Equations are equal when their ``lhs - rhs`` are proportional (``y = 2x+1`` ≡ ``2x - y + 1 = 0``); ``x = 5``
matches ``5``. Intervals must agree on bracket types and endpoints (``[1, 3)`` ≠ ``[1, 3]``); unions are
compared piecewise; ``\{1, 2\}`` sets in any order; tuples in order.

Bounded by construction: input at most ``MAX_ANSWER_CHARS`` characters and ``MAX_NESTING`` deep, float
arithmetic only (a power that would overflow, such as ``9^{9^{9^9}}``, is "not comparable" and such answers fall
back to exact text comparison), exact fractions only while their size is small, and a cooperative deadline
checked in every loop. Text is tokenised, never executed.

>>> expressions_equal("\\frac94", "2.25")
(True, 'symbolic: equal (exact)')
>>> expressions_equal("-x^2", "(-x)^2")[0]
False
>>> expressions_equal("[1, 3)", "[1,3]")[0]
False
>>> expressions_equal("9^{9^{9^9}}", "9^{9^{9^{9}}}")[0]
True
"""

from __future__ import annotations

import cmath
import math
import random
import re
from dataclasses import dataclass
from fractions import Fraction

from mmagrae.verifiers.verdict import MAX_ANSWER_CHARS, MAX_NESTING, NO_DEADLINE, Deadline

__all__ = [
    "ParseError",
    "parse_math",
    "expressions_equal",
    "constant_value",
    "looks_symbolic",
    "canonical_text",
]

_REL_TOL = 1e-9
_ABS_TOL = 1e-13
_N_POINTS = 4
_MAX_FRACTION_BITS = 2048
_MAX_INT_EXPONENT = 256


class ParseError(ValueError):
    pass


class NotComparable(ArithmeticError):
    pass


# ----------------------------------------------------------------------------------------------- normalise
_FUNCS = (
    "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sin", "cos", "tan", "cot", "sec", "csc",
    "log", "ln", "exp", "sqrt",
)  # fmt: skip
_GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
)  # fmt: skip
_TEXT_RE = re.compile(
    r"\\(?:text|textrm|mathrm|textbf|mathbf|mbox|operatorname)\s*\{([^{}]*)\}(\s*\^\s*\{?[23]\}?)?"
)
_UNIT_WORD_RE = re.compile(r"^\s*(?:[a-zA-Z]{2,}|cm|m|km|mm|kg|g|s)\s*(?:\^?\{?[23]\}?)?\s*$")


_VULGAR = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3"}


def _normalise(text: str) -> str:
    s = text.strip()
    for _ in range(4):
        new = _TEXT_RE.sub(
            lambda m: " " if _UNIT_WORD_RE.match(m.group(1)) else m.group(1) + (m.group(2) or ""), s
        )
        if new == s:
            break
        s = new
    for a, b in (
        ("\\left", ""), ("\\right", ""), ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\cfrac", "\\frac"),
        ("\\cdot", "*"), ("\\times", "*"), ("×", "*"), ("·", "*"), ("\\div", "/"), ("÷", "/"), ("√", "\\sqrt"),
        ("π", "\\pi"), ("∞", "\\infty"), ("²", "^2"), ("³", "^3"), ("⁴", "^4"),  ("−", "-"), ("–", "-"), ("\\{", "\\lbrace "), ("\\}", " \\rbrace"),
        ("\\lbrace", "\\lbrace "), ("\\rbrace", " \\rbrace"), ("∪", "\\cup "), ("\\%", "%"), ("$", ""),
        ("\\,", " "), ("\\;", " "), ("\\!", ""), ("\\ ", " "), ("~", " "), ("\\displaystyle", ""),
        ("^\\circ", ""), ("^{\\circ}", ""), ("\\circ", ""), ("°", ""), ("\\degree", ""), ("{,}", ""),
        ("\\lvert", "|"), ("\\rvert", "|"), ("\\vert", "|"), ("\\mid", "|"),
    ):  # fmt: skip
        s = s.replace(a, b)
    s = re.sub(r"(\d+)\s*([½¼¾⅓⅔])", lambda m: f"({m.group(1)}+{_VULGAR[m.group(2)]})", s)  # 2½ = 2 + 1/2
    s = re.sub(r"[½¼¾⅓⅔]", lambda m: f"({_VULGAR[m.group(0)]})", s)
    s = re.sub(r"\\le(?![a-z])|≤|<=", r"\\leq ", s)
    s = re.sub(r"\\ge(?![a-z])|≥|>=", r"\\geq ", s)
    s = re.sub(r"^\s*[a-zA-Z]\s*(?:\\in|∈)\s*", "", s)  # "x \in [2, 5)" -> "[2, 5)"
    s = re.sub(r"\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])", r"\\frac{\1}{\2}", s)
    s = re.sub(r"\\frac\s*([0-9a-zA-Z])\s*\{", r"\\frac{\1}{", s)
    s = re.sub(r"\\frac\s*(\{[^{}]*\})\s*([0-9a-zA-Z])", r"\\frac\1{\2}", s)
    s = re.sub(r"\\sqrt\s*([0-9a-zA-Z])", r"\\sqrt{\1}", s)
    return s


# ------------------------------------------------------------------------------------------------ tokenise
@dataclass(frozen=True)
class Token:
    kind: str  # num, var, func, const, op, open, close, comma, cmd
    text: str
    space_before: bool


_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)|(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<cmd>\\[a-zA-Z]+)|(?P<word>[a-zA-Z]+)"
    r"|(?P<op>[-+*/^_!=%|<>])|(?P<open>[({\[])|(?P<close>[)}\]])|(?P<comma>[,;])|(?P<other>.)"
)
_CONST_CMDS = {"\\pi": "pi", "\\infty": "inf", "\\infin": "inf"}


def _tokenise(s: str, deadline: Deadline) -> list[Token]:
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
            i = 0
            while i < len(text):  # split letters, recognising function names and pi
                for name in _FUNCS + ("pi",):
                    if text.startswith(name, i):
                        tokens.append(Token("func" if name != "pi" else "const", name, space))
                        i += len(name)
                        break
                else:
                    letter = text[i]
                    tokens.append(
                        Token("const", "e", space) if letter == "e" else Token("var", letter, space)
                    )
                    i += 1
                space = False
        elif kind == "cmd":
            name = text[1:]
            if text in _CONST_CMDS:
                tokens.append(Token("const", _CONST_CMDS[text], space))
            elif name in _FUNCS and name != "sqrt":
                tokens.append(Token("func", name, space))
            elif name in _GREEK:
                tokens.append(Token("var", name, space))
            elif name in (
                "frac",
                "sqrt",
                "cup",
                "lbrace",
                "rbrace",
                "leq",
                "geq",
                "neq",
                "pm",
                "mp",
                "lt",
                "gt",
            ):
                tokens.append(Token("cmd", name, space))
            else:
                raise ParseError(f"unsupported command {text}")
        elif kind == "other":
            raise ParseError(f"unexpected character {text!r}")
        else:
            tokens.append(Token(kind, text, space))
        space = False
    return tokens


# --------------------------------------------------------------------------------------------------- parse
# Tree nodes are tuples: ("num", Fraction) ("var", name) ("const", name) ("neg", a) ("add"|"sub"|"mul"|"div"|
# "pow", a, b) ("func", name, a) ("root", n, a) ("fact", a) ("abs", a)
class _Parser:
    def __init__(self, tokens: list[Token], deadline: Deadline) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.steps = 0
        self.deadline = deadline

    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ParseError("unexpected end")
        self.pos += 1
        return tok

    def expect(self, kind: str, text: str | None = None) -> Token:
        tok = self.take()
        if tok.kind != kind or (text is not None and tok.text != text):
            raise ParseError(f"expected {text or kind}, got {tok.text!r}")
        return tok

    def enter(self) -> None:
        self.depth += 1
        self.steps += 1
        if self.depth > MAX_NESTING:
            raise ParseError("nesting too deep")
        if self.steps % 64 == 0:
            self.deadline.check()

    def expr(self):
        self.enter()
        node = self.term()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in "+-":
            self.take()
            node = ("add" if tok.text == "+" else "sub", node, self.term())
        self.depth -= 1
        return node

    def _starts_primary(self, tok: Token | None) -> bool:
        if tok is None:
            return False
        if tok.kind in ("num", "var", "func", "const"):
            return True
        if tok.kind == "open" and tok.text in "({":
            return True
        return tok.kind == "cmd" and tok.text in ("frac", "sqrt")

    def term(self):
        node = self.unary()
        while True:
            tok = self.peek()
            if tok is not None and tok.kind == "op" and tok.text in "*/":
                self.take()
                node = ("mul" if tok.text == "*" else "div", node, self.unary())
            elif tok is not None and tok.kind == "op" and tok.text == "%":
                self.take()
                node = ("div", node, ("num", Fraction(100)))
            elif self._starts_primary(tok) and tok.kind != "num":  # "2x", "x(y+1)"; never "1.5 .5"
                node = ("mul", node, self.power())
            else:
                return node

    def unary(self):
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text in "+-":
            self.take()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return ("neg", operand) if tok.text == "-" else operand
        return self.power()

    def power(self):
        base = self.postfix()
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text == "^":
            self.take()
            self.enter()
            exponent = self.group_or_unary()
            self.depth -= 1
            return ("pow", base, exponent)
        return base

    def group_or_unary(self):
        tok = self.peek()
        if tok is not None and tok.kind == "open" and tok.text == "{":
            return self.braced()
        return self.unary()

    def postfix(self):
        node = self.primary()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text == "!":
            self.take()
            node = ("fact", node)
        return node

    def braced(self):
        self.expect("open", "{")
        node = self.expr()
        self.expect("close", "}")
        return node

    def primary(self):
        self.enter()
        try:
            return self._primary()
        finally:
            self.depth -= 1

    def _primary(self):
        tok = self.take()
        if tok.kind == "num":
            node = ("num", Fraction(tok.text))
            return self._mixed_number(tok, node)
        if tok.kind == "var":
            name = tok.text
            nxt = self.peek()
            if nxt is not None and nxt.kind == "op" and nxt.text == "_":
                self.take()
                sub = self.take()
                if sub.kind == "open" and sub.text == "{":
                    parts = []
                    while (t := self.take()).kind != "close":
                        parts.append(t.text)
                        if len(parts) > 16:
                            raise ParseError("subscript too long")
                    name += "_" + "".join(parts)
                else:
                    name += "_" + sub.text
            return ("var", name)
        if tok.kind == "const":
            return ("const", tok.text)
        if tok.kind == "open" and tok.text == "(":
            node = self.expr()
            self.expect("close", ")")
            return node
        if tok.kind == "open" and tok.text == "{":
            node = self.expr()
            self.expect("close", "}")
            return node
        if tok.kind == "op" and tok.text == "|":
            node = self.expr()
            self.expect("op", "|")
            return ("abs", node)
        if tok.kind == "cmd" and tok.text == "frac":
            return ("div", self.braced(), self.braced())
        if tok.kind == "cmd" and tok.text == "sqrt":
            nxt = self.peek()
            if nxt is not None and nxt.kind == "open" and nxt.text == "[":
                self.take()
                index = self.expr()
                self.expect("close", "]")
                return ("root", index, self.group_or_primary())
            return ("root", ("num", Fraction(2)), self.group_or_primary())
        if tok.kind == "func":
            return self._function(tok.text)
        raise ParseError(f"unexpected {tok.text!r}")

    def group_or_primary(self):
        tok = self.peek()
        if tok is not None and tok.kind == "open" and tok.text == "{":
            return self.braced()
        return self.primary()

    def _mixed_number(self, tok: Token, node):
        value = node[1]
        if value.denominator != 1 or "." in tok.text:
            return node
        nxt = self.peek()
        if nxt is not None and nxt.kind == "cmd" and nxt.text == "frac":  # 2\frac{1}{4}
            save = self.pos
            self.take()
            try:
                frac = ("div", self.braced(), self.braced())
            except ParseError:
                self.pos = save
                return node
            if frac[1][0] == "num" and frac[2][0] == "num" and frac[1][1] < frac[2][1]:
                return ("add", node, frac)
            self.pos = save
            return node
        n2, slash, n3 = self.peek(), self.peek(1), self.peek(2)
        if (
            n2 is not None and n2.kind == "num" and n2.space_before and "." not in n2.text
            and slash is not None and slash.kind == "op" and slash.text == "/"
            and n3 is not None and n3.kind == "num" and "." not in n3.text
            and Fraction(n2.text) < Fraction(n3.text)
        ):  # fmt: skip  # 2 1/4
            self.pos += 3
            return ("add", node, ("div", ("num", Fraction(n2.text)), ("num", Fraction(n3.text))))
        return node

    def _function(self, name: str):
        exponent = None
        base = None
        nxt = self.peek()
        if name == "log" and nxt is not None and nxt.kind == "op" and nxt.text == "_":
            self.take()
            base = self.group_or_primary()
            nxt = self.peek()
        if nxt is not None and nxt.kind == "op" and nxt.text == "^":  # \sin^2 x
            self.take()
            exponent = self.group_or_primary()
        nxt = self.peek()
        if nxt is not None and nxt.kind == "open" and nxt.text in "({":
            self.take()
            arg = self.expr()
            self.expect("close")
        else:
            arg = self.power()
        node = ("func", name, arg) if name != "sqrt" else ("root", ("num", Fraction(2)), arg)
        if base is not None:
            node = ("div", ("func", "ln", arg), ("func", "ln", base))
        if exponent is not None:
            node = ("pow", node, exponent)
        return node


# ------------------------------------------------------------------------------------------- math objects
@dataclass(frozen=True)
class Equation:
    lhs: tuple
    rhs: tuple


@dataclass(frozen=True)
class Interval:
    left_closed: bool
    left: tuple
    right: tuple
    right_closed: bool


@dataclass(frozen=True)
class Union:
    parts: tuple[Interval, ...]


@dataclass(frozen=True)
class Collection:
    items: tuple
    ordered: bool


def _split_top(tokens: list[Token], kind: str, text: str | None = None) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.kind == "open" or (tok.kind == "cmd" and tok.text == "lbrace"):
            depth += 1
        elif tok.kind == "close" or (tok.kind == "cmd" and tok.text == "rbrace"):
            depth -= 1
        if depth == 0 and tok.kind == kind and (text is None or tok.text == text):
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def _parse_expr_tokens(tokens: list[Token], deadline: Deadline):
    if not tokens:
        raise ParseError("empty expression")
    parser = _Parser(tokens, deadline)
    node = parser.expr()
    if parser.pos != len(tokens):
        raise ParseError(f"unexpected {tokens[parser.pos].text!r}")
    return node


def _parse_interval(tokens: list[Token], deadline: Deadline) -> Interval | None:
    if len(tokens) < 5:
        return None
    first, last = tokens[0], tokens[-1]
    if not (first.kind == "open" and first.text in "([" and last.kind == "close" and last.text in ")]"):
        return None
    inner = tokens[1:-1]
    depth = 0
    for tok in inner:  # the outer brackets must enclose everything
        depth += tok.kind == "open"
        depth -= tok.kind == "close"
        if depth < 0:
            return None
    pieces = _split_top(inner, "comma")
    if len(pieces) != 2:
        return None
    return Interval(first.text == "[", _parse_expr_tokens(pieces[0], deadline),
                    _parse_expr_tokens(pieces[1], deadline), last.text == "]")  # fmt: skip


def parse_math(text: str, deadline: Deadline = NO_DEADLINE):
    """Parse an answer into an expression tree, Equation, Interval, Union or Collection; raises ParseError.

    >>> parse_math("(1, \\\\infty)")
    Interval(left_closed=False, left=('num', Fraction(1, 1)), right=('const', 'inf'), right_closed=False)
    """
    if len(text) > MAX_ANSWER_CHARS:
        raise ParseError("answer too long")
    tokens = _tokenise(_normalise(text), deadline)
    if not tokens:
        raise ParseError("empty")
    unions = _split_top(tokens, "cmd", "cup")
    if len(unions) > 1:
        parts = tuple(_parse_interval(p, deadline) for p in unions)
        if any(p is None for p in parts):
            raise ParseError("union of non-intervals")
        return Union(parts)  # type: ignore[arg-type]
    if (
        tokens[0].kind == "cmd"
        and tokens[0].text == "lbrace"
        and tokens[-1].kind == "cmd"
        and tokens[-1].text == "rbrace"
    ):
        items = _split_top(tokens[1:-1], "comma")
        return Collection(tuple(_parse_expr_tokens(p, deadline) for p in items if p), ordered=False)
    interval = _parse_interval(tokens, deadline)
    if interval is not None:
        return interval
    sides = _split_top(tokens, "op", "=")
    if len(sides) == 2:
        return Equation(_parse_expr_tokens(sides[0], deadline), _parse_expr_tokens(sides[1], deadline))
    if len(sides) > 2:
        raise ParseError("chained equation")
    items = _split_top(tokens, "comma")
    if len(items) > 1:
        if (
            tokens[0].kind == "open"
            and tokens[-1].kind == "close"
            and len(_split_top(tokens[1:-1], "comma")) > 1
        ):
            items = _split_top(tokens[1:-1], "comma")
        return Collection(tuple(_parse_expr_tokens(p, deadline) for p in items), ordered=True)
    return _parse_expr_tokens(tokens, deadline)


# ---------------------------------------------------------------------------------------------- evaluate
def _exact(node, deadline: Deadline) -> Fraction | None:
    """Exact rational value of a constant tree, or None (irrational, variable, too large)."""
    deadline.check()
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "neg":
        v = _exact(node[1], deadline)
        return None if v is None else -v
    if kind in ("add", "sub", "mul", "div"):
        a = _exact(node[1], deadline)
        if a is None:
            return None
        b = _exact(node[2], deadline)
        if b is None:
            return None
        if kind == "add":
            r = a + b
        elif kind == "sub":
            r = a - b
        elif kind == "mul":
            r = a * b
        else:
            if b == 0:
                return None
            r = a / b
    elif kind == "pow":
        a = _exact(node[1], deadline)
        b = _exact(node[2], deadline)
        if a is None or b is None or b.denominator != 1 or abs(b) > _MAX_INT_EXPONENT or (a == 0 and b < 0):
            return None
        if max(a.numerator.bit_length(), a.denominator.bit_length()) * abs(b) > _MAX_FRACTION_BITS:
            return None
        r = a ** int(b)
    elif kind == "abs":
        v = _exact(node[1], deadline)
        return None if v is None else abs(v)
    else:
        return None
    if max(r.numerator.bit_length(), r.denominator.bit_length()) > _MAX_FRACTION_BITS:
        return None
    return r


_FUNC_IMPL = {
    "sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "arcsin": cmath.asin, "arccos": cmath.acos,
    "arctan": cmath.atan, "sinh": cmath.sinh, "cosh": cmath.cosh, "tanh": cmath.tanh, "exp": cmath.exp,
    "ln": cmath.log, "log": cmath.log, "cot": lambda z: 1 / cmath.tan(z), "sec": lambda z: 1 / cmath.cos(z),
    "csc": lambda z: 1 / cmath.sin(z),
}  # fmt: skip


def _num(node, env: dict[str, complex], deadline: Deadline) -> complex:
    deadline.check()
    kind = node[0]
    if kind == "num":
        return complex(float(node[1]))
    if kind == "var":
        return env[node[1]]
    if kind == "const":
        return {"pi": complex(math.pi), "inf": complex(math.inf), "e": complex(math.e)}[node[1]]
    if kind == "neg":
        return -_num(node[1], env, deadline)
    if kind == "fact":
        v = _num(node[1], env, deadline)
        if v.imag != 0 or v.real < 0 or v.real > 170 or v.real != int(v.real):
            raise NotComparable("factorial domain")
        return complex(math.factorial(int(v.real)))
    if kind == "abs":
        return complex(abs(_num(node[1], env, deadline)))
    if kind == "func":
        return _FUNC_IMPL[node[1]](_num(node[2], env, deadline))
    a = _num(node[1], env, deadline)
    b = _num(node[2], env, deadline)
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        if b == 0:
            raise NotComparable("division by zero")
        return a / b
    if kind == "root":  # node = ("root", index, radicand): a is the index, b the radicand
        if a == 0:
            raise NotComparable("zeroth root")
        if b.imag == 0 and b.real < 0 and a.imag == 0 and a.real % 2 == 1:
            return -((-b) ** (1 / a))  # real odd root of a negative number
        return b ** (1 / a)
    if kind == "pow":
        if a == 0 and (b.real < 0 or b == 0):
            raise NotComparable("0 to a non-positive power")
        if abs(a) > 1 and abs(b) * math.log(abs(a)) > 700:
            raise NotComparable("overflow")
        if a.imag == 0 and b.imag == 0 and b.real == int(b.real) and abs(b.real) <= 64:
            return a ** int(b.real)
        return a**b
    raise NotComparable(f"unknown node {kind}")


def _variables(node, out: set[str]) -> set[str]:
    stack = [node]
    while stack:
        n = stack.pop()
        if n[0] == "var":
            out.add(n[1])
        elif n[0] in ("num", "const"):
            continue
        else:
            stack.extend(x for x in n[1:] if isinstance(x, tuple))
    return out


def _points(names: set[str]) -> list[dict[str, complex]]:
    rng = random.Random(20260211)
    ordered = sorted(names)
    return [
        {n: complex(rng.uniform(0.3, 1.7), rng.uniform(0.1, 0.9)) for n in ordered} for _ in range(_N_POINTS)
    ]


def _close(a: complex, b: complex) -> bool:
    if cmath.isinf(a) or cmath.isinf(b):
        return a == b
    return abs(a - b) <= _REL_TOL * max(abs(a), abs(b)) + _ABS_TOL


def _finite(v: complex) -> bool:
    return not (cmath.isnan(v) or cmath.isinf(v))


def _trees_equal(a, b, deadline: Deadline) -> bool:
    ea, eb = _exact(a, deadline), _exact(b, deadline)
    if ea is not None and eb is not None:
        return ea == eb
    names = _variables(a, set()) | _variables(b, set())
    compared = 0
    for env in _points(names):
        try:
            va, vb = _num(a, env, deadline), _num(b, env, deadline)
        except (NotComparable, OverflowError, ZeroDivisionError, ValueError):
            continue
        if cmath.isnan(va) or cmath.isnan(vb):
            continue
        if not _close(va, vb):
            return False
        compared += 1
    if compared == 0:
        raise NotComparable("no point could be evaluated")
    return True


def _equations_equal(a: Equation, b: Equation, deadline: Deadline) -> bool:
    fa, fb = ("sub", a.lhs, a.rhs), ("sub", b.lhs, b.rhs)
    names = _variables(fa, set()) | _variables(fb, set())
    ratio = None
    for env in _points(names):
        try:
            va, vb = _num(fa, env, deadline), _num(fb, env, deadline)
        except (NotComparable, OverflowError, ZeroDivisionError, ValueError):
            continue
        if not (_finite(va) and _finite(vb)):
            continue
        if abs(va) <= _ABS_TOL or abs(vb) <= _ABS_TOL:
            if abs(va) <= _ABS_TOL and abs(vb) <= _ABS_TOL:
                continue
            return False
        r = va / vb
        if ratio is None:
            ratio = r
        elif not _close(r, ratio):
            return False
    if ratio is None:
        raise NotComparable("equations could not be evaluated")
    return True


def _endpoint_key(node, deadline: Deadline) -> float:
    try:
        v = _num(node, {}, deadline)
    except (NotComparable, OverflowError, ZeroDivisionError, ValueError, KeyError):
        return math.nan
    return v.real


def _objects_equal(a, b, deadline: Deadline) -> bool:
    if isinstance(a, Equation) and isinstance(b, Equation):
        return _equations_equal(a, b, deadline)
    if isinstance(a, Equation) or isinstance(b, Equation):
        eq, other = (a, b) if isinstance(a, Equation) else (b, a)
        if isinstance(other, tuple) and eq.lhs[0] == "var":  # x = 5 vs 5
            return _trees_equal(eq.rhs, other, deadline)
        return False
    if isinstance(a, Interval) and isinstance(b, Interval):
        return (
            a.left_closed == b.left_closed and a.right_closed == b.right_closed
            and _trees_equal(a.left, b.left, deadline) and _trees_equal(a.right, b.right, deadline)
        )  # fmt: skip
    if isinstance(a, Union) and isinstance(b, Union):
        if len(a.parts) != len(b.parts):
            return False
        pa = sorted(a.parts, key=lambda p: _endpoint_key(p.left, deadline))
        pb = sorted(b.parts, key=lambda p: _endpoint_key(p.left, deadline))
        return all(_objects_equal(x, y, deadline) for x, y in zip(pa, pb, strict=True))
    if isinstance(a, Collection) and isinstance(b, Collection):
        if len(a.items) != len(b.items):
            return False
        if a.ordered and b.ordered:
            return all(_trees_equal(x, y, deadline) for x, y in zip(a.items, b.items, strict=True))
        remaining = list(b.items)
        for x in a.items:
            for j, y in enumerate(remaining):
                if _trees_equal(x, y, deadline):
                    del remaining[j]
                    break
            else:
                return False
        return True
    if isinstance(a, tuple) and isinstance(b, tuple):
        return _trees_equal(a, b, deadline)
    return False


def canonical_text(text: str) -> str:
    """Whitespace-, case- and spelling-insensitive text of a formula (``x \\le 3`` == ``x≤3``)."""
    return _canonical_text(text)


def _canonical_text(text: str) -> str:
    return "".join(_normalise(text).split()).lower()


def expressions_equal(pred: str, gold: str, deadline: Deadline = NO_DEADLINE) -> tuple[bool, str]:
    """Compare two answers symbolically; returns (equal, reason). Raises ParseError when the *gold* cannot be read.

    >>> expressions_equal("y = 2x + 1", "2x - y + 1 = 0")[0], expressions_equal("2 1/4", "\\\\frac{9}{4}")[0]
    (True, True)
    """
    gold_obj = parse_math(gold, deadline)
    try:
        pred_obj = parse_math(pred, deadline)
    except ParseError as exc:
        return False, f"symbolic: prediction not parsed ({exc})"
    try:
        exact = (
            isinstance(pred_obj, tuple)
            and isinstance(gold_obj, tuple)
            and (_exact(pred_obj, deadline) is not None and _exact(gold_obj, deadline) is not None)
        )
        equal = _objects_equal(pred_obj, gold_obj, deadline)
    except NotComparable as exc:
        equal = pred_obj == gold_obj or _canonical_text(pred) == _canonical_text(gold)
        return (
            equal,
            f"symbolic: not comparable by value ({exc}); structure {'equal' if equal else 'differs'}",
        )
    how = "exact" if exact else "numeric at random points"
    return equal, f"symbolic: {'equal' if equal else 'not equal'} ({how})"


def constant_value(text: str, deadline: Deadline = NO_DEADLINE) -> Fraction | complex | None:
    r"""Value of a constant expression (exact Fraction when rational), or None.

    >>> constant_value("\\frac{1}{2}"), round(constant_value("\\sqrt{3}").real, 4)
    (Fraction(1, 2), 1.7321)
    """
    try:
        tree = parse_math(text, deadline)
        if not isinstance(tree, tuple) or _variables(tree, set()):
            return None
        exact = _exact(tree, deadline)
        if exact is not None:
            return exact
        value = _num(tree, {}, deadline)
    except (ParseError, NotComparable, OverflowError, ZeroDivisionError, ValueError, KeyError):
        return None
    return value if _finite(value) else None


_SYMBOLIC_HINT_RE = re.compile(
    r"\\[a-zA-Z{]|√|π|∞|[\d)}]\s*[-+*/^!=]|[-+*/^=]\s*[\d({\\]|\b[a-zA-Z]\s*[-+*/^=]|[-+*/^=]\s*[a-zA-Z]\b"
    r"|\d[a-zA-Z]\b|^\s*[-+]"
)


def looks_symbolic(text: str) -> bool:
    """A cheap hint that a gold answer is an expression rather than words ("x+1", "9/4", "(1, 2]", not "red").

    >>> looks_symbolic("9/4"), looks_symbolic("2x"), looks_symbolic("(1, 2]"), looks_symbolic("light blue")
    (True, True, True, False)
    """
    return bool(_SYMBOLIC_HINT_RE.search(text)) or bool(re.match(r"^\s*[(\[].*,.*[)\]]\s*$", text))
