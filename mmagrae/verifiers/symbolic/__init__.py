r"""Symbolic answers without sympy or eval: fractions, roots, π, expressions, equations, inequalities,
intervals, sets, tuples and matrices.

One room per step: ``lexer`` (normalise and tokenise), ``nodes`` (typed trees), ``parser`` (recursive descent
and the answer structure), ``evaluate`` (exact and complex values, bounded), ``compare`` (equality by value).
Bounded by construction: input at most ``MAX_ANSWER_CHARS`` characters and ``MAX_NESTING`` deep, exact
fractions only while small, float powers that would overflow are "not comparable" (such answers fall back to
comparing trees), and a cooperative deadline is checked in every loop. Text is tokenised, never executed.

>>> expressions_equal("\\frac94", "2.25")
(True, 'symbolic: equal (exact)')
>>> expressions_equal("-x^2", "(-x)^2")[0]
False
"""

from mmagrae.verifiers.symbolic.compare import (
    MIN_APPROX_DIGITS,
    canonical_text,
    constant_value,
    expressions_equal,
    looks_symbolic,
    objects_equal,
    parse_gold,
)
from mmagrae.verifiers.symbolic.evaluate import NotComparable
from mmagrae.verifiers.symbolic.lexer import ParseError
from mmagrae.verifiers.symbolic.parser import parse_math

__all__ = [
    "ParseError",
    "NotComparable",
    "parse_math",
    "parse_gold",
    "expressions_equal",
    "objects_equal",
    "constant_value",
    "looks_symbolic",
    "canonical_text",
    "MIN_APPROX_DIGITS",
]
