r"""Typed nodes of the symbolic answer parser: expression trees and the math objects built from them.

Expressions (``Expr``) are small frozen dataclasses; answers (``MathObject``) are an expression or one of
``Equation``, ``Relation``, ``Interval``, ``Union``, ``Collection`` and ``Matrix``. Dataclass equality is
structural, which is what the "same tree" fallback for values that cannot be compared numerically uses.

>>> BinOp("+", Num(Fraction(1)), Var("x"))
BinOp(op='+', left=Num(value=Fraction(1, 1), decimals=None), right=Var(name='x'))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = [
    "Num", "Var", "Const", "Neg", "BinOp", "Func", "Root", "Fact", "Abs", "Expr",
    "Equation", "Relation", "Interval", "Union", "Collection", "Matrix", "MathObject", "RelOp",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Num:
    """A number literal. decimals: digits after the decimal point as written (None for integers)."""

    value: Fraction
    decimals: int | None = None


@dataclass(frozen=True, slots=True)
class Var:
    name: str  # "x", "a_1", "theta"


@dataclass(frozen=True, slots=True)
class Const:
    name: Literal["pi", "e", "inf"]


@dataclass(frozen=True, slots=True)
class Neg:
    arg: Expr


@dataclass(frozen=True, slots=True)
class BinOp:
    op: Literal["+", "-", "*", "/", "^"]
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Func:
    name: str  # a key of evaluate.FUNCTIONS: "sin", "ln", ...
    arg: Expr


@dataclass(frozen=True, slots=True)
class Root:
    index: Expr
    radicand: Expr


@dataclass(frozen=True, slots=True)
class Fact:
    arg: Expr


@dataclass(frozen=True, slots=True)
class Abs:
    arg: Expr


Expr = Num | Var | Const | Neg | BinOp | Func | Root | Fact | Abs
EXPR_TYPES = (Num, Var, Const, Neg, BinOp, Func, Root, Fact, Abs)

RelOp = Literal["<", "<=", ">", ">=", "!="]


@dataclass(frozen=True, slots=True)
class Equation:
    lhs: MathObject
    rhs: MathObject


@dataclass(frozen=True, slots=True)
class Relation:
    """An inequality, possibly chained: ``sides[0] ops[0] sides[1] ops[1] sides[2] …``."""

    sides: tuple[Expr, ...]
    ops: tuple[RelOp, ...]


@dataclass(frozen=True, slots=True)
class Interval:
    left_closed: bool
    left: Expr
    right: Expr
    right_closed: bool


@dataclass(frozen=True, slots=True)
class Union:
    parts: tuple[MathObject, ...]  # intervals and finite sets


@dataclass(frozen=True, slots=True)
class Collection:
    """A tuple (``ordered``), a set ``\\{…\\}`` or a bare comma list of answers (both unordered)."""

    items: tuple[MathObject, ...]
    ordered: bool


@dataclass(frozen=True, slots=True)
class Matrix:
    rows: tuple[tuple[Expr, ...], ...]


MathObject = Expr | Equation | Relation | Interval | Union | Collection | Matrix
