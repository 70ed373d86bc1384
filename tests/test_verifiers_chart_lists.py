"""Chart QA relaxed accuracy (with the reference's defects fixed), text answers and lists."""

from __future__ import annotations

import pytest

from mmagrae.verifiers import verify

# (prediction, gold, expected correct) with task="chart"
CHART_CASES = [
    ("104", "100", True),
    ("105", "100", True),
    ("105.1", "100", False),
    ("95", "100", True),
    ("94.9", "100", False),
    ("-98", "-100", True),
    ("0", "0", True),
    ("0.01", "0", False),  # gold 0: the reference divides by zero
    ("1,020", "1000", True),  # commas: the reference falls back to a string match
    ("$1,020", "1000", True),
    ("45%", "45", True),
    ("0.45", "45%", True),
    ("2016", "2015", False),  # years compared exactly
    ("2015", "2015", True),
    ("Yes", "yes", True),
    ("  Light Blue. ", "light blue", True),
    ("dark blue", "light blue", False),
    ("12", "twelve", True),
    ("12", "blue", False),
    ("abc", "100", False),
]


@pytest.mark.parametrize(("pred", "gold", "expected"), CHART_CASES)
def test_chart(pred: str, gold: str, expected: bool) -> None:
    verdict = verify(f"<answer>{pred}</answer>", gold, task="chart")
    assert verdict.correct is expected, verdict


def test_chart_with_choices_is_multiple_choice() -> None:
    choices = ["12.5", "13", "20", "25"]
    assert verify("<answer>B</answer>", "13", choices=choices, task="chart").correct
    assert not verify("<answer>A</answer>", "13", choices=choices, task="chart").correct
    assert not verify("<answer>12.6</answer>", "13", choices=choices, task="chart").correct  # not an option


def test_chart_is_looser_than_default_numeric() -> None:
    assert not verify("104", "100").correct
    assert verify("104", "100", task="chart").correct


TEXT_CASES = [
    ("Yes", "yes", True),
    ("The answer is Paris.", "paris", True),
    ("\\text{red}", "Red", True),
    ("blue", "red", False),
    ("12", "12.0", True),
    ("\\frac{1}{2}", "1/2", True),
]


@pytest.mark.parametrize(("pred", "gold", "expected"), TEXT_CASES)
def test_text(pred: str, gold: str, expected: bool) -> None:
    assert verify(pred, gold, answer_type="text").correct is expected


# (prediction, gold, expected correct) with answer_type="list"
LIST_CASES = [
    ("[2014, 2016]", "[2014, 2016]", True),
    ("2014, 2016", [2014, 2016], True),
    ("(2014, 2016)", "[2014,2016]", True),
    ("[2016, 2014]", "[2014, 2016]", False),  # order matters
    ("[2014]", "[2014, 2016]", False),
    ("[2014, 2016, 2018]", "[2014, 2016]", False),
    ("[0.5, \\frac{1}{3}]", "[1/2, 1/3]", True),
    ("[1,000, 2]", "[1000, 2]", True),
    ("[a, b]", "[A, B]", True),
    ("[0, 2, 0, 2, 1, 7]", [0, 2, 0, 2, 1, 7], True),
    ("[0, 2, 0, 2, 7, 1]", [0, 2, 0, 2, 1, 7], False),
]


@pytest.mark.parametrize(("pred", "gold", "expected"), LIST_CASES)
def test_lists(pred: str, gold, expected: bool) -> None:
    verdict = verify(f"<answer>{pred}</answer>", gold, answer_type="list")
    assert verdict.correct is expected, verdict
