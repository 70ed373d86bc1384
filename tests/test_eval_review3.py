"""Inputs and outputs from the third hostile review of ``eval score`` (round 9): numbers too long to read, keys and
columns given twice, gold cells that hold no gold, spreadsheet dates, pipes and devices as input, names too long
for the file system, nesting too deep in side files, an endless judge timeout, two commands writing into one
folder at once, and resumable caches whose responses hold Unicode line separators. Each bad input is one line
naming the file (and item, key or option), exit status 2, no traceback, nothing written."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap

import openpyxl
import pytest

from eval.formats import parse_literal
from eval.outputs import hold_folders
from eval.runner import read_cache
from mmagrae.cli import main
from mmagrae.preflight import UserError
from tests.eval_cli import error_line, refused, write


def _chart(i: int, **extra):
    return {"id": str(i), "query": "How many?", "label": ["12"], "type": "human_test", "response": "The answer is 12",
            **extra}


def test_a_number_too_long_is_one_line(tmp_path, capsys):
    src = write(tmp_path / "big.json", '[{"id": "0", "query": "q", "label": ["12"], "response": "12", "x": '
                + "1" * 5000 + "}]")
    assert "a number too long to read" in refused(tmp_path, capsys, "chartqa", src, strict=True)
    src = write(tmp_path / "big.jsonl", json.dumps(_chart(0)) + '\n{"id": ' + "7" * 5000 + "}\n")
    assert f"{src}: line 2: a number too long to read" in refused(tmp_path, capsys, "chartqa", src, strict=True)


def test_a_key_given_twice_is_refused_not_dropped(tmp_path, capsys):
    item = {"question": "q", "answer": "2", "question_type": "free_form", "answer_type": "integer",
            "response": "2", "extraction": "2"}
    text = '{"1": ' + json.dumps(item) + ', "2": ' + json.dumps(item) + ', "1": ' + json.dumps(item) + "}"
    line = refused(tmp_path, capsys, "mathvista", write(tmp_path / "dup.json", text), strict=True)
    assert "the key '1' appears twice" in line


def test_a_column_given_twice_is_refused(tmp_path, capsys):
    src = write(tmp_path / "dup.csv", "index,question,answer,prediction,prediction\n0,q,12,12,\n")
    assert "the column 'prediction' appears twice" in refused(tmp_path, capsys, "chartqa", src, strict=True)


@pytest.mark.parametrize("cell", ["[]", "[None]"])
def test_a_gold_cell_without_gold_is_named(tmp_path, capsys, cell):
    src = write(tmp_path / "g.csv", f'index,question,answer,type,prediction\n0,q,"{cell}",human_test,"{cell}"\n')
    assert "item 0: missing field 'answer'" in refused(tmp_path, capsys, "chartqa", src, strict=True)


def test_spreadsheet_dates_and_literal_sets_are_written_as_text(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["index", "question", "answer", "type", "prediction", "when"])
    sheet.append([0, "q", "12", "human_test", "12", datetime.datetime(2024, 5, 1, 12, 30)])
    book.save(tmp_path / "t.xlsx")
    out, results = tmp_path / "o" / "s.json", tmp_path / "o" / "r.json"
    assert main(["eval", "score", "chartqa", "--input", str(tmp_path / "t.xlsx"), "--out", str(out),
                 "--results-out", str(results)]) == 0
    assert "2024-05-01T12:30:00" in results.read_text(encoding="utf-8")
    assert parse_literal("{1, 2}") == "{1, 2}"  # a set is no JSON data: the text as written
    assert parse_literal("{(1, 2): 3}") == "{(1, 2): 3}"  # a tuple key neither


def test_a_pipe_or_a_device_is_not_read(tmp_path, capsys):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    assert "is not a regular file" in refused(tmp_path, capsys, "chartqa", fifo, strict=True)
    assert main(["eval", "score", "chartqa", "--input", "/dev/zero", "--out", str(tmp_path / "o" / "s.json")]) == 2
    assert "is not a regular file" in error_line(capsys)


def test_an_output_name_too_long_is_one_line_and_leaves_no_folder(tmp_path, capsys):
    src = write(tmp_path / "r.json", [_chart(0)])
    for name in ("a" * 300 + ".json", "a" * 230 + ".json"):  # too long, or too long for its side files
        out = tmp_path / "o" / name
        assert main(["eval", "score", "chartqa", "--input", str(src), "--out", str(out)]) == 2
        assert "is too long" in error_line(capsys)
        assert not (tmp_path / "o").exists()


def test_side_files_nested_too_deeply_are_one_line(tmp_path, capsys):
    row = {"ID": "1", "key": "1", "question": "q", "option": "A. 1; B. 2", "answer": "A", "response": "A",
           "knowledge concept": "k"}
    (tmp_path / "wm").mkdir()
    src = write(tmp_path / "wm" / "in.json", [row])
    write(tmp_path / "wm" / "knowledge_structure_nodes.json", "[" * 100_000 + "]" * 100_000)
    line = refused(tmp_path, capsys, "wemath", src)
    assert "knowledge_structure_nodes.json" in line
    cache = write(tmp_path / "deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    src = write(tmp_path / "r.json", [_chart(0)])
    line = refused(tmp_path, capsys, "chartqa", src, "--judge-url", "http://127.0.0.1:9/v1", "--judge-cache",
                   str(cache), mode="judge")
    assert "is not a judge cache entry" in line


@pytest.mark.parametrize("timeout", ["inf", "1e300", "nan", "0"])
def test_a_judge_timeout_must_be_a_finite_time(tmp_path, capsys, timeout):
    src = write(tmp_path / "r.json", [_chart(0)])
    assert main(["eval", "score", "chartqa", "--input", str(src), "--mode", "judge", "--judge-url",
                 "http://127.0.0.1:9/v1", "--judge-timeout", timeout, "--out", str(tmp_path / "o" / "s.json")]) == 2
    assert "--judge-timeout must be more than 0 and at most 86400 seconds" in error_line(capsys)
    assert not (tmp_path / "o").exists()


def test_one_folder_is_written_by_one_command_at_a_time(tmp_path, capsys):
    src = write(tmp_path / "r.json", [_chart(0)])
    out = tmp_path / "o" / "s.json"
    with hold_folders([("--out", tmp_path / "o")]):  # another command holds the folder
        assert main(["eval", "score", "chartqa", "--input", str(src), "--out", str(out)]) == 2
        assert "another mmagrae command is writing into this folder now" in error_line(capsys)
        assert not out.exists()
    assert main(["eval", "score", "chartqa", "--input", str(src), "--out", str(out)]) == 0  # released


def test_a_killed_holder_leaves_no_lock(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {os.getcwd()!r})
        from eval.outputs import hold_folders
        with hold_folders([("--out", {str(tmp_path)!r})]):
            print("held", flush=True)
            os.kill(os.getpid(), 9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "held" in proc.stdout and proc.returncode == -9
    with hold_folders([("--out", tmp_path)]):
        pass
    with hold_folders([("--out", tmp_path)]), pytest.raises(UserError, match="another mmagrae command"):
        with hold_folders([("--report", tmp_path)]):
            pass


def test_a_resumed_cache_keeps_responses_with_line_separators(tmp_path):
    from eval.outputs import append_jsonl

    cache = tmp_path / "responses.jsonl"
    append_jsonl(cache, [{"id": "1", "responses": ["a\u2028b\x85c\x0cd = 12"]}, {"id": "2", "responses": ["7"]}])
    assert read_cache(cache) == {"1": ["a\u2028b\x85c\x0cd = 12"], "2": ["7"]}


def test_a_byte_order_mark_is_read_in_every_format(tmp_path):
    src = tmp_path / "bom.json"
    src.write_bytes(b"\xef\xbb\xbf" + json.dumps([_chart(0)]).encode())
    assert main(["eval", "score", "chartqa", "--input", str(src), "--out", str(tmp_path / "o" / "s.json")]) == 0
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + json.dumps(_chart(0)).encode() + b"\n")
    assert main(["eval", "score", "chartqa", "--input", str(src), "--out", str(tmp_path / "p" / "s.json")]) == 0


def test_a_null_target_is_named_as_the_file_writes_it(tmp_path, capsys):
    lines = [{"doc_id": 0, "target": "12", "filtered_resps": ["12"]}, {"doc_id": 1, "target": None,
                                                                     "filtered_resps": ["3"]}]
    src = write(tmp_path / "s.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    assert f"{src}: line 2: missing field 'target' (it is null)" in refused(tmp_path, capsys, "chartqa", src,
                                                                            mode="official")


def test_two_data_rows_with_one_id_blame_the_data(tmp_path, capsys):
    data = tmp_path / "MV" / "data"
    data.mkdir(parents=True)
    row = {"question": "q", "options": [], "answer": "7", "level": 1, "subject": "algebra", "image": "", "id": "1"}
    (data / "test.jsonl").write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    src = write(tmp_path / "lm.jsonl", '{"doc_id": 0, "filtered_resps": ["7"]}\n{"doc_id": 1, "filtered_resps": ["7"]}\n')
    assert main(["eval", "score", "mathvision", "--input", str(src), "--data", str(tmp_path / "MV"),
                 "--out", str(tmp_path / "o" / "s.json")]) == 2
    assert "rows 0 and 1 of the split (counting from 0) both have id '1'" in error_line(capsys)


def test_run_file_names_are_compared_without_case():
    from eval.card import run_writes

    assert run_writes("Summary.json") and run_writes("VERDICTS.jsonl") and run_writes("Chart_x.PNG")
    assert not run_writes("scores_b.json")
