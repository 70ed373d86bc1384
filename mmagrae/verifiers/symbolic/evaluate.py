r"""Values of expression trees: exact ``Fraction`` for rational constants, complex floats otherwise.

Both evaluators are bounded: fractions stay under ``MAX_FRACTION_BITS`` bits and integer exponents under
``MAX_INT_EXPONENT``; float powers that would overflow and factorials above 170 raise ``NotComparable``.

>>> from mmagrae.verifiers.verdict import NO_DEADLINE
>>> exact_value(BinOp("/", Num(Fraction(9)), Num(Fraction(4))), NO_DEADLINE)
Fraction(9, 4)
>>> round(numeric_value(Root(Num(Fraction(2)), Num(Fraction(2))), {}, NO_DEADLINE).real, 4)
1.4142
"""

from __future__ import annotations

import cmath
import math
import random
from fractions import Fraction

from mmagrae.verifiers.symbolic.nodes import Abs, BinOp, Const, Expr, Fact, Func, Neg, Num, Root, Var
from mmagrae.verifiers.verdict import Deadline

__all__ = [
    "NotComparable", "EVAL_ERRORS", "FUNCTIONS", "exact_value", "numeric_value", "variables", "sample_points",
    "close", "finite",
]  # fmt: skip

REL_TOL = 1e-9
ABS_TOL = 1e-13
N_POINTS = 4
MAX_FRACTION_BITS = 2048
MAX_INT_EXPONENT = 256


class NotComparable(ArithmeticError):
    """A value that cannot be computed within the bounds (overflow, division by zero, domain)."""


EVAL_ERRORS = (NotComparable, OverflowError, ZeroDivisionError, ValueError, KeyError)

FUNCTIONS = {
    "sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "arcsin": cmath.asin, "arccos": cmath.acos,
    "arctan": cmath.atan, "sinh": cmath.sinh, "cosh": cmath.cosh, "tanh": cmath.tanh, "exp": cmath.exp,
    "ln": cmath.log, "log": cmath.log, "cot": lambda z: 1 / cmath.tan(z), "sec": lambda z: 1 / cmath.cos(z),
    "csc": lambda z: 1 / cmath.sin(z),
}  # fmt: skip
_CONSTANTS = {"pi": complex(math.pi), "inf": complex(math.inf), "e": complex(math.e)}


def _small(r: Fraction) -> bool:
    return max(r.numerator.bit_length(), r.denominator.bit_length()) <= MAX_FRACTION_BITS


def exact_value(node: Expr, deadline: Deadline) -> Fraction | None:
    """Exact rational value of a constant tree, or None (irrational, variable, too large)."""
    deadline.check()
    match node:
        case Num(value=v):
            return v
        case Neg(arg=a):
            v = exact_value(a, deadline)
            return None if v is None else -v
        case Abs(arg=a):
            v = exact_value(a, deadline)
            return None if v is None else abs(v)
        case BinOp(op=op, left=left, right=right):
            a = exact_value(left, deadline)
            if a is None:
                return None
            b = exact_value(right, deadline)
            if b is None:
                return None
            if op == "^":
                if b.denominator != 1 or abs(b) > MAX_INT_EXPONENT or (a == 0 and b < 0):
                    return None
                if max(a.numerator.bit_length(), a.denominator.bit_length()) * abs(b) > MAX_FRACTION_BITS:
                    return None
                r = a ** int(b)
            elif op == "/":
                if b == 0:
                    return None
                r = a / b
            else:
                r = a + b if op == "+" else a - b if op == "-" else a * b
            return r if _small(r) else None
    return None


def numeric_value(node: Expr, env: dict[str, complex], deadline: Deadline) -> complex:
    """Complex value of a tree with the variables in ``env``; raises NotComparable (and friends) out of bounds."""
    deadline.check()
    match node:
        case Num(value=v):
            return complex(float(v))
        case Var(name=name):
            return env[name]
        case Const(name=name):
            return _CONSTANTS[name]
        case Neg(arg=a):
            return -numeric_value(a, env, deadline)
        case Fact(arg=a):
            v = numeric_value(a, env, deadline)
            if v.imag != 0 or v.real < 0 or v.real > 170 or v.real != int(v.real):
                raise NotComparable("factorial domain")
            return complex(math.factorial(int(v.real)))
        case Abs(arg=a):
            return complex(abs(numeric_value(a, env, deadline)))
        case Func(name=name, arg=a):
            return FUNCTIONS[name](numeric_value(a, env, deadline))
        case Root(index=index, radicand=radicand):
            n, b = numeric_value(index, env, deadline), numeric_value(radicand, env, deadline)
            if n == 0:
                raise NotComparable("zeroth root")
            if b.imag == 0:
                b = complex(b.real, 0.0)  # -(4+0j) has imag -0.0: its principal root would be -2j, not 2j
            if b.imag == 0 and b.real < 0 and n.imag == 0 and n.real % 2 == 1:
                return -((-b) ** (1 / n))  # real odd root of a negative number
            return b ** (1 / n)
        case BinOp(op=op, left=left, right=right):
            a, b = numeric_value(left, env, deadline), numeric_value(right, env, deadline)
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                if b == 0:
                    raise NotComparable("division by zero")
                return a / b
            if a == 0 and (b.real < 0 or b == 0):
                raise NotComparable("0 to a non-positive power")
            if abs(a) > 1 and abs(b) * math.log(abs(a)) > 700:
                raise NotComparable("overflow")
            if a.imag == 0 and b.imag == 0 and b.real == int(b.real) and abs(b.real) <= 64:
                return a ** int(b.real)
            return a**b
    raise NotComparable(f"unknown node {type(node).__name__}")


def variables(node: Expr, out: set[str]) -> set[str]:
    """Names of the free variables of a tree (added to ``out``)."""
    stack: list[Expr] = [node]
    while stack:
        n = stack.pop()
        match n:
            case Var(name=name):
                out.add(name)
            case Neg(arg=a) | Fact(arg=a) | Abs(arg=a) | Func(arg=a):
                stack.append(a)
            case BinOp(left=a, right=b) | Root(index=a, radicand=b):
                stack.extend((a, b))
    return out


def sample_points(names: set[str]) -> list[dict[str, complex]]:
    """Seeded random complex points with positive real parts (``\\sqrt{x}`` and ``\\log x`` stay defined)."""
    rng = random.Random(20260211)
    ordered = sorted(names)
    return [
        {n: complex(rng.uniform(0.3, 1.7), rng.uniform(0.1, 0.9)) for n in ordered} for _ in range(N_POINTS)
    ]


def close(a: complex, b: complex) -> bool:
    if cmath.isinf(a) or cmath.isinf(b):
        return a == b
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + ABS_TOL


def finite(v: complex) -> bool:
    return not (cmath.isnan(v) or cmath.isinf(v))
