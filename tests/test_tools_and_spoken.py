"""Round 9 readings, found by a twelfth held-out set (math-tuned LMs' fixed endings, read-aloud answers,
grounding VLMs, pasted computer-algebra sessions, Unicode math, self-consistency and multi-agent outputs).
Every case is written here by hand; the held-out responses are not in the repository."""

from __future__ import annotations

import pytest

from eval import mathverse, wemath
from mmagrae.verifiers import extract_answer, verify
from mmagrae.verifiers.closings import undecided
from mmagrae.verifiers.numeric import spoken_values
from mmagrae.verifiers.runoff import drop_runoff


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        # Math-Shepherd's step tag after every step, the last one included
        ("Step 1: A = (2x)(36 − x²) ки\nStep 2: The answer is: A(x) = 72x − 2x^3 ки", "72 x-2 x^3", True),
        ("Step 1: 3 × 4 = 12 ки\nStep 2: The answer is: 12 ки", "13", False),
        # GSM8K's answer line
        ("Natalia sold 48 + 24 = 72 clips.\n#### 72", "72", True),
        ("Natalia sold 48 + 24 = 72 clips.\n#### 72", "48", False),
        ("#### Step 3\nx = 5", "5", True),  # a heading, then the value
        ("The area is 12.\n#### Final Answer", "12", True),  # a closing heading states nothing
        # a pasted Python session: its input lines are a program, not the answer; its output is read
        (">>> import math\n>>> math.sqrt(9**2 + 19**2)\n21.02379604162864\n>>> 0.5 * 21.02 * 9\n94.59\n\n"
         "The area of the divider is 94.59 cm².", "94.59", True),
        (">>> H = Eq(y**2/16 - x**2/25, 1)\n>>> H\nEq(-x**2/25 + y**2/16, 1)\n\nSo the hyperbola is\n"
         "y²/16 − x²/25 = 1", "\\frac{y^2}{16}-\\frac{x^2}{25}=1", True),
        ("In[1]:= N[4 Pi 11^2]\nOut[1]= 1520.53\n\nSo the area is about 1520.53 cm².", "1520.53", True),
        (">> r = 5;\n>> V = pi*r^2*4\nV =\n  314.1593", "314.16", True),
        (">>> def f(x):\n...     return x**2\n>>> f(3)\n9", "9", True),
        (">>> 2 * 3.14 * 5\n31.400000000000002", "31.4", True),
    ],
)
def test_fixed_endings_and_sessions(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        # mathematical-alphabet letters, fractions in small digits, "∴"
        ("cos has its max at 𝑥 = −2 ⇒ 𝑐 = 4π\n\n∴ 𝑓(𝑥) = 3 cos(2π𝑥 + 4π) − 6", "3 \\cos (2 \\pi x+4 \\pi)-6", True),
        ("Slope 𝑚 = −³⁄₂, 𝑏 = 3\n\n∴ 𝑓(𝑥) = −³⁄₂𝑥 + 3", "$-\\frac{3}{2}x+3$", True),
        ("Slope 𝑚 = −³⁄₂, 𝑏 = 3\n\n∴ 𝑓(𝑥) = −²⁄₃𝑥 + 3", "$-\\frac{3}{2}x+3$", False),
        ("P = (−²¹⁄₂₉, ²⁰⁄₂₉), r = 1\n\n∴ sin 𝑎 = 𝑦⁄𝑟 = ²⁰⁄₂₉", "$\\frac{20}{29}$", True),
        ("∴ 𝑦²⁄9 − (𝑥 + 1)²⁄9 = 1", "\\frac{y^2}{9}-\\frac{(x+1)^2}{9}=1", True),
        ("∵ AB = AC ∴ ∠B = ∠C = 70°", "70", True),
        # digit groups set apart by thin, narrow no-break or plain spaces where a value is stated
        ("𝑆 = 484π\n  ≈ 1 520.530 8…\n\n∴ Surface area ≈ 1\u2009520.53 cm²", "1520.53", True),
        ("∴ Surface area ≈ 1\u202f520.53 cm²", "1520.53", True),
        ("∴ Surface area ≈ 1 520.53 cm²", "1520.53", True),
        ("∴ Surface area ≈ 1 520.53 cm²", "520.53", False),
        ("The sides are 5 cm and 12 cm, so the area is 30 cm².", "30", True),  # "5 cm": not digit groups
        # an arrow to the option after the value
        ("∴ AB = 7 ⇒ C", "C", True),
        ("∴ Area = 2π m² ⟹ B", "C", False),
    ],
)
def test_unicode_math(response: str, gold: str, expected: bool) -> None:
    choices = ["1", "7", "2π m²", "4"] if gold in "ABCD" else None
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("So the surface area of the cone is about one hundred twenty-two point five two square centimetres.",
         "122.52", True),
        ("So to two decimal places the volume is one hundred sixty-nine point six five cubic centimetres.", "169.65", True),
        ("So Y is sixty-nine point three zero degrees, correct to two decimal places.", "69.30", True),
        ("So the area is three hundred forty-seven point four two four eight pi square centimetres.",
         "347.4248 \\pi", True),
        ("So the area is three hundred forty-seven point four two four eight square centimetres.",
         "347.4248 \\pi", False),  # pi left out
        ("So the height is the square root of three divided by two.", "\\frac{\\sqrt{3}}{2}", True),
        ("So the answer is three pi over two radians.", "\\frac{3\\pi}{2}", True),
        ("So x is negative four.", "-4", True),
        ("So x is negative four.", "4", False),
        ("It is somewhere between two and three point five.", "3.5", False),  # a range, not a value
        ("The two sides are one point five each.", "1.5", False),  # another number said too
        ("Is it three point five?", "3.5", False),  # a question
        ("Maybe it's three point five or four.", "3.5", False),
        ("There are two sequences with negative Influence Scores.", "2", True),  # "negative" is a word here
    ],
)
def test_read_aloud_values(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


def test_spoken_values_are_only_those_said_as_math() -> None:
    assert spoken_values("There are twenty-one cubes") == []  # an integer alone is number_words_in's
    assert spoken_values("zero point oh five") == ["0.05"]
    assert spoken_values("pi over four") == ["π/4"]
    assert spoken_values("one pi") == ["π"]


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("Path 1: r = 3, area 9π → B\nPath 2: r = 3 → B\nPath 3: r = 4 → C\n\nVote count: B: 2, C: 1\n"
         "Consensus: B (9π cm²)", "B", True),
        ("Agent A: 12 cm\nAgent B: 14 cm\nAgent C: 12 cm\n\nMajority vote: 12 cm", "12", True),
        ("Agent A: 12 cm\nAgent B: 14 cm\nAgent C: 12 cm\n\nMajority vote: 12 cm", "14", False),
        ("Solution 1: 12\nSolution 2: 12\n\nFinal (consensus): 12", "12", True),
        # no decision: no answer, whatever the samples answered
        ("Agent A: 678.5 → C\nAgent B: 667 → B\nAgent C: 678.5 → C\nAgent D: 667 → B\n\nVotes: C×2, B×2\n"
         "The agents are tied between B (667) and C (678.5); no consensus was reached.", "C", False),
        ("Sample 1: 2 dm (C)\nSample 2: 3 dm (D)\n\nTally: C×1, D×1 — tie, no majority reached.", "C", False),
        ("Agent A: 12\nAgent B: 14\n\nThe agents could not agree.", "12", False),
        ("Sample 1: C\nSample 2: D\n\nTie broken by a third sample.\nConsensus: C", "C", True),
        # a check that finds values not agreeing is no vote
        ("AD ≈ 93.31 (2 d.p.).\n\nCheck: BC = 48.64 and also BC = 37.08. These don't agree exactly because the data"
         " are rounded, giving 93.31.", "93.31", True),
    ],
)
def test_self_consistency_outputs(response: str, gold: str, expected: bool) -> None:
    choices = ["667", "9π cm²", "678.5", "3 dm"] if gold in "ABCD" else None
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)


def test_step_tag_only_as_a_token() -> None:
    assert drop_runoff("Шаг 1: 3 точки ки\nОтвет: 3 точки ки") == "Шаг 1: 3 точки\nОтвет: 3 точки"  # not in "точки"


def test_undecided_needs_samples_or_agents() -> None:
    assert undecided("Agent A: 12\nAgent B: 14\nNo consensus.")
    assert not undecided("The two triangles are tied together at B, so the answer is 12.")
    assert not undecided("Check: these don't agree exactly, the data are rounded.")  # no samples
    assert not undecided("Agent A: 12\nAgent B: 14\nTied at first, but after discussion we go with 12.")


def test_we_math_and_mathverse_with_these_endings() -> None:
    row = {"answer": "C", "option": "A. ① and ②; B. ② and ③; C. ① and ③; D. ② only"}
    assert wemath.judge(row, "Triangles ① and ③ have right angles.\n#### C", "rules").correct
    assert not wemath.judge(row, "Sample 1: C\nSample 2: D\n\nTally: C×1, D×1 — tie, no majority reached.",
                            "rules").correct
    word = {"question": "Determine whether the graphed function is even, odd, or neither.", "answer": "even",
            "question_type": "free-form"}
    assert mathverse.judge(word, "All three paths agree.\nFinal (consensus): the function is even.", "rules").correct
    assert mathverse.judge(word, "So the function is even.", "rules").correct
    for wrong in ("The function is odd.", "Final answer: the function is not even.", "It is neither even nor odd.",
                  "Is the function even?"):
        assert not mathverse.judge(word, wrong, "rules").correct, wrong


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [  # the hostile review of these readings: wrong answers they first accepted, right ones they first rejected
        ("I think it might be three point five.", "3.5", False),
        ("It can't be three point five since the side must be an integer.", "3.5", False),
        ("So the area is three point five squared.", "3.5", False),
        ("So the volume is four pi squared.", "4\\pi", False),
        ("So y equals negative two point five minus x.", "-2.5", False),
        ("The total is twelve over two weeks.", "6", False),
        ("So the answer is just over three point five.", "3.5", False),
        ("The trip takes three point five hours.", "3.5", True),
        ("The answer is pi over two.", "\\frac{\\pi}{2}", True),
        ("So the probability is twelve point five percent.", "0.125", True),
        ("Agent A: 12\nAgent B: 12\nConsensus: 12\nWait, Agent B was right after all: 14.", "12", False),
        ("Majority: 12 of 20 students chose the bus.\nSo the fraction is 3/5.", "3/5", True),
        ("Consensus: all three methods give the same slope.\nSo m = 2.", "2", True),
        ("The area is 24 cm².\n\n#### 3. Conclusion", "24", True),
        ("The total is 72 clips.\n#### Why 72 and not 48?", "72", True),
        ("x = 2\n### Final answer: 12", "12", True),
        ("So far 3.\n## Step 4: The answer is 12", "12", True),
        ("Part (a): 12\n#### Part (b) 15", "15", True),
        ("∴ x = 5 ∵ 2x = 10", "10", False),
        ("∴ x = 5 ∵ 2x = 10", "5", True),
        ("Solution: Draw the diagonal AC.\nThe square is split into 2 triangles, each of area 8.", "8", True),
        ("Solution: Let the runs be r.\nThe two teams are tied, each scoring 7 runs.", "7", True),
        ("Agent A: 12\nAgent B: 14\nTied, but B's calculation is right, so 14.", "14", True),
        ("Agent A: 12\nAgent B: 14\nIt's a tie; we take 14 (checked by substitution).", "14", True),
        ("Agent A: 12\nAgent B: 14\nNo majority; 14 is correct by direct check.", "14", True),
        ("Agent A: 12\nAgent B: 14\nVotes: 12×2, 14×2 — tied between 12 and 14.", "14", False),
        (">>> 2 + 3\n5\n**Answer: 5**", "5", True),
        (">>> 6*7\n42\nSo the answer is **42**.", "42", True),
        ("Solving gives:\n>> x = 5", "5", True),
        (">> Hence the area is (1/2)(6)(8) = 24", "24", True),
        (">>> a = 3\n... then doubling gives 6, so the answer is 6.", "6", True),
        ("The missing numbers are 3 125", "3125", False),  # plain spaces without decimals: two numbers
        ("three over x", "3", False),  # a number in words beside an operation or unknown is an expression
        ("three x", "3", False),
        ("two pi", "2", False),
        ("The answer is three apples.", "3", True),
    ],
)
def test_review_cases(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("gold", "response", "expected"),
    [
        ("even", "f(-x) = -f(x), so it is odd, with an even number of zeros.", False),
        ("even", "The function is odd, even though its graph looks symmetric.", False),
        ("even", "I believe the function is probably even.", False),
        ("even", "The function is either even or odd.", False),
        ("even", "The function cannot be even.", False),
        ("increasing", "The function is decreasing on (0, 2) and increasing on (2, 5).", False),
        ("neither", "So the function is neither even nor odd.", True),
        ("neither", "Since f(-x) ≠ ±f(x), the function is neither.", True),
        ("converges", "The terms go to 0 like 1/n^2, so the series converges.", True),
        ("no real roots", "There are no real roots.", True),
        ("Yes", "Not sure; yes, probably.", False),
    ],
)
def test_mathverse_word_golds(gold: str, response: str, expected: bool) -> None:
    row = {"question": "Is the function even, odd, or neither?", "answer": gold, "question_type": "free-form"}
    assert mathverse.judge(row, response, "rules").correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [  # a thirteenth held-out set: summary labels, emoji, LaTeX decorations, other tags, CSV, bold sentences
        ("Working: l² = 466, l = √466 ≈ 21.587 m\n\nBottom line: l ≈ 21.6 m (1 d.p.).", "21.6", True),
        ("Short answer: H ≈ 19 m.\n\nLong answer: Sally stands 20 m from the tree at 43°, so H = 20 tan 43° ≈ 18.65,"
         " which rounds to 19.", "19", True),
        ("Short answer: H ≈ 19 m.\n\nLong answer: … so the answer is 18.", "19", False),
        ("The pairs give 74, 40, 30, 26 and 24.\n\nIn short: **one possible value of p is 24**.", "24", True),
        ("cos θ = √2/2\n\n💡 cos 45° = √2/2\n\n👉 θ = 45° ✔️", "45", True),
        ("⚖️ Weight ≈ 63.313 g\n\n✔️ Final answer: **63.3 g** (1 d.p.) 💪", "63.3", True),
        ("r = √595.37 ≈ 24.40 cm\n\n✔️ r ≈ 24.4 cm (1 d.p.) 🎉", "24.4", True),
        ("🎯 Answer: 12", "13", False),
        ("Work.\n\n**The true bearing of C from B is 221°T.**", "221 ^\\circ T", True),
        ("**The area is 12 cm².**", "12", True),
        ("Therefore, **the perimeter is 24 cm**.", "24", True),
        ("Therefore, **the perimeter is 24 cm**.", "26", False),
        ("$$\\underline{\\textbf{768 cm}^2}\\qquad\\blacksquare$$", "768", True),
        ("$$\\text{Answer: } \\underline{\\textbf{32 cm}^3}$$", "32", True),
        ("\\colorbox{yellow}{$12$}", "12", True),
        ("Hence $x = 5$. $\\qquad\\blacksquare$", "5", True),  # an end-of-proof mark in its own math
        ("<solution>\nThe boundary is y = 5, shaded below.\n</solution>\n<final>y ≤ 5</final>", "y \\leq 5", True),
        ("<solution>\nThe boundary is y = 5, shaded below.\n</solution>\n<final>y ≥ 5</final>", "y \\leq 5", False),
        ("answer,unit\n12,cm", "12", True),
        ("g(x) = (x + 2)² + 1\n\n(Expanded: g(x) = x² + 4x + 5.)", "g(x)=(x+2)^2+1", True),
        ("The question asks for the exact area, so the answer is\n\n**Area = 25π/4 mm²** (≈ 19.63 mm²)",
         "\\frac{25 \\pi}{4}", True),
        ("The question asks for the domain. So:\n\n**Domain of f: [−5, −3) ∪ (−3, 5]**", "[-5,-3) \\cup(-3,5]", True),
    ],
)
def test_summaries_emoji_and_decorations(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("final_answer: 'B'", "B", True),
        ("TL;DR: **B (6)**\n\nWhy: every side is 1 and there are six sides, so the perimeter is 6.", "B", True),
        ("<reasoning>\n12.5 / 5 = 15 / TQ, TQ = 6; check 5/7 ✓\n</reasoning>\n<result>B</result>", "B", True),
        ("<result>\n  <edge>4 cm</edge>\n  <surface_area>96 cm²</surface_area>\n  <option>C</option>\n</result>", "C",
         True),
        ("radius,height,option\n1,6.28,B", "B", True),
        ("radius,height,option\n1,6.28,B", "C", False),
        ("• PC = √3\n\n👉 B: √3", "B", True),
        ("$$\\therefore\\ \\text{angles remaining} = 4 \\implies \\fbox{B}$$", "B", True),
    ],
)
def test_letters_in_tags_tables_and_arrows(response: str, gold: str, expected: bool) -> None:
    choices = ["1", "6", "96", "6.28"] if gold != "B" or "PC" not in response else ["1", "√3", "2", "3"]
    if "angles" in response:
        choices = ["3", "4", "5", "6"]
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [  # the hostile review of round 9b's readings, and negated, bounded or asked last numbers
        ("Summary: base = 6, height = 4\n\nThe area is then ½ · 6 · 4 = 12.", "12", True),
        ("Summary: base = 6, height = 4\n\nThe area is then ½ · 6 · 4 = 12.", "4", False),
        ("Key result: AB = 10\n\nAdding the other sides, 10 + 6 + 8 = 24, so the perimeter is 24.", "24", True),
        ("TL;DR: 12\n\nWait, let me double-check: 7 + 8 = 15, not 12. So the total is 15.", "12", False),
        ("In short: we use Pythagoras.\n\nc = √(9 + 16) = 5", "5", True),
        ("<result>36</result>\nFinal answer: 6", "6", True),
        ("<result>36</result>\nFinal answer: 6", "36", False),
        ("<result>x = 3</result>\n\nThen y = 2x + 1 = 7.\n\nFinal answer: 7", "3", False),
        ("**The area is not 12 cm².**", "12", False),
        ("**The area is at least 12.**", "12", False),
        ("**I am not sure, but it might be 12.**", "12", False),
        ("The ratio is 12/16 (Simplified: 2/3)", "3/4", False),
        ("Answer: 12 🚫", "12", False),
        ("Answer: 12\n👉 But if the base were 8, the area would be 16.", "12", True),
        ("The area is not 12 cm².", "12", False),
        ("Maybe 12? Not sure.", "12", False),
        ("Is it 12? Yes, the area is 12.", "12", True),
        ("The area is 12 cm², not 13 cm².", "12", True),  # a value set aside after the stated one
        ("The area is 12 cm², not 13 cm².", "13", False),
        ("It has 12 sides, not 10.", "12", True),
        ("We get 12 rather than 13.", "12", True),
        ("Therefore, the wall needs to be at least 9 feet long.", "9", True),
        ("In the given data, 3 people lifted at least 46 pounds.", "3", True),
        ("There are three objects preferred by more than 7 people in at least one category.", "3", True),
        ("So a total of 10 players scored more than 2 runs last season.", "10", True),
        (">>> area\n**24** square units", "24", True),
        ("**24** square units", "25", False),
        ("Short answer: l ≈ 21.6 m. Long answer:\n\nThe string is the hypotenuse.\n\nl = √466 ≈ 21.587 m\n\n"
         "Bottom line: l ≈ 21.6 m (1 d.p.).", "21.6", True),
        ("The area is 12, but it could also be 15.", "12", False),
        ("So x = 4 is the only possible value.", "4", True),
    ],
)
def test_second_review_cases(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("I'll pick <option>B</option>.\n\nHmm, B gives 4 but we need 5, so the answer is C.", "C", True),
        ("<option>A</option> 3\n<option>B</option> 4\n<option>C</option> 5\n\nThe answer is B.", "B", True),
        ("The answer is 5 (option C).\n\nThe shortest route is $A \\to D$", "D", False),
        ("The answer is (D) 6, since $A \\Rightarrow B$", "B", False),
        ("Hence \\fbox{C}", "C", True),
        ("I'll go with C (5), but D (6) is possible too", "C", False),
        ("I'll go with C (5), but D (6) is possible too", "D", False),
    ],
)
def test_second_review_letters(response: str, gold: str, expected: bool) -> None:
    choices = ["3", "4", "5", "6"]
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)
