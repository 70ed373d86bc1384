"""What eval writes, and when it refuses to: text any input can carry (lone surrogates), outputs written all
together or not at all, every output path checked first, a dead or failing judge endpoint, ``--judge-cache``
never the input, an output or another run's file, ``eval compare`` on corrupt scores, ``eval run`` settings
checked up front (no folder left behind) and a run folder never rewritten with other data."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from dataclasses import replace

import pytest

import eval.judge
from eval import outputs as eval_outputs
from eval.judge import JudgeExtractor, JudgeUnavailable, read_cache_file
from eval.outputs import Outputs, json_text
from eval.runner import RunConfig, run
from mmagrae.cli import main
from mmagrae.preflight import UserError
from tests.eval_cli import error_line
from tests.test_eval_cache import EchoEngine, _fmt, _mathvista, _model
from tests.test_eval_judge import _items, _Server


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """Judge retries do not wait (the backoff is counted, not slept)."""
    monkeypatch.setattr(eval.judge.time, "sleep", lambda s: None)


@pytest.fixture
def no_model_loads(monkeypatch):
    import mmagrae.rollout

    def refuse(*args, **kwargs):
        raise AssertionError("a model was about to load")

    monkeypatch.setattr(mmagrae.rollout, "build_engine", refuse)


def _refused_url() -> str:
    """A localhost URL where nothing listens (connection refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _chartqa(path, responses=("\ud800 12", "blue")):
    rows = [{"id": str(i), "query": "q", "label": [label], "type": "human_test", "response": r}
            for i, (r, label) in enumerate(zip(responses, ("12", "Blue"), strict=False))]
    path.write_text(json.dumps(rows))  # ensure_ascii: the lone surrogate is the valid JSON escape \ud800
    return path


def _mathvista_results(path):
    path.write_text(json.dumps({pid: {**item, "extraction": item["answer"]} for pid, item in _items().items()}))
    return path


def _run(tmp_path, name="run", engine=None, data="data", **kw):
    if not (tmp_path / data).exists():
        _mathvista(tmp_path / data)
    cfg = RunConfig(benchmark="mathvista", model=str(_model(tmp_path / "model")), out=str(tmp_path / name),
                    source=str(tmp_path / data), batch_size=4, max_new_tokens=8, **kw)
    run(cfg, engine=engine or EchoEngine(), formatter=_fmt, log=lambda s: None)
    return tmp_path / name


# ------------------------------------------------------------------------------- 3. safe text, whole writes
def test_json_text_escapes_lone_surrogates_only():
    text = json_text({"r": "\ud800 é ∑", "k\udfff": 1})
    assert text.encode("utf-8") and "é ∑" in text and "\\ud800" in text
    assert json.loads(text) == {"r": "\ud800 é ∑", "k\udfff": 1}


def test_lone_surrogate_in_a_response_is_written_and_the_rerun_works(tmp_path, capsys):
    src = _chartqa(tmp_path / "in.json")
    out, items = tmp_path / "rp" / "3.json", tmp_path / "rp" / "3_items.json"
    cmd = ["eval", "score", "chartqa", "--input", str(src), "--mode", "rules", "--out", str(out),
           "--results-out", str(items)]
    assert main(cmd) == 0
    assert json.loads(items.read_text(encoding="utf-8"))[0]["response"] == "\ud800 12"
    assert json.loads(out.read_text())["total"] == 2 and (out.parent / "eval_card.json").is_file()
    assert main([*cmd, "--report", str(tmp_path / "rp" / "report")]) == 0  # same scoring: rerun allowed
    assert (tmp_path / "rp" / "report" / "scores.md").is_file()


def test_eval_run_with_a_surrogate_in_a_response(tmp_path):
    class Odd(EchoEngine):
        def generate(self, prompts, n, sampling):
            return [[type("C", (), {"text": "\ud800 The answer is 2."})() for _ in range(n)] for _ in prompts]

    out = _run(tmp_path, engine=Odd())
    official = json.loads((out / "output_mathvista.json").read_text(encoding="utf-8"))
    assert official["1"]["response"].startswith("\ud800")
    assert all(json.loads(line)["responses"] for line in (out / "responses.jsonl").read_text().splitlines())


def test_a_failed_write_leaves_no_file_and_no_folder(tmp_path, monkeypatch):
    calls = []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(eval_outputs.os, "fsync", full_disk)
    files = Outputs()
    files.add_json(tmp_path / "a" / "scores.json", {"x": 1})
    files.add_text(tmp_path / "b" / "c" / "scores.md", "# t")
    with pytest.raises(UserError, match="no space left on device; nothing was written"):
        files.commit()
    assert list(tmp_path.iterdir()) == []


def test_eval_score_that_fails_while_writing_can_be_rerun(tmp_path, capsys, monkeypatch):
    src = _chartqa(tmp_path / "in.json", ("12", "blue"))
    out, items = tmp_path / "rp" / "s.json", tmp_path / "rp" / "items.json"
    cmd = ["eval", "score", "chartqa", "--input", str(src), "--mode", "rules", "--out", str(out),
           "--results-out", str(items)]
    real = os.fsync
    monkeypatch.setattr(eval_outputs.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    assert main(cmd) == 2
    assert "nothing was written" in error_line(capsys) and not (tmp_path / "rp").exists()
    monkeypatch.setattr(eval_outputs.os, "fsync", real)
    assert main(cmd) == 0 and out.is_file() and items.is_file()


# ------------------------------------------------------------------------------ 4. output paths checked first
def test_report_that_is_a_file_is_refused_before_anything_is_written(tmp_path, capsys):
    src = _mathvista_results(tmp_path / "in.json")
    published = tmp_path / "rp" / "published.json"
    published.parent.mkdir()
    published.write_text("{}")
    assert main(["eval", "score", "mathvista", "--input", str(src), "--out", str(tmp_path / "rp" / "4.json"),
                 "--report", str(published)]) == 2
    assert error_line(capsys) == f"error: --report {published} is a file, not a folder"
    assert sorted(p.name for p in published.parent.iterdir()) == ["published.json"]
    assert main(["eval", "score", "mathvista", "--input", str(src), "--out", str(tmp_path / "new" / "4.json"),
                 "--report", str(published / "sub")]) == 2
    assert f"{published} is a file, not a folder" in error_line(capsys) and not (tmp_path / "new").exists()


def test_out_whose_parent_is_a_file_is_one_line(tmp_path, capsys):
    src = _mathvista_results(tmp_path / "in.json")
    blocker = tmp_path / "file.json"
    blocker.write_text("{}")
    for flag in ("--out", "--results-out"):
        args = {"--out": str(tmp_path / "ok.json"), flag: str(blocker / "y.json")}
        assert main(["eval", "score", "mathvista", "--input", str(src),
                     *[x for k, v in args.items() for x in (k, v)]]) == 2
        line = error_line(capsys)
        assert f"{flag} {blocker / 'y.json'}: {blocker} is a file, not a folder" in line
        assert not (tmp_path / "ok.json").exists() and not (tmp_path / "eval_card.json").exists()


def test_a_report_folder_that_cannot_be_made_leaves_nothing(tmp_path, capsys, monkeypatch):
    src = _mathvista_results(tmp_path / "in.json")
    real_mkdir = type(tmp_path).mkdir

    def mkdir(self, *args, **kwargs):
        if self.name == "report":
            raise PermissionError(1, "Operation not permitted")
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(type(tmp_path), "mkdir", mkdir)
    out = tmp_path / "rp" / "s.json"
    assert main(["eval", "score", "mathvista", "--input", str(src), "--out", str(out),
                 "--report", str(tmp_path / "rp" / "report")]) == 2
    assert "operation not permitted; nothing was written" in error_line(capsys)
    assert not (tmp_path / "rp").exists()


# ---------------------------------------------------------------------------------------- 8. judge endpoint
def test_dead_judge_fails_fast_with_one_line_and_writes_nothing(tmp_path, capsys):
    src = _mathvista_results(tmp_path / "in.json")
    url = _refused_url()
    out = tmp_path / "s.json"
    start = time.perf_counter()
    assert main(["eval", "score", "mathvista", "--input", str(src), "--mode", "judge", "--judge-url", url,
                 "--out", str(out)]) == 2
    line = error_line(capsys)
    assert url in line and "refused" in line.lower() and "none succeeded" in line
    assert time.perf_counter() - start < 10 and not out.exists()


def test_judge_gives_up_after_a_few_prompts_and_bounds_its_tries():
    s = _Server(fail_first=1000, max_requests=100)
    try:
        judge = JudgeExtractor(s.url, retries=3, timeout_s=5)
        assert judge.extract("p1") == "" and judge.extract("p2") == ""
        with pytest.raises(JudgeUnavailable, match=r"3 calls failed and none succeeded \(last error: HTTP 500"):
            judge.extract("p3")
        assert len(s.requests) == 4 + 1 + 1  # retries on the first prompt only: the endpoint is down
    finally:
        s.close()


def test_judge_that_stops_answering_midway_stops_the_command():
    s = _Server(fail_first=0, max_requests=100)
    try:
        judge = JudgeExtractor(s.url, retries=0, timeout_s=5, stop_after=3)
        assert judge.extract("p0 7") == "7"
        s.fail_first = 10_000  # every later request fails
        assert judge.extract("a") == "" and judge.extract("b") == ""
        with pytest.raises(JudgeUnavailable, match="stopped answering: 3 calls in a row"):
            judge.extract("c")
    finally:
        s.close()


def test_some_failed_judge_calls_are_warned_and_recorded(tmp_path, capsys):
    s = _Server(fail_first=4)  # the first prompt fails all 4 tries, the next succeeds
    try:
        src = _mathvista_results(tmp_path / "in.json")
        out = tmp_path / "rp" / "s.json"
        assert main(["eval", "score", "mathvista", "--input", str(src), "--mode", "judge", "--judge-url", s.url,
                     "--out", str(out), "--report", str(tmp_path / "rp")]) == 0
        err = capsys.readouterr().err
        assert "warning: 1 of 2 judge calls failed (last error: HTTP 500" in err
        scores = json.loads(out.read_text())
        assert scores["judge_failures"] == 1 and "HTTP 500" in scores["judge_last_error"]
        assert json.loads((out.parent / "eval_card.json").read_text())["scorer"]["judge_failures"] == 1
        assert "Judge: 1 calls failed" in (tmp_path / "rp" / "scores.md").read_text()
    finally:
        s.close()


def test_eval_run_records_failed_judge_calls(tmp_path):
    s = _Server(fail_first=4)
    try:
        out = _run(tmp_path, mode="judge", judge_url=s.url)
        summary = json.loads((out / "summary.json").read_text())
        assert summary["judge_failures"] == 1
        assert json.loads((out / "eval_card.json").read_text())["scorer"]["judge_failures"] == 1
    finally:
        s.close()


# -------------------------------------------------------------------------------------------- 9. judge cache
def _judge_score(tmp_path, src, cache, out, *extra):
    return main(["eval", "score", "mathvista", "--input", str(src), "--mode", "judge", "--judge-url",
                 _refused_url(), "--judge-cache", str(cache), "--out", str(out), *extra])


def test_judge_cache_is_never_the_input_or_an_output(tmp_path, capsys):
    src = _mathvista_results(tmp_path / "in.json")
    before = src.read_bytes()
    assert _judge_score(tmp_path, src, src, tmp_path / "s.json") == 2
    assert "--judge-cache" in (line := error_line(capsys)) and "is the --input file" in line
    assert src.read_bytes() == before and not (tmp_path / "s.json").exists()
    out = tmp_path / "o.json"
    assert _judge_score(tmp_path, src, out, out) == 2
    assert "is also --out" in error_line(capsys) and not out.exists()
    items = tmp_path / "items.json"
    assert _judge_score(tmp_path, src, items, out, "--results-out", str(items)) == 2
    assert "is also --results-out" in error_line(capsys) and not items.exists()
    assert _judge_score(tmp_path, src, tmp_path / "eval_card.json", out) == 2
    assert "eval card" in error_line(capsys)


def test_judge_cache_in_another_runs_folder_is_refused(tmp_path, capsys):
    run_dir = _run(tmp_path)
    src = _mathvista_results(tmp_path / "in.json")
    before = _files(run_dir)
    for name in ("scores.md", "verdicts.jsonl", "new.jsonl", "judge_cache.jsonl"):  # a rules run has no cache
        assert _judge_score(tmp_path, src, run_dir / name, tmp_path / "s.json") == 2
        assert f"{run_dir} has eval_card.json" in error_line(capsys)
    assert _files(run_dir) == before and not (tmp_path / "s.json").exists()


def test_an_existing_file_that_is_not_a_judge_cache_is_one_line(tmp_path, capsys):
    src = _mathvista_results(tmp_path / "in.json")
    (tmp_path / "c").mkdir()
    for name, text in (("one.json", '{"a": 1}\n'), ("verdicts.jsonl", '{"id": "1", "extracted": ["2"]}\n'),
                       ("list.jsonl", "[1, 2]\n")):
        cache = tmp_path / "c" / name
        cache.write_text(text)
        assert _judge_score(tmp_path, src, cache, tmp_path / "s.json") == 2
        assert f"{cache}: line 1 is not a judge cache entry" in error_line(capsys)
        assert cache.read_text() == text and not (tmp_path / "s.json").exists()


def test_a_judge_cache_beside_the_scores_is_reused_and_a_torn_line_ignored(tmp_path, capsys):
    s = _Server()
    try:
        src = _mathvista_results(tmp_path / "in.json")
        out, cache = tmp_path / "rp" / "s.json", tmp_path / "rp" / "judge.jsonl"
        cmd = ["eval", "score", "mathvista", "--input", str(src), "--mode", "judge", "--judge-url", s.url,
               "--judge-cache", str(cache), "--out", str(out)]
        assert main(cmd) == 0 and len(s.requests) == 2
        assert json.loads((out.parent / "eval_card.json").read_text())["outputs"]["judge_cache"] == "judge.jsonl"
        with cache.open("a") as f:
            f.write('{"key": "to')  # torn by a crash
        assert main(cmd) == 0 and len(s.requests) == 2  # served from the cache
        assert len(read_cache_file(cache)) == 2
    finally:
        s.close()


# ------------------------------------------------------------------------------------ 10. compare, corrupt
@pytest.mark.parametrize("summary, expected", [
    ({"correct": 1, "total": 4}, "no field 'accuracy'"),
    ({"accuracy": "abc", "correct": 1, "total": 4}, "accuracy is abc, not a number"),
    ({"accuracy": 25.0, "correct": 1, "total": 4, "categories": [1, 2]}, "categories is list, not an object"),
    ({"accuracy": 25.0, "correct": 1, "total": 4, "categories": {"x": {"v": {"accuracy": 1}}}},
     "no field 'categories.x.v.correct'"),
    ({"accuracy": 25.0, "correct": 1, "total": 4, "pass@k": [1]}, "pass@k is list"),
    ([1, 2], "expected a JSON object, got list"),
])
def test_compare_on_a_corrupt_scores_file_is_one_line(tmp_path, capsys, summary, expected):
    a = _run(tmp_path, "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    (b / "summary.json").write_text(json.dumps(summary))
    assert main(["eval", "compare", str(a), str(b)]) == 2
    line = error_line(capsys)
    assert line.startswith(f"error: {b / 'summary.json'}: ") and expected in line


def test_compare_on_a_corrupt_eval_score_file(tmp_path, capsys):
    src = _chartqa(tmp_path / "in.json", ("12", "blue"))
    out = tmp_path / "s.json"
    assert main(["eval", "score", "chartqa", "--input", str(src), "--mode", "rules", "--out", str(out)]) == 0
    out.write_text(json.dumps({"accuracy": None, "correct": 1, "total": 2}))
    assert main(["eval", "compare", str(out), str(out)]) == 2
    assert f"{out}: not a scores file (accuracy is null, not a number)" in error_line(capsys)


# ------------------------------------------------------------------------- 15. eval run settings up front
@pytest.mark.parametrize("flags, expected", [
    (["--dtype", "bogus"], "--dtype 'bogus' is not a dtype"),
    (["--min-pixels", "-5"], "--min-pixels must be ≥ 1"),
    (["--max-pixels", "0"], "--max-pixels must be ≥ 1"),
    (["--max-image-pixels", "-1"], "--max-image-pixels must be ≥ 1, or 0 for no limit"),
    (["--min-pixels", "5000", "--max-pixels", "4000"], "--min-pixels 5000 is larger than --max-pixels 4000"),
])
def test_eval_run_bad_settings_are_one_line_and_leave_no_folder(tmp_path, capsys, no_model_loads, flags,
                                                                 expected):
    _mathvista(tmp_path / "data")
    out = tmp_path / "ev"
    assert main(["eval", "run", "--benchmark", "mathvista", "--model", str(_model(tmp_path / "model")),
                 "--data", str(tmp_path / "data"), "--out", str(out), *flags]) == 2
    assert expected in error_line(capsys) and not out.exists()


def test_a_model_that_cannot_load_is_one_line_and_touches_no_folder(tmp_path, capsys, no_model_loads):
    _mathvista(tmp_path / "data")
    bad = tmp_path / "badmodel"
    bad.mkdir()
    (bad / "config.json").write_text("{}")  # no model_type
    cmd = ["eval", "run", "--benchmark", "mathvista", "--model", str(bad), "--data", str(tmp_path / "data")]
    assert main([*cmd, "--out", str(tmp_path / "ev")]) == 2
    line = error_line(capsys)
    assert f"--model {bad} cannot be loaded" in line and "model_type" in line
    assert not (tmp_path / "ev").exists()
    existing = _run(tmp_path, "old")  # a folder that existed before: left as it was
    before = _files(existing)
    (bad / "config.json").write_text("[1]")
    assert main([*cmd, "--out", str(existing)]) == 2
    assert _files(existing) == before


def test_a_run_that_generates_nothing_leaves_no_folder(tmp_path):
    _mathvista(tmp_path / "data", count=2, missing=(1, 2))
    cfg = RunConfig(benchmark="mathvista", model=str(_model(tmp_path / "model")), out=str(tmp_path / "ev"),
                    source=str(tmp_path / "data"), max_new_tokens=8)
    with pytest.raises(UserError, match="could be used"):
        run(cfg, engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    assert not (tmp_path / "ev").exists()


# ----------------------------------------------------------------------------------- 18. other data refused
def test_a_run_on_other_data_is_refused_and_the_folder_kept(tmp_path):
    out = _run(tmp_path, "a")
    other = tmp_path / "other"
    shutil.copytree(tmp_path / "data", other)
    items = json.loads((other / "testmini.json").read_text())
    for item in items.values():
        item["answer"] = "0"  # same questions and images (the cache would serve), other gold answers
    (other / "testmini.json").write_text(json.dumps(items))
    before = _files(out)
    cfg = RunConfig(benchmark="mathvista", model=str(tmp_path / "model"), out=str(out), source=str(other),
                    batch_size=4, max_new_tokens=8)
    with pytest.raises(UserError, match=r"holds results for other data \(data.hash: .*data.source: "):
        run(cfg, engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    with pytest.raises(UserError, match="data.hash"):  # with another --limit too
        run(replace(cfg, limit=2), engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    assert _files(out) == before


def test_same_data_with_another_limit_is_allowed_and_the_source_is_absolute(tmp_path, monkeypatch):
    _mathvista(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    cfg = RunConfig(benchmark="mathvista", model=str(_model(tmp_path / "model")), out="a", source="data",
                    batch_size=4, max_new_tokens=8, limit=2)
    run(cfg, engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    card = json.loads((tmp_path / "a" / "eval_card.json").read_text())
    assert card["data"]["source"] == str((tmp_path / "data").resolve())
    run(replace(cfg, limit=None), engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    run(replace(cfg, limit=3), engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    assert json.loads((tmp_path / "a" / "eval_card.json").read_text())["data"]["limit"] == 3
