"""`mmagrae verify` run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmagrae.cli import main

MMAGRAE = [sys.executable, "-m", "mmagrae"]


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(MMAGRAE + args, capture_output=True, text=True, input=stdin, timeout=120)


def test_one_pair_subprocess() -> None:
    result = _run(["verify", "--response", "<think>..</think><answer>12</answer>", "--gold", "12"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "correct": True,
        "score": 1.0,
        "extracted": "12",
        "reason": "numeric: 12 == 12",
        "bad_gold": False,
    }


@pytest.mark.parametrize(
    ("args", "correct"),
    [
        (["--response", "(b)", "--gold", "145°", "--choices", '["135°", "145°"]'], True),
        (["--response", "B", "--gold", "145°", "--choices", "135°|140°|145°"], False),
        (["--response", "104", "--gold", "100", "--task", "chart"], True),
        (["--response", "1.26", "--gold", "1.3", "--precision", "1"], True),
        (["--response", "7.9", "--gold", "7", "--answer-type", "integer"], False),
    ],
)
def test_one_pair_in_process(args: list[str], correct: bool, capsys: pytest.CaptureFixture) -> None:
    assert main(["verify", *args]) == 0
    assert json.loads(capsys.readouterr().out)["correct"] is correct


def test_usage_errors(capsys: pytest.CaptureFixture) -> None:
    assert main(["verify", "--response", "1"]) == 2
    assert main(["verify", "--response", "1", "--gold", "1", "--choices", "[1,"]) == 2
    assert main(["verify", "--jsonl", "/nonexistent/file.jsonl"]) == 2


def test_jsonl_in_out(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "response": "\\boxed{\\frac{9}{4}}", "gold": "2.25"},
        {"id": "b", "response": "The answer is (C).", "answer": "145°", "choices": ["135°", "140°", "145°"]},
        {"id": "c", "response": "<answer>12</answer>", "answer": "twelve?!", "answer_type": "integer"},
        {"id": "d", "response": "1,020", "gold": "1000", "task": "chart"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    out = tmp_path / "out.jsonl"
    result = _run(["verify", "--jsonl", str(src), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "c", "d", 5]  # a bad line: its 1-based line number
    assert [r["correct"] for r in records] == [True, True, False, True, False]
    assert records[2]["reason"].startswith("bad gold:")
    assert all({"id", "correct", "score", "extracted", "reason"} <= set(r) for r in records)
    summary = json.loads(result.stderr.strip().splitlines()[-1])
    assert summary == {"count": 5, "correct": 3, "accuracy": 0.6, "data_errors": 2}


def test_jsonl_stdin_stdout() -> None:
    result = _run(["verify", "--jsonl", "-"], stdin='{"response": "4", "gold": "4"}\n')
    assert result.returncode == 0
    assert json.loads(result.stdout)["correct"] is True
