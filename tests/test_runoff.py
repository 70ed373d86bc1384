"""Run-on text after the answer and Chinese/Japanese endings (round 8, found by an eighth held-out set of
model-style responses: degenerate generations of small models, answers in Chinese and Japanese, an option
written out first and explained after). Each case is written here by hand; the held-out responses are not in the
repository."""

from __future__ import annotations

import pytest

from eval import mathverse, mathvista, wemath
from eval.rules import judged_text
from mmagrae.verifiers import extract_answer, verify
from mmagrae.verifiers.runoff import drop_runoff


@pytest.mark.parametrize(
    "token",
    ["</s>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<|end|>", "<end_of_turn>", "<eos>",
     "[INST]", "<|im_start|>user", "<｜end▁of▁sentence｜>", "<|user|>"],
)
def test_an_end_of_turn_token_ends_the_reply(token: str) -> None:
    response = f"The inequality is y ≥ -2x - 6.{token}\n{token} Question: what is 3 + 4? Answer: 7"
    assert drop_runoff(response) == "The inequality is y ≥ -2x - 6."
    assert verify(response, "y \\geq -2x-6").correct
    assert not verify(response, "7").correct


def test_tokens_opening_the_text_and_echoed_prompts() -> None:
    assert drop_runoff("</s> B</s>") == " B"  # nothing before it: a template's leftover, not the reply's end
    assert drop_runoff("[INST] What is 2 + 3? [/INST] The answer is 5.</s>").strip() == "The answer is 5."
    chatml = "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\nThe answer is 5.<|im_end|>\n<|im_start|>user"
    assert drop_runoff(chatml).strip() == "The answer is 5."
    assert verify(chatml, "5").correct and not verify(chatml, "2").correct
    # a reply-start token with nothing after it (a template's end) is not the reply's opening
    assert verify("The true bearing of C from B is 221°T.[/INST]", "221").correct


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("sin θ = √3/2\nθ = 60°\nθ = 60°\nθ = 60°\nθ = 60°</s>", "sin θ = √3/2\nθ = 60°"),
        ("B. 40°\n\n∠P = 40°\n∠P = 40°\n∠P = 40°\n∠P = 4", "B. 40°\n\n∠P = 40°"),  # the last copy cut off
        ("B. 40°\n\n∠P = 40°\n\n∠P = 40°\n\n∠P = 4", "B. 40°\n\n∠P = 40°"),  # blank lines between the copies
        ("x = 2. So the answer is 5. So the answer is 5. So the answer is 5. So the ans",
         "x = 2. So the answer is 5."),  # sentences on one line
        ("x = 1\nx = 2\nx = 3", "x = 1\nx = 2\nx = 3"),  # different lines: no loop
        ("a = 4\nx = 5\nx = 5", "a = 4\nx = 5\nx = 5"),  # two copies are not a loop
        ("x = 5\n---\n---\n---", "x = 5\n---\n---\n---"),  # a rule repeated is not a sentence
    ],
)
def test_a_loop_becomes_one_copy(response: str, expected: str) -> None:
    assert drop_runoff(response) == expected


def test_a_cut_off_copy_is_not_the_answer() -> None:
    looped = "∠P = 180° - 100° - 40°\n" + "∠P = 40°\n" * 5 + "∠P = 4"
    assert verify(looped, "40").correct and not verify(looped, "4").correct
    assert mathverse.judge({"question_type": "free-form", "answer": "60^\\circ", "question": "Find θ."},
                           "θ = 60°\n" * 6 + "θ = 6", "rules").correct


def test_an_invented_next_question_is_read_as_a_judge_reads_it() -> None:
    """A small model that answers, then invents "Question: … Answer: …" pairs: GPT's extraction reads the last
    answer (MathVista's published Claude 2-shot extractions do), so the response is not cut there."""
    response = "So sin a = 20/29.\n\nQuestion: Find cos a.\nAnswer: cos a = -21/29."
    assert drop_runoff(response) == response
    assert verify(response, "-21/29").correct and not verify(response, "20/29").correct


def test_judged_text_keeps_the_thinking_and_cuts_the_reply_only() -> None:
    assert judged_text("<think>Question: 3?</think>Answer: 5</s>junk") == "<think>Question: 3?</think>Answer: 5"
    assert judged_text("<think>\\boxed{7}</think></s>") == "\\boxed{7}"  # nothing outside: the thinking is read
    row = {"pid": "1", "question_type": "free_form", "answer_type": "integer", "answer": "5", "precision": None,
           "choices": None, "response": "The answer is 5.</s>\n</s>\nThe answer is 8."}
    assert mathvista.rules_extraction(row) == "5"


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("D. AE\nBecause the perpendicular segment is the shortest.", "D", True),
        ("D. AE\nBecause the perpendicular segment is the shortest.", "A", False),
        ("D. AE\n\nThe perpendicular segment from A to BC is the shortest path.", "D", True),
        ("A. AB\nB. AC\nC. AD\nD. AE\nThe perpendicular one is the shortest.", "A", False),  # an echoed option list
        ("D. AE\nThe perpendicular one is the shortest, so it is AB.", "D", False),  # the explanation names another
    ],
)
def test_an_option_written_out_first_then_explained(response: str, gold: str, expected: bool) -> None:
    row = {"answer": gold, "option": "A. AB;B. AC;C. AD;D. AE; E. No correct answer"}
    assert wemath.judge(row, response, "rules").correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "choices", "expected"),
    [
        ("因此，正确选项为B。", "B", ["1", "2", "3", "4"], True),
        ("因此，正确选项为B。", "C", ["1", "2", "3", "4"], False),
        ("选项：A 错误，B 正确", "B", ["1", "2", "3", "4"], False),  # a list of verdicts, no statement
        ("よって、答えは B です。", "B", ["1", "2", "3", "4"], True),
        ("正解は C。", "C", ["1", "2", "3", "4"], True),
        ("答えは A か B です。", "A", ["1", "2", "3", "4"], False),  # a hedge
        ("答えは 12 cm です。", "12", None, True),
        ("したがって、面積は 12 cm² となる。", "12", None, True),
        ("よって、∠ABC = 60° となります。", "60", None, True),
        ("高さは 58 ミリメートルです。", "58", None, True),
        ("高さは 58 ミリメートルです。", "5.8", None, False),
        ("所以面积是 12 平方厘米。", "12", None, True),
    ],
)
def test_chinese_and_japanese_endings(response: str, gold: str, choices: list[str] | None, expected: bool) -> None:
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)


# ------------------------------------------------------------------ a ninth held-out set: programs, checks, words
def test_a_program_of_thought_is_not_read_as_math_and_its_output_is() -> None:
    code = ("```python\nimport math\nslant, l = 14, 3\nh = math.sqrt(slant**2 - (l/2)**2)\nV = (1/3) * l * 9 * h\n"
            "print(round(V, 1))\n```\n")
    assert verify(code + "```output\n125.3\n```\nThe volume is approximately 125.3 cm³.", "125.3").correct
    assert verify(code + "```output\n125.3\n```", "125.3").correct  # the printed output is the answer
    assert not verify(code + "```output\n125.3\n```", "2").correct  # not the "2" of "slant**2"
    printed = "```python\nprint(ellipse)\n```\n```output\nEq(x**2/81 + y**2/9, 1)\n```\nIt is x²/81 + y²/9 = 1."
    assert verify(printed, "\\frac{x^2}{81}+\\frac{y^2}{9}=1").correct  # "x**2" printed is a power, not bold
    # a bare fence holding math, not a program, is read as before
    assert verify("```\nDE = \\sqrt{124} = \\boxed{\\frac{20}{3}}\n```", "\\frac{20}{3}").correct
    assert extract_answer("```\nn = 7\nprint(n - 4)\n```\nSo there are 3 left.") == "3"  # an untagged program
    for fence in ("```", "```python"):  # a program whose output is not shown states no answer
        assert not verify(f"So:\n{fence}\nn = 7\nprint(n - 4)\n```", "4").correct


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("Summary: a = 9√3/2 ≈ 7.79.\n\nCheck: 9 cos 60° = 4.5, and 4.5² + (9√3/2)² = 81 = 9² ✓", "\\frac{9\\sqrt{3}}{2}",
         True),
        ("Step 4: So V_A : V_B = 1 : 64.\n\nCheck: 2304π ÷ 36π = 64. ✓", "1:64", True),
        ("So x = 4.\nCheck: 3 × 4 = 12 ✓", "4", True),  # a check line right after the answer
        ("So x = 4.\n\nCheck: 3 × 4 = 12, not 13, so the answer is 5.", "5", True),  # a check that corrects
        ("4. The amplitude is 4.6.\n\nNote: the maximum would then be 1.2 + 4.6 = 5.8, so the period is 8π/3.", "4.6",
         True),  # a note that supposes
        ("So x = 4.\n\nNote: since 2 + 2 = 4, so x = 4.", "4", True),
        ("d = 229 m.\n\nNote: along the path it is 229.29 m, so the answer is 229 m either way.", "229", True),
        ("So V ≈ 220.0 cm³ (1 d.p.).", "220.0", True),  # a precision note is not the answer
        ("AD ≈ 93.31 (2 d.p.)", "93.31", True),
        ("So the volume is 399 cm³, assuming the base edge in the diagram is 19 cm.", "399", True),
        ("So x = 4, if the triangle is right-angled, or 5 otherwise.", "4", False),  # a hedge is kept
        ("its true bearing is 212°T (equivalently S32°W).", "212", True),
        ("AG = 7√3 cm (= √147 cm).", "\\sqrt{147}", True),
        ("The wooden block holds one hundred fifty cubic decimetres.", "150", True),
        ("So ∠BCD and ∠DCF are each seventy-five degrees.", "75", True),
        ("So the annulus covers twenty pi square centimetres (20π cm²).", "20\\pi", True),
        ("So the annulus covers twenty pi square centimetres (20π cm²).", "20", False),
    ],
)
def test_checks_notes_precision_and_words_after_the_answer(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


def test_an_option_ending_with_a_period_and_we_math_words() -> None:
    row = {"answer": "D", "option": "A. 1 cm;B. 1.5 cm;C. 3.14 cm;D. 6.28 cm.; E. No correct answer"}
    assert wemath.judge(row, "So BC is 6.28 centimetres long.", "rules").correct
    assert not wemath.judge(row, "So BC is 3.14 centimetres long.", "rules").correct
    row = {"answer": "C", "option": "A. 170;B. 120;C. 150;D. 1200; E. No correct answer"}
    assert wemath.judge(row, "Its volume is 5 × 30.\n\nThe block holds one hundred fifty cubic decimetres.", "rules").correct


# ------------------------------------------------------------------ a hostile review of these readings (round 8)
@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        # a reply token after the answer is a made-up next turn, not the reply
        ("The answer is 8. [INST] What is 3+4? [/INST] 7", "8", True),
        ("The answer is 8. [INST] What is 3+4? [/INST] 7", "7", False),
        ("The answer is 8.<|im_start|>user\nWhat is 3+4?<|im_start|>assistant\n7", "8", True),
        ("[INST] Find x if 2x + 3 = 11. Answer with a number. [/INST]", "11", False),  # an echoed prompt only
        ("<|im_end|>\n<|im_start|>user\nSolve 2x = 10<|im_end|>\n<|im_start|>assistant\nx = 5", "5", True),
        ("The answer is <s>5</s> 7.", "7", True),  # struck-through text, not an end-of-sequence token
        ("```text\n**Final Answer:** 42\n```", "42", True),  # a text block is prose, not a program's output
        # a check that corrects is read; one that sets the unknown gives that value
        ("Solving 3x + 2 = 17 gives x = 4.\nCheck: 3(4) + 2 = 14, but we need 17, so x = 5.", "4", False),
        ("Solving 3x + 2 = 17 gives x = 4.\nCheck: 3(4) + 2 = 14, but we need 17, so x = 5.", "5", True),
        ("So the perimeter is 24 cm.\nVerification: 2(7 + 5) = 24 cm. Hmm, the sides are 7 and 6, so it is 26 cm.",
         "24", False),
        ("The hypotenuse is 10.\nDouble-check: √(6² + 8²) = 10. Oh, the legs are 5 and 12, giving 13.", "10", False),
        ("Thus the length is 15 cm.\nVerification: 9² + 10² = 181, so the length is √181 cm.", "15", False),
        ("2x + 5 = 17\n2x = 12\nVerification: x = 6 gives 2(6) + 5 = 17 ✓", "6", True),
        ("Then 2w + 2(w + 3) = 26, so 4w = 20.\nCheck: w = 5, length 8, perimeter 2(5 + 8) = 26 ✓", "5", True),
        # a supposition that goes on to another value, or holds the value, is read
        ("Thus the speed is 12 km/h, if we ignore the 10-minute stop; with it, the speed is 10 km/h.", "12", False),
        ("So x = 2, provided that x is positive; if negative, x = −3.", "2", False),
        ("The minimum occurs at x = 2, if we complete the square as f(x) = (x − 2)² + 5, giving a minimum value of 5.",
         "5", True),
        # a remark that is the value, or another value, is read
        ("Therefore the area is ½ × 6 × 4 (= 12 cm²).", "12", True),
        ("So the minimum value is 3 (if x must be an integer, it is 4).", "3", False),
        ("So the box holds twelve eggs (not 13).", "12", True),
        # notes that correct are read
        ("So the area is 9π.\n\nNote: the diagram's radius is 4, not 3, so the area would be 16π.", "9\\pi", False),
        ("The answer is 5 per box, 20 in total.", "5", False),  # "in total" ends no phrase: 20 is read
    ],
)
def test_review_of_the_round_8_readings(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("答えは B ではなく C です。", None), ("正解は B じゃなくて D です。", None),
        ("最初は答えは B だと思いましたが、再計算すると C が正しいです。", None),
        ("若正确选项为B，则∠1=40°，与已知矛盾。", None), ("假设正确选项为B，则周长为12，与题意不符。", None),
        ("因此，正确选项为B。", "B"),
    ],
)
def test_negated_and_supposed_cjk_options_state_nothing(response: str, expected: str | None) -> None:
    from mmagrae.verifiers.choice import stated_letter

    assert stated_letter(response, 4) == expected


@pytest.mark.parametrize(
    "response",
    [
        "D. AE\nWait, AE is not perpendicular to BC; the perpendicular from A is AD, which is the shortest.",
        "D. AE\nActually none of the segments is perpendicular.",
        "D. AE\nI'm not sure; it could also be AD depending on the figure.",
        "D. AE\nThis would hold only if AE were perpendicular to BC.",
        "D. AE\n  Too long: AE is slanted.\n  So D is ruled out.",
    ],
)
def test_an_opening_option_taken_back_is_not_chosen(response: str) -> None:
    row = {"answer": "D", "option": "A. AB;B. AC;C. AD;D. AE; E. No correct answer"}
    assert not wemath.judge(row, response, "rules").correct
    row = {"answer": "A", "option": "A. 3 cm;B. 4 cm;C. 5 cm;D. 6 cm; E. No correct answer"}
    assert not wemath.judge(row, "A. 3 cm\nThe radius is half of 9 cm, i.e. 4.5 cm.", "rules").correct
    assert wemath.judge(row, "A. 3 cm\nThe radius is half of the 6 cm diameter, so r = 3 cm.", "rules").correct


# ------------------------------------------------------------------ a tenth held-out set: closings, letters, ratios
@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("Step 4: Cost = 21 × £37 = £777. ✓\n\nThe fence will cost £777.\nConfidence: 92%", "777", True),
        ("Step 3: 12 × 12 = 144, so V = 144 cm³. [Step 3 correct]\n\nThe volume is 144 cm³.\nScore: 1", "144", True),
        ("Answer: The ratio of A to B is 1 : 64.\n\nLet me verify: 64 × 36 = 2304, so the ratio is consistent. "
         "Verification passed.\nConfidence: 97%", "1:64", True),
        ("Distance ≈ 8.246\n\nLet me verify: 8.246² ≈ 67.996, very close to 68. ✓ Verification passed.", "8.246", True),
        ("x = 4.\n\nLet me verify: 3(4) + 2 = 14, but we need 17, so x = 5.", "5", True),  # a check that corrects
        ("So the volume of Sphere A is 36π cm³.\n\nThe figure also shows that Sphere B is much larger; its volume "
         "would be 4³ = 64 times larger.", "36\\pi", True),
        ("The period of the function is 4π.\n\nThe graph also shows the midline at (13 + 2.4)/2 = 7.7.", "4\\pi", True),
        ("So the perimeter is approximately 257.73 m. The diagram shows the reflex angle of 344° marked.", "257.73",
         True),
        ("f'(x) = 2x - 2 = 0 at x = 1.\nThe graph shows f decreasing on (-∞, 1).", "1", False),  # may be the answer
        ("The diameter is 8 units, i.e. twice the radius of 4.", "8", True),
        ("So d ≈ 11.8 km, i.e. the helicopter is about 11.8 kilometres (≈ 11 800 m) from X.", "11.8", True),
        ("So the first maximum point for x ≥ 0 is (315°, 1), i.e. x = 315°, y = 1.", "(315°, 1)", True),
        ("The centre is at x = -3, y = -3, i.e. (-3, -3).", "(-3,-3)", True),
        ("The radius is half of 9 cm, i.e. 4.5 cm.", "4.5", True),  # the value after an operation
        ("The exact area is 121π/4 m², i.e. 30.25π m².", "\\frac{121\\pi}{4}", True),
        ("So the exact length of AG is √147 cm (which can also be written as 7√3 cm).", "\\sqrt{147}", True),
        ("So the exact area is 9π cm² (which is about 28.27 cm² if evaluated, but in exact form the answer is 9π cm²).",
         "9\\pi", True),
        ("Answer: h = 15 (km)", "h=15", True),
        ("The ratio of the volumes is 1 : 64.", "1:64", True),
        ("So the polynomial is x³ + 12x² + 48x + 64.", "x^{3}+12 x^{2}+48 x+64", True),
    ],
)
def test_closings_restatements_and_forms(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("It has exactly one real solution, so B is the answer.", "B"),
        ("Option C is correct.", "C"), ("(D) is the correct answer.", "D"),
        ("None of the options A, B, C, D is correct.", None),
        ("C is correct only if x > 0.", None), ("Is B correct?", None),
    ],
)
def test_a_letter_stated_before_its_verb(response: str, expected: str | None) -> None:
    from mmagrae.verifiers.choice import stated_letter

    assert stated_letter(response, 4) == expected


def test_mathvista_reads_a_ratio_as_its_quotient() -> None:
    assert mathvista.number_answer("1:2", "float") == "0.5" and mathvista.number_answer("3:1", "integer") == "3"
    assert mathvista.number_answer("1:3", "integer") == "1:3"  # not a whole number: left for the normalisation


# ------------------------------------------------------------------ a hostile review of the set-10 readings
@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("Correct: 6 × 3 = 18 points, wrong: 4 × 1 = 4 points.\nScore = 18 − 4 = 14", "14", True),  # a score asked
        ("So the points are 440 − 347.\n**Score:** 93", "93", True),
        ("So the total tail area is 0.05.\nConfidence level: 95%", "95%", True),  # a statistics answer
        ("First attempt gave x = 12.\nAnswer verified: x = 15", "12", False),
        ("So the period is 2π. The graph shows one full cycle over [0, π], giving period π.", "\\pi", True),
        ("There are 3 red apples and 2 green apples. The image shows 5 apples in total.", "5", True),
        ("The side of the square is 4 cm. The figure's perimeter is 16 cm.", "16", True),
        ("So the vertex is (2, 7). From the graph, the maximum value is 7.", "7", True),
        ("r = 4 cm, i.e. the diameter measures 8 cm.", "4", False),  # another value, stated with a verb
        ("The discount is $15, that is, 25 percent of the original price.", "15", False),
        ("So the total is 7 × 8 = 54.\nLet me double-check: 7 × 8 = 56, not 54; recomputed and verified, so the total is 56.",
         "54", False),
        ("Solving x² = 16 gives x = 4.\nLet me check: x = -4 also satisfies (-4)² = 16 ✓, so the solutions are x = 4 and "
         "x = -4.", "4", False),
        ("The rectangle is 6 by 4.\nLet's check: 6 × 4 = 24 ✓ matches the given area, so the perimeter is 2(6 + 4) = 20.",
         "20", True),
        ("Hence the answer is \\boxed{\\log(m)}.", "\\log(m)", True),  # an argument, not a unit
    ],
)
def test_review_of_the_set_10_readings(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    "response",
    [
        "One might think B is the answer, since the side doubles, but the area quadruples.\n\n**D**",
        "A common mistake is to think B is correct because 2 + 2 = 4. Here the sum is 6, which is (D).",
        "B is the answer... wait, no. Recomputing, 3 × 2 = 6, so it's D.",
        "Initially I thought B is the answer, but 2 × 3 = 6.\n\nD",
        "Set A has 3 elements and set B is correct as written. The union has 6 elements, (D).",
    ],
)
def test_a_letter_before_its_verb_that_is_not_the_choice(response: str) -> None:
    assert verify(response, "D", choices=["3", "4", "5", "6"]).correct, extract_answer(response, choices=["3", "4", "5", "6"])


def test_angle_b_is_right_states_no_letter() -> None:
    from mmagrae.verifiers.choice import stated_letter

    assert stated_letter("In triangle ABC, angle B is right, so AC is the hypotenuse.", 4) is None


def test_clock_times_are_not_ratios() -> None:
    assert mathvista.number_answer("10:05", "integer") == "10" and mathvista.number_answer("1:64", "float") == "0.015625"


def test_a_closing_check_is_no_labelled_part() -> None:
    row = {"question_type": "free-form", "question": "q",
           "answer": "\\text { increasing on }(-\\infty, 1) \\cup(3,4) \\text {, decreasing on }(1,3) \\cup(4, \\infty)"}
    response = ("Answer:\nIncreasing on (−∞, 1) ∪ (3, 4)\nDecreasing on (1, 3) ∪ (4, ∞)\n\nLet me verify: the turning "
                "points are local maxima, consistent with increasing-then-decreasing on each branch. Verification passed.")
    assert mathverse.judge(row, response, "rules").correct
    assert not mathverse.judge(row, response.replace("(3, 4)\n", "(3, 5)\n"), "rules").correct


# ------------------------------------------------------------------ an eleventh held-out set: markup and scripts
@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("<p>Total volume = 162&pi; + 32&pi; = 194&pi; &asymp; <b>609.47 cm<sup>3</sup></b></p>", "609.47", True),
        ("<p>10 &middot; f(7) + 9 &middot; g(&minus;1) = &minus;10 + 9 = <b>&minus;1</b></p>", "-1", True),
        ("<p>Inequality: <b>y &gt; &minus;3x</b></p>", "y>-3 x", True),
        ("<p><b>x = 4&radic;6</b></p>", "4\\sqrt{6}", True),
        ("<p>Answer: <b>A. 25&pi;</b></p>", "A", True),
        ('"From the graph, x is about 4.83.\\n\\nRounded: x \\u2248 5\\n\\nFinal answer: 5"', "5", True),  # JSON-escaped
        ("**Perimeter ≈ `18.89 cm`**", "18.89", True),
        ('***Answer: "A"***', "A", True),
        ("**Answer:** a = 9√3⁄2", "\\frac{9\\sqrt{3}}{2}", True),  # a fraction slash
        ("Rounded, the answer you should get is 113.10 cm³. Did you get that? Great job!", "113.10", True),
        ("So what is x? Did you get (90°, 5)? Great — that's the first maximum.", "(90°, 5)", True),
        ("Вычисляем объём.\nОтвет: V ≈ 874,93 см³", "874.93", True),
        ("Làm tròn đến một chữ số thập phân:\n**Đáp án: BC ≈ 4,4 m**", "4.4", True),
        ("겉넓이 = 2940π ≈ 9236.28\n\n답: 약 9236.28 m²", "9236.28", True),
        ("शेष पानी: 63πx³ + 66πx² + 15πx\n\nउत्तर: 63πx³ + 66πx² + 15πx लीटर", "63\\pi x^3+66\\pi x^2+15\\pi x", True),
        ("Точки (5,4) и (2,3) лежат на прямой.\nОтвет: (5,4)", "(5,4)", True),  # a pair keeps its comma
    ],
)
def test_markup_and_other_scripts(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("response", "gold", "choices", "expected"),
    [
        ("삼각형 OAB에서 … 따라서 OA의 최댓값은 10√2 입니다.\n\n정답은 D입니다.", "D", ["5", "10", "10√3", "10√2"], True),
        ("Vậy hệ số phải lớn hơn 0,85.\n\nĐáp án: C", "C", ["0.80", "0.83", "0.87", "0.90"], True),
        ("الحل: مساحة الجزء المظلل = R² − r² = 20\nالإجابة: أ", "A", ["20π", "40π", "200π", "10π"], True),
        ("Jawaban: B", "B", ["1", "2", "3", "4"], True),
        ("Cevap: B", "C", ["1", "2", "3", "4"], False),
        ("Did you pick (B)? Great — the planes meet at 10,000 meters.", "B", ["9,000", "10,000", "11,000", "12,000"], True),
    ],
)
def test_option_letters_in_other_scripts(response: str, gold: str, choices: list[str], expected: bool) -> None:
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)


# ------------------------------------------------------------------ a hostile review of the markup readings
@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("We’ve added the three sections: 400 + 500 + 350 = 1,250.\n\nAnswer: 1,250", "1250", True),  # "we've"
        ("I’ve solved it: the solution set is {2,3}.", "\\{2, 3\\}", True),
        ("Did you get 12? Great, but that's only one face … the surface area is 72 cm².", "12", False),
        ("Did you get 2x + 3 = 11? Good. Then subtract and halve: x = 4.", "4", True),
        ("A common mistake: the answer you get is 20 if you forget to halve. Correct area = 10.", "10", True),
        ('"Since x \\neq 0, we divide: x = \\boxed{\\frac{3}{4}}"', "\\frac{3}{4}", True),  # LaTeX, not JSON
        ("<p>Area = 6 &times; 4 = <del>20</del> <b>24</b></p>", "24", True),  # struck through: not said
        ("<p>The n-th term is 2<sup>n+1</sup>.</p>", "2^{n+1}", True),
        ("<p>The n-th term is 2<sup>n+1</sup>.</p>", "2^n+1", False),
        ("<p>The total is <b>4050</b><sup>*</sup></p>", "4050", True),  # a footnote mark
        ("Đáp án: 5 không", "5", False),  # "not 5"
        ("정답: 12 이상", "12", False), ("Ответ: 10 тысяч", "10", False), ("उत्तर: 5 नहीं", "5", False),
        ("Ответ: V ≈ 452.389 куб. ед.", "452.389", True),
    ],
)
def test_review_of_the_markup_readings(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


def test_review_of_the_markup_letters() -> None:
    choices = ["10", "12", "14", "16"]
    assert verify("따라서 정답은 D가 아니라 B입니다.", "B", choices=choices).correct
    assert not verify("الإجابة: ب و د", "B", choices=choices).correct  # two letters
    assert verify("الإجابة: ب = 12 سم", "B", choices=["10 سم", "12 سم", "14 سم", "16 سم"]).correct
    row = {"answer": "B", "option": "A. 20;B. 24;C. 10;D. 12"}
    assert not wemath.judge(row, "<b>Answer:</b> <del>B</del> <b>A</b>", "rules").correct
