"""``mmagrae eval run``: a fake engine (batching, resume after a crash, n > 1, outputs), then end to end on a
tiny random Qwen2-VL with both backends."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from PIL import Image

from eval.runner import RunConfig, read_cache, run


@dataclass
class _Completion:
    text: str


class FakeEngine:
    """Answers each MathVista-style prompt with the gold answer on even samples and "0" on odd ones; can be
    told to crash after some batches."""

    def __init__(self, crash_after: int | None = None):
        self.calls, self.crash_after, self.prompts = 0, crash_after, 0

    def generate(self, prompts, n, sampling):
        if self.crash_after is not None and self.calls >= self.crash_after:
            raise KeyboardInterrupt
        self.calls += 1
        self.prompts += len(prompts)
        assert all(p.text.startswith("<user>") and len(p.images) == 1 for p in prompts)
        return [[_Completion(f"The answer is {p.row['answer']}." if j % 2 == 0 else "The answer is 0.")
                 for j in range(n)] for p in prompts]


def _formatter(text, n_images):
    return "<user>" + "<image>" * n_images + text + "<assistant>"


def _mathvista_dir(tmp_path, count=5):
    (tmp_path / "images").mkdir(parents=True)
    items = {}
    for i in range(1, count + 1):
        Image.new("RGB", (16, 16), (40 * i, 0, 0)).save(tmp_path / "images" / f"{i}.png")
        items[str(i)] = {"pid": str(i), "question": f"What is {i}+1?", "image": f"images/{i}.png", "choices": None,
                         "unit": None, "precision": None, "answer": str(i + 1), "question_type": "free_form",
                         "answer_type": "integer",
                         "metadata": {"split": "testmini", "language": "english", "source": "synthetic",
                                      "category": "math-targeted-vqa", "task": "math word problem",
                                      "context": "synthetic scene", "grade": "elementary school",
                                      "skills": ["arithmetic reasoning"]}}
    (tmp_path / "testmini.json").write_text(json.dumps(items))
    return tmp_path


def test_run_resumes_after_crash_without_regenerating(tmp_path):
    data = _mathvista_dir(tmp_path / "data")
    cfg = RunConfig(benchmark="mathvista", model="unused", out=str(tmp_path / "out"), source=str(data), n=2,
                    batch_size=2, max_new_tokens=8)
    crashing = FakeEngine(crash_after=2)
    with pytest.raises(KeyboardInterrupt):
        run(cfg, engine=crashing, formatter=_formatter, log=lambda s: None)
    assert len(read_cache(tmp_path / "out" / "responses.jsonl")) == 4  # two batches of two rows were saved
    with (tmp_path / "out" / "responses.jsonl").open("a") as f:
        f.write('{"id": "5", "respon')  # a torn line from a crash mid-write is ignored

    engine = FakeEngine()
    summary = run(cfg, engine=engine, formatter=_formatter, log=lambda s: None)
    assert engine.prompts == 1  # only the fifth row was generated
    assert summary["accuracy"] == 50.0 and summary["pass@k"] == {"1": 50.0, "2": 100.0}
    out = tmp_path / "out"
    scores = json.loads((out / "scores.json").read_text())
    assert scores["average"] == {"accuracy": "100.0", "correct": 5, "total": 5}  # official layout, first sample
    assert set(scores) >= {"question_type", "answer_type", "skills", "grade"}
    official = json.loads((out / "output_mathvista.json").read_text())
    assert official["3"]["extraction"] == "4" and official["3"]["true_false"] is True
    assert (out / "scores.md").exists() and (out / "chart_skills.png").exists()
    assert len((out / "verdicts.jsonl").read_text().splitlines()) == 5

    # a third run generates nothing and rescoring the official file gives the same table
    again = FakeEngine()
    run(cfg, engine=again, formatter=_formatter, log=lambda s: None)
    assert again.prompts == 0
    from eval import mathvista

    _, rescored = mathvista.score_results(mathvista.read_results(out / "output_mathvista.json"), mode="official")
    assert rescored == scores


def test_run_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown split"):
        run(RunConfig(benchmark="mathvista", model="m", out=str(tmp_path), split="dev"), engine=FakeEngine())
    with pytest.raises(ValueError, match="mode rules or judge"):
        run(RunConfig(benchmark="mathvista", model="m", out=str(tmp_path), mode="official"), engine=FakeEngine())



@pytest.mark.slow
@pytest.mark.parametrize("backend", ["hf", "vllm"])
def test_eval_run_end_to_end_tiny_model(backend, tiny_qwen2_vl, tmp_path):
    """The real CLI path on a tiny random Qwen2-VL: generation, cache, scoring and reports."""
    import mmagrae.rollout as rollout

    assert backend in rollout.BACKENDS
    from mmagrae.cli import main

    data = _mathvista_dir(tmp_path / "data", count=3)
    out = tmp_path / f"out_{backend}"
    rc = main(["eval", "run", "--benchmark", "mathvista", "--model", str(tiny_qwen2_vl), "--backend", backend,
               "--data", str(data), "--limit", "2", "--n", "2", "--max-new-tokens", "4", "--batch-size", "2",
               "--out", str(out)])
    assert rc == 0
    cache = read_cache(out / "responses.jsonl")
    assert len(cache) == 2 and all(len(v) == 2 for v in cache.values())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["total"] == 4 and set(summary["pass@k"]) == {"1", "2"}
    assert json.loads((out / "scores.json").read_text())["average"]["total"] == 2


def test_run_judge_mode_through_local_server(tmp_path):
    from test_eval_judge import _Server

    server = _Server()
    try:
        data = _mathvista_dir(tmp_path / "data", count=3)
        cfg = RunConfig(benchmark="mathvista", model="unused", out=str(tmp_path / "out"), source=str(data), n=1,
                        mode="judge", judge_url=server.url)
        summary = run(cfg, engine=FakeEngine(), formatter=_formatter, log=lambda s: None)
        assert summary["accuracy"] == 100.0 and len(server.requests) == 3
        assert len((tmp_path / "out" / "judge_cache.jsonl").read_text().splitlines()) == 3
    finally:
        server.close()
