"""Extraction: <answer> tags, boxes outside <think>, answer phrases, fallbacks, hedging."""

from __future__ import annotations

import pytest

from mmagrae.verifiers import extract, extract_answer, verify
from mmagrae.verifiers.extraction import clean_answer, find_boxed, strip_think

EXTRACTION_CASES = [
    # (response, expected extracted answer)
    ("<answer>12</answer>", "12"),
    ("<think>I guess 5</think><answer> 7 </answer>", "7"),
    ("<think>\\boxed{3}</think>So \\boxed{4}", "4"),
    ("<answer>The answer is 9.</answer>", "9"),
    ("<answer>so \\boxed{x+1}</answer>", "x+1"),
    ("\\boxed{\\boxed{5}}", "5"),
    ("\\fbox{6}", "6"),
    ("\\boxed 7", "7"),
    ("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
    ("$\\boxed{42}$.", "42"),
    ("\\boxed{3} and again \\boxed{3}", "3"),
    ("\\boxed{0.5} i.e. \\boxed{0.50}", "0.50"),
    ("The answer is 12.", "12"),
    ("Therefore, the answer is $\\frac{9}{4}$.", "\\frac{9}{4}"),
    ("**Final Answer:** 3.5", "3.5"),
    ("Final Answer: The final answer is 8. I hope it is correct.", "8"),
    ("**Answer:** (B)", "(B)"),
    ("The correct answer is approximately 1.41.", "1.41"),
    ("the answer is: 10 cm\nmore text", "10 cm"),
    ("145°", "145°"),
    ("quarter to", "quarter to"),
    ("B", "B"),
    ("So there are 3 apples and 4 pears, total 7", "7"),
    ("x = 2.5 is what we get after solving the linear equation above", "2.5"),
    ("<think>long</think>Yes", "Yes"),
    ("reasoning</think><answer>4</answer>", "4"),
    ("The answer is $$\\sqrt{2}$$", "\\sqrt{2}"),
    ("The answer is \\(\\pi\\).", "\\pi"),
    ("**The answer is 5**", "5"),
    ("**Final Answer:** $\\$236.34$", "\\$236.34"),
    ("The answer is $$452.08$", "$452.08"),
    ("Step 1.\n\nTherefore, there are **3** groups of bars smaller than 40.", "3"),
    ("**Step 1:** count.\n\nSo we count 4 and then 5", "5"),
    ("The answer is **(B) 140°**.", "(B) 140°"),
]


@pytest.mark.parametrize(("response", "expected"), EXTRACTION_CASES)
def test_extract_answer(response: str, expected: str) -> None:
    assert extract_answer(response) == expected


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{3} or maybe \\boxed{5}",
        "<answer>3</answer><answer>4</answer>",
        "<answer>\\boxed{1} \\boxed{2}</answer>",
    ],
)
def test_different_final_answers_are_hedging(response: str) -> None:
    found = extract(response)
    assert found.hedged and found.answer is None
    verdict = verify(response, "3")
    assert not verdict.correct and verdict.reason.startswith("hedging")


def test_hedge_inside_think_is_ignored() -> None:
    assert verify("<think>\\boxed{2}? \\boxed{9}?</think>\\boxed{9}", "9").correct


def test_unclosed_think_hides_its_content() -> None:
    assert extract_answer("<think>the answer is \\boxed{5}") is None
    assert strip_think("<think>a</think>b<think>c") == "b"


def test_answer_tag_wins_over_later_box() -> None:
    assert extract_answer("<answer>2</answer> \\boxed{3}") == "2"


def test_option_letter_fallback_only_with_choices() -> None:
    text = "The largest bar has 12 units, so I pick (C) for this one"
    assert extract_answer(text, choices=["a", "b", "c"]) == "C"
    assert extract_answer(text) == "12"
    # whichever comes last wins: a later number beats an earlier letter
    later_number = "Option (D) looks wrong; the degree of angle CAB is 64 in the end"
    assert extract_answer(later_number, choices=["26°", "74°", "64°", "54°"]) == "64"


def test_find_boxed_unclosed_and_escaped() -> None:
    assert find_boxed("\\boxed{\\{1,2\\}}") == ["\\{1,2\\}"]
    assert find_boxed("\\boxed{unclosed") == []


def test_clean_answer() -> None:
    assert clean_answer("  **$12$**. ") == "12"
    assert clean_answer("\\displaystyle 5") == "5"


def test_non_string_response() -> None:
    assert extract_answer(None) is None  # type: ignore[arg-type]
    assert verify(None, "1").reason == "no answer found"  # type: ignore[arg-type]
    assert verify(12, "12").correct  # type: ignore[arg-type]
