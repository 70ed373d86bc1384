"""MathVista scoring against the published fixture files (lupantech/MathVista results/bard and results/gpt4).

Official mode must reproduce every published ``true_false`` and both ``scores_*.json`` exactly; rules mode's
agreement with the published verdicts is printed and held above a floor set from measurement (with the
verifier of 2026-11-27: bard 96.9-97.1% as it evolved, gpt4 95.8%).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from eval import mathvista as mv

FILES = ("bard", "gpt4")
RULES_AGREEMENT_FLOOR = {"bard": 0.97, "gpt4": 0.95}  # measured 97.9 % and 95.3 %


@pytest.fixture(scope="module")
def mathvista_dir(fixtures_dir):
    return fixtures_dir / "mathvista"


def _load(mathvista_dir, name):
    results = mv.read_results(mathvista_dir / f"output_{name}.json")
    published = json.loads((mathvista_dir / f"scores_{name}.json").read_text())
    return results, published


@pytest.mark.parametrize("name", FILES)
def test_official_mode_reproduces_published_verdicts_and_scores(mathvista_dir, name):
    results, published = _load(mathvista_dir, name)
    scored, scores = mv.score_results(results, mode="official")
    mismatched = [pid for pid in results if scored[pid]["true_false"] != results[pid]["true_false"]]
    print(f"{name}: true_false match {len(results) - len(mismatched)}/{len(results)}")
    assert mismatched == []
    assert scores == published
    # key order too (values sorted by accuracy, ties in first-seen order), except tied skills: the official
    # script iterates a Python set there (hash-randomised), see eval/mathvista.py
    for key in mv.CATEGORY_KEYS[:-1]:
        assert list(scores[key]) == list(published[key]), key


def test_official_predictions_match_except_known_quirk(mathvista_dir):
    """Published ``prediction`` strings agree except 3 bard items whose integer extraction has a fraction
    ("3.4"): an older script gave None, the published one truncates to "3"; the verdicts agree either way."""
    for name in FILES:
        results, _ = _load(mathvista_dir, name)
        scored, _ = mv.score_results(results, mode="official")
        differ = {pid for pid in results if scored[pid]["prediction"] != results[pid]["prediction"]}
        assert differ == ({"89", "617", "729"} if name == "bard" else set())
        for pid in differ:
            assert results[pid]["prediction"] is None and results[pid]["answer_type"] == "integer"


@pytest.mark.parametrize("name", FILES)
def test_rules_mode_agreement_floor(mathvista_dir, name):
    results, _ = _load(mathvista_dir, name)
    start = time.perf_counter()
    scored, scores = mv.score_results(results, mode="rules")
    elapsed = time.perf_counter() - start
    agree = mv.agreement(results, scored)
    print(f"{name}: rules-mode agreement {agree['agree']}/{agree['items']} = {100 * agree['agreement']:.1f}% "
          f"(accuracy {scores['average']['accuracy']}%), {elapsed:.3f}s")
    assert agree["agreement"] >= RULES_AGREEMENT_FLOOR[name]
    published = sum(bool(it["true_false"]) for it in results.values()) / len(results) * 100
    assert abs(float(scores["average"]["accuracy"]) - published) <= 1.5  # accuracy gap to the official number
    assert elapsed < 5.0  # the benchmark script holds the real bound (1,000 items < 1 s on one core)


def test_rules_mode_reads_the_number_an_integer_answer_starts_with():
    item = {"question_type": "free_form", "answer_type": "integer", "answer": "6", "choices": None,
            "precision": None, "response": "So the perimeter is **6 yards**.\n\nAnything else?"}
    assert mv.rules_extraction(item) == "6" and mv.official_verdict(item, mv.rules_extraction(item))[1]
    assert mv.leading_number("931,441") == "931441" and mv.leading_number("x = 3") == "x = 3"


def test_cli_official_score_matches_published(mathvista_dir, tmp_path):
    for name in FILES:
        out = tmp_path / f"scores_{name}.json"
        subprocess.run([sys.executable, "-m", "mmagrae", "eval", "score", "mathvista", "--input",
                        str(mathvista_dir / f"output_{name}.json"), "--mode", "official", "--out", str(out)],
                       check=True, capture_output=True)
        assert json.loads(out.read_text()) == json.loads((mathvista_dir / f"scores_{name}.json").read_text())


@pytest.mark.parametrize(
    ("extraction", "choices", "qtype", "atype", "precision", "expected"),
    [
        ("(b) 8/11", ["3/11", "8/11"], "multi_choice", "text", None, "8/11"),  # letter in parentheses, any case
        ("B", ["3/11", "8/11"], "multi_choice", "text", None, "8/11"),
        ("C", ["3/11", "8/11"], "multi_choice", "text", None, "3/11"),  # letter beyond the choices: Levenshtein, tie
        ("", ["long answer", "no"], "multi_choice", "text", None, "no"),  # empty: the shortest choice
        ("tokio", ["osaka", "tokyo"], "multi_choice", "text", None, "tokyo"),
        ("ab", ["ax", "xb"], "multi_choice", "text", None, "ax"),  # tie: the first choice
        ("-3.9", None, "free_form", "integer", None, "-3"),  # truncation toward zero
        ("1e3", None, "free_form", "integer", None, "1000"),
        ("3 apples", None, "free_form", "integer", None, None),
        ("inf", None, "free_form", "integer", None, None),
        ("2.675", None, "free_form", "float", 2, "2.67"),  # Python round on the binary value
        ("0.25", None, "free_form", "float", 1, "0.2"),  # half-even
        ("1.5", None, "free_form", "float", 1.0, "1.5"),  # the Hub's float precision
        ("[1, 2]", None, "free_form", "list", None, "[1, 2]"),
        ([1, 2.5, "a"], None, "free_form", "list", None, "[1, 2.5, 'a']"),  # JSON list printed, never eval-ed
    ],
)
def test_normalisation_edge_cases(extraction, choices, qtype, atype, precision, expected):
    assert mv.normalize_extracted_answer(extraction, choices, qtype, atype, precision) == expected


def test_list_strings_are_compared_as_written():
    item = {"question_type": "free_form", "answer_type": "list", "answer": "[2007, 2008]", "choices": None,
            "precision": None}
    assert mv.official_verdict(item, "[2007, 2008]")[1]
    assert not mv.official_verdict(item, "[2007,2008]")[1]  # the official string comparison; documented


def test_official_query_rebuilt(mathvista_dir):
    """``build_query`` rebuilds the fixture's ``query`` field except where the file's choices were reordered."""
    results, _ = _load(mathvista_dir, "gpt4")
    same = sum(mv.build_query(it) == it["query"] for it in results.values())
    assert same >= 980
    assert all(mv.prompt_text(it) == it["query"] for it in results.values())


def test_loader_local_json_layout(tmp_path):
    from PIL import Image

    (tmp_path / "images").mkdir()
    Image.new("RGB", (8, 8), "white").save(tmp_path / "images" / "1.jpg")
    item = {"pid": "1", "question": "How many?", "image": "images/1.jpg", "choices": None, "unit": None,
            "precision": None, "answer": "2", "question_type": "free_form", "answer_type": "integer",
            "metadata": {"language": "english"}}
    (tmp_path / "testmini.json").write_text(json.dumps({"1": item}))
    rows = mv.load("testmini", source=tmp_path)
    assert rows[0]["id"] == "1" and rows[0]["images"] == [tmp_path / "images" / "1.jpg"]
    assert rows[0]["query"].startswith("Hint: Please answer the question requiring an integer answer")
    with pytest.raises(ValueError, match="unknown MathVista split"):
        mv.load("dev", source=tmp_path)


def test_rules_mode_multiple_choice_named_in_prose_and_program_output():
    item = {"question_type": "multi_choice", "answer_type": "text", "choices": ["August", "April", "May"],
            "answer": "May", "precision": None, "response": "The wettest month on average in Christchurch is May."}
    assert mv.official_verdict(item, mv.rules_extraction(item))[1]
    both = {**item, "response": "It rains in April and in May."}
    assert mv.rules_extraction(both) != "May"  # two choices named: no choice is read from the prose
    assert mv.mentioned_choice("It is a quarter past six", ["quarter", "quarter past", "half"]) == "quarter past"
    # program-of-thought files carry the program's printed output; the official extraction read that field
    code = {"question_type": "free_form", "answer_type": "integer", "choices": None, "answer": "8",
            "precision": None, "response": "print(max_area(5, 3))", "execution": "8"}
    assert mv.rules_extraction(code) == "8"


def test_rules_extraction_option_text_blank_insensitive_and_longest_choice_first():
    item = {"question_type": "multi_choice", "answer_type": "text", "precision": None, "answer": "10 \\sqrt { 3 }",
            "choices": ["5", "10", "10 \\sqrt { 3 }", "20"],
            "response": "The hypotenuse is 20 and one leg is 10, so x = \\sqrt{300}.\n\nAnswer: 10 \\sqrt{3}"}
    assert mv.rules_extraction(item) == "10 \\sqrt { 3 }"  # not "10", the choice it starts with
    clock = {**item, "answer": "quarter", "choices": ["half", "quarter", "o'clock", "quarter to", "quarter past"],
             "response": "It is 6:15.\n\nThe correct answer is: quarter past, E."}
    assert mv.rules_extraction(clock) == "quarter past"
    mixed = {**item, "answer": "2 1/2", "choices": ["2 1/2", "10", "21", "9"], "response": "So the value is 21/2"}
    assert mv.rules_extraction(mixed) != "2 1/2"  # a blank between two digits is kept: 21/2 is not 2 1/2


def _free(answer_type="integer", response=""):
    return {"question_type": "free_form", "answer_type": answer_type, "choices": None, "precision": None,
            "unit": None, "answer": "1", "response": response}


def test_rules_extraction_reads_the_value_of_an_equation_and_keeps_powers_of_ten():
    # GPT's extraction writes the value: "9x8 = 72" is 72, not the 9 it starts with; 7.119 × 10^3 is 7119
    assert mv.rules_extraction(_free(response="Let me compute.\nTherefore, 9x8 = 72.")) == "72"
    assert mv.rules_extraction(_free("float", "The period is $T = 7.119 \\times 10^3 \\mathrm{~s}$.")) == "7119"
    assert mv.leading_number("7.119 \\times 10^3") == "7.119 \\times 10^3"  # not cut at 7.119
    assert mv.leading_number("6 yards") == "6"


def test_rules_extraction_after_a_few_shot_continuation():
    # a worked solution continued with another few-shot question: GPT's extraction reads the end ...
    worked = "根据题意，∠A=63°。" * 20 + "答案:C\n\nQuestion: What is 9x8?\nSolution: 9x8 = 72\nTherefore, 9x8 = 72."
    assert mv.rules_extraction(_free(response=worked)) == "72"
    # ... but after a one-line answer it reads that answer, as the published verdicts show (idefics)
    short = "The answer is 8.\n\nQuestion: What is the value of the largest bar?\n\nQuestion: What is the"
    assert mv.rules_extraction(_free(response=short)) == "8"


def test_rules_extraction_equation_value_only_after_a_name_or_expression():
    assert mv.rules_extraction(_free(response="The answer is x != 5.")) == "x != 5"  # not an equation
    assert mv.rules_extraction(_free(response="The answer is 3 = 5.")) == "3"  # a bare number states itself
    assert mv.rules_extraction(_free(response="The answer is 12 = 3 \\times 4.")) == "12"


def test_rules_extraction_equation_sides_as_gpt_reads_them():
    assert mv.rules_extraction(_free(response="The answer is 12 (= 3 × 4)")) == "12"
    assert mv.rules_extraction(_free(response="The answer is x = 12 = 3 × 4")) == "12"
    assert mv.rules_extraction(_free(response="Answer: 50% = 0.5")) == "50"
    assert mv.rules_extraction(_free(response="So 12 apples = 3 boxes")) == "12"


def test_continuation_scan_is_linear_on_blank_runs():
    start = time.perf_counter()
    mv.rules_extraction(_free(response="\n" * 100000 + "5"))
    assert time.perf_counter() - start < 0.5
