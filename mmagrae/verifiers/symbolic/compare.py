r"""Equality of parsed answers by value, and the public entry points of the symbolic package.

- Rational constants compare exactly (``10^{-13}`` is not ``0``).
- A decimal literal with at least ``MIN_APPROX_DIGITS`` significant digits equals a constant that rounds
  (half-up) to it at the literal's decimals: ``0.0833333`` for ``\frac{1}{12}``, ``2.6667`` for ``\frac83``;
  ``0.866`` for ``\frac{\sqrt3}{2}`` and ``62.83`` for ``20\pi`` (fewer digits) are still wrong.
- Anything else with variables is compared at seeded random complex points.
- Inequalities: ``lhs - rhs`` proportional with a positive ratio after turning ``>`` into ``<``; one that bounds a
  single variable by constants (``0 < x \le 1``, ``x \ge 5``) also equals the same interval.
- ``x = 5`` equals ``5`` when the left side is only a name (``x``, ``AB``, ``|AB|``, ``(p, q)``); an equation
  between constants (``2 + 3 = 5``) equals its result.
- Bare comma lists and ``\{…\}`` are sets (any order); ``(a, b, c)`` tuples and matrices compare in order.

>>> expressions_equal("\\frac94", "2.25")
(True, 'symbolic: equal (exact)')
>>> expressions_equal("-x > -1", "x < 1")[0], expressions_equal("0 < x < 1", "(0, 1)")[0]
(True, True)
>>> expressions_equal("[1, 3)", "[1,3]")[0], expressions_equal("9^{9^{9^9}}", "9^{9^{9^{9}}}")[0]
(False, True)
"""

from __future__ import annotations

import math
import re
import threading
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from mmagrae.verifiers.symbolic.evaluate import (
    ABS_TOL,
    EVAL_ERRORS,
    NotComparable,
    close,
    exact_value,
    finite,
    numeric_value,
    sample_points,
    variables,
)  # fmt: skip
from mmagrae.verifiers.symbolic.lexer import ParseError, normalise
from mmagrae.verifiers.symbolic.nodes import (
    EXPR_TYPES,
    Abs,
    BinOp,
    Collection,
    Const,
    Equation,
    Expr,
    Interval,
    MathObject,
    Matrix,
    Neg,
    Num,
    Relation,
    Union,
    Var,
)  # fmt: skip
from mmagrae.verifiers.symbolic.parser import parse_math
from mmagrae.verifiers.verdict import NO_DEADLINE, Deadline

__all__ = ["expressions_equal", "objects_equal", "constant_value", "looks_symbolic", "MIN_APPROX_DIGITS"]

MIN_APPROX_DIGITS = (
    5  # significant digits a decimal needs to stand for an exact (irrational or 1/3-like) value
)
_INF = Const("inf")


def _is_expr(obj: object) -> bool:
    return isinstance(obj, EXPR_TYPES)


def _approx_literal(node: Expr) -> tuple[Fraction, int] | None:
    """(value, decimals) of a decimal literal such as ``0.083333`` or ``-2.6667`` with enough digits."""
    sign = 1
    if isinstance(node, Neg):
        node, sign = node.arg, -1
    if not isinstance(node, Num) or not node.decimals:
        return None
    digits = len(str(abs(int(node.value * 10**node.decimals))))
    return (sign * node.value, node.decimals) if digits >= MIN_APPROX_DIGITS else None


def _rounds_to(value: Fraction | complex, literal: tuple[Fraction, int]) -> bool:
    target, decimals = literal
    if isinstance(value, complex):
        if abs(value.imag) > ABS_TOL or not math.isfinite(value.real):
            return False
        d = Decimal(repr(value.real))
    else:
        d = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return Fraction(rounded) == target


def _approximates(a: Expr, b: Expr, deadline: Deadline) -> bool:
    """One side is a long decimal literal and the other a constant that rounds to it."""
    for lit_node, other in ((a, b), (b, a)):
        literal = _approx_literal(lit_node)
        if literal is None or variables(other, set()):
            continue
        value: Fraction | complex | None = exact_value(other, deadline)
        if value is None:
            try:
                value = numeric_value(other, {}, deadline)
            except EVAL_ERRORS:
                continue
        if _rounds_to(value, literal):
            return True
    return False


def trees_equal(a: Expr, b: Expr, deadline: Deadline) -> bool:
    ea, eb = exact_value(a, deadline), exact_value(b, deadline)
    if ea is not None and eb is not None:
        return ea == eb or _approximates(a, b, deadline)
    if _approximates(a, b, deadline):
        return True
    names = variables(a, set()) | variables(b, set())
    compared = 0
    for env in sample_points(names):
        try:
            va, vb = numeric_value(a, env, deadline), numeric_value(b, env, deadline)
        except EVAL_ERRORS:
            continue
        if va != va or vb != vb:  # NaN
            continue
        if not close(va, vb):
            return names == {"i"} and _equal_at_unit(a, b, deadline)
        compared += 1
    if compared == 0:
        if names == {"i"} and _equal_at_unit(a, b, deadline):
            return True
        raise NotComparable("no point could be evaluated")
    return True


def _equal_at_unit(a: Expr, b: Expr, deadline: Deadline) -> bool:
    r"""Complex numbers: when ``i`` is the only name, it is the imaginary unit (``i(2-i)`` is ``1+2i``, ``i^2`` is
    ``-1``, ``\sqrt{-4}`` is ``2i``). Identities in ``i`` are equal at every point already; this only adds
    the equalities that need ``i^2 = -1``."""
    try:
        va, vb = numeric_value(a, {"i": 1j}, deadline), numeric_value(b, {"i": 1j}, deadline)
    except EVAL_ERRORS:
        return False
    return va == va and vb == vb and close(va, vb)


def _proportional(fa: Expr, fb: Expr, deadline: Deadline, positive: bool) -> bool:
    """fa = c·fb at every sample point for one constant c ≠ 0 (real and > 0 when ``positive``)."""
    names = variables(fa, set()) | variables(fb, set())
    ratio = None
    for env in sample_points(names):
        try:
            va, vb = numeric_value(fa, env, deadline), numeric_value(fb, env, deadline)
        except EVAL_ERRORS:
            continue
        if not (finite(va) and finite(vb)):
            continue
        if abs(va) <= ABS_TOL or abs(vb) <= ABS_TOL:
            if abs(va) <= ABS_TOL and abs(vb) <= ABS_TOL:
                continue
            return False
        r = va / vb
        if ratio is None:
            ratio = r
        elif not close(r, ratio):
            return False
    if ratio is None:
        raise NotComparable("could not be evaluated")
    return not positive or (abs(ratio.imag) <= 1e-9 * abs(ratio) and ratio.real > 0)


def _is_name(obj: MathObject) -> bool:
    """A left side that only names the answer: ``x``, ``AB``, ``S_1:S_2``, ``|AB|``, ``f(x)``, ``(p, q)``."""
    match obj:
        case Var():
            return True
        case BinOp(op="*" | "/", left=left, right=right):
            return _is_name(left) and _is_name(right)
        case Abs(arg=arg):
            return _is_name(arg)
        case Collection(items=items):
            return all(_is_name(x) for x in items)
        case Interval(left=left, right=right, left_closed=False, right_closed=False):
            return _is_name(left) and _is_name(right)
    return False


def _is_constant(obj: MathObject) -> bool:
    return _is_expr(obj) and not variables(obj, set())  # type: ignore[arg-type]


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


def _as_interval(rel: Relation, deadline: Deadline) -> tuple[Expr, Interval] | None:
    """(bounded name, interval) for an inequality bounding one name (``x``, ``f(x)``) by constants, else None."""
    sides, ops = list(rel.sides), list(rel.ops)
    if "!=" in ops:
        return None
    if ops[0] in (">", ">="):  # read every chain left to right as "<"
        sides, ops = sides[::-1], [_FLIP[o] for o in ops[::-1]]
    if any(o in (">", ">=") for o in ops):
        return None
    if (
        len(ops) == 2
        and _is_name(sides[1])
        and not variables(sides[0], set())
        and not variables(sides[2], set())
    ):
        return sides[1], Interval(ops[0] == "<=", sides[0], sides[2], ops[1] == "<=")
    if len(ops) == 1:
        if _is_name(sides[0]) and not variables(sides[1], set()):
            return sides[0], Interval(False, Neg(_INF), sides[1], ops[0] == "<=")
        if _is_name(sides[1]) and not variables(sides[0], set()):
            return sides[1], Interval(ops[0] == "<=", sides[0], _INF, False)
    return None


def _relations_equal(a: Relation, b: Relation, deadline: Deadline) -> bool:
    ia, ib = _as_interval(a, deadline), _as_interval(b, deadline)
    if ia is not None and ib is not None:
        return ia[0] == ib[0] and objects_equal(ia[1], ib[1], deadline)
    if len(a.ops) == 1 and len(b.ops) == 1:
        fa, oa = BinOp("-", a.sides[0], a.sides[1]), a.ops[0]
        fb, ob = BinOp("-", b.sides[0], b.sides[1]), b.ops[0]
        if oa in (">", ">="):
            fa, oa = Neg(fa), _FLIP[oa]
        if ob in (">", ">="):
            fb, ob = Neg(fb), _FLIP[ob]
        return oa == ob and _proportional(fa, fb, deadline, positive=oa != "!=")
    if a.ops == b.ops and len(a.sides) == len(b.sides):
        return all(trees_equal(x, y, deadline) for x, y in zip(a.sides, b.sides, strict=True))
    return False


_MAX_SET_ITEMS = 64


def _unordered_equal(xs: tuple, ys: tuple, deadline: Deadline) -> bool:
    """Equal as sets: every item of each side equals some item of the other (repeats do not count)."""
    if len(xs) > _MAX_SET_ITEMS or len(ys) > _MAX_SET_ITEMS:
        raise NotComparable("set too large")
    return all(any(objects_equal(x, y, deadline) for y in ys) for x in xs) and all(
        any(objects_equal(x, y, deadline) for x in xs) for y in ys
    )


def _vector(obj: MathObject) -> tuple | None:
    """Entries of a one-row or one-column matrix, a tuple, or an open interval read as a pair."""
    match obj:
        case Matrix(rows=rows) if len(rows) == 1:
            return rows[0]
        case Matrix(rows=rows) if all(len(r) == 1 for r in rows):
            return tuple(r[0] for r in rows)
        case Collection(items=items, ordered=True):
            return items
        case Interval(left_closed=False, right_closed=False, left=left, right=right):
            return (left, right)
    return None


def objects_equal(a: MathObject, b: MathObject, deadline: Deadline) -> bool:
    """Equality of two parsed answers (see the module docstring for the rules)."""
    deadline.check()
    if isinstance(a, Collection) and len(a.items) == 1:
        return objects_equal(a.items[0], b, deadline)
    if isinstance(b, Collection) and len(b.items) == 1:
        return objects_equal(a, b.items[0], deadline)
    if isinstance(a, Equation) and isinstance(b, Equation):
        if all(_is_expr(x) for x in (a.lhs, a.rhs, b.lhs, b.rhs)):
            return _proportional(BinOp("-", a.lhs, a.rhs), BinOp("-", b.lhs, b.rhs), deadline, positive=False)  # type: ignore[arg-type]
        return objects_equal(a.lhs, b.lhs, deadline) and objects_equal(a.rhs, b.rhs, deadline)
    if isinstance(a, Equation) or isinstance(b, Equation):
        eq, other = (a, b) if isinstance(a, Equation) else (b, a)
        if _is_name(eq.lhs) or _is_constant(eq.lhs) and _is_constant(eq.rhs):  # type: ignore[union-attr]
            return objects_equal(eq.rhs, other, deadline)  # "x = 5", or a computation "2 + 3 = 5": its result
        return False
    if isinstance(a, Relation) and isinstance(b, Relation):
        return _relations_equal(a, b, deadline)
    if (isinstance(a, Union) and isinstance(b, Collection)) or (
        isinstance(b, Union) and isinstance(a, Collection)
    ):
        union, coll = (a, b) if isinstance(a, Union) else (b, a)  # "x < -2 or x > 3" vs a union of intervals
        parts = [_as_interval(r, deadline) if isinstance(r, Relation) else None for r in coll.items]  # type: ignore[union-attr]
        if all(p is not None for p in parts) and len({p[0] for p in parts}) == 1:  # type: ignore[index]
            return _unordered_equal(tuple(p[1] for p in parts), union.parts, deadline)  # type: ignore[index, union-attr]
        return False
    if isinstance(a, Relation) or isinstance(b, Relation):
        rel, other = (a, b) if isinstance(a, Relation) else (b, a)
        as_interval = _as_interval(rel, deadline)  # type: ignore[arg-type]
        return (
            as_interval is not None
            and isinstance(other, (Interval, Union))
            and objects_equal(as_interval[1], other, deadline)
        )
    if isinstance(a, Interval) and isinstance(b, Interval):
        return (
            a.left_closed == b.left_closed and a.right_closed == b.right_closed
            and trees_equal(a.left, b.left, deadline) and trees_equal(a.right, b.right, deadline)
        )  # fmt: skip
    if isinstance(a, Union) and isinstance(b, Union):
        return _unordered_equal(a.parts, b.parts, deadline)
    if isinstance(a, Matrix) and isinstance(b, Matrix):
        if len(a.rows) != len(b.rows) or any(len(x) != len(y) for x, y in zip(a.rows, b.rows, strict=True)):
            return False
        return all(
            trees_equal(x, y, deadline)
            for ra, rb in zip(a.rows, b.rows, strict=True)
            for x, y in zip(ra, rb, strict=True)
        )
    if isinstance(a, Collection) and isinstance(b, Collection):
        if a.ordered and b.ordered:
            return len(a.items) == len(b.items) and all(
                objects_equal(x, y, deadline) for x, y in zip(a.items, b.items, strict=True)
            )
        return _unordered_equal(a.items, b.items, deadline)
    va, vb = _vector(a), _vector(b)
    if (
        va is not None
        and vb is not None
        and (isinstance(a, (Matrix, Collection)) or isinstance(b, (Matrix, Collection)))
    ):
        return len(va) == len(vb) and all(objects_equal(x, y, deadline) for x, y in zip(va, vb, strict=True))
    if _is_expr(a) and _is_expr(b):
        return trees_equal(a, b, deadline)  # type: ignore[arg-type]
    return False


def canonical_text(text: str) -> str:
    """Whitespace-, case- and spelling-insensitive text of a formula (``x \\le 3`` == ``x≤3``)."""
    return "".join(normalise(text).split()).lower()


_GOLD_TREES: dict[str, MathObject | str] = {}  # a tree, or the message of its ParseError
_GOLD_TREES_MAX = 4096
_GOLD_TREES_LOCK = threading.Lock()


def parse_gold(text: str, deadline: Deadline = NO_DEADLINE) -> MathObject:
    """``parse_math`` for a gold answer, remembered: the G samples of a prompt share one gold, and its tree
    (frozen dataclasses, safe to share) or its ParseError is computed once. A parse cut short by the deadline
    raises and is not remembered, so a later call with more time parses it again."""
    hit = _GOLD_TREES.get(text)
    if hit is None:
        try:
            hit = parse_math(text, deadline)
        except ParseError as exc:
            hit = str(exc)
        with _GOLD_TREES_LOCK:  # verify may run in threads
            if len(_GOLD_TREES) >= _GOLD_TREES_MAX:
                _GOLD_TREES.pop(next(iter(_GOLD_TREES)), None)  # the oldest entry
            _GOLD_TREES[text] = hit
    if isinstance(hit, str):
        raise ParseError(hit)  # a new exception each time (a cached one would grow its traceback)
    return hit


def expressions_equal(pred: str, gold: str, deadline: Deadline = NO_DEADLINE) -> tuple[bool, str]:
    """Compare two answers symbolically; returns (equal, reason). Raises ParseError when the *gold* cannot be read.

    >>> expressions_equal("y = 2x + 1", "2x - y + 1 = 0")[0], expressions_equal("2 1/4", "\\\\frac{9}{4}")[0]
    (True, True)
    """
    gold_obj = parse_gold(gold, deadline)
    try:
        pred_obj = parse_math(pred, deadline)
    except ParseError as exc:
        return False, f"symbolic: prediction not parsed ({exc})"
    try:
        exact = (
            _is_expr(pred_obj) and _is_expr(gold_obj)
            and exact_value(pred_obj, deadline) is not None  # type: ignore[arg-type]
            and exact_value(gold_obj, deadline) is not None  # type: ignore[arg-type]
        )  # fmt: skip
        equal = objects_equal(pred_obj, gold_obj, deadline)
    except NotComparable as exc:
        equal = pred_obj == gold_obj or canonical_text(pred) == canonical_text(gold)
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
        if not _is_expr(tree) or variables(tree, set()):  # type: ignore[arg-type]
            return None
        exact = exact_value(tree, deadline)  # type: ignore[arg-type]
        if exact is not None:
            return exact
        value = numeric_value(tree, {}, deadline)  # type: ignore[arg-type]
    except (ParseError, *EVAL_ERRORS):
        return None
    return value if finite(value) else None


_SYMBOLIC_HINT_RE = re.compile(
    r"\\[a-zA-Z{]|√|π|∞|[\d)}]\s*[-+*/^!=<>]|[-+*/^=<>]\s*[\d({\\]|\b[a-zA-Z]\s*[-+*/^=<>]|[-+*/^=<>]\s*[a-zA-Z]\b"
    r"|\d[a-zA-Z]\b|^\s*[-+]|[≤≥≠]"
)


def looks_symbolic(text: str) -> bool:
    """A cheap hint that a gold answer is an expression rather than words ("x+1", "9/4", "(1, 2]", not "red").

    >>> looks_symbolic("9/4"), looks_symbolic("2x"), looks_symbolic("(1, 2]"), looks_symbolic("light blue")
    (True, True, True, False)
    """
    return bool(_SYMBOLIC_HINT_RE.search(text)) or bool(re.match(r"^\s*[(\[].*,.*[)\]]\s*$", text))
