"""Multiple choice: letters in every spelling, option texts, gold as letter or text, duplicates, refusals."""

from __future__ import annotations

import pytest

from mmagrae.verifiers import verify
from mmagrae.verifiers.choice import resolve_choice

ANGLES = ["135°", "140°", "145°", "150°"]
CLOCK = ["half", "quarter", "o'clock", "quarter to", "quarter past"]

# (response, gold, choices, expected correct)
CHOICE_CASES = [
    ("C", "145°", ANGLES, True),
    ("c", "145°", ANGLES, True),
    ("(C)", "145°", ANGLES, True),
    ("(c)", "145°", ANGLES, True),
    ("C.", "145°", ANGLES, True),
    ("C)", "145°", ANGLES, True),
    ("[C]", "145°", ANGLES, True),
    ("\\boxed{C}", "145°", ANGLES, True),
    ("\\boxed{\\text{(C)}}", "145°", ANGLES, True),
    ("$\\text{C}$", "145°", ANGLES, True),
    ("**C**", "145°", ANGLES, True),
    ("Option C", "145°", ANGLES, True),
    ("The answer is (C).", "145°", ANGLES, True),
    ("The answer is C. 145°", "145°", ANGLES, True),
    ("The answer is (C) 145°.", "145°", ANGLES, True),
    ("<answer>C</answer>", "C", ANGLES, True),
    ("<answer>c</answer>", "c", ANGLES, True),
    ("145°", "145°", ANGLES, True),
    ("145", "145°", ANGLES, True),
    ("145^\\circ", "C", ANGLES, True),
    ("B", "145°", ANGLES, False),
    ("(B)", "C", ANGLES, False),
    ("140°", "145°", ANGLES, False),
    ("E", "145°", ANGLES, False),  # out of range
    ("(C) 140°", "145°", ANGLES, False),  # letter and text contradict
    ("147°", "145°", ANGLES, False),  # near an option is not the option
    ("quarter to", "quarter to", CLOCK, True),
    ("Quarter To", "D", CLOCK, True),
    ("quarter", "quarter to", CLOCK, False),
    ("D", "quarter to", CLOCK, True),
    ("11.0 cm", "11cm", ["6cm", "11cm"], True),
    ("30\\sqrt{3} m", "30√{3}m", ["30m", "30√{3}m", "(30√{3}+30)m"], True),
    ("No", "No", ["Yes", "No"], True),
    ("no.", "No", ["Yes", "No"], True),
    ("yes", "No", ["Yes", "No"], False),
    ("So the answer is no, there are fewer buses.", "No", ["Yes", "No"], True),
    ("The correct answer is therefore choice (B).", "No", ["Yes", "No"], True),
    # duplicate option texts: the same answer under two letters
    ("A", "C", ["5", "6", "5"], True),
    ("C", "5", ["5", "6", "5"], True),
    ("B", "5", ["5", "6", "5"], False),
    # refusals are wrong, never mapped to the nearest option
    ("None of the above", "A", ["Yes", "No"], False),
    ("The answer cannot be determined from the figure.", "A", ["Yes", "No"], False),
    ("N/A", "No", ["Yes", "No"], False),
    ("I can't tell.", "No", ["Yes", "No"], False),
    ("Cannot be determined", "Cannot be determined", ["1", "2", "Cannot be determined"], True),
    # hedging between options
    ("A or B", "A", ["1", "2"], False),
    ("\\boxed{A} \\boxed{B}", "A", ["1", "2"], False),
    ("(A)(B)(C)", "A", ["1", "2", "3"], False),  # listing every letter is not an answer
    ("(A) B", "A", ["1", "2", "3"], False),
    ("A, B, C", "A", ["1", "2", "3"], False),
    ("ABC", "A", ["1", "2", "3"], False),
    (
        "So, the correct answers are (B) 13 and (C) 26.",
        "26",
        ["12", "13", "26", "30"],
        False,
    ),  # MathVista gpt4-273
    # a stated option letter (rewards read what the model states, not a number in its reasoning)
    ("So the correct option is D.", "13", ["6", "7", "8", "13"], True),
    ("The correct option letter is D.", "D", ["6", "7", "8", "13"], True),
    ("Thus the correct choice is A, since 1 < 2.", "6", ["6", "7", "8", "13"], True),
    ("The correct option is (A).\n\nSolving for t, we get t = **7**.", "7", ["6", "7", "8", "13"], False),  # bard-819
    ("Option A is wrong since 6 < 7. The answer is 7.", "7", ["6", "7", "8", "13"], True),  # "Option A" states nothing
    ("The correct option is D. Option A fails since 1 < 2.", "13", ["6", "7", "8", "13"], True),
    ("The correct option is A. Checking again, the answer is 7.", "7", ["6", "7", "8", "13"], True),  # later phrase
    ("Therefore, the answer is (E).", "(b)", ["(c)", "(a)", "(e)", "(d)", "(b)"], True),  # bard-168: a letter
    # hedging between letters states no letter
    ("The answer is A or B.", "A", ["1", "2", "3", "4"], False),
    ("The answer is A, B, C or D.", "A", ["1", "2", "3", "4"], False),
    ("The answer is (A) or (B).", "A", ["1", "2", "3", "4"], False),
    ("Answer: A and B", "A", ["1", "2", "3", "4"], False),
    ("The answer is A lot of work. It's 3.", "A", ["1", "2", "3", "4"], False),
    # a second letter that starts a new clause is not hedging; a bold label states the letter after it
    ("The answer is B, C is wrong because 3<4.", "B", ["1", "2", "3", "4"], True),
    ("The answer is (B), (A) is too small.", "B", ["1", "2", "3", "4"], True),
    ("So the answer is A, B and C are both too large.", "A", ["1", "2", "3", "4"], True),
    ("**Final Answer**\n\nB", "B", ["1", "2", "3", "4"], True),
    ("**Answer**: C", "C", ["1", "2", "3", "4"], True),
    # a capital letter with the option's text in parentheses right after it: "B(0.4 m)"
    ("The answer is B(0.4 m)", "B", ["0.2 m", "0.4 m", "0.6 m"], True),
    ("Answer: B(0.4 m).", "B", ["0.2 m", "0.4 m", "0.6 m"], True),
    ("The answer is A(0.4 m)", "B", ["0.2 m", "0.4 m", "0.6 m"], False),  # letter and text disagree
    ("The answer is A(0.4 m)", "A", ["0.2 m", "0.4 m", "0.6 m"], False),
    ("The answer is f(0.4 m)", "B", ["0.2 m", "0.4 m", "0.6 m"], False),  # a function, not a letter
    ("The answer is B(A)", "B", ["0.2 m", "0.4 m", "0.6 m"], False),  # two letters
]


@pytest.mark.parametrize(("response", "gold", "choices", "expected"), CHOICE_CASES)
def test_choice(response: str, gold: str, choices: list[str], expected: bool) -> None:
    verdict = verify(response, gold, choices=choices)
    assert verdict.correct is expected, verdict


def test_gold_not_an_option_is_a_data_error() -> None:
    verdict = verify("A", "160°", choices=ANGLES)
    assert not verdict.correct and verdict.reason.startswith("bad gold:")


def test_choice_type_without_choices_is_a_data_error() -> None:
    assert verify("A", "A", answer_type="multiple_choice").reason.startswith("bad gold:")


def test_resolve_reports_refusal_reason() -> None:
    assert resolve_choice("none of these", ["1", "2"]) == (set(), "refusal")
