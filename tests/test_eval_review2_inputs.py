"""Inputs from the second hostile review (items 8, 10, 11, 13): deeply nested valid JSON, lmms-eval doc_ids that
only look like digits, category and gold values of the wrong kind, and category values that would forge Markdown
table rows. Each bad input is one line naming the file (and item or line), exit status 2, no traceback, nothing
written (docs/EVAL.md, "Scoring a results file")."""

from __future__ import annotations

import json

import pytest

from eval import formats
from eval.checks import check_items
from eval.report import markdown, md_cell
from mmagrae.cli import main
from mmagrae.preflight import UserError, iter_jsonl, read_json
from tests.eval_cli import error_line, refused, write

DEEP = "[" * 100_000 + "]" * 100_000


def _refused(tmp_path, capsys, bench, src, mode="rules") -> str:
    return refused(tmp_path, capsys, bench, src, mode=mode, strict=True)


def _chart(i: int, **extra):
    return {"id": str(i), "query": "How many?", "label": ["12"], "type": "human_test", "response": "The answer is 12",
            **extra}


def _mvis(i: int, **extra):
    return {"id": str(i), "question": "q", "options": [], "answer": "2", "level": 1, "subject": "algebra",
            "response": "The answer is 2", **extra}


# ------------------------------------------------------------------------------------ item 8: deeply nested JSON
def test_deeply_nested_json_file_is_one_line(tmp_path, capsys):
    src = write(tmp_path / "deep.json", DEEP)
    assert "nested too deeply" in _refused(tmp_path, capsys, "chartqa", src)
    ok = write(tmp_path / "r.json", json.dumps([_chart(0)])[:-2] + ', "note": ' + "[" * 500 + "]" * 500 + "}]")
    assert main(["eval", "score", "chartqa", "--input", str(ok), "--mode", "rules",
                 "--out", str(tmp_path / "s.json")]) == 0  # nesting Python can read is still read


def test_deeply_nested_jsonl_line_is_one_line_naming_the_line(tmp_path, capsys):
    src = write(tmp_path / "deep.jsonl", json.dumps(_chart(0)) + "\n" + DEEP + "\n")
    assert f"{src}: line 2: lists or objects nested too deeply" in _refused(tmp_path, capsys, "chartqa", src)


@pytest.mark.parametrize("suffix", [".tsv", ".csv"])
def test_deeply_nested_table_cell_is_one_line(tmp_path, capsys, suffix):
    sep = "\t" if suffix == ".tsv" else ","
    text = sep.join(["index", "question", "answer", "prediction", "category"]) + "\n" \
        + sep.join(["0", "q", "12", "12", DEEP]) + "\n"
    src = write(tmp_path / f"vlm{suffix}", text)
    assert "item 0: field 'category': lists or objects nested too deeply" in _refused(tmp_path, capsys, "chartqa",
                                                                                        src)


def test_deeply_nested_cell_in_a_json_item_is_one_line(tmp_path, capsys):
    src = write(tmp_path / "r.json", [_chart(0, category=DEEP)])
    assert "item 0: field 'category': lists or objects nested too deeply" in _refused(tmp_path, capsys, "chartqa",
                                                                                        src)


def test_compare_on_a_deeply_nested_scores_file_is_one_line(tmp_path, capsys):
    src = write(tmp_path / "r.json", [_chart(0)])
    out = tmp_path / "s" / "scores.json"
    assert main(["eval", "score", "chartqa", "--input", str(src), "--mode", "rules", "--out", str(out)]) == 0
    capsys.readouterr()
    out.write_text(DEEP)
    assert main(["eval", "compare", str(out), str(out)]) == 2
    assert f"{out}: lists or objects nested too deeply" in error_line(capsys)


def test_deep_json_readers_raise_user_errors(tmp_path):
    path = write(tmp_path / "d.json", DEEP)
    with pytest.raises(UserError, match="nested too deeply"):
        read_json(path)
    with pytest.raises(UserError, match="line 1: lists or objects nested too deeply"):
        list(iter_jsonl(path))
    for text in (DEEP, "(" * 100_000 + ")" * 100_000 + "x"):  # JSON, then a Python literal
        try:
            formats.parse_literal(text)
        except UserError as err:
            assert "nested too deeply" in str(err)
        except RecursionError:  # pragma: no cover - the bug
            pytest.fail("RecursionError escaped parse_literal")


# ----------------------------------------------------------------------------------- item 10: lmms-eval doc_id
@pytest.mark.parametrize("doc_id", ["²", "٣", "1²", "9" * 5000])
def test_lmms_eval_doc_id_that_is_not_ascii_digits_is_one_line(tmp_path, capsys, doc_id):
    lines = [{"doc_id": 0, "target": "12", "filtered_resps": ["12"], "relaxed_human_split": 1.0},
             {"doc_id": doc_id, "target": "12", "filtered_resps": ["12"], "relaxed_human_split": 1.0}]
    src = write(tmp_path / "samples.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    assert f"{src}: line 2: doc_id" in _refused(tmp_path, capsys, "chartqa", src)


def test_lmms_eval_doc_id_unit():
    formats.check_lmms_eval_samples("s.jsonl", [{"doc_id": " 3 ", "resps": []}, {"doc_id": 4, "resps": []}],
                                    ["line 1", "line 2"])
    with pytest.raises(UserError, match="line 1: doc_id '²' is not a row number"):
        formats.check_lmms_eval_samples("s.jsonl", [{"doc_id": "²", "resps": []}], ["line 1"])


# ------------------------------------------------------------------------------ item 11: categories and golds
@pytest.mark.parametrize("bench, row, expected", [
    ("mathvision", _mvis(1, level={"k": "v"}), "item 1: field 'level' must be text or a number, got dict"),
    ("mathvision", _mvis(1, level=[1, 2]), "item 1: field 'level' must be text or a number, got list"),
    ("chartqa", _chart(1, type={"k": "v"}), "item 1: field 'type' must be text or a number, got dict"),
    ("chartqa", _chart(1, type="bogus"), "item 1: field 'type' is 'bogus'; ChartQA's types are"),
    ("chartqa", _chart(1, human_or_machine=[1]), "item 1: field 'human_or_machine' must be text or a number"),
    ("mathverse", {"sample_index": "1", "question": "q", "answer": "3", "question_type": "free-form",
                   "problem_version": "Text Lite", "metadata": {"subject": {"k": "v"}, "subfield": "b"},
                   "response": "3"}, "item 1: field 'metadata.subject' must be text or a number, got dict"),
    ("geometry3k", {"id": "1", "problem": "q", "answer": "3", "problem_type_goal": [{"k": "v"}], "response": "3"},
     "item 1: field 'problem_type_goal' must be text or a number (or a list of them), got a list holding dict"),
])
def test_a_category_value_of_the_wrong_kind_is_one_line(tmp_path, capsys, bench, row, expected):
    src = write(tmp_path / "r.json", [row])
    assert expected in _refused(tmp_path, capsys, bench, src)


@pytest.mark.parametrize("mode", ["official", "rules"])
@pytest.mark.parametrize("bench, row, expected", [
    ("mathvision", _mvis(1, answer=[], response="The answer is []"), "item 1: missing field 'answer' (it is an empty list)"),
    ("mathvision", _mvis(1, answer=["2"]), "item 1: field 'answer' must be text (one answer), got a list"),
    ("chartqa", _chart(1, label=[]), "item 1: missing field 'label' (it is an empty list)"),
    ("chartqa", _chart(1, label=[{"k": "v"}]), "item 1: field 'label' must be text, got dict"),
])
def test_an_empty_or_list_gold_is_one_line_in_every_mode(tmp_path, capsys, bench, row, expected, mode):
    src = write(tmp_path / "r.json", [row])
    assert expected in _refused(tmp_path, capsys, bench, src, mode=mode)


def test_chartqa_type_must_be_a_known_one(tmp_path, capsys):
    rows = [_chart(0, type="augmented_test"), _chart(1, type="HUMAN_TEST"), _chart(2, type="human")]
    src = write(tmp_path / "r.json", rows)
    out = tmp_path / "s.json"
    assert main(["eval", "score", "chartqa", "--input", str(src), "--mode", "rules", "--out", str(out)]) == 0
    subsets = json.loads(out.read_text())["categories"]["subset"]
    assert subsets["augmented"]["total"] == 1 and subsets["human"]["total"] == 2
    bad = write(tmp_path / "bad.json", [*rows, _chart(3, type={"human": 1})])  # was counted as "human"
    assert "item 3: field 'type' must be text or a number, got dict" in _refused(tmp_path, capsys, "chartqa", bad)


def test_geometry3k_goal_written_as_text_is_one_value():
    from eval.geometry3k import categories

    assert categories({"problem_type_goal": "Length"}) == {"goal": ["Length"]}


def test_check_items_unit_names_the_field():
    with pytest.raises(UserError, match=r"r.json: item 1: field 'level' must be text or a number, got dict"):
        check_items("mathvision", "r.json", [_mvis(1, level={"k": "v"})])


# ------------------------------------------------------------------------------- item 13: Markdown table cells
def test_md_cell_escapes_pipes_and_control_characters():
    assert md_cell("a | b") == "a \\| b"
    for ch in "\n\r\t\x00\x1b\x85\u2028\u2029":
        assert md_cell(f"a{ch}b") == "a b"


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def test_a_category_value_cannot_forge_a_scores_md_row():
    scores = {"accuracy": 50.0, "correct": 1, "total": 2,
              "categories": {"subject": {"a | 99.00 | 9 | 9 |\n| forged": {"accuracy": 100.0, "correct": 1, "total": 1},
                                         "b": {"accuracy": 0.0, "correct": 0, "total": 1}}}}
    rows = _rows(markdown(scores))
    assert len(rows) == 4 and not any(r.startswith("| forged") for r in rows)
    assert "| a \\| 99.00 \\| 9 \\| 9 \\| \\| forged | 100.0 | 1 | 1 |" in rows


def test_a_category_value_cannot_forge_rows_in_scores_md_or_compare(tmp_path, capsys):
    rows = [_mvis(0, subject="a | 99.00 (9/9) | x\n| accuracy"), _mvis(1, subject="b", response="5")]
    src = write(tmp_path / "r.json", rows)
    out, report = tmp_path / "s" / "scores.json", tmp_path / "rep"
    assert main(["eval", "score", "mathvision", "--input", str(src), "--mode", "rules", "--out", str(out),
                 "--report", str(report)]) == 0
    md = _rows((report / "scores.md").read_text())
    assert not any(r.startswith("| accuracy") for r in md)
    assert sum(1 for r in md if r.startswith("| a \\| 99.00")) == 1
    capsys.readouterr()
    assert main(["eval", "compare", str(out), str(out)]) == 0
    table = _rows(capsys.readouterr().out)
    assert sum(1 for r in table if r.startswith("| accuracy")) == 1  # the real overall row only
    assert any(r.startswith("| subject / a \\| 99.00 (9/9) \\| x \\| accuracy |") for r in table)
