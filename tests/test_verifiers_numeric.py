"""Numbers: integers vs floats, precision, separators, scientific notation, %, currency, units, words, signs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mmagrae.verifiers import verify
from mmagrae.verifiers.numeric import parse_number, round_half_up

# (prediction, gold, kwargs, expected correct)
NUMERIC_CASES = [
    # integers vs floats
    ("7", "7", {"answer_type": "integer"}, True),
    ("7.0", "7", {"answer_type": "integer"}, True),
    ("7.9", "7", {"answer_type": "integer"}, False),
    ("7.9", "7", {}, False),
    ("7.4", "7", {}, False),
    ("6.99999", "7", {}, False),
    ("8", "7", {}, False),
    ("7", "7.0", {"answer_type": "float"}, True),
    ("07", "7", {}, True),
    # precision, half-up
    ("1.25", "1.3", {"precision": 1}, True),
    ("1.24", "1.3", {"precision": 1}, False),
    ("2.345", "2.35", {"precision": 2}, True),
    ("0.0115", "1.2", {"precision": 1}, False),
    ("1.2", "1.2", {"precision": 1, "answer_type": "float"}, True),
    ("1.15", "1.2", {"precision": 1}, True),
    ("1.149", "1.2", {"precision": 1}, False),
    ("-2.25", "-2.3", {"precision": 1}, True),
    ("3.14159", "3.14", {}, True),
    ("3.1", "3.14", {}, False),
    ("3.15", "3.14", {}, False),
    # thousands separators
    ("1,000", "1000", {}, True),
    ("1{,}000", "1000", {}, True),
    ("1\\,000", "1000", {}, True),
    ("1\u2009000", "1000", {}, True),
    ("1\u202f000", "1000", {}, True),
    ("12,345,678", "12345678", {}, True),
    ("1,000.5", "1000.5", {}, True),
    ("1,00", "100", {}, False),
    # scientific notation
    ("1.5e-3", "0.0015", {}, True),
    ("1.5E3", "1500", {}, True),
    ("1.5 \\times 10^{-3}", "0.0015", {}, True),
    ("1.5×10^3", "1500", {}, True),
    ("3 \\cdot 10^{2}", "300", {}, True),
    ("10^{6}", "1000000", {}, True),
    ("2e5", "200000", {"answer_type": "integer"}, True),
    ("1e-400000", "0", {}, False),
    # percent
    ("25%", "25", {}, True),
    ("25\\%", "0.25", {}, True),
    ("25 percent", "25%", {}, True),
    ("0.25", "25%", {}, True),
    ("0.25", "25", {}, False),
    # currency
    ("$12", "12", {}, True),
    ("\\$12.50", "12.5", {}, True),
    ("12 dollars", "12", {}, True),
    ("€5", "5", {}, True),
    ("US$1,200", "1200", {}, True),
    # units and degrees
    ("30°", "30", {}, True),
    ("30^\\circ", "30", {}, True),
    ("30^{\\circ}", "30", {}, True),
    ("30 degrees", "30", {}, True),
    ("30\\degree", "30", {}, True),
    ("5 cm", "5", {}, True),
    ("5cm^2", "5", {}, True),
    ("5 \\text{ cm}^2", "5", {}, True),
    ("0.40 \\mathrm{~kg}", "0.4", {}, True),
    ("9.8 m/s^2", "9.8", {}, True),
    ("6 units", "6", {}, True),
    ("112 dm²", "112", {}, True),
    ("9 decimeters", "9", {}, True),
    ("9分米", "9", {}, True),
    ("5x", "5", {}, False),
    # number words
    ("seven", "7", {}, True),
    ("twenty-one", "21", {}, True),
    ("one hundred", "100", {}, True),
    ("There are five.", "5", {}, True),
    ("zero", "0", {}, True),
    ("two hundred and thirty-one", "231", {}, True),
    ("one and two", "3", {}, False),  # two numbers, not their sum
    ("five six", "11", {}, False),
    ("twenty thirty", "50", {}, False),
    ("one thousand two thousand", "3000", {}, False),
    ("one hundred two hundred", "10200", {}, False),
    ("two million three hundred thousand", "2300000", {}, True),
    # signs and ±
    ("-5", "5", {}, False),
    ("+5", "5", {}, True),
    ("−5", "-5", {}, True),
    ("\\pm 3", "±3", {}, True),
    ("±3", "3", {}, False),
    ("3", "±3", {}, False),
    ("-0", "0", {}, True),
    # big integers are exact (a float comparison calls these equal)
    ("12345678901234567891", "12345678901234567890", {}, False),
    ("12345678901234567890", "12345678901234567890.0", {}, True),
    ("0.1+0.2", "0.3", {}, True),
    ("\\frac{1}{3}", "0.33", {"precision": 2}, True),
    ("0.333", "\\frac{1}{3}", {}, False),
    # hedged or malformed predictions
    ("3 or 4", "3", {}, False),
    ("1.2.3", "1.2", {}, False),
    ("", "1", {}, False),
    # expressions whose value is a number
    ("\\frac{1}{2}", "0.5", {}, True),
    ("\\frac{14}{2}", "7", {"answer_type": "integer"}, True),
    ("\\sqrt{3}", "1.73", {"precision": 2}, True),
    ("\\sqrt{2}", "1", {"answer_type": "integer"}, False),
    ("x = 4", "4", {}, True),
    ("m∠ABC = 60°", "60", {}, True),
    ("2 + 3 = 5", "5", {}, True),
    ("\\pi r^2 \\approx 78.54", "78.54", {}, True),
    ("x = 4 = 5", "4", {}, False),
    ("7 because the figure shows seven", "7", {}, True),
    ("1982 with an actual total income of $931,441", "1982", {}, True),
    ("5 cm and 10 cm", "5", {}, False),
    ("2 to 3 apples", "2", {}, False),
]


@pytest.mark.parametrize(("pred", "gold", "kwargs", "expected"), NUMERIC_CASES)
def test_numeric(pred: str, gold: str, kwargs: dict, expected: bool) -> None:
    verdict = verify(f"<answer>{pred}</answer>", gold, **kwargs)
    assert verdict.correct is expected, verdict


def test_round_half_up_not_bankers() -> None:
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round(0.125, 2) == 0.12  # what Python's round would give


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.5", "1234.5"),
        ("-3.2e2", "-320"),
        (".5", "0.5"),
        ("3.2 \\times 10^{-2}", "0.032"),
        ("forty two", "42"),
    ],
)
def test_parse_number_values(text: str, value: str) -> None:
    n = parse_number(text)
    assert n is not None and n.value == Decimal(value)


@pytest.mark.parametrize("text", ["abc", "2x", "1,2", "1e999999", "--5", "5 or 6", "x" * 500])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("gold", "answer_type"), [("twelve?!", "integer"), ("3.5", "integer"), ("", None), ("abc", "float")]
)
def test_bad_numeric_gold_is_a_data_error(gold: str, answer_type: str | None) -> None:
    verdict = verify("<answer>12</answer>", gold, answer_type=answer_type)
    assert not verdict.correct and verdict.reason.startswith("bad gold:")
