"""Symbolic answers: fractions, roots, π, intervals, expressions and equations, and the failure modes of others."""

from __future__ import annotations

import pytest

from mmagrae.verifiers import verify
from mmagrae.verifiers.symbolic import ParseError, constant_value, expressions_equal, parse_math

# (prediction, gold, expected correct)
SYMBOLIC_CASES = [
    # fractions
    ("\\frac{9}{4}", "\\frac{9}{4}", True),
    ("\\dfrac{9}{4}", "\\frac{9}{4}", True),
    ("\\tfrac{9}{4}", "2.25", True),
    ("\\frac94", "\\frac{9}{4}", True),
    ("9/4", "\\frac{9}{4}", True),
    ("2\\frac{1}{4}", "\\frac{9}{4}", True),
    ("2 1/4", "9/4", True),
    ("\\frac{18}{8}", "\\frac{9}{4}", True),
    ("\\frac{4}{9}", "\\frac{9}{4}", False),
    ("-\\frac{1}{2}", "\\frac{-1}{2}", True),
    ("\\frac{1}{2}", "-\\frac{1}{2}", False),
    # roots and pi
    ("2\\sqrt{2}", "\\sqrt{8}", True),
    ("\\sqrt{8}", "2.83", True),
    ("√3", "\\sqrt{3}", True),
    ("\\sqrt[3]{27}", "3", True),
    ("\\sqrt2", "\\sqrt{2}", True),
    ("3\\sqrt{2}", "2\\sqrt{3}", False),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}", True),
    ("2\\pi", "2π", True),
    ("\\frac{\\pi}{6}", "\\pi/6", True),
    ("\\pi r^2", "r^2\\pi", True),
    ("3.14", "\\pi", False),
    ("6\\pi", "18.85", True),
    # intervals: bracket types matter
    ("[1, 3)", "[1,3)", True),
    ("[1, 3]", "[1,3)", False),
    ("(1, 3)", "[1,3)", False),
    ("(-\\infty, 2]", "(-∞, 2]", True),
    ("\\left[ 2, \\infty \\right)", "[2,\\infty)", True),
    ("(-\\infty,1)\\cup(2,\\infty)", "(-\\infty,1) \\cup (2,\\infty)", True),
    ("(-\\infty,1)\\cup[2,\\infty)", "(-\\infty,1) \\cup (2,\\infty)", False),
    ("\\{1, 2\\}", "\\{2, 1\\}", True),
    ("\\{1, 3\\}", "\\{2, 1\\}", False),
    # expressions
    ("x^2+2x+1", "(x+1)^2", True),
    ("\\frac{x^2-1}{x-1}", "x+1", True),
    ("2x+1", "1+2x", True),
    ("2x-1", "1-2x", False),
    ("-x^2", "-(x^2)", True),
    ("-x^2", "(-x)^2", False),
    ("\\sin^2 x + \\cos^2 x", "1", True),
    ("\\log_2 8", "3", True),
    ("e^{2}", "e \\cdot e", True),
    ("a_1 + a_{2}", "a_2 + a_1", True),
    ("3!", "6", True),
    ("x^{2}y", "y x^2", True),
    ("x^3", "x^2", False),
    # equations
    ("y = 2x + 1", "y=2x+1", True),
    ("2x - y + 1 = 0", "y = 2x + 1", True),
    ("y = 2x - 1", "y = 2x + 1", False),
    ("x = 5", "5", True),
    ("5", "x = 5", True),
    ("x = 6", "x = 5", False),
    # tiny magnitudes are not zero (a float-tolerance false positive elsewhere)
    ("10^{-13}", "0", False),
    ("1e-10", "0", False),
    ("\\frac{1}{10^{12}}", "10^{-12}", True),
    ("\\sin(\\pi)", "0", True),
    # Unicode superscripts and vulgar fractions
    ("x² + 1", "x^2+1", True),
    ("2½", "\\frac{5}{2}", True),
    ("¾", "0.75", True),
    # set-builder and inequality spellings
    ("x \\in [2, 5)", "[2,5)", True),
    ("x \\le 3", "x \\leq 3", True),
    ("x≤3", "x \\leq 3", True),
    ("x < 3", "x \\leq 3", False),
    # exploits: trivial equations and enumerations
    ("0=0", "y=2x+1", False),
    ("y - y = 0", "y=2x+1", False),
    ("x = 5, x = 6", "x = 5", False),
]


@pytest.mark.parametrize(("pred", "gold", "expected"), SYMBOLIC_CASES)
def test_symbolic(pred: str, gold: str, expected: bool) -> None:
    verdict = verify(f"\\boxed{{{pred}}}", gold)
    assert verdict.correct is expected, verdict


@pytest.mark.parametrize(("pred", "gold", "expected"), SYMBOLIC_CASES[:20])
def test_expression_answer_type(pred: str, gold: str, expected: bool) -> None:
    assert verify(f"<answer>{pred}</answer>", gold, answer_type="expression").correct is expected


def test_latex_bomb_is_bounded_and_compared_by_structure() -> None:
    ok, why = expressions_equal("9^{9^{9^9}}", "9^{9^{9^{9}}}")
    assert ok and "not comparable" in why
    assert not expressions_equal("9^{9^{9^9}}", "9^{9^{9^8}}")[0]


def test_unparseable_expression_gold_is_a_data_error() -> None:
    verdict = verify("x", "\\int_0^1 x \\, dx", answer_type="expression")
    assert verdict.reason.startswith("bad gold:")


@pytest.mark.parametrize(
    "text", ["(((", "\\frac{1}", "1 +", "\\unknown{x}", "x" * 3000, "(" * 200 + "1" + ")" * 200]
)
def test_parse_errors(text: str) -> None:
    with pytest.raises(ParseError):
        parse_math(text)


def test_constant_value() -> None:
    assert constant_value("\\frac{3}{4}") == 0.75
    assert constant_value("x+1") is None
    assert constant_value("9^{9^{9^9}}") is None
