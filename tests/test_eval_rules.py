"""Rules mode: the benchmark-aware readings (option letters, option lists) on the failures seen in real
result files (synthetic items written for the test)."""

from __future__ import annotations

import json
import time

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


@pytest.mark.parametrize(
    ("option", "answer", "response", "ok"),
    [  # URSA-MATH's published We-Math outputs end "†Answer: <value>"; a judge reads the value against the options
        ("A. 10 cm;B. 15 cm;C. 31.4 cm;D. 62.8 cm.; E. No correct answer", "C", "C = π × 10.\n†Answer: 31.4cm", True),
        ("A. 10 cm;B. 15 cm;C. 31.4 cm;D. 62.8 cm.; E. No correct answer", "C", "†Answer: 62.8cm", False),
        ("A. 141 dm²;B. 112 dm²;C. 56 dm²;D. Cannot be determined; E. No correct answer", "B", "†Answer: 112", True),
        ("A. 10 dm³;B. 100 dm³;C. 1 dm³;D. 1000 dm³; E. No correct answer", "D", "†Answer: 1000 dm^{3}", True),
        ("A. 6, 2, 8;B. 8, 6, 2;C. 8, 2, 6; D. No correct answer", "B", "†Answer: 8,6,2", True),
        ("A. 15 decimeters; B. 7 decimeters; C. 9 decimeters", "C", "†Answer: 9分米", True),
        # an option inside a longer expression is not that option
        ("A. π;B. 3π;C. 9π;D. 36π; E. No correct answer", "C", "The white part is 36 - 9π.\n†Answer: 36 - 9π", False),
        ("A. 3EF + 3HG;B. 2HG + 2EF;C. EF + HG;D. 4EF + 4HG; E. No correct answer", "C",
         "Step 5: EF + HG = 10 cm.\n†Answer: 2EF + 2HG", False),
        ("A. 3EF + 3HG;B. 2HG + 2EF;C. EF + HG;D. 4EF + 4HG; E. No correct answer", "B",
         "Step 5: EF + HG = 10 cm.\n†Answer: 2EF + 2HG", True),
        # the stated answer after the marker wins over a letter named in the reasoning
        ("A. (1, 1);B. (1, -1);C. (-1, 1);D. Cannot be determined; E. No correct answer", "B",
         "The provided answer (B) is incorrect.\n†Answer: There is no correct answer among the given options.", False),
        ("A. 3 cm;B. 4 cm", "A", "**Answer: A**", True),
        # duplicate option texts in the data are one answer (as in the verifiers)
        ("A. Volume of A > Volume of B; B. Volume of A = Volume of B; C. Volume of A = Volume of B", "B",
         "Thus, the result is Volume of A = Volume of B.", True),
        ("A. Volume of A > Volume of B; B. Volume of A = Volume of B; C. Volume of A = Volume of B", "C",
         "<Answer>: B", True),
        ("A. Volume of A > Volume of B; B. Volume of A = Volume of B; C. Volume of A = Volume of B", "C",
         "<Answer>: A", False),
        ("A. 5 mA; B. 5 MA; C. 5 kA", "B", "<Answer>: A", False),  # options differing in case are different
    ],
)
def test_wemath_rules_read_the_stated_value_against_the_options(option, answer, response, ok):
    row = {"ID": "2steps_1", "key": "2steps_1", "answer": answer, "option": option}
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


# Gold forms taken from MathVerse testmini's free-form answers; each response states the answer the way
# models write it. Every right answer has a wrong twin (one digit or one bracket changed) that must fail.
_FREE_FORM = [
    # (gold, right response, wrong response)
    ("Area $=9 \\pi \\mathrm{cm}^{2}$", "So the answer is Area $=9 \\pi \\mathrm{cm}^{2}$.",
     "So the answer is Area $=8 \\pi \\mathrm{cm}^{2}$."),
    ("Area $=113.097$ units $^{2}$", "The area is 113.097 units $^{2}$.", "The area is 121.014 units $^{2}$."),
    ("Surface Area $=603.186$ units $^{2}$", "The answer is Surface Area $=603.186$ units $^{2}$.",
     "The answer is Surface Area $=645.409$ units $^{2}$."),
    ("56.55 units $^{3}$", "The volume is 56.55 units $^{3}$", "The volume is 57.55 units $^{3}$"),
    ("S.A. $=1209.84$", "So the answer is S.A. $=1209.84$.", "So the answer is S.A. $=1210.84$."),
    ("slope =-4", "The slope is -4.", "The slope is 4."),
    ("=\\frac{7}{4}", "Therefore the ratio is \\frac{7}{4}.", "Therefore the ratio is \\frac{7}{5}."),
    ("-4.9\n-4.9", "The answer is -4.9", "The answer is -4.8"),
    ("118掳T", "The true bearing is 118°T.", "The true bearing is 119°T."),
    ("230 ^\\circ T", "The bearing is 230°.", "The bearing is 220°."),
    ("28.27 \\mathrm{~cm}^{2}", "The area is 28.27 cm^2", "The area is 28.37 cm^2"),
    ("domain: [-4, 0) and range: (-3, 1]", "So the domain is $[-4,0)$ and the range is $(-3,1]$.",
     "So the domain is $[-4,0)$ and the range is $(-3,1)$."),
    ("Increasing at (2, \\infty) and decreasing at (-\\infty, 2)",
     "f is decreasing on (-∞, 2) and increasing on (2, ∞).", "f is increasing on (-∞, 2) and decreasing on (2, ∞)."),
    ("\\frac{\\sqrt{30}}{2}", "The length is √30/2 ≈ 2.74", "The length is √31/2 ≈ 2.78"),
    ("\\frac{x^2}{81}+\\frac{y^2}{9}=1", "The equation is x²/81 + y²/9 = 1.", "The equation is x²/81 + y²/8 = 1."),
    ("\\text { increasing } \\quad(-3,1) ; \\quad \\text { constant }(-\\infty,-3) \\cup(1, \\infty)",
     "It is increasing on (-3, 1) and constant on (-\\infty,-3) \\cup (1,\\infty).",
     "It is increasing on (-3, 1) and constant on (-\\infty,-3)."),
    # a gold chain: every side after the name states it (testmini 599)
    ("$y_2=(x+2)^3=y_1(x+2)$", "$$y_2 = (x+2)^3$$", "$$y_2 = (x+3)^3$$"),
    # a sentence gold (testmini 459): the statement, completed
    ("Complete the statement.Every point on the circle is exactly 5 units away from the point (0,0).",
     "Every point on the circle is exactly **5** units away from the point (0, 0).",
     "Every point on the circle is exactly 4 units away from the point (0, 0)."),
    # piecewise golds (MathVerse testmini 493, 494): every piece with its own condition
    ("When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$",
     "So $f(x)=\\begin{cases} -x+1, & x \\leq 3 \\\\ x-5, & x>3 \\end{cases}$",
     "So $f(x)=\\begin{cases} -x+1, & x \\leq 2 \\\\ x-5, & x>2 \\end{cases}$"),
    ("When x<=-3 $f(x) = -x-5$, when x>3, $f(x)=x+1$",
     "When $x \\le -3$, $f(x) = -(x+5)$; when $x > 3$, $f(x) = x + 1$.",
     "When $x \\le -3$, $f(x) = -(x+5)$; when $x > 3$, $f(x) = x - 1$."),
]


@pytest.mark.parametrize(
    ("response", "ok"),
    [("f(x) = x - 5 if x > 3, and f(x) = 1 - x if x ≤ 3.", True),  # pieces in another order, value before condition
     ("$$f(x)=\\begin{cases} x-5 & \\text{if } x>3 \\\\ -x+1 & \\text{if } x \\leq 3 \\end{cases}$$", True),
     ("For $3 \\geq x$: $f(x)=-x+1$. For $x>3$: $f(x)=x-5$.", True),  # "3 >= x" is "x <= 3"
     ("The answer is $f(x)=x-5$.", False),  # one piece: the reading that accepted a changed bound
     ("When x<3, f(x)=-x+1; when x>3, f(x)=x-5.", False),  # "<" is not "<="
     ("When x<=3, f(x)=x-5; when x>3, f(x)=-x+1.", False),  # values swapped between the conditions
     ("When x<=3, f(x)=-x+1.", False)],
)
def test_mathverse_piecewise_gold_needs_every_piece(response, ok):
    row = {"question_type": "free-form", "answer": "When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$"}
    assert mathverse.judge(row, response, "rules").correct is ok, response


@pytest.mark.parametrize(("gold", "right", "wrong"), _FREE_FORM)
def test_mathverse_free_form_gold_forms_right_and_wrong(gold, right, wrong):
    row = {"question_type": "free-form", "answer": gold}
    assert mathverse.judge(row, right, "rules").correct, right
    assert not mathverse.judge(row, wrong, "rules").correct, wrong


def _mv_text_options():
    return {"question_type": "multi-choice", "answer": "B",
            "question": "Is this a function?\nChoice:\nA. This is a function\nB. This is not a function"}


@pytest.mark.parametrize(
    ("row", "response", "ok"),
    [(_mv_row("C"), "So the length of BC is √{3}.", True),  # the option's value, in the option's notation
     (_mv_row("C"), "So the length of BC is 2√{3}.", False),
     (_mv_row("B"), "Thus BC = 2\\sqrt{3}", True),
     ({**_mv_row("A"), "question": "Find h.\nChoices:\nA:9米\nB:6米"}, "So h is 9米.", True),
     ({**_mv_row("A"), "question": "Find h.\nChoices:\nA:9米\nB:6米"}, "So h is 6米.", False),
     ({**_mv_row("B"), "question": "Area?\nChoices:\nA:25cm^{2}\nB:27cm^{2}"}, "So the area is 27cm^{2}.", True),
     (_mv_text_options(), "It fails the vertical line test, so this is not a function.", True),
     (_mv_text_options(), "It passes the vertical line test, so this is a function.", False),
     (_mv_text_options(), "B. This is not a function", True),
     (_mv_text_options(), "A. This is a function", False),
     ({**_mv_text_options(), "question": "True or false?\nChoice:\nA. True\nB. False"}, "The correct option is B.", True)],
)
def test_mathverse_rules_options_stated_by_value_or_text(row, response, ok):
    assert mathverse.judge(row, response, "rules").correct is ok


@pytest.mark.parametrize(
    ("item", "response", "extraction"),
    [({"question_type": "multi_choice", "answer_type": "text", "choices": ["10", "11", "12", "13"]},
      "The correct option letter is C.", "C"),
     ({"question_type": "multi_choice", "answer_type": "text", "choices": ["yes", "no"]},
      "The correct option letter is D. Indigo has the lowest value in this case.", None),  # no option D
     ({"question_type": "free_form", "answer_type": "integer", "choices": None},
      "There are 3 bars with values below 40.", "3"),
     ({"question_type": "free_form", "answer_type": "integer", "choices": None},
      "There are 3 bars. The tallest is 40.", "40"),  # two sentences: the last number, as before
     # GPT's extraction writes number words and short constant expressions as the number (MultiMath's file)
     ({"question_type": "free_form", "answer_type": "integer", "choices": None}, "The answer is zero", "0"),
     ({"question_type": "free_form", "answer_type": "integer", "choices": None}, "The answer is three.", "3"),
     ({"question_type": "free_form", "answer_type": "float", "choices": None}, "The answer is 4/5", "0.8"),
     ({"question_type": "free_form", "answer_type": "integer", "choices": None}, "The answer is 2^{3}.", "8"),
     ({"question_type": "free_form", "answer_type": "integer", "choices": None}, "The answer is 4/5", "4/5"),
     ({"question_type": "free_form", "answer_type": "integer", "choices": None}, "The answer is one and two", None),
     ({"question_type": "free_form", "answer_type": "float", "choices": None}, "The answer is 0.5^2", "0.25"),
     ({"question_type": "free_form", "answer_type": "integer", "choices": None}, "No.", "No")],
)
def test_mathvista_rules_stated_letter_and_counts(item, response, extraction):
    from eval import mathvista

    got = mathvista.rules_extraction({**item, "response": response})
    if extraction is None:
        assert got not in ("C", "D", "3")
    else:
        assert got == extraction


def test_rules_agreement_script(tmp_path, capsys, fixtures_dir):
    """scripts/rules_agreement.py: the published Bard file's figures, and the gold/option checks on rows in
    MathVerse's and We-Math's own layouts (a right statement of each gold is right, a changed one wrong)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("rules_agreement", "scripts/rules_agreement.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    mathverse_rows = [
        {"question_type": "free-form", "answer": "Circumference $=50.27 \\mathrm{~cm}$", "question": "Find C."},
        {"question_type": "multi-choice", "answer": "B", "question": "Is it?\nChoice:\nA. This is a function\nB. This is not a function"},
    ]
    wemath_rows = [{"answer": "C", "option": "A. 45° B. 60° ;C. 120°; D. No correct answer"}]
    (tmp_path / "mv.json").write_text(json.dumps(mathverse_rows))
    (tmp_path / "wm.json").write_text(json.dumps(wemath_rows))
    assert script.main(["--mathvista", str(fixtures_dir / "mathvista" / "output_bard.json"),
                        "--mathverse", str(tmp_path / "mv.json"), "--wemath", str(tmp_path / "wm.json")]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["file"] == "output_bard.json" and lines[0]["official"] == 34.8 and lines[0]["agreement"] >= 97
    assert lines[1]["mathvista_files"] == 1
    for report in lines[2:]:
        assert all(v.startswith("0/") for v in report["right_statements_judged_wrong"].values()), report
        assert all(v.startswith("0/") for v in report["wrong_statements_judged_right"].values()), report
    assert lines[2]["right_statements_judged_wrong"]["text_only"] == "0/1"


@pytest.mark.parametrize(
    "response",
    [" " * 60_000 + "$x", "\n" * 60_000, " \t" * 30_000 + "B", "There are 3" + " " * 60_000 + "x",
     "**" + " " * 60_000, "(" + " " * 60_000, "A. " * 20_000, "domain " * 8_000 + "(" * 8_000],
    ids=lambda r: repr(r[:12]),
)
def test_rules_mode_is_fast_on_hostile_responses(response):
    """Every rules-mode reading stays linear: long blank runs once made leading_letter, split_options and
    the unit-power rewrite take tens of seconds."""
    import time

    from eval import mathvista

    rows = [(mathverse, {"question_type": "multi-choice", "answer": "B",
                         "question": "Q\nChoices:\nA:This is a function\nB:This is not a function"}),
            (mathverse, {"question_type": "free-form", "answer": "domain: [-4, 0) and range: (-3, 1]"}),
            (mathverse, {"question_type": "free-form", "answer": "Area $=9 \\pi \\mathrm{cm}^{2}$"}),
            (wemath, {"answer": "A", "option": "A. 3 cm;B. 4 cm"})]
    start = time.perf_counter()
    for bench, row in rows:
        bench.judge(row, response, "rules")
        bench.judge(row, "<Answer>: " + response, "rules")
    for item in ({"question_type": "multi_choice", "answer_type": "text", "choices": ["yes", "no"]},
                 {"question_type": "free_form", "answer_type": "integer", "choices": None}):
        mathvista.rules_extraction({**item, "response": response})
    rules.split_options(response)
    assert time.perf_counter() - start < 5.0


# Round 5: multiple-choice answers as hand-judged responses state them (an independent helper wrote and
# labelled them as a judge would; these are the readings that were missing, each with a wrong twin).
def _choice_row(question_choices: str, answer: str) -> dict:
    return {"question_type": "multi-choice", "answer": answer, "question": "Q?\nChoices:\n" + question_choices}


_SPEED = "A:Justin\nB:Oliver"
_SLOPE = "A:0\nB:1\nC:6\nD:Undefined"
_ANGLES = "A.15*\\degree\nB.30*\\degree\nC.45*\\degree\nD.60*\\degree\nE.90*\\degree"
_FUNCTION = "A:This is a function\nB:This is not a function"
_CALL = ("A:The cost of a call increases by $\\$ 0.90$ for each additional minute\n"
         "B:Each additional dollar will buy an additional 0.9 minutes of call time")


@pytest.mark.parametrize(
    ("choices", "gold", "response", "ok"),
    [(_SPEED, "B", "Oliver's line is steeper (more distance per unit time), so Oliver is traveling faster.", True),
     (_SPEED, "B", "Justin's line is steeper, so Justin is traveling faster.", False),
     (_SLOPE, "D", "A line parallel to the y-axis is vertical, and a vertical line has an undefined slope.", True),
     (_SLOPE, "D", "The line is horizontal, so its slope is 0.", False),
     (_ANGLES, "D", "Since AO = BO and AB = AO, triangle ABO is equilateral, so ∠ABO = 60°.", True),  # 60*\degree
     (_ANGLES, "D", "So ∠ABO = 30°.", False),
     (_FUNCTION, "B", "It fails the vertical line test. Therefore, this relation is not a function.", True),
     (_FUNCTION, "B", "It passes the vertical line test. Therefore, this relation is a function.", False),
     (_CALL, "A", "The slope is 0.9, which means the cost of a call increases by $0.90 for each additional minute.", True),
     ("A:5\nB:9\nC:12\nD:13", "D", "BC is either 12 or 13 depending on the labels, so I'd say C or D.", False),  # hedge
     ("A:2πcm\nB:3πcm\nC:4πcm\nD:5πcm", "C", "扇形弧长 = 120π × 6 / 180 = 4π，所以纸帽底面周长为 4π cm。答案是 C。", True),
     ("A:2πcm\nB:3πcm\nC:4πcm\nD:5πcm", "C", "所以纸帽底面周长为 3π cm。故选B", False)],
)
def test_mathverse_rules_read_choices_as_a_judge(choices, gold, response, ok):
    assert mathverse.judge(_choice_row(choices, gold), response, "rules").correct is ok, response


@pytest.mark.parametrize(
    ("option", "answer", "response", "ok"),
    [("A. Right-angle; B. Isosceles; C. Obtuse; D. Equilateral; E. No correct answer", "D",
      "All three angles are 60° and all sides are equal, so it is an equilateral triangle.", True),
     ("A. Right-angle; B. Isosceles; C. Obtuse; D. Equilateral; E. No correct answer", "D",
      "Two sides are equal but the angles differ, so it is not an equilateral triangle.", False),  # negated
     ("A. Parallel; B. Perpendicular; C. Cannot be determined; D. No correct answer", "B",
      "The distance between two parallel lines is measured along a perpendicular, so BD is perpendicular to AB.", True),
     ("A. East; B. South; C. West; D. North; E. No correct answer", "A",
      "A is at (1, 3) and C is at (4, 3); same row, larger x, so point C is to the east of point A.", True),
     ("A. 3OB+3OC+3OD; B. 2OB+2OC+2OD; C. OB+OC+OD; E. No correct answer", "B",
      "Each cut adds two new edges, so the new edges total 2OB + 2OC + 2OD.", True),  # operator spacing
     ("A. 12 cm ;B. 10 cm ;C. 8 cm; D. No correct answer", "A",
      "The wire is 12 cm long (a square with 3 cm sides).", True),  # a closing remark
     ("A. 18.4; B. 9.2; C. 12.4; D. 6.2; E. No correct answer", "B",
      "The median splits the triangle into two equal areas, so the shaded triangle is 18.4 ÷ 2 = 9.2 m².", True),
     ("A. >;B. =;C. <; D. No correct answer", "B", "Thus, the result is =.", True)],
)
def test_wemath_rules_read_options_as_a_judge(option, answer, response, ok):
    row = {"ID": "2steps_1", "key": "2steps_1", "answer": answer, "option": option}
    assert wemath.judge(row, response, "rules").correct is ok, response


def test_word_option_and_hedges_are_read_from_the_last_sentence():
    assert rules.word_option("There is no solution.", ["Yes", "No"]) is None  # "no" only when it opens the clause
    assert rules.word_option("No, it does not.", ["Yes", "No"]) == "B"
    assert rules.word_option("So it is Justin or Oliver.", ["Justin", "Oliver"]) is None  # two named
    assert rules.hedged_letters("The answer is either A or C.", 4)
    assert not rules.hedged_letters("So A and B are congruent.", 4)  # points, not options
    assert not rules.hedged_letters("The answer is E or F.", 4)  # not among the choices


@pytest.mark.parametrize(
    ("option", "answer", "response", "ok"),
    [("A. 27;B. 9;C. 36;D. No correct answer", "A", "the water that goes up is 3×3×3 = 27 cm3", True),  # "cm3"
     ("A. 10 dm³;B. 100 dm³;C. 1 dm³;D. 1000 dm³; E. No correct answer", "D",
      "a cube 1 m each side, 1 m3 is equal to 1000 dm3", True),  # not the "3" of "dm3"
     ("A. AB < BC;   B. AB = BC;   C. AB > BC; D. No correct answer", "B", "正方形四条边一样长，所以AB和BC一样长，选B", True),
     ("A. ①; B. ③; C. ②; D. Cannot be determined; E. No correct answer", "C",
      "The cylinder ② has the base diameter 50 cm.", True),  # a circled-number option named
     ("A. ①;B. ②;C. ③;D. ④; E. No correct answer", "B",
      "Both ① and ② look like they make a right angle with line l, so it could be ① or ②.", False),  # hedge
     ("A. 1;B. 2;C. 3;D. 14; E. No correct answer", "C",
      "the third side is between the difference and the sum, so it can be 2 or 3 cm", False)],  # hedge
)
def test_wemath_rules_weak_model_answers(option, answer, response, ok):
    row = {"ID": "2steps_1", "key": "2steps_1", "answer": answer, "option": option}
    assert wemath.judge(row, response, "rules").correct is ok, response


def _mc(choices: str, answer: str) -> dict:
    return {"question_type": "multi-choice", "answer": answer, "question": "Q?\nChoices:\n" + choices}


_INCREASING = "A:The function is increasing\nB:The function is decreasing\nC:The function is constant"


@pytest.mark.parametrize(
    ("row", "response", "ok"),
    [(_mc(_INCREASING, "A"), "Looking at the graph, the function is not increasing.", False),  # negated
     (_mc(_INCREASING, "A"), "So the function is never increasing.", False),
     (_mc(_INCREASING, "A"), "It rises everywhere, so the function is increasing.", True),
     (_mc("A:The triangle is a right triangle\nB:The triangle is an obtuse triangle", "A"),
      "No angle is 90°, so the triangle is not a right triangle.", False),
     (_mc("A:Justin\nB:Oliver", "B"), "Oliver is definitely not the faster one.", False),
     (_mc("A:Yes\nB:No", "B"), "No doubt, the triangles are congruent.", False),
     (_mc("A:10 cm\nB:20 cm\nC:30 cm\nD:40 cm", "D"), "The perimeter is 40 cm, so it is not option A or B.", True)],
)
def test_review_cases_rules_mode(row, response, ok):
    assert mathverse.judge(row, response, "rules").correct is ok, response


def test_piecewise_extra_overlapping_piece_and_blank_runs_are_fast():
    row = {"question_type": "free-form", "answer": "When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$"}
    assert not mathverse.judge(row, "x<=3: f(x)=-x+1, x>3: f(x)=x-5 and also x>=3: f(x)=x-5", "rules").correct
    start = time.perf_counter()
    mathverse.judge(row, "\t \n" * 1000, "rules")  # no backtracking on blank runs
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("row", "response", "ok"),
    [(_mc("A:Justin\nB:Oliver", "B"), "Is Oliver traveling faster?", False),  # a question chooses nothing
     (_mc("A:Justin\nB:Oliver", "B"), "We need to check whether Oliver is faster.", False),
     (_mc("A:This is a function\nB:This is not a function", "A"), "It is false that this relation is a function.", False),
     (_mc("A:1\nB:2\nC:3\nD:2 or 3", "D"), "So it can be 2 or 3.", True),  # the option "2 or 3", not a hedge
     ({"question_type": "free-form", "answer": "When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$"},
      "When x<=3, f(x)=-x+1; when x>3, f(x)=x-5; when x>10, f(x)=7.", False),  # a piece the answer has not
     ({"question_type": "free-form", "answer": "When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$"},
      "Check x > 0 first. So when x<=3, f(x)=-x+1; when x>3, f(x)=x-5.", True),  # reasoning before is fine
     ({"question_type": "free-form", "answer": "\\text { increasing } \\quad(-3,1) ; \\quad \\text { constant }(-\\infty,-3) \\cup(1, \\infty)"},
      "Increasing on (-3, 1); constant on (-∞, -3) and (1, ∞).", True)],  # a union written with "and"
)
def test_second_review_rules_cases(row, response, ok):
    assert mathverse.judge(row, response, "rules").correct is ok, response


@pytest.mark.parametrize(
    ("response", "ok"),
    [("Every point on the circle is exactly 5 units from the center.", True),
     ("It is not true that every point on the circle is exactly 5 units from the center.", False),
     ("Every point on the circle is exactly 5 units from the center, or exactly 6 units from the center.", False),
     ("Every point on the circle is exactly 5 units from the center.\n\nThe answer is 6", False),
     ("Every point on the circle is exactly 50 units from the center.", False)],
)
def test_sentence_gold_is_the_last_line_stated(response, ok):
    row = {"question_type": "free-form",
           "answer": "Complete the statement. Every point on the circle is exactly 5 units from the center"}
    assert mathverse.judge(row, response, "rules").correct is ok


def test_wemath_negative_words_name_nothing():
    row = {"ID": "x", "key": "x", "answer": "B", "option": "A. ①;B. ②;C. ③;D. ④"}
    assert not wemath.judge(row, "So ② is wrong.", "rules").correct
    assert not wemath.judge(row, "Only ② fails, so the rest hold.", "rules").correct


@pytest.mark.parametrize(
    ("response", "ok"),
    [("Option C: tan(2π−θ) = −tanθ. Option D: tan(π−θ) = −tanθ.\n\nAnswer: C and D", True),
     ("**Answer:** C, D", True), ("The answers are (C) and (D).", True),
     ("The answer is C.", False), ("Answer: A, C and D", False)],  # exactly the gold's letters
)
def test_mathverse_gold_of_several_letters(response, ok):
    row = {"question_type": "multi-choice", "answer": "C\nD",
           "question": "Which two are OPPOSITE of tan(θ)? Choose 2 answers:\nChoices:\nA:a\nB:b\nC:c\nD:d"}
    assert mathverse.judge(row, response, "rules").correct is ok


@pytest.mark.parametrize(
    ("option", "answer", "response", "ok"),
    [("A. Rotating 90° counterclockwise around point P; B. Rotating 90° clockwise around point Q; "
      "C. Rotating 90° counterclockwise around point Q; D. No correct answer", "C",
      "Step 3: so we rotate the shape 90° counterclockwise about Q.", True),
     ("A. Rotating 90° counterclockwise around point P; B. Rotating 90° clockwise around point Q; "
      "C. Rotating 90° counterclockwise around point Q; D. No correct answer", "C",
      "Step 3: so we rotate the shape 90° about Q.", False),  # "counterclockwise" not said: no option
     ("A. North by west 45°; B. South by east 45°; C. North by east 45°; D. South by west 45°; E. No correct answer",
      "C", "Step 3: point C is 45° east of north from A. †Answer: North 45° East", True),  # URSA-8B's words
     ("A. 40° north by east; B. 40° north by west; C. 50° north by east; D. 50° north by west; E. No correct answer",
      "D", "Step 3: Point M is 50° north of west from point P. †Answer: 50° north of west", True)],
)
def test_wemath_statement_options_by_their_distinguishing_words(option, answer, response, ok):
    row = {"ID": "x", "key": "x", "answer": answer, "option": option}
    assert wemath.judge(row, response, "rules").correct is ok, response


@pytest.mark.parametrize(
    ("response", "ok"),
    [("The answer is C; D is incorrect.", False), ("Answer: C\n\nLet me double check D: D is also correct? No, D is wrong.", False),
     ("Answer: C or D", False), ("I'm not sure whether the answer is C and D.", False),
     ("Answer: CD", True), ("Answer: \\boxed{CD}", True), ("The answer is C and D. A quick check confirms it.", True),
     ("Answer: C and D (both options give -tan θ)", True), ("Both C and D are correct answers.", True)],
)
def test_several_letters_review_cases(response, ok):
    row = {"question_type": "multi-choice", "answer": "C\nD",
           "question": "Q? Choose 2 answers:\nChoices:\nA:a\nB:b\nC:c\nD:d"}
    assert mathverse.judge(row, response, "rules").correct is ok, response


def test_several_letters_gold_check_is_linear():
    row = {"question_type": "multi-choice", "answer": "A" + "\n" * 50000 + "!", "question": "Q?\nChoices:\nA:a\nB:b"}
    start = time.perf_counter()
    mathverse.judge(row, "A", "rules")
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "response",
    ["Rotating 90° counterclockwise about Q gives a different figure.",
     "There is no way to get it by a 90° counterclockwise rotation about Q.",
     "Rotating counterclockwise about Q by 90° is ruled out.",
     "A 90° counterclockwise turn about Q would be needed, but the image shows otherwise."],
)
def test_distinguished_option_not_read_from_rejections(response):
    row = {"ID": "x", "key": "x", "answer": "C", "option": "A. Rotating 90° counterclockwise around point P;"
           "B. Rotating 90° clockwise around point Q;C. Rotating 90° counterclockwise around point Q;D. No correct answer"}
    assert not wemath.judge(row, response, "rules").correct


@pytest.mark.parametrize(
    ("response", "ok"),
    [("5 units away from the point (0, 0)", True), ("4 units away from the point (0, 0)", False),
     ("(0, 0)", False), ("the point (0,0)", False)],  # the end of the statement only with every value
)
def test_sentence_gold_completed_end(response, ok):
    row = {"question_type": "free-form",
           "answer": "Complete the statement.Every point on the circle is exactly 5 units away from the point (0,0)."}
    assert mathverse.judge(row, response, "rules").correct is ok


def test_a_reasoners_answer_left_inside_think_is_read_as_a_judge_reads_it():
    """The verifiers read only outside <think> (a training reward); a judge reads the whole response, so when
    nothing is left outside the block, eval's rules modes read the thinking."""
    from eval import mathverse, mathvista, wemath
    from eval.rules import judged_text
    from mmagrae.verifiers import verify

    inside = "<think>\nDissatisfied 78%, satisfied 20%: 78/20 = 3.9\n\\boxed{3.9}\n</think>"
    assert not verify(inside, "3.9").correct  # the training reward: no answer outside the thinking
    assert judged_text(inside).endswith("\\boxed{3.9}")
    assert judged_text("<think>\\boxed{2}</think> The answer is 3.") == "<think>\\boxed{2}</think> The answer is 3."
    item = {"question_type": "free_form", "answer_type": "float", "choices": None, "precision": 1, "unit": None,
            "answer": "3.9", "response": inside}
    assert mvista_correct(mathvista, item)
    unclosed = {**item, "question_type": "multi_choice", "answer_type": "text", "answer": "no",
                "choices": ["yes", "no"], "response": "<think>\nSky Blue is larger than Web Maroon.\n\\boxed{B}"}
    assert mvista_correct(mathvista, unclosed)
    row = {"question_type": "free-form", "answer": "3.9", "question": "How many times?"}
    assert mathverse.judge(row, inside, "rules").correct
    assert not mathverse.judge(row, inside.replace("3.9}", "4.1}"), "rules").correct
    we = {"answer": "B", "option": "A. 2 cm; B. 3 cm; C. 4 cm"}
    assert wemath.judge(we, "<think>The side is 3 cm.\n<Answer>: B</think>", "rules").correct
    assert not wemath.judge(we, "<think>The side is 2 cm.\n<Answer>: A</think>", "rules").correct


def mvista_correct(mathvista, item) -> bool:
    return mathvista.official_verdict(item, mathvista.rules_extraction(item))[1]
