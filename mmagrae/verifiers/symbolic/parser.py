r"""Tokens to typed trees: a recursive-descent expression parser and the answer-level structure around it.

Structure, first match wins: a matrix environment; a union (``\cup``) of intervals and sets; a set
``\{…\}``; an interval ``[a, b)``; a tuple ``(a, b, c)``; a bare comma list (a set of answers); an
inequality (possibly chained); an equation (a chain ``a = b = c`` keeps its last side); an expression.

>>> parse_math("(1, \\\\infty)")
Interval(left_closed=False, left=Num(value=Fraction(1, 1), decimals=None), right=Const(name='inf'), right_closed=False)
"""

from __future__ import annotations

import re
from fractions import Fraction

from mmagrae.verifiers.symbolic.lexer import ParseError, Token, normalise, tokenise
from mmagrae.verifiers.symbolic.nodes import (
    Abs,
    BinOp,
    Collection,
    Const,
    Equation,
    Expr,
    Fact,
    Func,
    Interval,
    MathObject,
    Matrix,
    Neg,
    Num,
    Relation,
    Root,
    Union,
    Var,
)  # fmt: skip
from mmagrae.verifiers.verdict import MAX_ANSWER_CHARS, MAX_NESTING, NO_DEADLINE, Deadline

__all__ = ["parse_math", "parse_expression_tokens"]

_TWO = Num(Fraction(2))


def _num(text: str) -> Num:
    return Num(Fraction(text), len(text.split(".", 1)[1]) if "." in text else None)


class _Parser:
    def __init__(self, tokens: list[Token], deadline: Deadline) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.steps = 0
        self.deadline = deadline
        self.bars = 0  # absolute values open: inside one, a "|" closes it

    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ParseError("unexpected end")
        self.pos += 1
        return tok

    def at(self, kind: str, texts: str | tuple[str, ...] | None = None, offset: int = 0) -> bool:
        tok = self.peek(offset)
        if tok is None or tok.kind != kind:
            return False
        return texts is None or (tok.text == texts if isinstance(texts, str) else tok.text in texts)

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

    def expr(self) -> Expr:
        self.enter()
        node = self.term()
        while self.at("op", ("+", "-")):
            op = self.take().text
            node = BinOp(op, node, self.term())  # type: ignore[arg-type]
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

    def term(self) -> Expr:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok is not None and tok.kind == "op" and tok.text in "*/:":
                self.take()
                node = BinOp("*" if tok.text == "*" else "/", node, self.unary())
            elif tok is not None and tok.kind == "op" and tok.text == "%":
                self.take()
                node = BinOp("/", node, Num(Fraction(100)))
            elif self._starts_primary(tok) and tok.kind != "num":  # "2x", "x(y+1)"; never "1.5 .5"
                node = BinOp("*", node, self.power())
            elif tok is not None and tok.kind == "op" and tok.text == "|" and not self.bars:  # "\frac{1}{2}|x+2|"
                node = BinOp("*", node, self.power())
            elif (tok is not None and tok.kind == "num" and tok.space_before and _ends_in_power(node)
                  and self.at_power_after()):  # "2^6 3^5 5^4": a product of prime powers
                node = BinOp("*", node, self.power())
            else:
                return node

    def at_power_after(self) -> bool:
        """Whether the number ahead is itself raised to a power ("… 3^5"): only then does it multiply."""
        after = self.peek(1)
        return after is not None and after.kind == "op" and after.text == "^"

    def unary(self) -> Expr:
        if self.at("op", ("+", "-")):
            sign = self.take().text
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand) if sign == "-" else operand
        return self.power()

    def power(self) -> Expr:
        base = self.postfix()
        if self.at("op", "^"):
            self.take()
            self.enter()
            exponent = self.group_or_unary()
            self.depth -= 1
            return BinOp("^", base, exponent)
        return base

    def group_or_unary(self) -> Expr:
        return self.braced() if self.at("open", "{") else self.unary()

    def group_or_primary(self) -> Expr:
        return self.braced() if self.at("open", "{") else self.primary()

    def postfix(self) -> Expr:
        node = self.primary()
        while self.at("op", "!"):
            self.take()
            node = Fact(node)
        return node

    def braced(self) -> Expr:
        self.expect("open", "{")
        node = self.expr()
        self.expect("close", "}")
        return node

    def primary(self) -> Expr:
        self.enter()
        try:
            return self._primary()
        finally:
            self.depth -= 1

    def _primary(self) -> Expr:
        tok = self.take()
        if tok.kind == "num":
            return self._mixed_number(tok, _num(tok.text))
        if tok.kind == "var":
            return Var(self._subscripted(tok.text))
        if tok.kind == "const":
            return Const(tok.text)  # type: ignore[arg-type]
        if tok.kind == "open" and tok.text in "({":
            node = self.expr()
            self.expect("close", ")" if tok.text == "(" else "}")
            return node
        if tok.kind == "op" and tok.text == "|":
            self.bars += 1
            try:
                node = self.expr()
            finally:
                self.bars -= 1
            self.expect("op", "|")
            return Abs(node)
        if tok.kind == "cmd" and tok.text == "frac":
            return BinOp("/", self.braced(), self.braced())
        if tok.kind == "cmd" and tok.text == "sqrt":
            if self.at("open", "["):
                self.take()
                index = self.expr()
                self.expect("close", "]")
                return Root(index, self.group_or_primary())
            return Root(_TWO, self.group_or_primary())
        if tok.kind == "func":
            return self._function(tok.text)
        raise ParseError(f"unexpected {tok.text!r}")

    def _subscripted(self, name: str) -> str:
        if not self.at("op", "_"):
            return name
        self.take()
        sub = self.take()
        if sub.kind == "open" and sub.text == "{":
            parts = []
            while (t := self.take()).kind != "close":
                parts.append(t.text)
                if len(parts) > 16:
                    raise ParseError("subscript too long")
            return name + "_" + "".join(parts)
        return name + "_" + sub.text

    def _mixed_number(self, tok: Token, node: Num) -> Expr:
        if node.decimals is not None:
            return node
        if self.at("cmd", "frac"):  # 2\frac{1}{4}
            save = self.pos
            self.take()
            try:
                num, den = self.braced(), self.braced()
            except ParseError:
                self.pos = save
                return node
            if isinstance(num, Num) and isinstance(den, Num) and num.value < den.value:
                return BinOp("+", node, BinOp("/", num, den))
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
            return BinOp("+", node, BinOp("/", _num(n2.text), _num(n3.text)))
        return node

    def _function(self, name: str) -> Expr:
        exponent = None
        base = None
        if name == "log" and self.at("op", "_"):
            self.take()
            base = self.group_or_primary()
        if self.at("op", "^"):  # \sin^2 x
            self.take()
            exponent = self.group_or_primary()
        if self.at("open", ("(", "{")):
            self.take()
            arg = self.expr()
            self.expect("close")
        else:
            arg = self.power()
        node: Expr = Func(name, arg) if name != "sqrt" else Root(_TWO, arg)
        if base is not None:
            node = BinOp("/", Func("ln", arg), Func("ln", base))
        if exponent is not None:
            node = BinOp("^", node, exponent)
        return node


def _is_open(tok: Token) -> bool:
    return tok.kind == "open" or (tok.kind == "cmd" and tok.text == "lbrace")


def _ends_in_power(node: Expr) -> bool:
    r"""Whether the last factor of ``node`` is a power (``2^6``, ``2^6 \cdot 3^5``)."""
    while isinstance(node, BinOp) and node.op == "*":
        node = node.right
    return isinstance(node, BinOp) and node.op == "^"


def _is_close(tok: Token) -> bool:
    return tok.kind == "close" or (tok.kind == "cmd" and tok.text == "rbrace")


def _split_top(tokens: list[Token], kind: str, texts: tuple[str, ...] | None = None) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    abs_open = False
    for tok in tokens:
        if _is_open(tok):
            depth += 1
        elif _is_close(tok):
            depth -= 1
        elif tok.kind == "op" and tok.text == "|" and depth == 0:
            abs_open = not abs_open
        if depth == 0 and not abs_open and tok.kind == kind and (texts is None or tok.text in texts):
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def _split_relations(tokens: list[Token]) -> tuple[list[list[Token]], list[str]]:
    sides: list[list[Token]] = [[]]
    ops: list[str] = []
    depth = 0
    for tok in tokens:
        depth += _is_open(tok)
        depth -= _is_close(tok)
        if depth == 0 and tok.kind == "rel":
            sides.append([])
            ops.append(tok.text)
        else:
            sides[-1].append(tok)
    return sides, ops


def parse_expression_tokens(tokens: list[Token], deadline: Deadline) -> Expr:
    if not tokens:
        raise ParseError("empty expression")
    parser = _Parser(tokens, deadline)
    node = parser.expr()
    if parser.pos != len(tokens):
        raise ParseError(f"unexpected {tokens[parser.pos].text!r}")
    return node


def _wrapped(tokens: list[Token], opens: str, closes: str) -> bool:
    """The first and last tokens are brackets that enclose everything between them."""
    if len(tokens) < 2 or not (tokens[0].kind == "open" and tokens[0].text in opens):
        return False
    if not (tokens[-1].kind == "close" and tokens[-1].text in closes):
        return False
    depth = 0
    for tok in tokens[1:-1]:
        depth += tok.kind == "open"
        depth -= tok.kind == "close"
        if depth < 0:
            return False
    return depth == 0


def _parse_interval(tokens: list[Token], deadline: Deadline) -> Interval | None:
    if len(tokens) < 5 or not _wrapped(tokens, "([", ")]"):
        return None
    pieces = _split_top(tokens[1:-1], "comma")
    if len(pieces) != 2:
        return None
    left, right = parse_expression_tokens(pieces[0], deadline), parse_expression_tokens(pieces[1], deadline)
    return Interval(tokens[0].text == "[", left, right, tokens[-1].text == "]")


def _parse_object(tokens: list[Token], deadline: Deadline, depth: int = 0) -> MathObject:
    if not tokens:
        raise ParseError("empty")
    if depth > 8:
        raise ParseError("nesting too deep")
    deadline.check()
    unions = _split_top(tokens, "cmd", ("cup",))
    if len(unions) > 1:
        return Union(tuple(_parse_object(p, deadline, depth + 1) for p in unions))
    if (
        tokens[0].kind == "cmd"
        and tokens[0].text == "lbrace"
        and tokens[-1].kind == "cmd"
        and (tokens[-1].text == "rbrace")
        and len(_split_top(tokens, "cmd", ("rbrace",))) == 2
    ):
        items = [p for p in _split_top(tokens[1:-1], "comma") if p]
        return Collection(tuple(_parse_object(p, deadline, depth + 1) for p in items), ordered=False)
    if _wrapped(tokens, "{", "}") and len(_split_top(tokens[1:-1], "comma")) > 1:  # "{1, 2}" as a set
        items = [p for p in _split_top(tokens[1:-1], "comma") if p]
        return Collection(tuple(_parse_object(p, deadline, depth + 1) for p in items), ordered=False)
    interval = _parse_interval(tokens, deadline)
    if interval is not None:
        return interval
    if _wrapped(tokens, "(", ")") and len(_split_top(tokens[1:-1], "comma")) > 1:
        items = _split_top(tokens[1:-1], "comma")
        return Collection(tuple(_parse_object(p, deadline, depth + 1) for p in items), ordered=True)
    items = [p for p in _split_top(tokens, "comma") if p]
    if len(items) > 1:
        return Collection(tuple(_parse_object(p, deadline, depth + 1) for p in items), ordered=False)
    if not items:
        raise ParseError("empty")
    tokens = items[0]
    sides, ops = _split_relations(tokens)
    if ops:
        if any(not s for s in sides):
            raise ParseError("relation with an empty side")
        return Relation(tuple(parse_expression_tokens(s, deadline) for s in sides), tuple(ops))  # type: ignore[arg-type]
    sides = _split_top(tokens, "op", ("=",))
    if len(sides) == 2:
        return Equation(
            _parse_object(sides[0], deadline, depth + 1), _parse_object(sides[1], deadline, depth + 1)
        )
    if len(sides) > 2:  # "x = 5+5+1 = 11": the chain's last side is the answer
        return _parse_object(sides[-1], deadline, depth + 1)
    return parse_expression_tokens(tokens, deadline)


_MATRIX_RE = re.compile(
    r"^[\s(\[]*\\begin\{(?P<env>[pbvBV]?matrix|array|smallmatrix)\}(?:\{[^{}]*\})?(?P<body>.*)"
    r"\\end\{(?P=env)\}[\s)\]]*$",
    re.DOTALL,
)


def _parse_matrix(text: str, deadline: Deadline) -> Matrix | None:
    m = _MATRIX_RE.match(text.replace("\\left", "").replace("\\right", ""))
    if m is None:
        return None
    rows = [r for r in m.group("body").split("\\\\") if r.strip() and r.strip() != "\\hline"]
    if not rows or len(rows) > 64:
        raise ParseError("empty or oversized matrix")
    cells = [tuple(_cell(c, deadline) for c in row.split("&")) for row in rows]
    if len({len(r) for r in cells}) != 1:
        raise ParseError("ragged matrix")
    return Matrix(tuple(cells))


def _cell(text: str, deadline: Deadline) -> Expr:
    return parse_expression_tokens(tokenise(normalise(text), deadline), deadline)


_NAME_RE = re.compile(r"^\s*\\?[A-Za-z]{1,12}(?:_\{?\w{1,8}\}?)?\s*$")


def _drop_approximation(text: str) -> str:
    """``x = 1/3 \\approx 0.33``: the exact value before an approximation is the answer."""
    for mark in ("\\approx", "≈"):
        i = text.find(mark)
        if i > 0 and text[:i].strip():
            return text[:i]
        if i == 0:
            return text[len(mark) :]
    return text


def parse_math(text: str, deadline: Deadline = NO_DEADLINE) -> MathObject:
    """Parse an answer into an expression tree or a math object; raises ParseError outside the subset."""
    if len(text) > MAX_ANSWER_CHARS:
        raise ParseError("answer too long")
    if "\\begin" in text:
        matrix = _parse_matrix(text, deadline)
        if matrix is not None:
            return matrix
        raise ParseError("unsupported environment")
    text = _drop_approximation(text)
    signs = text.count("\\pm") + text.count("±") + text.count("\\mp")
    if signs == 1:  # "\pm 3", "x = \frac{-1 \pm \sqrt{13}}{4}": the set of both signs
        plus = text.replace("\\pm", "+").replace("±", "+").replace("\\mp", "-")
        minus = text.replace("\\pm", "-").replace("±", "-").replace("\\mp", "+")
        return Collection((parse_math(plus, deadline), parse_math(minus, deadline)), ordered=False)
    try:
        tokens = tokenise(normalise(text), deadline)
    except ParseError:
        lhs, _, rhs = text.rpartition("=")
        if text.count("=") >= 2 or _NAME_RE.match(lhs):  # "1 = \zzz = x = 0", "\k = \frac13": last side
            return parse_math(rhs, deadline)
        raise
    if not tokens:
        raise ParseError("empty")
    return _parse_object(tokens, deadline)
