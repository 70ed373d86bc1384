"""Answer layouts other than prose (round 7, found by a seventh held-out set of model-style responses): JSON
objects, Markdown tables and labels, arrows and check marks, answers in Spanish, French, German, Portuguese and
Italian, numbers in words. Each case is written here by hand; the held-out responses are not in the repository.
"""

from __future__ import annotations

import pytest

from eval import mathverse, wemath
from mmagrae.verifiers import extract_answer, verify
from mmagrae.verifiers.layouts import answer_layout, json_answer


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ('```json\n{\n  "reasoning": "tan θ = 83/191, θ = 23.49°",\n  "answer": "S 23.5° W"\n}\n```', "S 23.5° W", True),
        ('{"Answer": "12.5 hours", "reasoning": "15.5 - 3 = 12.5, and the next peak at t = 28 confirms it."}', "12.5",
         True),
        ('{"Answer": "28 hours", "reasoning": "15.5 - 3 = 12.5"}', "12.5", False),
        ('Here is the solution:\n{"explanation": "b^2 = 18 - 9 = 9", "final_answer": "y^2/9 - (x+1)^2/9 = 1"}',
         "\\frac{y^2}{9}-\\frac{(x+1)^2}{9}=1", True),
        ('{"reasoning": "At x = 0, y = 14.", "answer": "(0, 14)"}', "(0,14)", True),
        ('{"result": 7}', "7", True),
    ],
)
def test_a_json_object_with_an_answer_key(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


def test_json_answer_reads_data_only() -> None:
    assert json_answer('{"final_answer": "B", "explanation": "x"}') == "B"
    assert json_answer('{"answer": {"value": 3}}') is None  # an object is not an answer
    assert json_answer('{"answer": "__import__(\'os\').system(\'x\')"}') == "__import__('os').system('x')"  # text
    assert json_answer("{not json}") is None and json_answer("no braces") is None


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("| Step | Value |\n|---|---|\n| EH = √48 | 4√3 |\n| **Answer** | | **C (4√3)** |", "C", True),
        ("| Step | Value |\n|---|---|\n| **Answer** | **A (2√3)** |", "C", False),
        ("**Computation**\n- EH² = 48\n- **Final:** C (4√3)", "C", True),
        ("| Side | Length |\n|---|---|\n| Right | s |\n\n#### Result\ns = 5 cm", "5", True),
        ("Total = 192π ≈ 603.18579\nRounded to three decimal places:\n=> 603.186 square units", "603.186", True),
        ("So the segment is the amplitude, about 2 meters → B.", "B", True),
        ("| **∠D** | **45° → C** |", "C", True),
        ("∠1 + ∠2 = 90°.\n✅ D", "D", True),
        ("10 × 4 = 40 cm²\nB ✓", "B", True),
        ("10 × 4 = 40 cm²\nB ✓", "D", False),
        ("A ✓\nB ✓", "B", False),  # two letters checked: no answer
        ("A ✓\nB ✓", "A", False),
    ],
)
def test_tables_labels_arrows_and_check_marks(response: str, gold: str, expected: bool) -> None:
    choices = ["4√3", "8", "4√3", "12"] if gold in "ABCD" and "√3" in response else (
        ["30°", "60°", "45°", "90°"] if gold in "ABCD" else None)
    row = {"question_type": "multi-choice", "answer": gold,
           "question": "q\nChoices:\nA:2√3\nB:8\nC:4√3\nD:12"} if gold in "ABCD" else None
    if row is not None:
        assert mathverse.judge(row, response, "rules").correct is expected
    else:
        assert verify(response, gold, choices=choices).correct is expected, extract_answer(response)


def test_a_step_label_in_a_list_is_not_the_answer() -> None:
    text = ("1. **Obtain the ages**: find both ages.\n\n3. **Result**: The result will be the age gap in years.\n\n"
            "For example, 30 - 25 = 5\n\nSo, the age gap is 5 years.\n\nIf you provide the ages, I can help.")
    assert answer_layout(text) == text
    assert extract_answer(text) == "5"


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("V = 1120 − 56π ≈ 944,07 cm³\nPor lo tanto, el volumen es aproximadamente 944,07 cm³.", "944.07", True),
        ("Donc, la surface totale est d'environ 3298,67 cm².", "3298.67", True),
        ("Das Dreieck ist rechtwinklig und cos θ = 0,3691.\nθ = cos⁻¹(0,3691) ≈ 68,34°\nAlso ist θ ≈ 68,34°.", "68.34",
         True),
        ("**La respuesta es BD ≈ 6,3.**", "6.3", True),
        ("V = (2/3) · π · 16 309,766656 ≈ 34 159,0954\n**Resposta: V ≈ 34 159,095 cm³**", "34159.095", True),
        ("Il volume esatto della piramide è 847/3 mm³ (circa 282,33 mm³). Quindi la risposta è 847/3.",
         "\\frac{847}{3}", True),
        ("Le point D est (5,4) dans la grille, donc la réponse est (5,4).", "(5,4)", True),  # a pair keeps its comma
        ("Por lo tanto, el volumen es aproximadamente 944,07 cm³.", "94407", False),
    ],
)
def test_answers_in_other_european_languages(response: str, gold: str, expected: bool) -> None:
    assert verify(response, gold).correct is expected, extract_answer(response)


@pytest.mark.parametrize(
    ("response", "gold", "option", "expected"),
    [
        ("Donc, la réponse est B.", "B", "A. 45°; B. 60°; C. 90°", True),
        ("Die Antwort ist **A (72)**.", "A", "A. 72;B. 36;C. 24", True),
        ("Respuesta: B (verde)", "B", "A. Red; B. Green; C. Blue", True),
        ("Pertanto ∠1 è uguale a ∠2: la risposta è B.", "B", "A. Greater than;B. Equal to;C. Less than", True),
        ("Donc, la réponse est B.", "C", "A. 45°; B. 60°; C. 90°", False),
    ],
)
def test_we_math_letters_in_other_languages(response: str, gold: str, option: str, expected: bool) -> None:
    assert wemath.judge({"answer": gold, "option": option}, response, "rules").correct is expected


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("48 × 75 = 3600 and 32 × 75 = 2400: six thousand in all.\n\nThe remaining area is ninety-six square units.",
         "96", True),
        ("The remaining area is ninety-six square units.", "6000", False),
        ("So the exact area is one hundred twenty-one pi over four square metres, that is 121π/4 m².",
         "\\frac{121 \\pi}{4} \\mathrm{~m}^{2}", True),
        ("That is sixty-three pi x cubed, i.e. 63πx³ + 66πx² + 15πx", "63\\pi x^3+66\\pi x^2+15\\pi x", True),
        ("A (0.38)", "A", True),  # a letter, a space and the option's text
        ("A (0.5)", "A", False),
    ],
)
def test_words_units_and_letters_with_their_text(response: str, gold: str, expected: bool) -> None:
    choices = ["0.38", "0.5", "0.7", "1"] if gold == "A" else None
    assert verify(response, gold, choices=choices).correct is expected, extract_answer(response, choices=choices)
