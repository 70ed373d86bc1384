"""Helpers shared by the tests that run ``mmagrae eval score`` on bad input and expect one error line."""

from __future__ import annotations

import json

from mmagrae.cli import main


def error_line(capsys) -> str:
    """The one ``error: …`` line a refused command printed last (no traceback)."""
    err = capsys.readouterr().err.strip().splitlines()
    assert err, "no error printed"
    assert err[-1].startswith("error: "), err
    assert not any("Traceback" in line for line in err)
    return err[-1]


def write(path, data):
    """``data`` (text as is, anything else as JSON) written to ``path``; returns ``path``."""
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def refused(tmp_path, capsys, bench, src, *extra, mode="rules", strict=False) -> str:
    """``eval score`` on ``src`` exits 2 with one line naming the input (``strict``), or the input, a file beside
    it or the option at fault, and writes nothing."""
    out = tmp_path / "out" / "scores.json"
    assert main(["eval", "score", bench, "--input", str(src), "--mode", mode, "--out", str(out), *extra]) == 2
    line = error_line(capsys)
    assert str(src) in line or (not strict and (str(tmp_path) in line or "--split" in line)), line
    assert not (tmp_path / "out").exists()
    return line
