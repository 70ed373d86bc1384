"""Readings added in round 11, from the nineteenth held-out set (Unicode-heavy output, other languages, unusual
option marks, outputs cut off by the token limit, verification sections, LaTeX-heavy output). Each right
reading has wrong neighbours that must stay wrong."""

import pytest

from mmagrae.verifiers import verify
from mmagrae.verifiers.extraction import extract
from mmagrae.verifiers.runoff import drop_runoff

OPTS = ["30°", "40°", "50°", "60°"]


@pytest.mark.parametrize(
    ("response", "gold", "right"),
    [
        ("∠OBC = (180° − 100°) ÷ 2 = 40°\n\nAnswer: （B）40°", "B", True),  # full-width brackets
        ("∠OBC = 40°\n\nAnswer: （Ｂ）40°", "B", True),  # and a full-width letter
        ("∠OBC = 40°\n\nAnswer: Ｂ", "B", True),
        ("∠OBC = 40°\n\nAnswer: Ｄ\u30002√13", "D", True),  # an ideographic space
        ("∴ 𝑦 = 10 → （B）", "B", True),
        ("∠OBC = 40°\n\nAnswer: Ｃ", "B", False),
        ("Answer: （Ｂ）40°", "C", False),
    ],
)
def test_full_width_letters_and_brackets(response, gold, right):
    assert verify(response, gold, choices=OPTS).correct is right


def test_chinese_stated_letter_with_ascii_brackets():
    # "（D）10" was read; "(D)10", as Chinese models also type it, was read as the number 10
    assert extract("所以，正确选项是(D)10。", choices=["4", "6", "8", "10"]).answer == "D"
    assert extract("所以，正确选项是（D）10。", choices=["4", "6", "8", "10"]).answer == "D"
    assert not verify("The answer is A(0.4 m)", "A", choices=["0.2 m", "0.4 m", "0.6 m"]).correct  # kept


@pytest.mark.parametrize(
    ("response", "gold"),
    [
        ("Total = 348 + 186 = 534 cm²\n\nSo the surface area of the prism is 534 cm².\n\n"
         "Checking the count of faces: bottom strip 16 × 3, two outer sides 12 × 3 each, two top pieces 5 × 3 each, "
         "the notch floor 6 × 3 and the two notch wal", "534"),
        ("So the volume of the prism is 299 cm³.\n\nLet me double-check the cross-section area: 22 + 1 = 23 ✓. "
         "Then 23 × 13 = 230 + 69 = 29", "299"),
        ("So w = 22.\n\nTo confirm with the sine ratio, the opposite side would be 11√3, and then by Pythagoras "
         "we'd have 11² + (11√3)² = 121 +", "22"),
        ("Centre = (1, 3)\n\nWe can also get the radius: distance from (1, 3) to (5, 0) is 5, so the equation of the "
         "circle is (x − 1)² + (y − 3)² = 25. Checking the y-intercepts: y = 3 ± √24 ≈ 3 ± 4.9", "(1,3)"),
        ("So the volume is approximately 2854.54 cm³.\n\nDouble-checking with a rougher estimate: a sphere of "
         "radius 9 would have volume ≈ 3053.6, and since 8.8 is a bit smaller than 9, the volume should be a bit "
         "less, which is consist", "2854.54"),
    ],
)
def test_a_check_cut_off_by_the_token_limit_is_not_read(response, gold):
    assert verify(response, gold).correct


@pytest.mark.parametrize(
    ("response", "gold", "right"),
    [
        # nothing stated before the cut: the last number, as before
        ("The base is 8 and the height is 6.\n\nLet me compute the area: 8 × 6 ÷ 2 = 2", "24", False),
        # a complete check paragraph (it ends with a full stop) is read as before
        ("So the answer is 12.\n\nCheck: 3 × 4 = 12.", "12", True),
        # an option named in the cut-off aside is not the answer
        ("The answer is C: 140°.\n\nTo double check using the interior angles: 180° − 50° = 130°, which is option "
         "B, but that is the angle between CA and the extension of", "C", True),
    ],
)
def test_cut_off_check_edges(response, gold, right):
    choices = ["100°", "130°", "140°", "150°"] if gold == "C" else None
    assert verify(response, gold, choices=choices).correct is right


def test_drop_runoff_keeps_a_cut_paragraph_that_corrects_or_is_not_a_check():
    text = "The area is 12.\n\nThe perimeter of the shape is 14 and the dia"
    assert drop_runoff(text) == text  # no check or aside opens it: not dropped
    text = "So the answer is 12.\n\nLet me double-check: 3 × 5 = 15, so actually the area is 15 and the"
    assert drop_runoff(text) == text  # it corrects ("actually")
    text = "So the answer is 12.\n\nLet me double-check: 3 × 4 = 12"
    assert drop_runoff(text) == "So the answer is 12."


@pytest.mark.parametrize(
    ("response", "gold", "right"),
    [
        ("\\[\n\\therefore\\quad y - 3 = \\frac{2}{3}\\,(x - 8)\n\\]", "$y-3=\\frac{2}{3}(x-8)$", True),
        ("\\[\n\\therefore\\quad y - 3 = \\frac{3}{2}\\,(x - 8)\n\\]", "$y-3=\\frac{2}{3}(x-8)$", False),
        ("\\[ \\therefore\\ \\textbf{C} \\]", "C", True),
        ("\\[ \\therefore\\ \\textbf{D} \\]", "C", False),
        ("\\[\\therefore\\ \\text{Surface area} = 2\\pi (R + r)(L + R - r)\\ \\text{square units}\\]",
         "Surface area $=2 \\pi(R+r)(L+R-r)$ square units", True),
        ("\\[\\therefore\\ \\text{Surface area} = 2\\pi (R + r)(L - R + r)\\ \\text{square units}\\]",
         "Surface area $=2 \\pi(R+r)(L+R-r)$ square units", False),
    ],
)
def test_latex_conclusion_signs_and_unit_words(response, gold, right):
    choices = OPTS if gold == "C" else None
    assert verify(response, gold, choices=choices).correct is right
