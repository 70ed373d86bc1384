"""The eval card (``eval_card.json`` + a Markdown block in ``scores.md``) of ``eval run`` and ``eval score``, and
``mmagrae eval compare DIR_A DIR_B``."""

from __future__ import annotations

import json
from dataclasses import replace

from eval.card import cache_key, differences, flatten, model_fingerprint, row_keys
from eval.runner import RunConfig, run
from mmagrae.cli import main
from tests.test_eval_cache import EchoEngine, _fmt, _mathvista, _model

EXPECTED = ("model.path", "model.fingerprint", "benchmark", "split", "data.source", "data.hash", "data.rows",
            "prompt.template", "prompt.system_prompt", "images.min_pixels", "images.max_pixels",
            "images.resizing", "decoding.backend", "decoding.dtype", "decoding.temperature", "decoding.top_p",
            "decoding.max_new_tokens", "n", "seed", "scorer.mode", "scorer.judge_model", "scorer.judge_url",
            "versions.mmagrae", "versions.transformers", "versions.vllm")


def _run(tmp_path, name, engine=None, **kw):
    data = tmp_path / "data"
    if not data.exists():
        _mathvista(data)
    model = _model(tmp_path / "model")
    cfg = RunConfig(benchmark="mathvista", model=str(model), out=str(tmp_path / name), source=str(data),
                    batch_size=4, max_new_tokens=8, **kw)
    run(cfg, engine=engine or EchoEngine(), formatter=_fmt, log=lambda s: None)
    return tmp_path / name


def test_eval_run_writes_the_card_and_its_markdown(tmp_path):
    out = _run(tmp_path, "a", n=2, seed=3, system_prompt="Be brief.", max_pixels=100352)
    card = json.loads((out / "eval_card.json").read_text())
    flat = flatten(card)
    assert all(key in flat for key in EXPECTED), [k for k in EXPECTED if k not in flat]
    assert card["model"]["path"] == str((tmp_path / "model").resolve())
    assert card["model"]["fingerprint"].startswith("sha256:") and card["data"]["hash"].startswith("sha256:")
    assert (card["benchmark"], card["split"], card["n"], card["seed"]) == ("mathvista", "testmini", 2, 3)
    assert card["decoding"]["temperature"] == 1.0  # resolved: n > 1 samples at 1.0
    assert card["prompt"]["system_prompt"] == "Be brief." and card["images"]["max_pixels"] == 100352
    assert card["scorer"] == {"mode": "rules", "judge_model": None, "judge_url": None}
    md = (out / "scores.md").read_text()
    assert "## Eval card" in md and "| model.fingerprint | sha256:" in md and "| seed | 3 |" in md


def test_fingerprint_follows_content_not_training_state(tmp_path):
    model = _model(tmp_path / "m")
    first = model_fingerprint(str(model))
    (model / "trainer_state.pt").write_bytes(b"other")
    assert model_fingerprint(str(model))["fingerprint"] == first["fingerprint"]
    (model / "config.json").write_text('{"model_type": "qwen2_vl", "hidden_size": 64}')
    changed = model_fingerprint(str(model))
    assert changed["fingerprint"] != first["fingerprint"]
    # the memo is used only when every file's size and mtime are unchanged
    assert model_fingerprint(str(model), {**changed, "fingerprint": "sha256:memo"})["fingerprint"] == "sha256:memo"
    (model / "model.safetensors").write_bytes(b"weights-C!")
    assert model_fingerprint(str(model), {**changed, "fingerprint": "sha256:memo"})["fingerprint"] != "sha256:memo"


def test_data_hash_covers_gold_answers_but_row_keys_only_what_the_model_sees():
    rows = [{"id": "1", "question": "q", "answer": "2", "images": []}]
    keys, data_hash = row_keys(rows, lambda r: r["question"])
    keys2, data_hash2 = row_keys([{**rows[0], "answer": "3"}], lambda r: r["question"])
    assert keys == keys2 and data_hash != data_hash2


def test_compare_prints_tables_side_by_side_and_every_difference(tmp_path, capsys):
    a = _run(tmp_path, "a")

    class Wrong(EchoEngine):
        def generate(self, prompts, n, sampling):
            return [[type("C", (), {"text": "The answer is 0."})() for _ in range(n)] for _ in prompts]

    b = _run(tmp_path, "b", engine=Wrong(), temperature=0.5, seed=7)
    assert main(["eval", "compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert f"A: {a}" in out and f"B: {b}" in out
    assert "| accuracy | 100.00 (4/4) | 0.00 (0/4) | -100.00 |" in out
    assert "skills / arithmetic reasoning" in out
    assert "- decoding.temperature: 0.0 → 0.5" in out and "- seed: 0 → 7" in out
    assert "created" not in out.split("Settings")[1]
    assert main(["eval", "compare", str(a), str(a)]) == 0
    assert "Settings: identical" in capsys.readouterr().out


def test_eval_score_writes_a_card_and_compares_with_a_run(tmp_path, capsys):
    run_dir = _run(tmp_path, "run")
    results = run_dir / "output_mathvista.json"
    out = tmp_path / "scored" / "scores.json"
    report = tmp_path / "scored" / "report"
    assert main(["eval", "score", "mathvista", "--input", str(results), "--mode", "rules", "--out", str(out),
                 "--report", str(report)]) == 0
    card = json.loads((out.parent / "eval_card.json").read_text())
    assert card["command"] == "eval score" and card["scorer"]["mode"] == "rules"
    assert card["data"]["source"] == str(results.resolve()) and card["data"]["rows"] == 4
    assert card["data"]["hash"].startswith("sha256:") and card["outputs"]["scores"] == "scores.json"
    assert "## Eval card" in (report / "scores.md").read_text()
    assert (report / "eval_card.json").is_file()
    capsys.readouterr()
    assert main(["eval", "compare", str(run_dir), str(out.parent)]) == 0
    text = capsys.readouterr().out
    assert "| accuracy | 100.00 (4/4) | 100.00 (4/4) | +0.00 |" in text
    assert "- command: eval run → eval score" in text and "- model.fingerprint: sha256:" in text


def test_cache_key_ignores_scorer_and_bookkeeping(tmp_path):
    a = json.loads((_run(tmp_path, "a") / "eval_card.json").read_text())
    b = {**a, "scorer": {"mode": "judge", "judge_model": "m", "judge_url": "http://x"}, "created": "later",
         "data": {**a["data"], "rows": 2}}
    assert differences(cache_key(a), cache_key(b)) == []
    assert [d[0] for d in differences(a, b)] == ["data.rows", "scorer.judge_model", "scorer.judge_url",
                                                 "scorer.mode"]


def test_a_smaller_limit_reuses_the_cache_and_updates_the_card(tmp_path):
    out = _run(tmp_path, "a")
    data = tmp_path / "data"
    cfg = RunConfig(benchmark="mathvista", model=str(tmp_path / "model"), out=str(out), source=str(data),
                    batch_size=4, max_new_tokens=8, limit=2)
    engine = EchoEngine()
    summary = run(replace(cfg), engine=engine, formatter=_fmt, log=lambda s: None)
    assert engine.rows == [] and summary["total"] == 2
    assert json.loads((out / "eval_card.json").read_text())["data"]["limit"] == 2


def test_row_keys_follow_video_frames():
    from PIL import Image

    frames = [Image.new("RGB", (8, 8), (i, 0, 0)) for i in range(3)]
    rows = [{"id": "v", "question": "q", "images": [], "videos": [frames]}]
    keys, _ = row_keys(rows, lambda r: r["question"])
    changed = [{**rows[0], "videos": [[*frames[:2], Image.new("RGB", (8, 8), (0, 0, 9))]]}]
    no_video = [{**rows[0], "videos": []}]
    assert keys != row_keys(changed, lambda r: r["question"])[0]
    assert keys != row_keys(no_video, lambda r: r["question"])[0]


def _score(results, out, mode="rules", *extra):
    return main(["eval", "score", "mathvista", "--input", str(results), "--mode", mode, "--out", str(out), *extra])


def _error(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def test_eval_score_never_writes_over_another_runs_files(tmp_path, capsys):
    """`eval score --out` into a run's folder keeps the run's card; a file no card claims (the input, a
    published scores file) or another scoring's output is refused with one line; the same scoring again
    replaces its own files."""
    run_dir = _run(tmp_path, "run")
    results = run_dir / "output_mathvista.json"
    run_card = (run_dir / "eval_card.json").read_text()
    before = results.read_bytes()

    # into the run's own folder: the run's card stays, this scoring's card goes beside its scores
    assert _score(results, run_dir / "rescored.json") == 0
    assert (run_dir / "eval_card.json").read_text() == run_card
    side = json.loads((run_dir / "rescored.eval_card.json").read_text())
    assert side["command"] == "eval score" and side["outputs"]["scores"] == "rescored.json"
    capsys.readouterr()
    assert main(["eval", "compare", str(run_dir), str(run_dir / "rescored.json")]) == 0
    assert "- command: eval run → eval score" in capsys.readouterr().out

    # over the input itself, or a file nobody's card claims: refused, nothing touched
    assert _score(results, results) == 2
    assert "is the --input file" in _error(capsys)
    assert results.read_bytes() == before
    for side in (results, run_dir / ".." / "run" / "output_mathvista.json"):  # as --results-out, by any path
        assert _score(results, tmp_path / "r" / "s.json", "rules", "--results-out", str(side)) == 2
        assert "is the --input file" in _error(capsys)
    assert results.read_bytes() == before
    published = tmp_path / "pub" / "scores_bard.json"
    published.parent.mkdir()
    published.write_text('{"average": {"accuracy": "34.8"}}')
    assert _score(results, published, "official") == 2 and str(published) in _error(capsys)
    assert json.loads(published.read_text()) == {"average": {"accuracy": "34.8"}}
    assert not (published.parent / "eval_card.json").exists()

    # the same scoring again replaces its own files; another mode into the same file is refused
    out = tmp_path / "scored" / "scores.json"
    assert _score(results, out, "rules", "--results-out", str(out.parent / "items.json")) == 0
    assert _score(results, out, "rules", "--results-out", str(out.parent / "items.json")) == 0
    kept = out.read_text()
    assert _score(results, out, "official") == 2
    line = _error(capsys)
    assert "holds the outputs of another scoring" in line and "scorer.mode: rules → official" in line
    assert out.read_text() == kept
    # a second scoring beside the first, with its own file name, keeps both cards
    assert _score(results, out.parent / "scores_official.json", "official") == 0
    assert json.loads((out.parent / "eval_card.json").read_text())["scorer"]["mode"] == "rules"
    assert json.loads((out.parent / "scores_official.eval_card.json").read_text())["scorer"]["mode"] == "official"
    # --results-out in another folder: a re-run replaces it; the same file as --out, or a card's name: refused
    items = tmp_path / "elsewhere" / "items.json"
    for _ in range(2):
        assert _score(results, tmp_path / "x" / "s.json", "rules", "--results-out", str(items)) == 0
    assert _score(results, tmp_path / "y" / "s.json", "rules", "--results-out", str(tmp_path / "y" / "s.json")) == 2
    assert "same file as --out" in _error(capsys)
    assert _score(results, tmp_path / "z" / "eval_card.json") == 2 and "named like an eval card" in _error(capsys)
    assert _score(results, tmp_path / "z" / "s.json", "rules", "--results-out", str(tmp_path / "z" / "eval_card.json")) == 2
    assert "named like an eval card" in _error(capsys)
    # --report into the folder of another scores file's card (same settings): refused, that card is kept
    card_before = (out.parent / "eval_card.json").read_text()
    assert _score(results, tmp_path / "v" / "s2.json", "rules", "--report", str(out.parent)) == 2
    assert "holds the report of another run (outputs.scores" in _error(capsys)
    assert (out.parent / "eval_card.json").read_text() == card_before
    # a folder as --out, and a --report folder of another scoring: one line each
    assert _score(results, tmp_path / "scored") == 2 and "is a folder" in _error(capsys)
    assert _score(results, tmp_path / "other.json", "official", "--report", str(out.parent)) == 2
    assert "holds the report of another run" in _error(capsys)
    assert _score(results, run_dir / "again.json", "rules", "--report", str(run_dir)) == 2  # the run's scores.md
    assert "holds the report of another run" in _error(capsys)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "scores.md").write_text("my notes")
    assert _score(results, tmp_path / "w" / "s.json", "rules", "--report", str(mine)) == 2
    assert "no eval card claims" in _error(capsys) and (mine / "scores.md").read_text() == "my notes"
