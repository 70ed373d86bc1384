"""``mmagrae eval score BENCH --input FILE`` on other frameworks' result files (layouts built here, as
lmms-eval ``--log_samples`` and VLMEvalKit write them; synthetic items)."""

from __future__ import annotations

import json

import openpyxl
import pytest

from eval import formats
from mmagrae.cli import main
from mmagrae.preflight import UserError


def _score(tmp_path, bench, path, mode="official", *extra):
    out = tmp_path / f"scores_{bench}_{mode}.json"
    assert main(["eval", "score", bench, "--input", str(path), "--mode", mode, "--out", str(out), *extra]) == 0
    return json.loads(out.read_text())


def _xlsx(path, header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def test_lmms_eval_chartqa_samples_official_and_rules(tmp_path):
    # newer lmms-eval drops "doc": the target is the answer, the metric names say the subset
    lines = [
        {"doc_id": 0, "target": "12", "filtered_resps": ["12"], "relaxed_overall": 1.0, "relaxed_human_split": 1.0},
        {"doc_id": 1, "target": "Blue", "filtered_resps": ["blue\n"], "relaxed_overall": 0.0,
         "relaxed_augmented_split": 0.0},
        {"doc_id": 2, "target": "0.5", "resps": [["The answer is 50%"]], "filtered_resps": ["The answer is 50%"],
         "relaxed_overall": 0.0, "relaxed_augmented_split": 0.0},
    ]
    path = tmp_path / "20260101_samples_chartqa.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    official = _score(tmp_path, "chartqa", path)
    assert official["correct"] == 1  # "blue\n" is not "Blue" without stripping
    assert official["categories"]["subset"]["human"]["correct"] == 1
    assert official["categories"]["subset"]["augmented"]["total"] == 2
    rules = _score(tmp_path, "chartqa", path, "rules")
    assert rules["correct"] == 3


def test_vlmevalkit_wemath_xlsx(tmp_path):
    header = ["index", "ID", "split", "knowledge concept", "question", "option", "answer", "key", "prediction"]
    opt = "A. ①; ③;B. ②; ③;C. ①; ②;D. ③"
    rows = [[0, "2steps_1", "testmini", "c1", "q", opt, "B", "2steps_1", "<Thought process>: x <Answer>: <B>"],
            [1, "2steps_1", "testmini", "c2", "q", opt, "A", "2steps_2", "<Answer>: A. ①; ③"],
            [2, "2steps_1", "testmini", "c1;c2", "q", opt, "C", "2steps_multi", "<Answer>: <C> because 8"]]
    path = _xlsx(tmp_path / "Model_WeMath.xlsx", header, rows)
    official = _score(tmp_path, "wemath", path)
    m = official["extra"]
    assert official["correct"] == 3 and m["counts"]["CM_strict"] == 1
    assert m["official"]["CompleteMastery (Strict)"] == "0.19% (1)"
    assert _score(tmp_path, "wemath", path, "rules")["correct"] == 3


def test_vlmevalkit_mathverse_judged_xlsx(tmp_path):
    header = ["index", "problem_version", "question", "answer", "question_type", "metadata", "prediction",
              "extract", "score"]
    meta_pg = str({"split": "testmini", "source": "x", "subject": "Plane Geometry", "subfield": "Length"})
    meta_sg = str({"split": "testmini", "source": "x", "subject": "Solid Geometry", "subfield": "Length"})
    rows = [[1, "Text Dominant", "Find AB.\nChoices:\nA:3\nB:4", "B", "multi-choice", meta_pg,
             "So the correct option is B.", "B", True],
            [2, "Vision Only", "", "14", "free-form", meta_sg, "The answer is 15", "15", False]]
    path = _xlsx(tmp_path / "Model_MathVerse_MINI_gpt-4o_score.xlsx", header, rows)
    official = _score(tmp_path, "mathverse", path)
    tables = official["extra"]["subjects"]
    assert tables["Plane Geometry"]["subfields"]["Length"]["correct"] == 1
    assert tables["Solid Geometry"]["subfields"]["Length"] == {"accuracy": "0.000", "correct": 0, "total": 1}
    assert _score(tmp_path, "mathverse", path, "rules")["correct"] == 1


def test_lmms_eval_mathvision_without_doc_needs_data(tmp_path):
    (tmp_path / "data").mkdir()
    items = [{"id": "1", "question": "q", "options": ["1", "$3 \\cdot 2^{5}$"], "answer": "B", "level": 1,
              "subject": "algebra", "image": "images/1.jpg"},
             {"id": "2", "question": "q", "options": [], "answer": "6(\\sqrt{2}-1)", "level": 2,
              "subject": "geometry", "image": "images/2.jpg"}]
    (tmp_path / "data" / "test.jsonl").write_text("\n".join(json.dumps(x) for x in items))
    lines = [{"doc_id": 0, "target": "B", "filtered_resps": ["The product is \\boxed{96}"],
              "mathvision_standard_eval": {"response": ["x"], "scores": [True]}},
             {"doc_id": 1, "target": "6(\\sqrt{2}-1)", "filtered_resps": ["So the answer is 2.49."],
              "mathvision_standard_eval": {"response": ["x"], "scores": [True]}}]
    path = tmp_path / "samples_mathvision_test.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    with pytest.raises(UserError, match="pass --data"):
        formats.read_results_file("mathvision", str(path), lambda p: [json.loads(x) for x in open(p)])
    official = _score(tmp_path, "mathvision", path, "official", "--data", str(tmp_path))
    assert official["correct"] == 2  # 96 = 3·2^5 and 2.49 ≈ 6(√2 − 1), by value
    assert set(official["categories"]["subject"]) == {"algebra", "geometry"}


def test_lmms_eval_mathvista_submission_in_the_metric(tmp_path):
    sub = {"question_id": "7", "query": "q", "choices": None, "answer": "3", "extraction": "3", "prediction": "3",
           "true_false": True, "question_type": "free_form", "answer_type": "integer", "precision": 0,
           "metadata": {"language": "english", "skills": ["arithmetic reasoning"]}}
    line = {"doc_id": 0, "target": "3", "filtered_resps": ["The answer is 3"], "llm_as_judge_eval": sub,
            "submission": sub}
    path = tmp_path / "samples_mathvista_testmini.jsonl"
    path.write_text(json.dumps(line))
    scores = _score(tmp_path, "mathvista", path)
    assert scores["average"]["correct"] == 1


def test_table_errors_name_the_file(tmp_path):
    path = _xlsx(tmp_path / "bad.xlsx", ["index", "answer"], [[1, "A"]])
    with pytest.raises(UserError, match="bad.xlsx: no 'prediction' column"):
        formats.read_table(path)
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a zip")
    with pytest.raises(UserError, match="broken.xlsx: not a readable .xlsx"):
        formats.read_table(broken)
    tsv = tmp_path / "r.tsv"
    tsv.write_text("index\tanswer\tprediction\tlabel\n0\t12\t12 \t['12']\n")
    assert formats.read_table(tsv)[0]["prediction"] == "12 "
    assert formats.normalise_row("chartqa", formats.read_table(tsv)[0])["label"] == ["12"]


def test_mathvision_official_outputs_are_joined_with_the_data_by_id(tmp_path):
    # MATH-V's official outputs/*.jsonl: id, response, model_answer, correct (nothing from the dataset)
    (tmp_path / "data").mkdir()
    items = [{"id": "7", "question": "q", "options": ["A cat", "$\\frac{4}{3}$"], "answer": "B", "level": 3,
              "subject": "metric geometry - area"}]
    (tmp_path / "data" / "test.jsonl").write_text(json.dumps(items[0]))
    out = tmp_path / "Model.jsonl"
    out.write_text(json.dumps({"id": "7", "model": "m", "response": "so it is 4/3", "model_answer": "4/3",
                               "correct": False}))
    scores = _score(tmp_path, "mathvision", out, "official", "--data", str(tmp_path))
    assert scores["correct"] == 1  # 4/3 equals the option \frac{4}{3} by value
    missing = tmp_path / "Other.jsonl"
    missing.write_text(json.dumps({"id": "8", "response": "x", "model_answer": "x"}))
    with pytest.raises(UserError, match="item 0: id '8' is not in the --data split"):
        formats.read_results_file("mathvision", str(missing), lambda p: [json.loads(open(p).read())],
                                  lambda: [{"id": "7", "answer": "B"}])


def test_wemath_domain_table_from_nodes_beside_the_input(tmp_path):
    from eval import wemath

    (tmp_path / "knowledge_structure_nodes.json").write_text(json.dumps(
        [{"full node": "M_Units_c1", "root2": "Units"}, {"full node": "M_Shapes_c2", "root2": "Shapes"}]))
    rows = [{"ID": "2steps_1", "key": k, "knowledge concept": c, "option": "A. 1;B. 2", "answer": "A",
             "response": f"<Answer>: {r}"} for k, c, r in (("2steps_1", "c1", "A"), ("2steps_2", "c2", "B"),
                                                          ("2steps_multi", "c1;c2", "A"))]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(rows))
    try:
        acc = _score(tmp_path, "wemath", path)["extra"]["accuracy"]
    finally:
        wemath.set_knowledge_nodes(None)
    assert acc["Units"] == "100.00%" and acc["Shapes"] == "0.00%" and acc["One-step(S1)"] == "50.00%"


def test_vlmevalkit_mathvision_choices_column(tmp_path):
    header = ["index", "question", "answer", "choices", "category", "level", "prediction", "res"]
    rows = [[1, "q", "B", "['1', '$3 \\\\cdot 2^{5}$']", "algebra", 2, "so \\boxed{96}", "96"],
            [2, "q", "6(\\sqrt{2}-1)", "[]", "geometry", 3, "The answer is 2.5.", "2.5"]]
    path = _xlsx(tmp_path / "Model_MathVision.xlsx", header, rows)
    scores = _score(tmp_path, "mathvision", path)
    assert scores["correct"] == 1 and set(scores["categories"]["subject"]) == {"algebra", "geometry"}


def test_vlmevalkit_wemath_judged_hit_decides_official_and_measures_rules(tmp_path, capsys):
    # VLMEvalKit's judged We-Math table carries "hit" (its GPT-assisted match); its scorer uses
    # df["hit"].astype(bool) instead of the string match, so an empty cell (NaN) counts as right
    header = ["index", "ID", "knowledge concept", "question", "option", "answer", "key", "prediction", "hit"]
    opt = "A. 3 cm;B. 4 cm;C. 8 cm"
    rows = [[0, "2steps_1", "c1", "q", opt, "B", "2steps_1", "The correct option is B.", 1],  # no "Answer"
            [1, "2steps_1", "c2", "q", opt, "A", "2steps_2", "<Answer>: C", 0],
            [2, "2steps_1", "c1;c2", "q", opt, "C", "2steps_multi", "<Answer>: <A>", None]]
    path = _xlsx(tmp_path / "Model_WeMath_gpt-4o-mini.xlsx", header, rows)
    official = _score(tmp_path, "wemath", path)
    assert official["correct"] == 2  # hit 1 and the empty (NaN -> True) cell; the string match would give 0
    assert official["extra"]["counts"]["RM_strict"] == 1  # one sub-problem wrong, the multi-step "right"
    capsys.readouterr()
    rules = _score(tmp_path, "wemath", path, "rules")
    assert rules["correct"] == 1 and rules["rules_agreement"]["agree"] == 2  # B read; the NaN row disagrees
    assert "agreement with the file's own verdicts: 2/3" in capsys.readouterr().out


def test_mathverse_rules_agreement_with_the_judgement(tmp_path, capsys):
    items = [{"sample_index": str(i), "problem_version": "Text Dominant", "question_type": "free-form",
              "metadata": {"subject": "Plane Geometry", "subfield": "Area"}, "answer": gold,
              "model_answer": response, "response": response, "extraction": "x", "judgement": judged}
             for i, (gold, response, judged) in enumerate([
                 ("Area $=9 \\pi \\mathrm{cm}^{2}$", "So the area is $9\\pi$ cm$^2$.", 1),
                 ("domain: [-4, 0) and range: (-3, 1]", "Domain [-4, 0), range (-3, 1).", 0),
                 ("14", "The answer is 14.", 1)])]
    path = tmp_path / "mathverse_judged.json"
    path.write_text(json.dumps(items))
    rules = _score(tmp_path, "mathverse", path, "rules")
    assert rules["rules_agreement"] == {"items": 3, "agree": 3, "agreement": 100.0,
                                        "given_accuracy": pytest.approx(200 / 3), "accuracy": pytest.approx(200 / 3)}
    assert "agreement with the file's own verdicts: 3/3" in capsys.readouterr().out
    assert "rules_agreement" not in _score(tmp_path, "mathverse", path, "official")


def test_lmms_eval_wemath_reasoning_samples_agreement_with_acc_score(tmp_path, capsys):
    # lmms-eval's wemath reasoning task: the row rides in the "wemath_loose" metric with its acc_score
    def sample(i, key, answer, response, acc):
        row = {"ID": "2steps_1", "split": "testmini", "knowledge concept": "c", "question": "q",
               "option": "A. 3 cm;B. 4 cm", "answer": answer, "key": key, "acc_score": acc}
        return {"doc_id": i, "filtered_resps": [response], "wemath_loose": row, "wemath_strict": row,
                "acc_score": acc}

    lines = [sample(0, "2steps_1", "A", "<think>3</think><answer>A</answer>", 1.0),
             sample(1, "2steps_2", "B", "<answer>A</answer>", 0.0),
             sample(2, "2steps_multi", "B", "<answer>B. 4 cm</answer>", 1.0)]
    path = tmp_path / "samples_wemath_testmini_thinking.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    official = _score(tmp_path, "wemath", path)
    assert official["correct"] == 0 and "rules_agreement" not in official  # no "Answer" marker: string match fails
    rules = _score(tmp_path, "wemath", path, "rules")
    assert rules["correct"] == 2 and rules["rules_agreement"]["agree"] == 3
