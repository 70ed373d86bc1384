"""Where a response puts its answer (round 7, found by a sixth held-out set of model-style responses):

- an answer stated first and explained after ("The centre is (-3, -3).\n\nExplanation: …");
- a sentence inside ``<answer>`` tags, read as a sentence inside a box is;
- the final ``<answer>``/``\\boxed{}`` of a multiple-choice response beats an option named in the reasoning;
- a closing "Note …" paragraph about other options or values is not the answer;
- two values offered with "or" ("It is 3 or 4.") are no answer.

Each case is written here by hand; the held-out responses themselves are not in the repository.
"""

from __future__ import annotations

import pytest

from eval import mathverse, wemath
from eval.rules import choice_verdict, marked_answer, split_options
from mmagrae.verifiers import extract_answer, verify
from mmagrae.verifiers.endings import answer_first, drop_trailing_note

EXPLAINED = "\n\nHere's why. Take the start as the origin: 2.90 + 12.08 = 14.98 km east, 22.14 km south; tan⁻¹ ≈ 34°."


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("The bearing to return to the starting point is **N 34° W**." + EXPLAINED
         + " To go back, travel the opposite way, which is N 34° W (about 26.7 km).", "N 34° W", True),
        ("The bearing to return is **N 34° W**." + EXPLAINED, "N 35° W", False),
        ("The area of the circle is $2500\\pi \\text{ cm}^2$.\n\nTo find this, use $A = \\pi r^2 = 2500\\pi$ with r = 50."
         " We keep the answer in terms of $\\pi$ (about 7853.98 cm²).", "2500\\pi", True),
        ("The centre of the circle is (-3, -3).\n\nExplanation: it touches both axes, so the centre is (-3, -3)"
         " and the radius is 3.", "(-3,-3)", True),
        ("The centre of the circle is (3, -3).\n\nExplanation: the radius is 3.", "(-3,-3)", False),
        ("The true bearing of P from M is 230°T.\n\nHere's why: 180° + 50° = 230°. So P is on a bearing of 230°T"
         " (which is the same as S50°W) from M.", "230°", True),
        ("The answer is 12. This is because 3 × 4 = 12, not 13.", "12", True),
        ("The answer is 12. This is because 3 × 4 = 12, not 13.", "13", False),
        ("The surface area is approximately **9.86 m²**.\n\nTo find this, add the two ends:\n\n1. **The curved"
         " surface**: 7.20 m²\n2. **The two ends**: 2.66 m²\n\n7.20 + 2.66 ≈ 9.86. The flat top is open, so it is"
         " not included.",
         "9.86", True),
        # the explanation takes the opening back: read as before
        ("The centre is (3, 3).\n\nExplanation: it touches both axes below and left of O. Actually, that is wrong:"
         " the centre is (-3, -3).", "(-3,-3)", True),
        # the explanation states an answer again: it is read as before (the last statement)
        ("The answer is 12.\n\nExplanation: 3 × 5 = 15, so the answer is 15.", "15", True),
        # not an answer given first: a heading, a question, a list
        ("Here's how to solve this:\n\n* **Angle:** ∠ACB = 90°.\n* Because AC = BC, it is isosceles.\n"
         "* **Area:** ½ × 14 × 7 = 49.\n\nSo, the area of triangle ABC is **49**.", "49", True),
        ("Is it 5? Here's why not: 2 + 2 = 4.", "4", True),
    ],
)
def test_an_answer_stated_first_then_explained(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


def test_answer_first_needs_a_statement_before_an_explanation() -> None:
    assert answer_first("**B**\n\nExplanation: the other options are 3 and 5.") == (
        "**B**", "Explanation: the other options are 3 and 5.")
    assert answer_first("We need the radius. Here's how: r = 5.") is None  # nothing stated before
    assert answer_first("Step 1: 2 + 2 = 4.\n3 × 3 = 9\nthen 4 + 9 = 13.\n\nExplanation: x") is None  # 3 lines
    assert answer_first("The answer is 5 because 2 + 3 = 5.") is None  # "because" inside the sentence


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("<think>max 9.8, midline 3.3</think>\n<answer>The amplitude is 6.5.</answer>", "6.5", True),
        ("<think>…</think><answer>The amplitude is 6.5.</answer>", "3.3", False),
        ("<answer>1982 with an actual total income of $931,441</answer>", "1982", True),  # the value first
        ("<answer>The length of AB is 6\\sqrt{3} cm</answer>", "6\\sqrt{3}", True),
    ],
)
def test_a_sentence_in_answer_tags_gives_the_value_it_states(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected


@pytest.mark.parametrize(
    "response",
    ["It is 3 or 4.", "So the answer could be 3 or 4.", "The side is 3 or 4 cm.", "There are 3 or 4 dogs.",
     "Hence x is 3, or maybe 4.", "It is either 4 or 3.", "So the angle is 30° or 4°.", "\\boxed{It is 3 or 4}",
     "<answer>It is 3 or 4</answer>"],
)
def test_two_values_offered_with_or_are_no_answer(response: str) -> None:
    assert not verify(response, "4").correct and not verify(response, "3").correct


@pytest.mark.parametrize(
    ("response", "gold"),
    [("So the perimeter is 12 cm, or 120 mm.", "120"), ("So it is 0.5, or 50%.", "50%"),
     ("The circumference is 2π, or about 6.28.", "6.28"), ("We need 3 or more, so the answer is 4.", "4")],
)
def test_one_value_restated_with_or_is_an_answer(response: str, gold: str) -> None:
    assert verify(response, gold).correct


def test_a_closing_note_is_not_the_answer() -> None:
    text = ("Lateral area S = π × 5 × 13 = 65π.\n\nSo the area of paper required is **65π**, which is option **B**."
            "\n\nNote that option D (156π) would come from using the height instead of the radius, and C (78π)"
            " from r = 6; neither matches.")
    assert drop_trailing_note(text).endswith("which is option **B**.")
    choices = ["39π", "65π", "78π", "156π"]
    assert verify(text, "B", choices=choices).correct
    assert not verify(text, "D", choices=choices).correct
    note = "So x = 4.\n\nNote: I used π ≈ 3.14 for the circle."
    assert verify(note, "4").correct and not verify(note, "3.14").correct
    kept = "So x = 4.\n\nNote: the final answer is 5."  # a note that answers or corrects is read
    assert drop_trailing_note(kept) == kept


MC_QUESTION = "If angle 1 = angle 3 and angle 2 = 60°, then angle 4 is ()\nChoices:\nA:60°\nB:100°\nC:120°\nD:130°"


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("<think>If angle 4 were equal to angle 2 it'd be 60°, which is option A. But they are supplementary:"
         " 180° - 60° = 120°.</think>\n<answer>C</answer>", "C", True),
        ("<think>which is option C, 120°? No: they are equal, 60°.</think>\n<answer>A</answer>", "C", False),
        ("Angle 4 = 60°, which would be option A, but it is supplementary: 180° - 60° = 120°.\n\n"
         "The final answer is: $\\boxed{C}$", "C", True),
        ("They are supplementary, so angle 4 = 180° - 60° = 120°, not option A.\n\n\\boxed{120^\\circ}", "C", True),
        ("The correct option is (C) 120°. To find this, note that angles 2 and 4 are supplementary:"
         " 180° - 60° = 120°.", "C", True),
        # an explanation that ends on another option: read as before (the last option named)
        ("The correct option is (A) 60°. To find this, note the angles are supplementary: 180° - 60° = 120°,"
         " which is option C.", "A", False),
        ("The correct option is (A) 60°. To find this, note the angles are equal.", "C", False),
    ],
)
def test_the_marked_final_answer_beats_an_option_named_in_the_reasoning(
    response: str, gold: str, expected: bool
) -> None:
    row = {"question_type": "multi-choice", "answer": gold, "question": MC_QUESTION}
    assert mathverse.judge(row, response, "rules").correct is expected


def test_we_math_answer_tags_and_text_boxes() -> None:
    row = {"answer": "A", "option": "A. First head northeast to B, then north to ;C.  ;B. First head northwest to B,"
           " then west to ;C.  ;C. First head southeast to B, then west to ;C. ;D. No correct answer"}
    response = ("<think>\nB is up and to the right: northeast. Then C is straight up: north.\nOption A: matches.\n"
                "Option C says southeast then west — no.\n</think>\n<answer>A. First head northeast to B, then north"
                " to C.</answer>")
    assert wemath.judge(row, response, "rules").correct
    assert not wemath.judge({**row, "answer": "C"}, response, "rules").correct
    boxed = {"answer": "B", "option": "A. 30cm, 70cm, 150cm; B. 30cm, 70cm, 100cm; C. Cannot be determined"}
    response = "AC = AB + BC = 30 + 70 = 100 cm.\n\nThe final answer is: $\\boxed{\\text{B. 30cm, 70cm, 100cm}}$"
    assert wemath.judge(boxed, response, "rules").correct
    assert not wemath.judge({**boxed, "answer": "A"}, response, "rules").correct


def test_marked_answer_and_an_answer_marker_after_it() -> None:
    assert marked_answer("<think>60° is option A</think><answer>C</answer>") == ("C", True)
    assert marked_answer("\\boxed{120^\\circ}. Answer: C") == ("120^\\circ", False)  # the marker comes later
    assert marked_answer("so option A") is None
    # the We-Math marker after the box decides
    assert choice_verdict("\\boxed{120^\\circ}\n\nAnswer: A", "A", ["60°", "100°", "120°"],
                          tail="A").correct


def test_a_point_named_like_an_option_marker_does_not_split_an_option() -> None:
    """We-Math rows whose option text ends with a point name written ";C." before the next option's marker."""
    assert split_options("A. go north to ;C.  ;B. go west to ;C.  ;C. go south to ;C. ;D. No correct answer") == [
        "go north to ;C.", "go west to ;C.", "go south to ;C.", "No correct answer"]
    assert split_options("A. There is an obtuse angle ∠AB;E.; B. There is an obtuse angle ∠AB;C.; C. None") == [
        "There is an obtuse angle ∠AB;E.", "There is an obtuse angle ∠AB;C.", "None"]


# A seventh hostile review of these readings: each case below was read wrongly by their first version.
_GIVENS = "AB = 5 and BC = 12. Because angle B is a right angle, AC = √(25 + 144) = 13."


@pytest.mark.parametrize(
    ("response", "gold", "choices", "expected"),
    [
        # a restated given is not an answer given first ("Because" opens no explanation of an answer)
        *[(_GIVENS + end, "13", None, True) for end in
          ("", "\n\n**Final Answer**\n13", "\n\nTherefore, AC = **13**.", "\n\n∴ AC = 13", "\n\n<Answer>: 13")],
        ("The triangle has sides 3, 4 and 5. Because 3² + 4² = 5², its area is ½ × 3 × 4 = 6.", "5", None, False),
        ("∠A = 40°. Because the triangle is isosceles, ∠B = ∠C = (180° − 40°)/2 = 70°.", "40", None, False),
        ("Angle 2 = 60°. Because angle 4 is supplementary to angle 2, angle 4 = 120°, option C.", "A",
         ["60°", "100°", "120°", "130°"], False),
        ("We know $AB = 5$ because the triangle is isosceles, so the perimeter is $5 + 5 + 6 = 16$.", "16", None, True),
        ("In the diagram, ∠1 = 50°. Here's how we find ∠2: ∠2 = 180° − 50° = 130°.", "130", None, True),
        # an explanation that ends on a value it never arrives at: the opening is not read
        ("The area is 12. Here's why: with base 6 and height 5, the area is 6 × 5 / 2 = 15.", "12", None, False),
        ("x = 12. This is because 3 × 5 = 15, so x = 15.", "12", None, False),
        # a sentence in tags with two values states neither
        ("<answer>The correct value is 8, not 6.</answer>", "6", None, False),
        ("<answer>The amplitude is 6.5 instead of 3.3</answer>", "3.3", None, False),
        ("<answer>The perimeter is 24 cm for side 6 cm</answer>", "6", None, False),
        ("<answer>The amplitude is 6.5 (midline y = 3.3)</answer>", "3.3", None, False),
        # a note that hedges, converts, checks or re-reads the question is read
        ("So x = 12.\n\nNote: x could also be 15.", "12", None, False),
        ("So the sum is 45.\n\nNote: the question asks for the average, which is 45 / 5 = 9.", "9", None, True),
        ("x = 4\n\nRemark. Checking: 2·4 + 1 = 9 ≠ 7, so x = 3.", "3", None, True),
        ("So the area is 2400 cm².\n\nNote: since the question asks for square metres, this is 0.24 m².", "0.24",
         None, True),
        ("x = 4.\n\nN.B. the figure is not to scale, 2 cm here.", "4", None, True),
        # a fraction, ratio, root or π value restated with "or" is one answer; "OR" and "or maybe even" hedge
        ("The probability is 1/4, or 25%.", "25%", None, True),
        ("The angle is π/2, or 90°.", "90", None, True),
        ("The length is 7/2, or 3.5.", "3.5", None, True),
        ("The ratio is 3:4, or 0.75.", "0.75", None, True),
        ("So the side is √2, or 1.41.", "1.41", None, True),
        ("So the count is 3 OR 4.", "4", None, False),
        ("So it is 3, or maybe even 4.", "4", None, False),
        ("<Answer>: <B. 31.4 cm>", "B", ["1", "31.4 cm", "3"], True),
    ],
)
def test_seventh_review_cases(response: str, gold: str, choices: list[str] | None, expected: bool) -> None:
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)


@pytest.mark.parametrize(
    ("response", "stated"),
    [("<Thought process>: Angle 2 is 60°. Because angle 4 is supplementary, angle 4 = 120°. <Answer>: C", "C"),
     ("**A. 60°**\n\nExplanation: angle 4 = 180° − 60° = 120°.\n\n<Answer>: C", "C")],
)
def test_we_math_answer_marker_beats_an_opening(response: str, stated: str) -> None:
    row = {"option": "A. 60°;B. 100°;C. 120°;D. 130°"}
    for gold in "AC":
        assert wemath.judge({**row, "answer": gold}, response, "rules").correct is (gold == stated)


def test_an_option_stated_first_and_another_concluded_is_read_as_before() -> None:
    response = ("The correct option is (A) 60°. To find this, note the angles are supplementary: 180° − 60° = 120°,"
                " which is option C.")
    for gold, expected in (("A", False), ("C", True)):
        row = {"question_type": "multi-choice", "answer": gold, "question": MC_QUESTION}
        assert mathverse.judge(row, response, "rules").correct is expected


def test_option_lists_with_a_letter_as_an_option_text() -> None:
    assert split_options("A. 3;B. B.;C. 5") == ["3", "B.", "5"]
    assert split_options("A. x;B. y;C. C. z;D. w") == ["x", "y", "C. z", "w"]


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("So the angle is forty-five degrees.", "45", True),
        ("So the angle is forty-five degrees.", "40", False),
        ("The area is three hundred sixty square centimeters.", "360", True),
        ("Hence the year is two thousand and five.", "2005", True),
        ("So there is only one triangle.", "1", True),
        ("I pick the second one.", "1", False),  # a pronoun, not a number
        ("It is five or six.", "5", False),
        ("There are two cubes and three spheres.", "3", False),  # two values
        ("It is not three.", "3", False),
    ],
)
def test_a_last_sentence_with_its_number_in_words(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected
