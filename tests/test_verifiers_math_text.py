"""Math text as MATH/GSM8K-style datasets ship it and text models write it: golds with markup, math delimiters
in prose, relations, matrices, number formats, long decimals, letter golds without options, and one MATH row
trained end to end on the text path. Cases found by differential testing against math-verify (docs/VERIFIERS.md
says where we disagree on purpose)."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import pytest

from mmagrae.verifiers import GoldAnswerError, validate_gold, verify
from mmagrae.verifiers.extraction import extract_answer, math_spans
from mmagrae.verifiers.numeric import parse_number

TESTS = Path(__file__).resolve().parent

# (response, gold, expected)
GOLDS_AS_SHIPPED = [
    ("\\boxed{12}", "$12$", True),
    ("\\boxed{13}", "$12$", False),
    ("The answer is 2/5.", "$2/5$", True),
    ("It is $\\boxed{48}$.", "$48$ km", True),
    ("48 km", "$48$ km", True),
    ("\\boxed{31.42}", "Area $=31.42 \\mathrm{~cm}^2$", True),
    ("\\boxed{31.4}", "Area $=31.42 \\mathrm{~cm}^2$", False),
    ("So the answer is $\\boxed{\\textbf{(B)}}$.", "\\(\\boxed{\\text{B}}\\).", True),
    ("$\\boxed{(A)}$", "\\(\\boxed{\\text{B}}\\).", False),
    # a whole worked solution (MATH's `solution` field): its boxed answer is the gold
    ("\\boxed{\\frac{7}{2}}", "Adding, $2x = 7$, so $x = \\boxed{\\frac{7}{2}}$.", True),
    ("\\boxed{3.5}", "Adding, $2x = 7$, so $x = \\boxed{\\frac{7}{2}}$.", True),
    ("\\boxed{7}", "Adding, $2x = 7$, so $x = \\boxed{\\frac{7}{2}}$.", False),
    # a gold written as several boxes or spans is a list
    ("$\\boxed{-3, 4}$", "The roots are \\(\\boxed{4}\\) and \\(\\boxed{-3}\\).", True),
    ("$\\boxed{4}$", "The roots are \\(\\boxed{4}\\) and \\(\\boxed{-3}\\).", False),
    ("\\boxed{5, 6, 7}", "$5$ and $6$ and $7$", True),
    ("$\\boxed{8, 3, 5}$", "$8, 3$ or $5$", True),  # a gold does not hedge: "or" lists its answers
]

DELIMITERS_IN_PROSE = [
    ("Result $ 14 $", "14", True),
    ("Result \\( 14 \\)", "14", True),
    ("Result \\[ 14 \\]", "14", True),
    ("Result $$ 14 $$", "14", True),
    ("Result \\( (10+4) \\)", "14", True),
    ("Result $ 15 $", "14", False),
    ("$\\left( \\frac{2}{7} \\right)$", "2/7", True),  # not the 7 inside the fraction
    ("$\\frac{2}{7} \\text{liters}$", "2/7", True),
    ("$\\frac{2}{7} \\textbf{liters}$", "2/7", True),
    ("$\\frac{2}{7} \\text{liters}$", "7", False),
    ("Final Answer: The smallest $k$ is 41.", "41", True),
    ("Final Answer: The smallest $k$ is 41.", "1", False),
    ("Hence $y \\leq 8$ holds.", "y \\le 8", True),
    ("So P = 3/8 in the end, i.e. the probability is 3/8.", "\\frac{3}{8}", True),
    # boxed intermediate results, then an explicit final answer
    ("First $\\boxed{20}$, then $\\boxed{35}$. Final Answer: The final answer is $1,055$.", "1055", True),
]

RELATIONS = [
    ("y \\geq 2", "y >= 2", True),
    ("2 \\leq y", "y \\geq 2", True),
    ("-y > -4", "y < 4", True),
    ("y > -4", "y < 4", False),
    ("y \\ne 6", "y != 6", True),
    ("y \\lt 6", "y < 6", True),
    ("y \\gt 6", "y < 6", False),
    ("y \\le 6", "y < 6", False),  # strict and non-strict differ
    ("-1 < t < 5", "(-1, 5)", True),  # an inequality in one variable equals its interval
    ("(-1, 5)", "-1 < t < 5", True),
    ("-1 \\le t < 5", "(-1, 5)", False),
    ("t \\geq 3", "[3, \\infty)", True),
    ("3x + 6y - 9 = 0", "y = -\\frac{1}{2}x + \\frac{3}{2}", True),  # equations: proportional
    ("w = 2+2+2 = 6", "w = 6", True),  # a chain compares its last side
    ("w = 2+2+2 = 7", "w = 6", False),
    ("w = \\frac{1}{7} \\approx 0.14", "\\frac{1}{7}", True),  # the exact value before an approximation
    ("(m, n) = (4, 9)", "(4, 9)", True),
    ("PQ = 6", "6", True),
    ("$\\frac{3}{4} \\cdot 8 = 6$", "6", True),  # a computation between constants: its result
    ("$11k + m$", "$4 = 11k + m$", False),  # but an equation with unknowns is not its right side
    ("\\ell = \\frac{2}{9}", "\\frac{2}{9}", True),  # an unknown command names the answer on the left
    ("2y + x = 6", "y = 6", False),  # equations that are not proportional
]

MATRICES = [
    (
        "$\\begin{pmatrix} 2 & -1 \\\\ 0 & 5 \\end{pmatrix}$",
        "\\begin{bmatrix} 2 & -1 \\\\ 0 & 5 \\end{bmatrix}",
        True,
    ),
    (
        "$\\left[\\begin{array}{cc} 2 & -1 \\\\ 0 & 5 \\end{array}\\right]$",
        "\\begin{pmatrix} 2 & -1 \\\\ 0 & 5 \\end{pmatrix}",
        True,
    ),
    (
        "$\\begin{pmatrix} 2 & -1 \\\\ 5 & 0 \\end{pmatrix}$",
        "\\begin{pmatrix} 2 & -1 \\\\ 0 & 5 \\end{pmatrix}",
        False,
    ),
    (
        "$\\begin{pmatrix} \\frac{4}{2} \\\\ 0.5 \\end{pmatrix}$",
        "\\begin{pmatrix} 2 \\\\ \\frac{1}{2} \\end{pmatrix}",
        True,
    ),
    (
        "\\boxed{\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}}",
        "\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}",
        True,
    ),
    ("$\\begin{pmatrix} 2 & -1 \\end{pmatrix}$", "\\begin{pmatrix} 2 & -1 \\\\ 0 & 5 \\end{pmatrix}", False),
    ("\\left( 2, \\frac{\\pi}{3} \\right)", "(2, \\frac{\\pi}{3})", True),
]

NUMBER_FORMATS = [
    ("$\\boxed{22,\\! 222,\\! 000}$", "22222000", True),
    ("$\\boxed{22,\\! 222,\\! 000}$", "22222001", False),
    ("\\$4,\\!250.75", "4250.75", True),
    ("2,500.50$", "2500.50", True),
    ("\\boxed{3,85}", "3.85", True),  # a comma that cannot separate thousands is a decimal comma
    ("0,125", "0.125", True),
    ("1,250", "1.25", False),  # three digits after the comma: thousands
    ("7,5", "7.5", False),  # one digit after a small integer: a list "7, 5", not a decimal
]

DECIMAL_VS_EXACT = [
    ("0.142857142857", "\\frac{1}{7}", True),
    ("0.14286", "\\frac{1}{7}", True),  # 5 significant digits, rounds half-up to the exact value
    ("0.1429", "\\frac{1}{7}", False),  # 4 significant digits: an approximation
    ("0.143", "\\frac{1}{7}", False),  # 3 significant digits: too coarse for an exact gold
    ("0.14285", "\\frac{1}{7}", False),  # truncated, not rounded
    ("(0.75, 1.4142]", "(\\frac{3}{4}, \\sqrt{2}]", True),
    ("1.7321", "\\sqrt{3}", True),
    ("1.732", "\\sqrt{3}", False),
    ("62.832", "20\\pi", True),
    ("62.83", "20\\pi", False),
    ("1.73", "\\sqrt{3}", False),
    ("\\boxed{\\frac{2}{3}}", "0.667", True),  # a float gold: the more precise prediction rounds to it
    ("\\boxed{\\frac{2}{3}}", "0.67", True),
    ("\\boxed{\\frac{2}{3}}", "0.666", False),
    ("\\boxed{\\frac{41}{333}}", "0.\\overline{123}", True),  # repeating decimals are exact
    ("\\boxed{\\frac{37}{300}}", "0.12\\overline{3}", True),
    ("\\boxed{0.123}", "0.\\overline{123}", False),
]

LETTERS_WITHOUT_CHOICES = [
    ("\\boxed{(D)}", "D", True),
    ("$\\boxed{\\text{(D)}}$", "D", True),
    ("The answer is [D].", "D", True),
    ("\\boxed{(E)}", "D", False),
    ("(D) and (E)", "D", False),
    ("$\\boxed{\\textbf{(D) }14}$", "D", True),  # AMC answers: the letter, then the value
]

SETS_AND_LISTS = [
    ("\\boxed{2}, \\boxed{3}, \\boxed{5}", "\\{2, 3, 5\\}", True),
    ("\\boxed{2} \\quad \\text{and} \\quad \\boxed{3}", "2, 3", True),
    ("\\boxed{2} or maybe \\boxed{3}", "2, 3", False),  # "or" is hedging, not a list
    ("\\\\boxed{2}, \\\\boxed{3}", "2, 3", True),  # JSON-doubled backslashes
    ("\\boxed{(1, 2), (3, 4)}", "(3,4),(1,2)", True),
    ("\\boxed{(1, 2), (4, 3)}", "(3,4),(1,2)", False),
    ("\\boxed{\\{4, -4\\}}", "\\pm 4", True),
    ("\\boxed{4}", "\\pm 4", False),
    ("x = \\frac{1 \\pm \\sqrt{5}}{2}", "x = \\frac{1 - \\sqrt{5}}{2}, x = \\frac{1 + \\sqrt{5}}{2}", True),
    ("\\boxed{\\{-1\\} \\cup [0, 7)}", "\\{-1\\} \\cup [0,7)", True),
    ("\\boxed{(-\\infty, -1) \\cup (2, \\infty)}", "t < -1 \\text{ or } t > 2", True),
    ("\\boxed{(-\\infty, -1) \\cup [2, \\infty)}", "t < -1 \\text{ or } t > 2", False),
    ("\\boxed{\\dbinom{7}{3}}", "35", True),
    ("\\boxed{\\binom{7}{2}}", "35", False),
]

# bare (undelimited) LaTeX at the end of prose is taken whole, never the last number inside it
BARE_MATH_IN_PROSE = [
    ("So we get \\frac{\\sqrt{42}}{3}", "\\frac{\\sqrt{42}}{3}", True),  # not "we get \frac…"
    ("Hence we obtain \\dfrac{7}{9}.", "\\frac{7}{9}", True),
    ("which gives 5\\sqrt{2}", "5\\sqrt{2}", True),
    ("Thus the height is \\frac{\\sqrt{42}}{3}", "\\frac{\\sqrt{42}}{3}", True),  # not "3"
    ("Thus the height is \\frac{\\sqrt{42}}{3}", "3", False),
    ("The perimeter therefore equals 4\\pi.", "4\\pi", True),
    ("The side should be 5\\sqrt{2}/2 cm.", "\\frac{5\\sqrt{2}}{2}", True),
    ("The derivative becomes 3x^2-4", "3x^2-4", True),
    ("so the total is **\\sqrt{11}**", "\\sqrt{11}", True),
    ("After simplifying, the volume is 10^{4}", "10000", True),
    ("Since 2 < 3, the distance is \\sqrt{13} units.", "\\sqrt{13}", True),
    ("\\sqrt{13} cm", "\\sqrt{13}", True),  # a unit word after an expression is not a product of variables
    ("we get 17", "17", True),  # a short statement of a plain number
    ("Width = **17**", "17", True),
    ("Finally, t = **17**", "17", True),
    ("$\\Rightarrow$ \\frac{\\sqrt{42}}{3}", "\\frac{\\sqrt{42}}{3}", True),  # bare math after a span
    ("$\\Rightarrow$ $\\frac{\\sqrt{42}}{3}$.", "\\frac{\\sqrt{42}}{3}", True),  # two spans, not one
    ("We have $a = 4$ and $b = 1$, so 4 + 1 = 5. The side is 2\\sqrt{6}.", "2\\sqrt{6}", True),
    ("So we get 16", "17", False),
    # hedges, negations and bounds keep the old reading (never a new right answer)
    ("It is not equal to \\frac{1}{4}", "\\frac{1}{4}", False),
    ("It could be \\sqrt{5} or \\sqrt{6}", "\\sqrt{6}", False),
    ("The value is at least \\sqrt{6}", "\\sqrt{6}", False),
    ("The value is greater than \\frac{1}{4}", "\\frac{1}{4}", False),
    ("at least 17", "17", False),
    ("17 or 18", "18", False),
    ("QWRTZ4A", "4", False),  # letters glued to a digit are one token, not prose before a value
]

# "Name = value unit" answers and MathVerse golds "Name of $XY=value unit$": the value right of the last "="
NAMED_VALUES = [
    ("Length = 14.1 m", "Length of $AB=14.1 \\mathrm{~m}$", True),
    ("Height = 9.6 cm", "Height of $CD=9.6 \\mathrm{~cm}$", True),
    ("Height = 9.7 cm", "Height of $CD=9.6 \\mathrm{~cm}$", False),
    ("CD = 9.6", "Height of $CD=9.6 \\mathrm{~cm}$", True),
    ("\\boxed{9.6}", "Height of $CD=9.6 \\mathrm{~cm}$", True),
    ("The angle is 35°.", "Size of $\\angle ABC=35^{\\circ}$", True),
    ("y = 2x + 3", "Line: $y = 2x + 3$", True),  # not a number: the equation stays whole
    ("9.6", "CD=9.6 cm", True),  # a plain gold naming a value with its unit
    ("72°", "∠PQR=72°", True),
    ("73", "∠PQR=72°", False),
    ("y=3", "x=3", False),  # a plain number on the right: the equation stays whole
    ("41°", "$\\angle DEF=41^{\\circ}$", True),
    ("$p=7$, $q=2$", "$p=7$, $q=2$", True),  # spans written as a list are the list
    ("$p=7$, $q=3$", "$p=7$, $q=2$", False),
    ("$6$ or $7$", "7", False),  # spans joined by "or" are hedging
]

# intervals and tuples in prose, and golds with a "Label:" prefix
INTERVALS_IN_PROSE = [
    ("the range is [-5, 5]", "Range: $[-5,5]$", True),
    ("the range is [-5, 5).", "Range: $[-5,5]$", False),
    ("the domain is (-\\infty, 2]", "Domain: (-\\infty, 2]", True),
    ("Therefore the domain is (-\\infty, 2).", "Domain: (-\\infty, 2]", False),
    ("The vertex is at (2, -7).", "(2,-7)", True),
    ("The vertex is at (2, -7).", "7", False),
    ("The answer is therefore the interval [0, 4)", "[0,4)", True),  # prose in the answer phrase
    ("The answer is therefore the interval [0, 4)", "[0,4]", False),
    ("Ratio: 3:5", "Ratio: 3:5", True),  # text that is not clearly a formula stays whole
    ("Vitamin B12", "Vitamin B12", True),
]

CASES = [
    *BARE_MATH_IN_PROSE, *NAMED_VALUES, *INTERVALS_IN_PROSE,
    *GOLDS_AS_SHIPPED, *DELIMITERS_IN_PROSE, *RELATIONS, *MATRICES, *NUMBER_FORMATS, *DECIMAL_VS_EXACT,
    *LETTERS_WITHOUT_CHOICES, *SETS_AND_LISTS,
]  # fmt: skip


@pytest.mark.parametrize(("response", "gold", "expected"), CASES)
def test_math_text_table(response: str, gold: str, expected: bool) -> None:
    verdict = verify(response, gold)
    assert verdict.correct is expected, verdict
    assert not verdict.bad_gold and not verdict.reason.startswith("internal error")


@pytest.mark.parametrize(
    "gold",
    [
        "$9$", "$1/3$", "$125$ miles", "Circumference $=50.27 \\mathrm{~cm}$", "\\(\\boxed{\\text{C}}\\).",
        "We find $n = 4$, so the sum is $\\boxed{10}$.", "$x \\geq 5$", "\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}",
        "11,\\! 111", "\\$16,\\!386.20", "(\\frac{3}{5}, \\frac{8}{3}]", "$\\frac{1}{12}$", "0<x<1",
        "\\boxed{1}, \\boxed{2}", "y = 2x + 1", "x = 5+5+1 = 11", "\\pm 3", "2,74",
        # MathVerse / MATH-Vision / MATH / GSM8K-style free-form golds
        'A',
        '24',
        '2\\sqrt{3}',
        '√{3}',
        '$\\sqrt{3}$',
        '60°',
        'y=-x^2+2x+3',
        '\\frac{1}{2}',
        '2π',
        '12π cm²',
        'x=2',
        'y=\\frac{1}{2}x+1',
        '(2, 3)',
        '25°',
        '4\\sqrt{2}',
        '3.5',
        '-2<x<3',
        'y=2x^{2}-4x+1',
        '36π',
        'm=2',
        '(-1,0)',
        'x>2',
        'y=3^x',
        'f(x)=2x+1',
        '\\frac{3}{2}\\pi',
        '10√3',
        '5√2 cm',
        '1:2',
        '50 m',
        '(0,4)',
        '8\\sqrt{3}',
        'y=\\sqrt{x}',
        'y=\\log_2 x',
        '60 degrees',
        'AB=5',
        '$9$',
        '$1/3$',
        '$125$ miles',
        'Circumference $=50.27 \\mathrm{~cm}$',
        '\\(\\boxed{\\text{C}}\\).',
        'We have $2+2=4$, so the answer is $\\boxed{4}$.',
        'The sum is $\\boxed{\\frac{3}{4}}$ meters.',
        '\\boxed{(-\\infty, 3) \\cup (5, \\infty)}',
        '$\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}$',
        '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}',
        '11,\\! 111,\\! 111,\\! 100',
        '\\$16,\\!386.20',
        '$x \\in [-2, 7]$',
        '-\\frac{\\sqrt{3}}{2}',
        '\\text{Evelyn}',
        '\\text{(E)}',
        '10\\%',
        '$2.5',
        '0.333',
        'y = -\\frac{3}{4}x + \\frac{25}{4}',
        'x^2+y^2=25',
        '\\dfrac{9}{4}',
        '(3, \\frac{\\pi}{2})',
        '\\{1, 2, 3\\}',
        '2, 3, 5',
        '\\pm 3',
        '3\\sqrt{2}+1',
        '2^{10}',
        '5!',
        '\\sin 30°',
        'a_n = 2n - 1',
        'S_{\\triangle ABC}=6',
        '\\angle A = 30°',
        '∠ABC=60°',
        '2:3',
        '8 cm^2',
        '15\\text{ cm}^2',
        '\\frac{a+b}{2}',
        '40 m/s',
        'x = 3 or x = -1',
        'x_1=1, x_2=2',
        '(1, 2]',
        '[0, +\\infty)',
        'y=\\frac{k}{x}',
        'no solution',
        '72 square units',
    ],
)  # fmt: skip
def test_every_gold_form_verifies_itself(gold: str) -> None:
    assert verify(gold, gold).correct, verify(gold, gold)


def test_bare_computation_ending_a_sentence_keeps_the_last_number_for_charts() -> None:
    # "20 - 15 = 5" ends in a plain number: the last-number rule reads 5, which chart rules compare
    assert verify("The difference is 20 - 15 = 5.", "5", task="chart").correct
    assert verify("The average is (10+20)/2 = 15", "15", task="chart").correct
    assert not verify("The average is (10+20)/2 = 15", "30", task="chart").correct


def test_every_bundled_and_synthetic_gold_verifies_itself(fixtures_dir: Path) -> None:
    from data_recipes import synthetic

    rows = list(json.loads((fixtures_dir / "mathvista" / "testmini.json").read_text()).values())
    for kind in ("charts", "counting", "geometry"):
        rows += synthetic.make_rows(kind, 60, seed=3)
    assert len(rows) == 1180
    wrong = []
    for r in rows:
        v = verify(str(r["answer"]), r["answer"], choices=r.get("choices"), answer_type=r.get("answer_type"),
                   precision=r.get("precision"), task=r.get("task"))  # fmt: skip
        if not v.correct:
            wrong.append((r["answer"], v.reason))
    assert not wrong, wrong[:5]


def test_gold_with_markup_but_no_answer_is_a_data_error() -> None:
    verdict = verify("\\boxed{3}", "We cannot tell: $$ $$ and \\boxed{}")
    assert verdict.bad_gold and not verdict.correct
    with pytest.raises(GoldAnswerError):
        validate_gold("\\boxed{}")


def test_inline_math_does_not_cross_lines_and_escaped_dollars_are_money() -> None:
    assert math_spans("a $ 1\n 2 $ b") == []
    assert [c.strip() for _, _, c in math_spans("\\$5 and $2$, \\[\n3\n\\]")] == ["2", "3"]
    assert extract_answer("It costs \\$5 and \\$7 in total") == "7"


def test_decimal_comma_policy() -> None:
    assert parse_number("2,74").value == parse_number("2.74").value
    assert parse_number("1,234").value == 1234
    assert parse_number("1,2") is None


def test_existing_vlm_rules_hold() -> None:
    assert not verify("\\boxed{3} or maybe \\boxed{5}", "3").correct
    assert not verify("0.866", "\\frac{\\sqrt3}{2}").correct
    assert not verify("10^{-13}", "0").correct
    assert verify("The answer is (C).", "145°", choices=["135°", "140°", "145°"]).correct
    assert verify("Around 31%", "Around 31%", choices=["Around 21%", "Around 31%"]).correct


def test_math_text_verdicts_are_fast() -> None:
    pairs = [(r, g) for r, g, _ in CASES] * 3
    times = []
    for response, gold in pairs:
        t = time.perf_counter()
        verify(response, gold)
        times.append(time.perf_counter() - t)
    assert statistics.median(times) < 2e-3 and max(times) < 0.25  # generous on a shared 2-core machine


@pytest.mark.parametrize(
    "text",
    [
        "\\(" * 30000, "$" * 60000, "$ 1\n" * 15000, "\\[ 1 " * 12000, "$$ x" * 15000, "$1$ 2 " * 9000,
        "\\boxed{1}, " * 5000, "".join(f"\\boxed{{{i}}}, " for i in range(5000)), "\\pm 1" * 300,
        "<".join(["x"] * 900), "\\{" + ",".join(str(i) for i in range(500)) + "\\}", "=".join(["x"] * 900),
        "\\begin{pmatrix}" + "1 & " * 500 + "1\\end{pmatrix}",
    ],
)  # fmt: skip
def test_math_text_forms_are_bounded_as_response_and_as_gold(text: str) -> None:
    for response, gold in ((text, "5"), (text, text[:2000]), (text, text)):
        t = time.perf_counter()
        verdict = verify(response, gold)
        assert time.perf_counter() - t < 2.0 and not verdict.reason.startswith("internal error"), verdict


def test_math_row_trains_on_the_text_path_and_rewards_a_boxed_answer(
    tiny_qwen2, tmp_path, monkeypatch
) -> None:
    """A MATH-style row (gold = a worked solution with a boxed answer) trains two steps with the built-in
    reward; half of the sampled responses are replaced by a correct boxed answer, which must be rewarded."""
    from mmagrae.trainer.tracking import read_metrics
    from mmagrae.verifiers import rewards

    solution = "Let $x$ be the half. Then $2x = 1$, so $x = \\boxed{\\frac{1}{2}}$."
    rows = [{"problem": f"Problem {i}: solve 2x = 1.", "answer": solution} for i in range(8)]
    data = tmp_path / "math.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows))
    seen: list[list[float]] = []
    original = rewards.compute_rewards

    def half_correct(texts, rows, **kwargs):
        texts = [("The answer is $\\boxed{0.5}$." if i % 2 == 0 else t) for i, t in enumerate(texts)]
        out = original(texts, rows, **kwargs)
        seen.append([o.components["accuracy"] for o in out])
        assert not any(o.data_error for o in out)
        return out

    monkeypatch.setattr(rewards, "compute_rewards", half_correct)
    sys.path.insert(0, str(TESTS)) if str(TESTS) not in sys.path else None
    from test_trainer import run_train, tiny_overrides

    out = tmp_path / "run"
    overrides = tiny_overrides(
        tiny_qwen2, out, f"data.train={data}", f"data.val={data}", "reward.format=boxed"
    )
    run_train([o for o in overrides if not o.startswith("reward.function=")])
    assert seen and all(s[0::2] == [1.0] * len(s[0::2]) for s in seen)
    records = read_metrics(out / "metrics.jsonl")
    assert [r["step"] for r in records] == [1, 2]
    assert all(r["data/bad_gold"] == 0 and r["reward/accuracy"] >= 0.5 for r in records)


# Round 5: how real chains of thought end (hand-judged MathVerse-style responses). Each right reading has a
# wrong twin that must stay wrong.
_FINAL_STATEMENTS = [
    # (response, gold, expected)
    ("A = ¼ × π × 11² = 30.25π m²", r"Area $=\frac{121 \pi}{4} \mathrm{~m}^{2}$", True),  # chain: its last side
    ("A = ¼ × π × 11² = 31.25π m²", r"Area $=\frac{121 \pi}{4} \mathrm{~m}^{2}$", False),
    (r"$r=\sqrt{\dfrac{2A}{\theta}}\approx 24.4\ \text{cm}$", "$r=24.4$", True),  # "≈" then a unit
    (r"$r=\sqrt{\dfrac{2A}{\theta}}\approx 25.4\ \text{cm}$", "$r=24.4$", False),
    ("So x ≈ 24.4", "$r=24.4$", False),  # another variable does not state r
    ("Therefore cos θ = −2/√13 ≈ −0.555.", r"$\frac{-2 \sqrt{13}}{13}$", True),  # the exact value before "≈"
    ("Therefore cos θ = −3/√13 ≈ −0.832.", r"$\frac{-2 \sqrt{13}}{13}$", False),
    ("x = 3 + 4 = 8", "7", False),  # a middle side is not the answer
    ("$y = (x+4)^2 - 5$", r"\[g(x)=(x + 4)^2 - 5\].", True),  # y for g(x)
    ("$y = (x+4)^2 + 5$", r"\[g(x)=(x + 4)^2 - 5\].", False),
    ("$x = 2$", "y = 2", False),  # the line x = 2 is not y = 2
    ("2y + x = 6", "y = 6", False),
    ("Using (2, −3): y = \\frac{3}{4}x - \\frac{9}{2}", r"$y+3=\frac{3}{4}(x-2)$", True),  # after the label
    ("V_A : V_B = 1/64", "1:64", True),  # a ratio as its quotient
    ("V_A : V_B = 1:16", "1:64", False),
    ("The centre is at x = -3, y = -3, i.e. (-3, -3).", "(-3,-3)", True),  # the point that ends the text
    ("The centre is at x = -3, y = 3, i.e. (-3, 3).", "(-3,-3)", False),
    # a closing remark in parentheses is not the answer
    ("So the exact area is $\\frac{121\\pi}{4}\\ \\text{m}^2$ (about 95.03 m²).", r"\frac{121 \pi}{4}", True),
    ("V ≈ 904.78 cm³\n(For comparison, a cone with the same base and height would be 301.59 cm³.)", "904.78", True),
    ("V ≈ 904.78 cm³\n(For comparison, a cone with the same base and height would be 301.59 cm³.)", "301.59", False),
    ("Therefore, the correct answer is (None of the above).", "(None of the above)", True),  # the answer itself
    # the equation that closes the last sentence, not its last number
    ("With CE + ED = 10, ED = 20/3 ≈ 6.67.", r"\frac{20}{3}", True),
    ("Then ∠A = ½∠COE = 30°, and OD = ½·OA = \\sqrt{3}.", r"\sqrt{3}", True),
    ("Then ∠A = ½∠COE = 30°, and OD = ½·OA = \\sqrt{2}.", r"\sqrt{3}", False),
    ("The difference is 20 - 15 = 5.", "5", True),
]


@pytest.mark.parametrize(("response", "gold", "expected"), _FINAL_STATEMENTS)
def test_final_statement_readings(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, verify(response, gold)


@pytest.mark.parametrize(
    ("response", "gold", "choices", "expected"),
    [("UT = 22.5 m", "C", ["12", "20.5", "22.5", "35"], True),
     ("so the shaded triangle is 18.4 ÷ 2 = 9.2 m².", "B", ["18.4", "9.2", "12.4", "6.2"], True),
     ("so the shaded triangle is 18.4 ÷ 2 = 9.2 m².", "A", ["18.4", "9.2", "12.4", "6.2"], False),
     ("With CE + ED = 10, ED = 20/3 ≈ 6.67.", "A", [r"\frac{20}{3}", r"\frac{10}{3}", "7"], True),
     ("ED = 10/3 ≈ 3.33.", "A", [r"\frac{20}{3}", r"\frac{10}{3}", "7"], False)],  # the last side names B
)
def test_final_value_names_an_option(response, gold, choices, expected) -> None:
    assert verify(response, gold, choices=choices).correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [("**Answer:** The compass bearing of \\(R\\) from \\(P\\) is **S 23.5° W**.", r"S 23.5 ^\circ W", True),
     ("So the bearing is N 40° W.", r"N 40^\circ E", False),  # the letters matter, not only the number
     ("So the bearing is S 40° E.", r"N 40^\circ E", False),
     ("f(x) = 3cos(2πx + 4π) - 6", r"3 \cos (2 \pi x+4 \pi)-6", True),  # "πx" is π times x
     ("f(x) = 3cos(2πx + 3π) - 6", r"3 \cos (2 \pi x+4 \pi)-6", False)],
)
def test_bearings_and_pi_before_a_variable(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [("12 × 4 = 48 cm. A", True), ("12 × 4 = 48 cm. B", False), ("12 × 4 = 48 cm.\n(A)", True),
     ("It is point A.", False)],  # a point named A is not the letter
)
def test_a_letter_closing_the_response_is_the_choice(response: str, expected: bool) -> None:
    assert verify(response, "A", choices=["48 cm", "40 cm"]).correct is expected


# A hostile review of round 5's readings: cheap outputs that must not be rewarded, and right answers that
# must stay right.
@pytest.mark.parametrize(
    ("response", "gold", "choices", "expected"),
    [(r"\boxed{x = 11 \approx 12}", "11", None, False),  # 11 does not round to 12: the chain is read as written
     (r"\boxed{x = 11 \approx 12 \approx 13 \approx 14 \approx 15}", "x=14", None, False),
     ("So x = 5 ≈ 7.", "5", None, False),
     (r"\boxed{x = 13 \approx 5}", "A", ["5", "7", "9", "11"], False),
     (r"\boxed{5: 7}", "7", None, False),  # a number is not a label
     (r"\boxed{3, not: 5}", "5", None, False),
     ("x: 9: 5", "A", ["5", "7", "9", "11"], False),
     (r"\boxed{g(x) = 2x + 3}", "f(x)=2x+3", None, False),  # another function
     (r"The answer is \boxed{12} (maybe \boxed{15}, if we include the endpoints).", "12", None, False),
     (r"\boxed{A} (alternatively \boxed{B})", "A", ["1", "2"], False),
     ("The answer is 5 (or 7).", "5", None, False),  # a correction or a hedge in parentheses is kept
     ("5 (actually, it is 7).", "5", None, False),
     ("So the length is 30 (or 20).", "C", ["10", "20", "30"], False),
     ("We get 4x = 12 (hence x = 3).", "3", None, True),
     ("After simplification we get 2x = 6 (so x = 3).", "3", None, True),
     ("So the perimeter is 40 cm. The answer is 40 cm.\nB", "D", ["10 cm", "20 cm", "30 cm", "40 cm"], True),
     ("It is 40 cm, which is option D.\nA", "D", ["10 cm", "20 cm", "30 cm", "40 cm"], True),
     ("C\nD", "D", ["10 cm", "20 cm", "30 cm", "40 cm"], False),  # lone letters: a hedge
     ("C or\nD", "D", ["10 cm", "20 cm", "30 cm", "40 cm"], False),
     (r"The ship is \boxed{25} km from the port, on a bearing of N 30° E.", "25", None, True),
     ("The ship is **25 km**, on a bearing of N 30° E.", "25", None, True),
     ("Answer: B. The plane flies on a bearing of S 30° W.", "B", ["S 30° E", "S 60° W", "S 30° W"], True),
     ("The answer is 5n + 4 m^2", "5n+4m^2", None, True),  # "m" of an expression, not metres
     ("选项：A 错误，B 正确，C 错误，D 错误。", "A", ["1", "2", "3", "4"], False),  # Chinese: no verb, no statement
     ("分析：答案 A 不正确。", "A", ["1", "2", "3", "4"], False),
     ("故选D。（选项A，B，C均不符合题意）", "D", ["1", "2", "3", "4"], True),
     ("答案是A，B", "A", ["1", "2", "3", "4"], False),
     ("答案是A，也可能是B", "A", ["1", "2", "3", "4"], False)],
)
def test_review_cases(response, gold, choices, expected) -> None:
    assert verify(response, gold, choices=choices).correct is expected, verify(response, gold, choices=choices)


def test_stated_letter_scan_is_bounded() -> None:
    start = time.perf_counter()
    for text in ("答案是" * 33333, "故选" * 50000):
        verify(text, "A", choices=["1", "2", "3", "4"])
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [("So AB = BC.", "AB=BC=5", False),  # a gold chain's bare name is not its value
     ("So x = y.", "x = y = 3", False),
     ("So z = (x+2)^3.", "$y_2=(x+2)^3=y_1(x+2)$", False),  # another name
     ("y = 2x + 3 m^2", "2x + 3", False),  # "m" after a variable is not metres ...
     ("The volume is V = 12x² + 144x + 384 m³.", r"12x^2+144x+384 \mathrm{m}^3", True),  # ... unless the gold says so
     ("So x = 4 (the result could also be 5).", "4", False),  # a hedge in a remark is kept
     ("x = 4 (for the other root x = 5).", "4", False),
     ("So x = 4 (the correct value is 5).", "5", True),  # a correction is read
     ("The point is (1, 2) or (3, 4)", "(3,4)", False),
     ("Either S 40° W. Or N 40° E.", r"N 40^\circ E", False),
     ("The answer is 12 km. Direction: N 40 E", "12", True),
     ("**Answer:** The compass bearing of R from P is **S 23.5° W**.", r"S 23.5 ^\circ W", True)],
)
def test_second_review_cases(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, verify(response, gold)


@pytest.mark.parametrize(
    ("text", "letter"),
    [("我不选A。", None), ("所以不能选 A。", None), ("A不对，排除选A。", None), ("如果选A，那么面积是4，不符合。", None),
     ("答案是B。不选A", "B"), ("答案是A。也可能是B。", None), ("答案是 A, 但也可能是 C", None), ("选A或选B", None)],
)
def test_chinese_letters_negated_or_hedged(text: str, letter) -> None:
    from mmagrae.verifiers.choice import stated_letter

    assert stated_letter(text, 4) == letter


def test_new_scans_stay_fast_on_blank_runs_and_repeats() -> None:
    start = time.perf_counter()
    for text in ("m2" * 50000, "cm3 " * 25000, "(" * 50000, "= " * 50000, "≈ 1 " * 20000, "N 40° E. " * 10000):
        verify(text, "5")
    assert time.perf_counter() - start < 2.0


# Third review (RL exploits): one output must not be paid for two different golds.
@pytest.mark.parametrize(
    ("response", "golds_paid"),
    [("So x = 14.45 ≈ 14.4.", ["14.4"]),  # a decimal before "≈" is not read (it would round to 14.5 too)
     (r"The answer is $x = 2.45 \approx 2.4$.", ["2.4"]),
     (r"\boxed{3 hours: 5 minutes}", ["3"]),  # a label has no number outside brackets
     ("The answer is 12 kg: 5 kg.", ["12"]),
     ("The answer is 3 (the second root is 5).", ["5"]),  # a remark that offers a value is kept
     ("Thus the area is 3 cm² (a second possibility is 5).", ["5"])],
)
def test_one_output_one_gold(response: str, golds_paid: list[str]) -> None:
    paid = [g for g in ("2.4", "2.5", "3", "5", "12", "14.4", "14.5") if verify(response, g).correct]
    assert paid == golds_paid, (response, paid)


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [("Thus AB = 9 cm ≈ 5 cm.", "B", False), ("Thus AB = 9 cm ≈ 5 cm.", "D", False),  # the values disagree
     ("So the length is 3 cm.\nB", "B", False),  # a closing letter against the stated value
     ("So the length is 5 cm.\nB", "B", True)],
)
def test_choice_chains_and_closing_letters(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold, choices=["3 cm", "5 cm", "7 cm", "9 cm"]).correct is expected


@pytest.mark.parametrize(
    "text", ["答案：A B C D", "答案是A 和 B。", "答案是A 还是 C", "答案是A 吗？", "答案是A。不对，答案不是A。", "若答案是A，则矛盾。",
             "答案是 A，也许是 C", "选B还是选A"],
)
def test_chinese_hedges_questions_and_retractions_state_nothing(text: str) -> None:
    from mmagrae.verifiers.choice import stated_letter

    assert stated_letter(text, 4) is None


def test_chinese_noun_scan_is_bounded() -> None:
    start = time.perf_counter()
    for text in ("选\n" * 33000, "选\t" * 50000, "选(\n" * 25000):
        verify(text, "A", choices=["1", "2", "3", "4", "5"])
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("response", "expected"),
    [("$y + 3 = \\frac{3}{4}(x - 2)$, equivalently $y = \\frac{3}{4}x - \\frac{9}{2}$.", True),  # one answer twice
     ("$y + 3 = \\frac{3}{4}(x - 2)$, equivalently $y = \\frac{3}{4}x - \\frac{7}{2}$.", False)],  # two answers
)
def test_one_answer_written_two_ways(response: str, expected: bool) -> None:
    assert verify(response, r"$y+3=\frac{3}{4}(x-2)$").correct is expected


@pytest.mark.parametrize(
    ("response", "gold"),
    [("The answer is $100,100$", "100"), ("The total is 250,250 dollars.", "250"),  # thousands, not a pair
     ("The population is $P = 500,500$", "500"), ("The answer is $x = 100,100$", "x=100"),
     ("The answer is $y = 150000, y = 150010$", "y=150000"),  # two different constants
     ("The answer is 40°, i.e. 40 rad", "40")],  # other units
)
def test_pairs_that_are_not_one_answer(response: str, gold: str) -> None:
    assert not verify(response, gold).correct


@pytest.mark.parametrize(
    ("response", "gold", "choices", "expected"),
    [("解：根据题意。\n答案：221^\\circ T", r"221 ^\circ T", None, True),  # Chinese answer phrase, any answer
     ("答案：y \\le 5", r"$y \leq 5$", None, True), ("所以答案是 4。", "4", None, True), ("所以答案是 5。", "4", None, False),
     ("答案：Yes", "A", ["Yes", "No"], True), ("分析：答案 A 不正确，所以答案是 B。", "B", ["1", "2"], True),
     ("h = 0.4 m。\n答案：A（0.4 m）", "A", ["0.4", "0.6", "0.5"], True),  # a letter before its option in （）
     ("\\boxed{The amplitude is 4.6}", "4.6", None, True), ("\\boxed{The amplitude is 9.2}", "4.6", None, False),
     ("\\boxed{\\text{red and blue}}", "red and blue", None, True)],
)
def test_chinese_answer_phrase_and_boxed_sentences(response, gold, choices, expected) -> None:
    assert verify(response, gold, choices=choices).correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [  # an answer in \( \) that opens with a one-letter name is math, not a remark "(A …)" to drop
        ("### Step 4\n$$3\\pi \\approx 9.4248$$\n\n**Answer:** \\( A = 3\\pi \\approx 9.4\\ \\text{cm}^2 \\)", "9.4", True),
        ("**Answer:** \\( A = \\dfrac{\\pi}{25}\\ \\text{cm}^2 \\)", r"Area $=\frac{\pi}{25} \mathrm{~cm}^{2}$", True),
        ("**Answer:** \\( A = 347.4248\\pi\\ \\text{cm}^2 \\)", "347.4248\\pi", True),
        ("**Answer:** \\( A = 3\\pi \\approx 9.5\\ \\text{cm}^2 \\)", "9.4", False),
        # a bold list label followed by a colon is not the answer; the sentence after the list is
        ("1. **Tiny gray blocks**: none.\n2. **Purple things**: one cylinder.\n\nTotal objects left: 2", "2", True),
        ("2. **Substitute into the formula**:\n   \\[ V = 288\\pi \\]\n3. **Calculate**:\n   \\[ V \\approx 904.78 \\]\n\n"
         "Therefore, the volume of the cylinder is approximately 904.78 cubic centimeters.", "904.78", True),
        ("- **2018**: Female = 20.92, Male = 21.43\n\nThe overall ratio of male to female is approximately 1.", "1", True),
        ("So there are **3** groups.", "3", True),  # a bold value is still read
        # a point or value in \( \) with a thin space "\," is not a pair
        ("Thus, the spring is compressed by approximately \\( 1.2 \\, \\text{cm} \\).", "1.2", True),
        # a count, not the bound it is compared with; a comparison clause after the value
        ("Values below 30 are: 28, 22, 19, 25.\n\nThere are 4 values below 30.", "4", True),
        ("So there are 3 apples and 4 pears, total 7", "7", True),
        ("So w is 22. The hypotenuse of the triangle is 22 which is twice as long as 11.", "22", True),
        ("So w is 20, which is less than 22.", "22", False),
    ],
)
def test_markdown_labels_math_names_counts_and_comparisons(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [  # a Chinese last sentence: the value after its last word, Chinese units dropped
        ("解：由图可知。\n\n所以圆心坐标为 (0, 0)，半径为 3。\n\n答：圆心的坐标是 (0, 0)。", "(0,0)", True),
        ("cos45° = 4√3 / x\nx = 4√6\n\n所以 x 的精确值为 4√6。", "4\\sqrt{6}", True),
        ("S = π × 50² = 2500π (cm²)。\n答：这个圆的面积是 2500π 平方厘米。", r"Area $=2500 \pi \mathrm{cm}^{2}$", True),
        ("答：这个圆的面积是 2500π 平方厘米。", r"Area $=250 \pi \mathrm{cm}^{2}$", False),
        ("面积约为 12.5 平方米。", "12.5", True),
        ("计算得 x = 5。\n所以 x 的值可能为 4√6。", "4\\sqrt{6}", False),  # "可能": a hedge
        ("答：不是 5。", "5", False),
    ],
)
def test_chinese_last_sentence_value(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected


# The fifth hostile review (round 6): each finding on the readings above is a case here.
_PRE = "解：根据题意，设所求为 x，由条件可得方程，整理后化简，经过计算可以得到结果。\n"


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [  # a comparison clause is dropped only from how the text ends: boxes, tags and answer phrases come first
        ("The largest angle is 120°, which is twice the smallest angle, so the smallest angle is \\boxed{60^\\circ}.",
         "60", True),
        ("The area of the big square is 36, which is 4 times the small one, so the small square has area "
         "<answer>9</answer>", "9", True),
        ("The first number is 12, which is 3 times larger than the second number, so the answer is 4.", "4", True),
        ("Mary has 15, John has 20 that is 5 more than Mary and the total is 35", "35", True),
        ("\\boxed{12}, which is 3 times larger than \\boxed{4}.", "12", False),  # two boxes: hedging
        # a count that hedges, or is the start of an expression, is not read as the count
        ("Counting the cubes.\n\nThere are 3 to 4 cubes.", "3", False),
        ("Counting the cubes in the image.\n\nThere are 3 cubes (maybe 4).", "3", False),
        ("Counting the cubes.\n\nThere are 3 cubes but possibly 4.", "3", False),
        ("Values below 30 are: 28, 22, 19, 25.\n\nThere are 4-5 values below 30.", "4", False),
        ("The remaining pie: 1 - 2/3 = 1/3.\n\nThere is 1/3 of the pie left.", "1/3", True),
        ("Each digit has 10 choices.\n\nThere are 10^6 possible codes.", "10", False),
        ("Rows times columns.\n\nThere are 3 × 4 chairs.", "3", False),
        ("We choose 2 out of 5.\n\nThere are 5 choose 2 ways", "5", False),
        ("x = 17\n\nThere are 2 digits in 17.", "17", True),  # 17 is not a bound
        ("Looking at stem 3: 0, 1, 6.\n\nTherefore, there is 1 block that has exactly 36 houses.", "1", True),
        # a label bold ends the bold reading: no earlier bold is read past it
        ("Let me count.\n\nI first thought it was **5**, but let me recount.\n\n**Recount**: there are 6 cubes.", "6",
         True),
        ("- Red cubes: **3**\n- Blue cubes: **5**\n- **Total**: 8 cubes", "8", True),
        ("- Red cubes: **3**\n- Blue cubes: **5**\n- **Total**: 8 cubes", "5", False),
    ],
)
def test_review_round6_english(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "choices", "expected"),
    [("The area of the big square is 36, which is 4 times the small square, hence the answer is (A).", "A",
      ["9", "36", "4", "12"], True),
     ("Option A gives 12, which is larger than the true value, so the answer is B.", "12", ["12", "4", "6", "8"],
      False)],
)
def test_review_round6_letters_after_a_comparison(response, gold, choices, expected) -> None:
    assert verify(response, gold, choices=choices).correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [  # signs, operands, bounds, lists, negations and suppositions in Chinese state no value
        (_PRE + "所以 x 为负 \\frac{1}{3}", "1/3", False), (_PRE + "所以 x 为正负 \\sqrt{3}", "\\sqrt{3}", False),
        (_PRE + "所以温度为零下 \\frac{1}{2} 度", "1/2", False),
        (_PRE + "因此 f(x) 的最小值是－\\frac{7}{2}", "7/2", False), (_PRE + "因此 f(x) 的最小值是－\\frac{7}{2}", "-7/2", True),
        ("答：x＝－\\frac{1}{2}", "1/2", False), ("答：x＝－\\frac{1}{2}", "-1/2", True),
        (_PRE + "所以 x 大于 \\frac{1}{2}。", "1/2", False), (_PRE + "所以 x 至少是 \\frac{1}{2}。", "1/2", False),
        (_PRE + "所以 x 小于等于 \\sqrt{2}。", "\\sqrt{2}", False), ("答：x 至少为 10", "10", False),
        (_PRE + "所以 x 不能是 \\frac{1}{2}。", "1/2", False), (_PRE + "所以答案不会是 \\sqrt{2}", "\\sqrt{2}", False),
        (_PRE + "所以 x 绝非 \\sqrt{2}", "\\sqrt{2}", False), ("面积不会是 12 平方厘米", "12", False),
        (_PRE + "所以 x 不是 \\frac{1}{3}", "3", False), (_PRE + "所以 x = \\frac{1}{2} 或 \\frac{1}{3}", "3", False),
        (_PRE + "因此 x 不是 \\frac{1}{2} 而是 \\frac{1}{3}", "3", False),
        (_PRE + "因此 x 的最大可能值为 \\frac{7}{2}。", "7/2", True),  # "possible", not a hedge
        (_PRE + "所以，所有可能的 x 的和为 \\frac{7}{2}", "7/2", True),
        (_PRE + "所以 x 等于 \\sqrt{3} 加 \\sqrt{2}", "\\sqrt{2}", False), (_PRE + "所以 x＝3＋\\sqrt{2}", "\\sqrt{2}", False),
        (_PRE + "所以 x＝3＋\\sqrt{2}", "3+\\sqrt{2}", True),
        (_PRE + "所以 x 的取值范围是 \\frac{1}{2} 到 \\frac{3}{2}", "3/2", False),
        (_PRE + "所以 x 的取值为 \\frac{1}{2}、\\frac{1}{3}", "1/3", False),
        (_PRE + "所以 x = \\frac{1}{2}，\\frac{1}{3}", "1/3", False),
        (_PRE + "如果 x = 4，那么 y = \\sqrt{5}", "\\sqrt{5}", True), (_PRE + "如果 x = 4，那么 y = \\sqrt{5}", "5", False),
        ("答：设 x 为 5", "5", False), ("答：若 x 为 5", "5", False),
    ],
)
def test_review_round6_chinese(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected
