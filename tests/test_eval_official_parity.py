"""Official mode = the benchmarks' own scoring code, quirk by quirk (hand-built items, hand-computed numbers).

Each case here was checked against the official script during development (MathVerse
``score_answer_s2.py``, We-Math ``four_dimensional_metrics.py`` / ``accuracy.py``, pix2struct / lmms-eval
``relaxed_correctness``, MATH-V ``evaluate.py`` + ``utils.py``); the items are synthetic.
"""

from __future__ import annotations

import pytest

from eval import chartqa, mathverse, wemath


# ----------------------------------------------------------------------------------------------- MathVerse
def _mv(subject, subfield, judgement, version="Text Dominant", key="metadata"):
    return {"answer": "1", "problem_version": version, "judgement": judgement,
            key: {"subject": subject, "subfield": subfield}}


def test_mathverse_same_subfield_in_two_subjects_is_two_cells():
    rows = [_mv("Plane Geometry", "Length", 1), _mv("Plane Geometry", "Length", 0),
            _mv("Solid Geometry", "Length", 1, "Vision Only"), _mv("Functions", "Applied", 0, key="category"),
            _mv("Plane Geometry", "Applied", 1)]
    correct = [[mathverse.judge(r, "", "official").correct] for r in rows]
    t = mathverse.official_tables(rows, correct)
    assert list(t["subjects"]) == ["Plane Geometry", "Solid Geometry", "Functions"]  # first-seen order
    pg = t["subjects"]["Plane Geometry"]
    assert (pg["correct"], pg["total"], pg["accuracy"]) == (2, 3, "0.667")
    assert pg["subfields"]["Length"] == {"accuracy": "0.500", "correct": 1, "total": 2}
    assert t["subjects"]["Solid Geometry"]["subfields"]["Length"] == {"accuracy": "1.000", "correct": 1, "total": 1}
    assert t["subjects"]["Functions"]["subfields"]["Applied"]["total"] == 1  # from "category", the script's key
    assert t["versions"]["Vision Only"] == {"accuracy": "1.000", "correct": 1, "total": 1}
    assert t["total"] == {"accuracy": "0.600", "correct": 3, "total": 5}
    # the generic tables keep the cells apart too
    cats = [mathverse.categories(r)["subfield"] for r in rows]
    assert cats[:3] == ["Plane Geometry-Length", "Plane Geometry-Length", "Solid Geometry-Length"]


@pytest.mark.parametrize(
    ("fields", "ok"),
    [({"judgement": 1}, True), ({"judgement": True}, True), ({"judgement": 1.0}, True),
     ({"judgement": "1"}, False),  # cached string judgement: "1" == 1 is False in the official script
     ({"judgement": 0, "extraction": "14"}, False),  # a judgement wins over the extraction
     ({"extraction": "14"}, True), ({"extraction": "14 "}, False), ({"extraction": 14}, False),  # quick match
     ({}, False)],
)
def test_mathverse_official_verdict(fields, ok):
    row = {"answer": "14", "metadata": {"subject": "S", "subfield": "F"}, **fields}
    assert mathverse.judge(row, "", "official").correct is ok


def test_mathverse_official_without_extraction_quick_matches_the_response():
    row = {"answer": "B", "model_answer": "B"}
    assert mathverse.judge(row, "", "official").correct
    assert not mathverse.judge(row, "The answer is B", "official").correct


# ------------------------------------------------------------------------------------------------- ChartQA
@pytest.mark.parametrize(
    ("pred", "gold", "ok"),
    [("Blue\n", "blue", False), ("blue ", "Blue", False), (" 12", "12", True), ("12\n", "12.3", True),
     ("5% ", "0.05", False), ("5%", "0.05", True), ("0.0", "0", False), ("nan", "nan", False),  # parses as a float, and nan is never within 5%
     ("1000", ["10", "1000"], True), ("7", ["10", "1000"], False)],
)
def test_chartqa_official_does_not_strip(pred, gold, ok):
    assert chartqa.official_correct(pred, gold) is ok
    label = gold if isinstance(gold, list) else [gold]
    assert chartqa.judge({"label": label, "prediction": pred}, "", "official").correct is ok


def test_chartqa_rules_mode_strips():
    assert chartqa.relaxed_correct("Blue\n", "blue") and chartqa.relaxed_correct("5% ", "0.05")


def test_chartqa_subsets_from_lmms_eval_and_vlmevalkit_fields():
    assert chartqa.categories({"type": "human_test"}) == {"subset": "human"}
    assert chartqa.categories({"type": "augmented_test"}) == {"subset": "augmented"}
    assert chartqa.categories({"split": "augmented"}) == {"subset": "augmented"}


# -------------------------------------------------------------------------------------------------- We-Math
def _wm(cid, key, ok, concept="c"):
    return {"ID": cid, "key": key, "knowledge concept": concept}, [ok]


def _four(items, nodes=None):
    rows = [r for r, _ in items]
    correct = [c for _, c in items]
    wemath.set_knowledge_nodes(nodes)
    try:
        return wemath.four_dimensional(rows, correct)
    finally:
        wemath.set_knowledge_nodes(None)


def test_wemath_composite_without_its_first_row_does_not_exist():
    m = _four([_wm("2steps_1", "2steps_2", True), _wm("2steps_1", "2steps_multi", True),
               _wm("2steps_2", "2steps_1", False), _wm("2steps_2", "2steps_2", False),
               _wm("2steps_2", "2steps_multi", True)])
    assert m["composites"] == 1  # only 2steps_2 has its 2steps_1 row
    assert m["counts"] == {"IK": 0, "IG": 0, "CM_strict": 0, "CM_loose": 0, "RM_strict": 1, "RM_loose": 1}
    assert m["official"]["RoteMemorization (Strict)"] == "100.00% (1)"
    assert m["official"]["Score (Strict)"] == f"{(525 - 1) / 525:.2%}" == "99.81%"
    assert m["accuracy"]["One-step(S1)"] == "0.00%" and m["accuracy"]["Two-step(S2)"] == "100.00%"
    assert m["accuracy"]["Three-step(S3)"] == "nan%"  # an empty mean, printed as the script prints it


def test_wemath_missing_multi_counts_nowhere_and_duplicates_multiply():
    m = _four([_wm("3steps_1", "3steps_1", True), _wm("3steps_1", "3steps_2", True), _wm("3steps_1", "3steps_3", True),
               _wm("2steps_5", "2steps_1", True), _wm("2steps_5", "2steps_2", False),
               _wm("2steps_5", "2steps_multi", False), _wm("2steps_5", "2steps_multi", True)])
    assert m["composites"] == 3  # one 3-step (no multi) + the 2-step joined twice with its two multi rows
    assert m["counts"]["IK"] == 1 and m["counts"]["RM_strict"] == 1 and m["counts"]["CM_loose"] == 1
    assert m["counts"]["IG"] == 0 and m["counts"]["CM_strict"] == 0
    assert m["S3"] == 0.0 and m["accuracy"]["Three-step(S3)"] == "nan%"
    assert m["accuracy"]["Two-step(S2)"] == "50.00%"
    # S1: 3-step subs T, T, T + the 2-step subs (T, F) twice -> 5 / 7
    assert m["accuracy"]["One-step(S1)"] == f"{5 / 7:.2%}"


def test_wemath_domain_table_is_a_mean_of_concept_means():
    nodes = [{"full node": "M_Units_Length units", "root2": "Units"},
             {"full node": "M_Units_Area units", "root2": "Units"},
             {"full node": "M_Shapes_Circles", "root2": "Shapes"},
             {"full node": "M_Shapes_Unused", "root2": "Shapes"}]
    m = _four([_wm("2steps_1", "2steps_1", True, "Length units"), _wm("2steps_1", "2steps_2", False, "Area units"),
               _wm("2steps_1", "2steps_multi", True, "Length units;Area units"),
               _wm("2steps_2", "2steps_1", True, "Length units"), _wm("2steps_2", "2steps_2", True, "Circles"),
               _wm("2steps_2", "2steps_multi", False, "x"),
               _wm("2steps_3", "2steps_1", True, "Not a node"), _wm("2steps_3", "2steps_2", True, "Circles"),
               _wm("2steps_3", "2steps_multi", False, "x")], nodes)
    # Length units 2/2, Area units 0/1 -> Units = mean(1.0, 0.0); Circles 2/2, Unused has no rows -> Shapes = 1.0
    assert m["accuracy"]["Units"] == "50.00%" and m["accuracy"]["Shapes"] == "100.00%"
    assert list(m["accuracy"])[3:] == ["Shapes", "Units"]  # sorted by name, after S1/S2/S3
    assert m["accuracy"]["One-step(S1)"] == f"{5 / 6:.2%}"


def test_wemath_knowledge_nodes_errors(tmp_path):
    bad = tmp_path / "nodes.json"
    bad.write_text('[{"root2": "x"}]')
    with pytest.raises(ValueError, match="item 0: needs 'full node' and 'root2'"):
        wemath.set_knowledge_nodes(bad)
    with pytest.raises(ValueError, match="not a readable"):
        wemath.set_knowledge_nodes(tmp_path / "missing.json")


# ---------------------------------------------------------------------------------------------- MATH-Vision
@pytest.mark.parametrize(
    ("answer", "gold", "ok"),
    [("96", "$3 \\cdot 2^{5}$", True), ("2.49", "6(\\sqrt{2}-1)", True), ("6(\\sqrt{2}-1)", "$6(\\sqrt{2}-1)$", True),
     ("4/3", "\\frac{4}{3}", True), ("1.33", "\\frac{4}{3}", True), ("1.34", "\\frac{4}{3}", False),
     ("-2", "$-\\!2$", False),  # \! does not parse officially
     ("5.so,thesumis5", "5", True), ("\\frac{1}{2}.theansweris\\boxed{d", "$\\frac{1}{2}$", True),  # stops at "."
     ("3.5x", "3.5", False), ("\\frac{\\sqrt{21}}{5}}isthevalueof\\sin{t", "\\frac{\\sqrt{21}}{5}", True),
     ("\\displaystyle\\frac{3}{4}", "$\\displaystyle \\frac{3}{4}$", True), ("0.75", "$\\displaystyle \\frac{3}{4}$", True),
     ("2.72", "e", False), ("7.39", "e^2", True), ("0.69", "\\ln 2", False), ("0.3", "\\log 2", True),
     ("(2,3)", "(4/2,3)", False), ("(2.0,3)", "(4/2,3)", False), ("(2,3)", "(2.0, 3)", True),  # 2 vs 2.0 printed
     ("(1,\\infty)", "(1, \\infty)", False), ("(1,\\infty)", "(1,\\infty)", True),
     ("1000", "1,000", True), ("15", "1,5", False), ("3", "x=3", True), ("3", "2x=6", False),
     ("30", "30^\\circ", False), ("0.5", "50\\%", True), ("0.5", "50%", False), ("64", "2^3^2", True),
     ("1.41", "\\sqrt2", False), ("1.41", "\\sqrt{2}", True), ("120", "5!", True), ("10", "\\binom{5}{2}", True),
     ("0.13", "$13\\%$", True), ("0.13", "$13 \\%$", False),  # the percent belongs to the number token
     ("2.02", "$\\frac{1}{2}\\csc{\\frac{1}{4}}$", False), ("0.25", "\\arcsin{\\frac{1}{4}}", True),  # no csc in math
     ("2.72", "\\exp(1)", False), ("7.39", "\\exp(2)", True),  # exp(1) prints as E
     ("\\{3\\}", "$3$", True), ("\\{2,3\\}", "[2,3]", False),
     ("1", "6/2 3", True), ("9", "6/2\\cdot3", True), ("40320", "2^3!", True), ("24", "4!^0", True),  # precedence
     ("-0.28", "\\sin 2\\cdot 3", True), ("2.73", "\\sin(2)3", True), ("4", "\\log 100\\log 100", True),
     ("4", "\\log 100 \\sqrt{4}", True), ("1.88", "\\log 100\\frac{3}{4}", True), ("24000", "1,0004!", True),
     ("4", "2\\cdotx", False), ("1.41", "2^.5", True), ("1.41", "2^\\frac{1}{2}", False)],
)
def test_mathvision_is_equal_matches_the_official_code(answer, gold, ok):
    from eval.mathvision_official import is_equal

    assert is_equal(answer, gold) is ok


@pytest.mark.parametrize(
    ("response", "model_answer"),
    [("The answer is 5.", "5"), ("So the final answer is \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}"),
     ("We get \\boxed{3} and then \\boxed{4}", "4"), ("Therefore the answer is (B).", "b"),
     ("The correct answer is C. Because x", "c"), ("x = \\boxed{2\\sqrt{3}}", "2\\sqrt{3}"),
     ("B\nbecause", "b"), ("... so it is 12.5.", "12.5"), ("\\boxed{0.5}", "\\frac{1}{2}"), ("\\boxed{3/4}", "\\frac{3}{4}"),
     ("\\boxed{\\text{(E)}\\ 6(\\sqrt{2}-1)}", "e\\6(\\sqrt{2}-1)"), ("\\boxed{90^{\\circ}}", "90"),
     ("\\boxed{\\dfrac{1}{2}\\sqrt3}", "\\frac{1}{2}\\sqrt{3}"), ("\\boxed{5 \\text{ km}}", "5"), ("", "")],
)
def test_mathvision_official_extraction(response, model_answer):
    from eval.mathvision_official import extract_answer

    assert extract_answer(response) == model_answer


def test_mathvision_official_mode_extracts_when_only_responses_are_given():
    from eval import mathvision

    row = {"answer": "B", "options": ["1", "$3 \\cdot 2^{5}$"]}
    assert mathvision.judge(row, "The product is \\boxed{96}", "official").correct
    assert mathvision.judge({**row, "model_answer": "95"}, "The product is \\boxed{96}", "official").correct is False
