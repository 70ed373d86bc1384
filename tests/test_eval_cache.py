"""``mmagrae eval run``'s response cache belongs to one model and one set of settings: a run with another model
(path or weights), prompt, decoding, n or seed refuses with one line and touches nothing; an edited row is
generated again; missing images are skipped with one warning; every layout ``data_recipes`` writes is read."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pytest
from PIL import Image

from eval.runner import RunConfig, read_cache, run
from mmagrae.preflight import UserError


@dataclass
class _Completion:
    text: str


class EchoEngine:
    """Answers every prompt with its row's gold answer (``answer``, or ChartQA's ``label``) and records what it
    was asked."""

    def __init__(self, tag: str = ""):
        self.tag, self.rows, self.images = tag, [], []

    def generate(self, prompts, n, sampling):
        out = []
        for p in prompts:
            self.rows.append(p.row["id"])
            self.images.append(len(p.images))
            gold = p.row.get("answer") or (p.row.get("label") or [""])[0]
            out.append([_Completion(f"{self.tag}The answer is {gold}.") for _ in range(n)])
        return out


def _fmt(text, n_images):
    return "<user>" + "<image>" * n_images + text + "<assistant>"


def _mathvista(tmp_path, count=4, missing=()):
    (tmp_path / "images").mkdir(parents=True, exist_ok=True)
    items = {}
    for i in range(1, count + 1):
        if i not in missing:
            Image.new("RGB", (16, 16), (40 * i, 0, 0)).save(tmp_path / "images" / f"{i}.png")
        items[str(i)] = {"pid": str(i), "question": f"What is {i}+1?", "image": f"images/{i}.png",
                         "choices": None, "unit": None, "precision": None, "answer": str(i + 1),
                         "question_type": "free_form", "answer_type": "integer",
                         "metadata": {"split": "testmini", "language": "english", "source": "synthetic",
                                      "category": "math-targeted-vqa", "task": "math word problem",
                                      "context": "synthetic scene", "grade": "elementary school",
                                      "skills": ["arithmetic reasoning"]}}
    (tmp_path / "testmini.json").write_text(json.dumps(items))
    return tmp_path


def _model(path, weights: bytes = b"weights-A"):
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text('{"model_type": "qwen2_vl"}')
    (path / "model.safetensors").write_bytes(weights)
    (path / "trainer_state.pt").write_bytes(b"optimizer state: not part of the model")
    return path


def _cfg(tmp_path, model, **kw):
    return RunConfig(benchmark="mathvista", model=str(model), out=str(tmp_path / "out"),
                     source=str(tmp_path / "data"), n=1, batch_size=2, max_new_tokens=8, **kw)


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_same_settings_resume_from_the_cache(tmp_path):
    _mathvista(tmp_path / "data")
    cfg = _cfg(tmp_path, _model(tmp_path / "model"))
    first = EchoEngine()
    run(cfg, engine=first, formatter=_fmt, log=lambda s: None)
    assert len(first.rows) == 4
    again = EchoEngine()
    summary = run(replace(cfg), engine=again, formatter=_fmt, log=lambda s: None)
    assert again.rows == [] and summary["accuracy"] == 100.0


@pytest.mark.parametrize("change, key", [
    ("other model folder", "model.path"),
    ("same folder, new weights", "model.fingerprint"),
    ("temperature", "decoding.temperature"),
    ("max_new_tokens", "decoding.max_new_tokens"),
    ("n", "n"),
    ("seed", "seed"),
    ("system prompt", "prompt.system_prompt"),
    ("image resizing", "images.max_pixels"),
])
def test_other_settings_refuse_and_touch_nothing(tmp_path, change, key):
    _mathvista(tmp_path / "data")
    model = _model(tmp_path / "model")
    cfg = _cfg(tmp_path, model)
    run(cfg, engine=EchoEngine("A: "), formatter=_fmt, log=lambda s: None)
    before = _snapshot(tmp_path / "out")
    if change == "other model folder":
        new = replace(cfg, model=str(_model(tmp_path / "model_b", b"weights-B")))
    elif change == "same folder, new weights":
        (model / "model.safetensors").write_bytes(b"weights-B")
        new = replace(cfg)
    elif change == "temperature":
        new = replace(cfg, temperature=0.7)
    elif change == "max_new_tokens":
        new = replace(cfg, max_new_tokens=16)
    elif change == "n":
        new = replace(cfg, n=2)
    elif change == "seed":
        new = replace(cfg, seed=1)
    elif change == "system prompt":
        new = replace(cfg, system_prompt="Be brief.")
    else:
        new = replace(cfg, max_pixels=256 * 28 * 28)
    engine = EchoEngine("B: ")
    with pytest.raises(UserError) as err:
        run(new, engine=engine, formatter=_fmt, log=lambda s: None)
    message = str(err.value)
    assert "\n" not in message and key in message and "use another --out" in message
    assert engine.rows == []  # nothing generated, and nothing served from the old cache
    assert _snapshot(tmp_path / "out") == before


def test_training_state_files_do_not_change_the_fingerprint(tmp_path):
    _mathvista(tmp_path / "data")
    model = _model(tmp_path / "model")
    cfg = _cfg(tmp_path, model)
    run(cfg, engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    (model / "trainer_state.pt").write_bytes(b"another optimizer state")
    (model / "README.md").write_text("notes")
    engine = EchoEngine()
    run(replace(cfg), engine=engine, formatter=_fmt, log=lambda s: None)
    assert engine.rows == []


def test_cache_without_card_is_refused(tmp_path):
    _mathvista(tmp_path / "data")
    out = tmp_path / "out"
    out.mkdir()
    (out / "responses.jsonl").write_text(json.dumps({"id": "1", "responses": ["The answer is 9."]}) + "\n")
    with pytest.raises(UserError, match="no eval_card.json"):
        run(_cfg(tmp_path, _model(tmp_path / "model")), engine=EchoEngine(), formatter=_fmt, log=lambda s: None)


@pytest.mark.parametrize("existing", ["training run", "model", "eval score"])
def test_out_is_never_a_training_run_a_model_or_another_commands_folder(tmp_path, existing):
    """A training run's summary.json, a model's files, or an eval score folder are never written over."""
    _mathvista(tmp_path / "data")
    model = _model(tmp_path / "model")
    out = model if existing == "model" else tmp_path / "out"
    out.mkdir(exist_ok=True)
    if existing == "training run":
        (out / "summary.json").write_text('{"final_reward": 0.9}')
        (out / "metrics.jsonl").write_text("")
    elif existing == "eval score":
        (out / "eval_card.json").write_text(json.dumps({"command": "eval score", "outputs": {"scores": "s.json"}}))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    cfg = replace(_cfg(tmp_path, model), out=str(out))
    with pytest.raises(UserError, match="not an eval output folder|not of an eval run"):
        run(cfg, engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_an_edited_row_is_generated_again(tmp_path, monkeypatch):
    """Edited data is other data: the folder's results are kept and the run refused (its card's data.hash).
    With the same data, a row whose prompt changed (a newer official prompt) is generated again, never served."""
    from dataclasses import replace as with_fields

    import eval.mathvista

    data = _mathvista(tmp_path / "data")
    cfg = _cfg(tmp_path, _model(tmp_path / "model"))
    run(cfg, engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    original = (data / "testmini.json").read_text()
    items = json.loads(original)
    items["3"]["question"] = "What is 3+10?"
    (data / "testmini.json").write_text(json.dumps(items))
    before = _snapshot(tmp_path / "out")
    with pytest.raises(UserError, match="holds results for other data .*data.hash"):
        run(replace(cfg), engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    assert _snapshot(tmp_path / "out") == before
    (data / "testmini.json").write_text(original)
    bench = eval.mathvista.BENCHMARK
    monkeypatch.setattr(eval.mathvista, "BENCHMARK", with_fields(
        bench, prompt=lambda row: bench.prompt(row) + (" (new wording)" if row["id"] == "3" else "")))
    engine = EchoEngine()
    run(replace(cfg), engine=engine, formatter=_fmt, log=lambda s: None)
    assert engine.rows == ["3"]
    keys = {json.loads(line)["id"]: json.loads(line)["key"] for line in
            (tmp_path / "out" / "responses.jsonl").read_text().splitlines()}
    assert set(keys) == {"1", "2", "3", "4"}
    assert len(read_cache(tmp_path / "out" / "responses.jsonl")["3"]) == 2  # old + new entry on disk
    card = json.loads((tmp_path / "out" / "eval_card.json").read_text())
    assert card["data"]["rows"] == 4


def test_missing_images_are_skipped_with_one_warning(tmp_path):
    _mathvista(tmp_path / "data", count=5, missing=(2, 4))
    logs: list[str] = []
    engine = EchoEngine()
    summary = run(_cfg(tmp_path, _model(tmp_path / "model")), engine=engine, formatter=_fmt, log=logs.append)
    warnings = [line for line in logs if "warning" in line]
    assert len(warnings) == 1 and "skipped 2 of 5 rows" in warnings[0] and "missing image: 2" in warnings[0]
    assert sorted(engine.rows) == ["1", "3", "5"] and all(n == 1 for n in engine.images)
    assert summary["total"] == 3 and summary["skipped_rows"] == 2


def test_oversized_image_is_skipped_with_its_size(tmp_path):
    from tests.test_user_errors import huge_png_header

    data = _mathvista(tmp_path / "data", count=2)
    (data / "images" / "2.png").write_bytes(huge_png_header())
    logs: list[str] = []
    summary = run(_cfg(tmp_path, _model(tmp_path / "model")), engine=EchoEngine(), formatter=_fmt,
                  log=logs.append)
    assert summary["total"] == 1
    assert any("image too large (20000×20000): 1" in line for line in logs)


# ------------------------------------------------------------------------------- data_recipes layouts in eval
def _recipe_sources(tmp_path):
    """Small Geometry3K (Hub layout) and ChartQA (original repo layout) sources for ``data convert``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.test_user_errors import _png

    geo = tmp_path / "geo_src"
    geo.mkdir()
    table = pa.table({
        "images": [[{"bytes": _png(), "path": None}], [{"bytes": _png(), "path": None}]],
        "problem": ["<image>Find x.", "<image>Find y."],
        "answer": ["3", "5"], "choices": [["1", "3", "4", "6"], ["2", "5", "7", "9"]],
        "ground_truth": ["B", "B"],
    })
    pq.write_table(table, geo / "test-00000-of-00001.parquet")
    chart = tmp_path / "chart_src" / "test"
    (chart / "png").mkdir(parents=True)
    (chart / "png" / "c1.png").write_bytes(_png())
    (chart / "test_human.json").write_text(json.dumps([{"imgname": "c1.png", "query": "Max value?", "label": "42"}]))
    (chart / "test_augmented.json").write_text(json.dumps([{"imgname": "c1.png", "query": "Min?", "label": "7"}]))
    return geo, tmp_path / "chart_src"


@pytest.mark.parametrize("benchmark", ["geometry3k", "chartqa"])
@pytest.mark.parametrize("arrow", [False, True])
def test_eval_run_and_training_read_every_recipe_layout(tmp_path, benchmark, arrow):
    from mmagrae.cli import main
    from mmagrae.data import load_rows

    geo, chart = _recipe_sources(tmp_path)
    src = geo if benchmark == "geometry3k" else chart
    out = tmp_path / "converted"
    assert main(["data", "convert", benchmark, "--src", str(src), "--split", "test", "--out", str(out)]
                + (["--arrow-copy"] if arrow else [])) == 0
    folder = out.with_name(out.name + ".arrow") if arrow else out
    rows, report = load_rows(str(folder), split="test")  # what training reads
    assert len(rows) == 2 and report.skipped == 0 and all(len(r["images"]) == 1 for r in rows)
    engine = EchoEngine()
    cfg = RunConfig(benchmark=benchmark, model=str(_model(tmp_path / "model")), out=str(tmp_path / "ev"),
                    source=str(folder), split="test", batch_size=4)
    summary = run(cfg, engine=engine, formatter=_fmt, log=lambda s: None)
    assert summary["total"] == 2 and summary["accuracy"] == 100.0
    assert engine.images == [1, 1]


def test_eval_run_reads_hub_parquet_with_image_lists(tmp_path):
    geo, _ = _recipe_sources(tmp_path)  # hiyouga/geometry3k layout: images = list of {bytes, path}
    engine = EchoEngine()
    cfg = RunConfig(benchmark="geometry3k", model=str(_model(tmp_path / "model")), out=str(tmp_path / "ev"),
                    source=str(geo), split="test")
    summary = run(cfg, engine=engine, formatter=_fmt, log=lambda s: None)
    assert summary["total"] == 2 and engine.images == [1, 1]


def test_eval_run_on_a_synthetic_recipe_folder_and_a_bomb_in_hub_parquet(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mmagrae.cli import main
    from tests.test_user_errors import _png, huge_png_header

    counting = tmp_path / "counting"
    assert main(["data", "make", "counting", "--n", "2", "--test-n", "3", "--out", str(counting)]) == 0
    cfg = RunConfig(benchmark="geometry3k", model=str(_model(tmp_path / "model")), out=str(tmp_path / "ev"),
                    source=str(counting), split="test")
    summary = run(cfg, engine=EchoEngine(), formatter=_fmt, log=lambda s: None)
    assert summary["total"] == 3 and summary["accuracy"] == 100.0  # typed answers verified as integers
    with pytest.raises(UserError, match="data_recipes folder"):
        run(replace(cfg, benchmark="mathvista", split="testmini", out=str(tmp_path / "ev2")), engine=EchoEngine(),
            formatter=_fmt, log=lambda s: None)
    assert not (tmp_path / "ev2").exists()

    hub = tmp_path / "hub"  # hiyouga/geometry3k layout with one decompression bomb
    hub.mkdir()
    pq.write_table(pa.table({
        "images": [[{"bytes": _png(), "path": None}], [{"bytes": huge_png_header(), "path": None}]],
        "problem": ["<image>Find x.", "<image>Find y."], "answer": ["3", "5"],
    }), hub / "test-00000-of-00001.parquet")
    logs: list[str] = []
    summary = run(replace(cfg, source=str(hub), out=str(tmp_path / "ev3")), engine=EchoEngine(), formatter=_fmt,
                  log=logs.append)
    assert summary["total"] == 1 and summary["skipped_rows"] == 1
    assert any("image too large (20000×20000): 1" in line for line in logs)


def test_a_training_checkpoint_is_evaluated_with_its_runs_image_resizing(tmp_path):
    from mmagrae.config import dump_yaml, load_config

    data = tmp_path / "data"
    data.mkdir()
    Image.new("RGB", (200, 150), (9, 9, 9)).save(data / "a.png")
    (data / "testmini.json").write_text(json.dumps({"1": {
        "pid": "1", "question": "q?", "image": "a.png", "choices": None, "unit": None, "precision": None,
        "answer": "3", "question_type": "free_form", "answer_type": "integer", "metadata": {}}}))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text(dump_yaml(load_config(None, ["data.min_pixels=784",
                                                                     "data.max_pixels=12544"])))
    ckpt = _model(run_dir / "checkpoints" / "step_000002")

    class SizeEngine(EchoEngine):
        def generate(self, prompts, n, sampling):
            self.sizes = [p.images[0].size for p in prompts]
            return super().generate(prompts, n, sampling)

    engine = SizeEngine()
    cfg = RunConfig(benchmark="mathvista", model=str(ckpt), out=str(tmp_path / "ev"), source=str(data))
    run(cfg, engine=engine, formatter=_fmt, log=lambda s: None)
    (w, h), = engine.sizes
    assert w % 28 == 0 and h % 28 == 0 and w * h <= 12544  # qwen-vl-utils resizing, as in training
    card = json.loads((tmp_path / "ev" / "eval_card.json").read_text())
    assert card["images"]["max_pixels"] == 12544 and "as trained" in card["images"]["resizing"]
    engine = SizeEngine()  # an explicit value wins (and, being another setting, needs another folder)
    run(replace(cfg, out=str(tmp_path / "ev2"), max_pixels=200 * 150), engine=engine, formatter=_fmt,
        log=lambda s: None)
    assert engine.sizes[0][0] * engine.sizes[0][1] > 12544
