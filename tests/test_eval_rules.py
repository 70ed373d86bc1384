"""Rules mode: the benchmark-aware readings (option letters, option lists) on the failures seen in real
result files (synthetic items written for the test)."""

from __future__ import annotations

import pytest

from eval import mathverse, mathvision, rules, wemath


@pytest.mark.parametrize(
    ("text", "letter"),
    [("So the correct option is D.", "D"), ("The correct option is C:√{3}", "C"), ("Answer: (B)", "B"),
     ("the answer is **B**", "B"), ("Therefore, the answer is $\\boxed{C}$.", "C"), ("Choice (C)", "C"),
     ("The correct answer is: B", "B"), ("option A is wrong, so the answer is D", "D"),
     ("the answer is a triangle", None), ("The answer is 5", None), ("the answer is Both", None),
     ("So the answer is F.", None)],  # F is not among 4 choices
)
def test_stated_letter(text, letter):
    assert rules.stated_letter(text, 4) == letter


@pytest.mark.parametrize(
    ("text", "letter"),
    [("A. 3 cm", "A"), ("<C> because 8", "C"), ("(B) 4", "B"), ("D", "D"), ("B.", "B"),
     ("A triangle has three sides", None), ("3 cm", None), ("E. none", None)],
)
def test_leading_letter(text, letter):
    assert rules.leading_letter(text, 4) == letter


@pytest.mark.parametrize(
    ("option", "texts"),
    [("A. ①; ③;B. ②; ③;C. ①; ②", ["①; ③", "②; ③", "①; ②"]),
     ("A. 3;B. 4; C. 5;D. 6; E. No correct answer", ["3", "4", "5", "6", "No correct answer"]),
     ("A. 300, 400;B. 400, 300", ["300, 400", "400, 300"]), ("3;4", ["3", "4"])],
)
def test_split_options(option, texts):
    assert rules.split_options(option) == texts


def _mv_row(answer="C"):
    return {"question_type": "multi-choice", "answer": answer,
            "question": "Find BC.\nChoices:\nA:2\nB:2√{3}\nC:√{3}\nD:2√{2}"}


@pytest.mark.parametrize(
    ("response", "ok"),
    [("So the correct option is C.", True), ("The correct option is C:√{3}", True),
     ("The correct option is B:2√{3}", False), ("\\boxed{C}", True), ("so BC = √{3}, option C", True)],
)
def test_mathverse_rules_multiple_choice(response, ok):
    assert mathverse.judge(_mv_row(), response, "rules").correct is ok


@pytest.mark.parametrize(
    ("response", "ok"),
    [("<Thought process>: 3 + 0 = 3 <Answer>: A. 3 cm", True), ("<Answer>: <A> because 8", True),
     ("<Answer>: <B>", False), ("So the correct option is A.", True), ("<Answer>: ①; ③", True)],
)
def test_wemath_rules(response, ok):
    row = {"ID": "2steps_1", "key": "2steps_1", "answer": "A", "option": "A. ①; ③;B. ②; ③;C. ①; ②"}
    if "cm" in response or "because" in response:
        row["option"] = "A. 3 cm;B. 4 cm;C. 8 cm"
    assert wemath.judge(row, response, "rules").correct is ok


def test_wemath_official_extraction_stays_official():
    row = {"answer": "A", "option": "A. 3 cm;B. 4 cm"}
    assert wemath.judge(row, "<Answer>: A. 3 cm", "official").correct  # first character after "Answer"
    assert not wemath.judge(row, "So the correct option is A.", "official").correct  # no "Answer" marker


def test_mathvision_rules_are_the_official_pipeline():
    row = {"answer": "E", "options": ["1", "2", "3", "4", "$6(\\sqrt{2}-1)$"]}
    # the official extraction garbles a boxed \text{(E)} + value; rules mode reports what the official code does
    assert not mathvision.judge(row, "so $\\boxed{\\text{(E)}\\ 6(\\sqrt{2}-1)}$", "rules").correct
    assert mathvision.judge(row, "The answer is \\boxed{E}", "rules").correct
    assert mathvision.judge(row, "r = \\boxed{2.49}", "rules").correct  # the option's value, rounded
    assert not mathvision.judge(row, "", "rules").correct


@pytest.mark.parametrize(
    ("response", "gold"),
    [("The answer is 50.27", "Circumference $=50.27 \\mathrm{~cm}$"), ("so the area is 36", "Area $=36 \\mathrm{~cm}^{2}$"),
     ("\\boxed{12.57}", "$A=12.57$ square units"), ("So x = $\\boxed{4}$", "4"), ("Answer: 6.4", "$d=6.4 \\mathrm{~km}$")],
)
def test_mathverse_free_form_golds_with_names_and_units(response, gold):
    assert mathverse.judge({"question_type": "free-form", "answer": gold}, response, "rules").correct
