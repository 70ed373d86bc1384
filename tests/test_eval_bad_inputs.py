"""Malformed results files and datasets for ``mmagrae eval score`` / ``eval run``: any JSON value in a response,
category or gold field, tables with line breaks inside cells, duplicate ids, broken lmms-eval samples and
``--data`` copies, a corrupt We-Math knowledge-nodes file. Each is one line naming the file and the item (or
line), exit status 2, no traceback, nothing written (docs/EVAL.md, "Scoring a results file")."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from eval import formats
from mmagrae.cli import main
from mmagrae.preflight import UserError
from tests.eval_cli import error_line, refused, write


def _scores(tmp_path, bench, src, *extra, mode="rules") -> dict:
    out = tmp_path / f"scores_{src.stem}_{mode}.json"
    assert main(["eval", "score", bench, "--input", str(src), "--mode", mode, "--out", str(out), *extra]) == 0
    return json.loads(out.read_text())


def _mathvista(pid: str, **extra):
    return {"pid": pid, "question": "q", "answer": "2", "question_type": "free_form", "answer_type": "integer",
            "precision": None, "choices": None, "response": "The answer is 2", "extraction": "2",
            "metadata": {"language": "english", "skills": ["arithmetic reasoning"]}, **extra}


def _chart(i: int, **extra):
    return {"id": str(i), "query": "How many?", "label": ["12"], "type": "human_test",
            "response": "The answer is 12", **extra}


# --------------------------------------------------------------------------------------------- item 1: responses
@pytest.mark.parametrize("response, expected", [
    (["The answer is 2", "2"], "item 2: field 'response' is a list; MathVista results hold one response"),
    ({"x": 1}, "item 2: field 'response' must be text or a list of texts, got dict"),
    (True, "item 2: field 'response' must be text or a list of texts, got bool"),
])
def test_mathvista_response_that_is_not_text_is_one_line(tmp_path, capsys, response, expected):
    src = write(tmp_path / "output.json", {"1": _mathvista("1"), "2": _mathvista("2", response=response)})
    assert expected in refused(tmp_path, capsys, "mathvista", src)


@pytest.mark.parametrize("bench", ["chartqa", "mathvision", "geometry3k"])
@pytest.mark.parametrize("response, expected", [
    ({"x": 1}, "field 'response' must be text or a list of texts, got dict"),
    (False, "field 'response' must be text or a list of texts, got bool"),
    ([["a"]], "response 0 of the list must be text, got list"),
    (["a", None], "response 1 of the list must be text, got null"),
])
def test_other_benchmarks_refuse_a_response_that_is_not_text(tmp_path, capsys, bench, response, expected):
    row = {"chartqa": _chart(7), "mathvision": {"id": "7", "question": "q", "options": [], "answer": "12",
                                                 "level": 1, "subject": "algebra"},
           "geometry3k": {"id": "7", "problem": "q", "answer": "12"}}[bench]
    src = write(tmp_path / "r.json", [{**row, "response": response}])
    assert f"item 7: {expected}" in refused(tmp_path, capsys, bench, src)


def test_null_response_is_an_empty_response_counted_in_a_warning(tmp_path, capsys):
    # before: null became the text "None", which matched the label "None"
    src = write(tmp_path / "r.json", [_chart(0, label=["None"], response=None), _chart(1)])
    scores = _scores(tmp_path, "chartqa", src)
    assert scores["correct"] == 1 and scores["total"] == 2
    assert "1 of 2 items have a null response" in capsys.readouterr().err


# -------------------------------------------------------------------------------------- item 2: empty response list
def test_empty_response_list_is_one_line(tmp_path, capsys):
    src = write(tmp_path / "r.json", [_chart(0), _chart(1, response=[])])
    assert "item 1: field 'response' is an empty list (no samples)" in refused(tmp_path, capsys, "chartqa", src)


@pytest.mark.parametrize("resps", [[], [[]]])
def test_lmms_eval_empty_filtered_resps_names_the_line(tmp_path, capsys, resps):
    lines = [{"doc_id": i, "target": "12", "filtered_resps": ["12"], "relaxed_human_split": 1.0} for i in range(3)]
    lines[2]["filtered_resps"] = resps
    src = write(tmp_path / "samples_chartqa.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    line = refused(tmp_path, capsys, "chartqa", src, mode="official")
    assert "line 3: field 'response' is an empty list" in line


# ------------------------------------------------------------------------------------------------ item 5: tables
def test_tsv_and_csv_cells_keep_line_breaks_and_separators(tmp_path):
    tsv = write(tmp_path / "r.tsv", 'index\tquestion\tanswer\tprediction\n'
                                     '0\tHow many?\t7\t"Answer: 7\n3 bars are taller."\n'
                                     '1\tHow many?\t12\tThe answer\u2028is 12\n')
    rows = formats.read_table(tsv)
    assert [r["prediction"] for r in rows] == ["Answer: 7\n3 bars are taller.", "The answer\u2028is 12"]
    csv = write(tmp_path / "r.csv", 'index,question,answer,prediction\r\n0,q,12,"The answer\x85is\x0c 12"\r\n'
                                     '1,q,5,"It is\r\n5"\r\n')
    assert [r["prediction"] for r in formats.read_table(csv)] == ["The answer\x85is\x0c 12", "It is\r\n5"]


def test_tsv_with_a_line_break_inside_a_cell_is_scored_as_the_json_copy(tmp_path):
    tsv = write(tmp_path / "r.tsv", 'index\tquestion\tanswer\tprediction\n'
                                     '0\tHow many?\t7\t"Answer: 7\n3 bars are taller."\n')
    assert _scores(tmp_path, "chartqa", tsv)["accuracy"] == 100.0


# --------------------------------------------------------------------------------------- item 6: duplicate ids
def test_duplicate_pids_in_a_mathvista_list_are_one_line(tmp_path, capsys):
    src = write(tmp_path / "output.json", [_mathvista("1"), _mathvista("2"), _mathvista("2")])
    assert "items 1 and 2 (counting from 0) both have id '2'" in refused(tmp_path, capsys, "mathvista", src,
                                                                          mode="official")


def test_an_item_without_pid_colliding_with_another_pid_is_one_line(tmp_path, capsys):
    no_pid = {k: v for k, v in _mathvista("x").items() if k != "pid"}  # keyed by its position, 0
    src = write(tmp_path / "output.json", [no_pid, _mathvista("0")])
    assert "items 0 and 1 (counting from 0) both have id '0'" in refused(tmp_path, capsys, "mathvista", src)


def test_duplicate_index_in_a_table_and_ids_in_other_benchmarks(tmp_path, capsys):
    tsv = write(tmp_path / "r.tsv", "index\tquestion\tanswer\tprediction\n1\tq\t12\t12\n1\tq\t5\t5\n")
    assert "both have id '1'" in refused(tmp_path, capsys, "chartqa", tsv)
    src = write(tmp_path / "r.json", [_chart(3), _chart(3)])
    assert "items 0 and 1 (counting from 0) both have id '3'" in refused(tmp_path, capsys, "chartqa", src)


# ------------------------------------------------------------------------------- items 7 and 16: eval run datasets
@pytest.fixture
def no_model_loads(monkeypatch):
    import mmagrae.rollout

    def refuse(*args, **kwargs):
        raise AssertionError("a model was about to load")

    monkeypatch.setattr(mmagrae.rollout, "build_engine", refuse)


def _mathvista_data(folder, edit):
    (folder / "images").mkdir(parents=True)
    items = {}
    for i in range(1, 4):
        Image.new("RGB", (16, 16), (40 * i, 0, 0)).save(folder / "images" / f"{i}.png")
        items[str(i)] = {"pid": str(i), "question": f"What is {i}+1?", "image": f"images/{i}.png", "choices": None,
                         "unit": None, "precision": None, "answer": str(i + 1), "question_type": "free_form",
                         "answer_type": "integer", "metadata": {"language": "english", "skills": ["arithmetic"]}}
    edit(items)
    (folder / "testmini.json").write_text(json.dumps(items))
    return folder


@pytest.mark.parametrize("edit, expected", [
    (lambda items: items["1"].update(pid="2"), "rows 0 and 1 of the split (counting from 0) both have id '2'"),
    (lambda items: items.update({"4": 7}), "testmini.json: item 4: expected a JSON object, got int"),
    (lambda items: items["2"].pop("answer"), "row id '2': missing field 'answer'"),
    (lambda items: items["2"].update(answer=None), "row id '2': missing field 'answer' (it is null)"),
])
def test_eval_run_bad_dataset_rows_are_one_line_before_anything_runs(tmp_path, capsys, no_model_loads, edit,
                                                                     expected):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    data = _mathvista_data(tmp_path / "data", edit)
    out = tmp_path / "ev"
    assert main(["eval", "run", "--benchmark", "mathvista", "--model", str(model), "--data", str(data),
                 "--out", str(out)]) == 2
    assert expected in error_line(capsys)
    assert not out.exists()


def test_check_rows_allows_a_split_whose_answers_are_all_hidden():
    from eval.checks import check_rows

    check_rows("mathvista", "test", [{"id": "1", "answer": ""}, {"id": "2", "answer": None}])
    with pytest.raises(UserError, match="row id '2': missing field 'answer'"):
        check_rows("chartqa", "x", [{"id": "1", "label": ["3"]}, {"id": "2", "label": [None]}])


# --------------------------------------------------------------------------------------- item 11: lmms-eval lines
def _lmms(tmp_path, edit, name="samples_chartqa.jsonl"):
    lines = [{"doc_id": i, "target": "12", "filtered_resps": ["12"], "relaxed_human_split": 1.0} for i in range(7)]
    edit(lines[5])
    return write(tmp_path / name, "\n".join(json.dumps(x) for x in lines) + "\n")


@pytest.mark.parametrize("edit, expected", [
    (lambda x: x.pop("doc_id"), "line 6: lmms-eval sample without 'doc_id'"),
    (lambda x: x.pop("filtered_resps"), "line 6: lmms-eval sample without 'filtered_resps' or 'resps'"),
    (lambda x: x.update(doc_id="abc"), "line 6: doc_id 'abc' is not a row number"),
    (lambda x: x.update(doc_id=1), "line 2 and line 6 both have doc_id 1"),
])
def test_every_lmms_eval_line_is_checked(tmp_path, capsys, edit, expected):
    assert expected in refused(tmp_path, capsys, "chartqa", _lmms(tmp_path, edit), mode="official")


def test_lmms_eval_doc_id_not_a_number_with_data_is_one_line(tmp_path, capsys):
    (tmp_path / "MATH-V" / "data").mkdir(parents=True)
    write(tmp_path / "MATH-V" / "data" / "test.jsonl", json.dumps({"id": "1", "question": "q", "options": [],
                                                                   "answer": "3", "level": 1, "subject": "a"}))
    src = write(tmp_path / "samples.jsonl", json.dumps({"doc_id": "abc", "target": "3", "filtered_resps": ["3"]}))
    line = refused(tmp_path, capsys, "mathvision", src, "--data", str(tmp_path / "MATH-V"), mode="official")
    assert "line 1: doc_id 'abc' is not a row number" in line


# ---------------------------------------------------------------------------------- item 12: eval score --data
def _mathv_data(root, split="test", text=None):
    (root / "data").mkdir(parents=True)
    row = {"id": "1", "question": "q", "options": [], "answer": "3", "level": 1, "subject": "a"}
    return write(root / "data" / f"{split}.jsonl", text if text is not None else json.dumps(row) + "\n")


@pytest.mark.parametrize("text, expected", [
    ('{"id": "1", "answer": "3"}\n{bad json\n', "data/test.jsonl: line 2: not valid JSON"),
    ('{"question": "q", "answer": "3"}\n', "data/test.jsonl: line 1: missing field 'id'"),
    ('[1, 2]\n', "data/test.jsonl: line 1: expected a JSON object"),
])
def test_broken_data_rows_name_the_file_and_line(tmp_path, capsys, text, expected):
    _mathv_data(tmp_path / "MATH-V", text=text)
    src = write(tmp_path / "out.jsonl", json.dumps({"id": "1", "response": "3", "model_answer": "3"}))
    assert expected in refused(tmp_path, capsys, "mathvision", src, "--data", str(tmp_path / "MATH-V"),
                                mode="official")


def test_data_without_the_split_names_the_files_found_and_split_joins_testmini(tmp_path, capsys):
    _mathv_data(tmp_path / "MATH-V", split="testmini")
    src = write(tmp_path / "out.jsonl", json.dumps({"id": "1", "response": "3", "model_answer": "3"}))
    line = refused(tmp_path, capsys, "mathvision", src, "--data", str(tmp_path / "MATH-V"), mode="official")
    assert "found: data/testmini.jsonl" in line and "--split testmini" in line
    scores = _scores(tmp_path, "mathvision", src, "--data", str(tmp_path / "MATH-V"), "--split", "testmini",
                     mode="official")
    assert scores["correct"] == 1
    assert "unknown split 'bogus'" in refused(tmp_path, capsys, "mathvision", src, "--data",
                                               str(tmp_path / "MATH-V"), "--split", "bogus")


# ------------------------------------------------------------------------------ item 13: We-Math knowledge nodes
@pytest.mark.parametrize("nodes, expected", [
    ("{not json", "knowledge_structure_nodes.json: not a readable knowledge_structure_nodes.json"),
    (json.dumps([{"full node": "M_a_c1"}]), "knowledge_structure_nodes.json: item 0: needs 'full node' and 'root2'"),
    ("7", "knowledge_structure_nodes.json: expected a JSON list of nodes"),
])
def test_corrupt_knowledge_nodes_beside_a_wemath_input(tmp_path, capsys, nodes, expected):
    from eval import wemath

    write(tmp_path / "knowledge_structure_nodes.json", nodes)
    src = write(tmp_path / "results.json", [{"ID": "1", "key": "2steps_1", "knowledge concept": "c1",
                                              "option": "A. 1;B. 2", "answer": "A", "response": "<Answer>: A"}])
    try:
        line = refused(tmp_path, capsys, "wemath", src)
    finally:
        wemath.set_knowledge_nodes(None)
    assert expected in line and str(tmp_path / "knowledge_structure_nodes.json") in line


# -------------------------------------------------------------------------------------- item 14: category fields
@pytest.mark.parametrize("bench, row, field", [
    ("mathverse", {"sample_index": "1", "question": "q", "answer": "3", "question_type": "free-form",
                   "problem_version": {"k": "v"}, "metadata": {"subject": "a", "subfield": "b"}}, "problem_version"),
    ("mathvision", {"id": "1", "question": "q", "options": [], "answer": "3", "level": 1, "subject": {"k": "v"}},
     "subject"),
    ("wemath", {"ID": "1", "key": "2steps_1", "knowledge concept": {"k": "v"}, "option": "A. 1;B. 3",
                "answer": "B"}, "knowledge concept"),
    ("mathvista", _mathvista("1", metadata={"category": {"k": "v"}}), "category"),
    ("mathvista", _mathvista("1", metadata={"skills": [{"k": "v"}]}), "skills"),
])
def test_a_category_field_holding_an_object_is_one_line(tmp_path, capsys, bench, row, field):
    src = write(tmp_path / "r.json", [{"response": "The answer is 3", **row}])
    item = "item 0" if bench == "wemath" else "item 1"  # We-Math rows have no id: named by position
    assert f"{item}: field {field!r} must be" in refused(tmp_path, capsys, bench, src)


def test_list_categories_still_count_under_each_value(tmp_path):
    rows = [{"id": "1", "problem": "q", "answer": "3", "problem_type_goal": ["Length", "Angle"],
             "response": "The answer is 3"}]
    scores = _scores(tmp_path, "geometry3k", write(tmp_path / "g.json", rows))
    assert set(scores["categories"]["goal"]) == {"Length", "Angle"}


# --------------------------------------------------------------------------------------------- item 17: null gold
@pytest.mark.parametrize("bench, row, field", [
    ("mathvision", {"id": "1", "question": "q", "options": [], "answer": None, "level": 1, "subject": "a"}, "answer"),
    ("geometry3k", {"id": "1", "problem": "q", "answer": None}, "answer"),
    ("chartqa", {"id": "1", "query": "q", "label": [None]}, "label"),
    ("mathverse", {"sample_index": "1", "question": "q", "answer": None, "question_type": "free-form"}, "answer"),
    ("wemath", {"ID": "1", "key": "2steps_1", "option": "A. 1;B. 3", "answer": None}, "answer"),
    ("mathvista", _mathvista("1", answer=None), "answer"),
])
def test_a_null_gold_is_a_missing_field(tmp_path, capsys, bench, row, field):
    # before: null was compared as the text "None", so "The answer is None" counted as right
    src = write(tmp_path / "r.json", [{**row, "response": "The answer is None", "extraction": "None"}])
    item = "item 0" if bench == "wemath" else "item 1"  # We-Math rows have no id: named by position
    for mode in ("rules", "official"):
        assert f"{item}: missing field {field!r}" in refused(tmp_path, capsys, bench, src, mode=mode)


def test_check_items_unit():
    from eval.checks import check_items

    logs = []
    items = [{"id": "1", "response": 12, "label": ["12"]}, {"id": "2", "response": None, "label": ["3"]}]
    check_items("chartqa", "r.json", items, log=logs.append)
    assert [it["response"] for it in items] == ["12", ""] and len(logs) == 1
    with pytest.raises(UserError, match="line 4: field 'response' is an empty list"):
        check_items("chartqa", "r.jsonl", [{"response": [], "label": ["1"]}], names=["line 4"])
    with pytest.raises(UserError, match="field 'key' must be text or a number, got dict"):
        check_items("wemath", "w.json", [{"ID": "1", "key": {"k": 1}, "answer": "A", "response": "A"}])


# ------------------------------------------------------------------------------ left by the first pass (lead)
def test_duplicate_ids_in_the_data_split_cannot_be_joined(tmp_path, capsys):
    row = {"id": "1", "question": "q", "options": [], "answer": "3", "level": 1, "subject": "a"}
    _mathv_data(tmp_path / "MATH-V", text=json.dumps(row) + "\n" + json.dumps({**row, "answer": "4"}) + "\n")
    src = write(tmp_path / "out.jsonl", json.dumps({"id": "1", "response": "3", "model_answer": "3"}))
    line = refused(tmp_path, capsys, "mathvision", src, "--data", str(tmp_path / "MATH-V"), mode="official")
    assert "rows 0 and 1 of the split (counting from 0) both have id '1'" in line


def test_a_line_separator_inside_a_jsonl_string_stays_in_its_line(tmp_path):
    from mmagrae.preflight import iter_jsonl

    text = json.dumps({"id": "1", "response": "The answer\u2028is 12\x85."}, ensure_ascii=False) + "\n"
    assert [v["response"] for _, v in iter_jsonl(tmp_path / "x.jsonl", text)] == ["The answer\u2028is 12\x85."]


def test_the_eval_score_card_records_the_split(tmp_path):
    _mathv_data(tmp_path / "MATH-V", split="testmini")
    src = write(tmp_path / "out.jsonl", json.dumps({"id": "1", "response": "3", "model_answer": "3"}))
    _scores(tmp_path, "mathvision", src, "--data", str(tmp_path / "MATH-V"), "--split", "testmini", mode="official")
    card = json.loads((tmp_path / "eval_card.json").read_text())
    assert card["split"] == "testmini"
