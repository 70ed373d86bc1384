"""Second hostile review, outputs and judge: eval score and eval run never write over each other's files, a
judge rerun with a prompt that always fails, a judge that never answers (--judge-timeout), torn and unwritable
judge caches, a full disk during eval run, a crash among the final renames, an interrupted extended run, eval
compare on lone surrogates, --judge-cache naming a report file or a file under another run's folder, a card
``{}``."""

from __future__ import annotations

import io
import json
import pathlib
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import eval.judge
import eval.runner
from eval import outputs as eval_outputs
from eval.judge import JudgeExtractor, JudgeUnavailable, read_cache_file
from eval.runner import RunConfig, run
from mmagrae.cli import main
from mmagrae.preflight import UserError
from tests.eval_cli import error_line
from tests.test_eval_bad_outputs import _files, _mathvista_results, _refused_url, _run
from tests.test_eval_cache import EchoEngine, _fmt, _mathvista, _model
from tests.test_eval_judge import _Server


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(eval.judge.time, "sleep", lambda s: None)


class _Picky:
    """A judge endpoint: HTTP 500 for prompts containing ``fail``, no answer for ``hang_s`` seconds when set,
    else the last word of the model response."""

    def __init__(self, fail: str | None = None, hang_s: float = 0.0):
        self.requests, self.fail, self.hang_s = [], fail, hang_s
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                prompt = body["messages"][0]["content"]
                if outer.hang_s:
                    outer.release.wait(outer.hang_s)
                    return
                if outer.fail and outer.fail in prompt:
                    self.send_response(500)
                    self.end_headers()
                    return
                response = prompt.rsplit("\n\nExtracted answer: ", 1)[0].rsplit("\n\n", 1)[-1]
                payload = json.dumps({"choices": [{"message": {"content": response.split()[-1].strip(".")}}]})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _judge_cmd(src, url, out, *extra):
    return ["eval", "score", "mathvista", "--input", str(src), "--mode", "judge", "--judge-url", url,
            "--out", str(out), *extra]


# ------------------------------------------------------------------------ 1. eval score and eval run files
def test_eval_score_refuses_a_file_an_eval_run_writes(tmp_path, capsys):
    run_dir = _run(tmp_path)
    src = _mathvista_results(tmp_path / "in.json")
    before = _files(run_dir)
    for out, extra in ((run_dir / "summary.json", ()), (tmp_path / "s.json", ("--results-out",
                                                                             str(run_dir / "verdicts.jsonl"))),
                       (run_dir / "output_mathvista.json", ()), (run_dir / "responses.jsonl", ())):
        assert main(["eval", "score", "mathvista", "--input", str(src), "--out", str(out), *extra]) == 2
        assert "is a file of the eval run in" in error_line(capsys)
    assert _files(run_dir) == before and not (tmp_path / "s.json").exists()


def test_eval_run_refuses_a_folder_where_a_scoring_claims_a_file_it_writes(tmp_path):
    run_dir = _run(tmp_path)
    (run_dir / "summary.eval_card.json").write_text(json.dumps(
        {"command": "eval score", "outputs": {"scores": "summary.json", "results": "verdicts.jsonl"}}))
    before = _files(run_dir)
    with pytest.raises(UserError, match="summary.json is claimed by another scoring"):
        _run(tmp_path)
    assert _files(run_dir) == before


# ------------------------------------------------------------------- 2. a prompt that always fails, rerun
def test_judge_rerun_with_a_prompt_that_always_fails_warns(tmp_path, capsys):
    s = _Picky(fail="Looking closely")  # item 4's prompt always fails, item 1's is answered
    try:
        src = _mathvista_results(tmp_path / "in.json")
        out, cache = tmp_path / "s.json", tmp_path / "c.jsonl"
        cmd = _judge_cmd(src, s.url, out, "--judge-cache", str(cache))
        assert main(cmd) == 0
        assert main(cmd) == 0  # the answered prompt comes from the cache: the endpoint works
        assert "warning: 1 of 1 judge calls failed" in capsys.readouterr().err
        assert json.loads(out.read_text())["judge_failures"] == 1
    finally:
        s.close()


# ---------------------------------------------------------------------------- 3. a judge that never answers
def test_hung_judge_fails_after_a_few_timeouts_naming_the_url(tmp_path, capsys):
    s = _Picky(hang_s=30)
    try:
        src = _mathvista_results(tmp_path / "in.json")
        start = time.perf_counter()
        assert main(_judge_cmd(src, s.url, tmp_path / "s.json", "--judge-timeout", "0.3")) == 2
        line = error_line(capsys)
        assert s.url in line and "no answer within 0.3 s" in line
        assert time.perf_counter() - start < 10 and len(s.requests) == 3
    finally:
        s.close()


def test_judge_that_hangs_after_answering_stops_after_a_few_timeouts():
    s = _Picky()
    try:
        judge = JudgeExtractor(s.url, timeout_s=0.3)
        assert judge.extract("x\n\nthe answer is 7\n\nExtracted answer: ") == "7"
        s.hang_s = 30
        with pytest.raises(JudgeUnavailable, match="3 requests in a row got no answer"):
            judge.extract("y")
        assert len(s.requests) == 1 + 3
    finally:
        s.close()


# ------------------------------------------------------------------------ 4/5. torn cache line, full disk
def test_torn_judge_cache_line_is_ended_before_appending(tmp_path):
    s = _Server()
    try:
        src = _mathvista_results(tmp_path / "in.json")
        cache = tmp_path / "c.jsonl"
        cache.write_text('{"key": "k0", "extraction": "1"}\n{"key": "to')  # torn by a crash
        assert main(_judge_cmd(src, s.url, tmp_path / "s.json", "--judge-cache", str(cache))) == 0
        assert len(read_cache_file(cache)) == 3  # the run after next reads it too
        assert main(_judge_cmd(src, s.url, tmp_path / "s.json", "--judge-cache", str(cache))) == 0
    finally:
        s.close()


def _full_disk_on(monkeypatch, name):
    real_open = pathlib.Path.open

    def open_(self, mode="r", *args, **kwargs):
        if self.name == name and "a" in mode:
            raise OSError(28, "No space left on device")
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_)


def test_judge_cache_on_a_full_disk_is_one_line(tmp_path, capsys, monkeypatch):
    s = _Server()
    try:
        src = _mathvista_results(tmp_path / "in.json")
        cache = tmp_path / "c.jsonl"
        _full_disk_on(monkeypatch, "c.jsonl")
        assert main(_judge_cmd(src, s.url, tmp_path / "s.json", "--judge-cache", str(cache))) == 2
        line = error_line(capsys)
        assert str(cache) in line and "no space left" in line and not (tmp_path / "s.json").exists()
    finally:
        s.close()


def test_eval_run_on_a_full_disk_is_one_line_and_resumes(tmp_path, monkeypatch):
    def full(path, entries, sync=False):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(eval.runner, "append_jsonl", full)
    with pytest.raises(UserError, match=r"cannot write .*responses.jsonl: no space left on device"):
        _run(tmp_path)
    monkeypatch.undo()
    assert (_run(tmp_path) / "summary.json").is_file()


# ----------------------------------------------------------------------------- 6. crash among the renames
class _Crash(BaseException):
    pass


def test_crash_after_the_first_rename_leaves_a_card_and_the_rerun_works(tmp_path, monkeypatch):
    src = _mathvista_results(tmp_path / "in.json")
    out, items = tmp_path / "k" / "s.json", tmp_path / "k" / "items.json"
    cmd = ["eval", "score", "mathvista", "--input", str(src), "--mode", "rules", "--out", str(out),
           "--results-out", str(items)]
    real_replace, calls = eval_outputs.os.replace, []

    def replace_once(a, b):
        if calls:
            raise _Crash
        calls.append(b)
        real_replace(a, b)

    monkeypatch.setattr(eval_outputs.os, "replace", replace_once)
    with pytest.raises(_Crash):
        main(cmd)
    monkeypatch.undo()
    assert pathlib.Path(calls[0]).name == "eval_card.json"  # the card first: it claims the files
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = out.parent / f".items.json{eval_outputs.TEMP_MARK}{dead}"
    stale.write_bytes(b"x" * 100)  # a killed commit of another process
    assert main(cmd) == 0
    assert out.is_file() and items.is_file() and not stale.exists()


# ------------------------------------------------------------------------ 7. an interrupted extended run
def test_interrupted_extended_run_keeps_card_and_scores_matching(tmp_path):
    _mathvista(tmp_path / "data")

    def cfg(limit):
        return RunConfig(benchmark="mathvista", model=str(_model(tmp_path / "model")), out=str(tmp_path / "run"),
                         source=str(tmp_path / "data"), batch_size=1, max_new_tokens=8, limit=limit)

    run(cfg(2), engine=EchoEngine(), formatter=_fmt, log=lambda s: None)

    class Dies(EchoEngine):
        def generate(self, prompts, n, sampling):
            if self.rows:
                raise KeyboardInterrupt
            return super().generate(prompts, n, sampling)

    with pytest.raises(KeyboardInterrupt):
        run(cfg(4), engine=Dies(), formatter=_fmt, log=lambda s: None)
    card = json.loads((tmp_path / "run" / "eval_card.json").read_text())
    assert card["data"]["limit"] == 2 and card["data"]["rows"] == 2
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["total"] == 2
    run(cfg(4), engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    assert json.loads((tmp_path / "run" / "eval_card.json").read_text())["data"]["rows"] == 4


# ------------------------------------------------------------------------- 9. compare and lone surrogates
def test_compare_prints_lone_surrogates_escaped(tmp_path, monkeypatch):
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "eval_card.json").write_text(json.dumps({"command": "eval run", "benchmark": "x\ud800"}))
    (folder / "summary.json").write_text(json.dumps({"accuracy": 50.0, "correct": 1, "total": 2, "categories": {
        "subject": {"\ud800x": {"accuracy": 50.0, "correct": 1, "total": 2}}}}))
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["eval", "compare", str(folder), str(folder)]) == 0
    stream.flush()
    assert "\\ud800x" in stream.buffer.getvalue().decode("utf-8")


# --------------------------------------------------------------------------------- 12. --judge-cache places
def test_judge_cache_naming_a_report_file_or_a_subfolder_of_a_run_is_refused(tmp_path, capsys):
    src = _mathvista_results(tmp_path / "in.json")
    rp = tmp_path / "rp"
    for name in ("chart_source.png", "chart_skills.png"):
        assert main(_judge_cmd(src, _refused_url(), rp / "s.json", "--report", str(rp), "--judge-cache",
                               str(rp / name))) == 2
        assert "is a file --report writes" in error_line(capsys)
    run_dir = _run(tmp_path)
    assert main(_judge_cmd(src, _refused_url(), tmp_path / "s.json", "--judge-cache",
                           str(run_dir / "sub" / "x.jsonl"))) == 2
    assert f"inside another run's folder ({run_dir} has an eval card)" in error_line(capsys)
    assert not (run_dir / "sub").exists() and not rp.exists()


# ------------------------------------------------------------------------------------------- minor: {} card
def test_a_card_that_is_an_empty_object_is_a_clear_line(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "eval_card.json").write_text("{}")
    with pytest.raises(UserError, match=r"eval_card.json is not an eval card \(no \"command\"\)"):
        _run(tmp_path)
