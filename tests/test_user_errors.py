"""User errors on the command line: one line naming the file (and line / item / field), exit status 2, no
traceback, nothing left behind, and path checks before any model loads. Also oversized images (skipped and
counted as "image too large (W×H)") and the printed-output fixes of ``mmagrae verify``."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from mmagrae.cli import main
from tests.eval_cli import error_line


def _png(width: int = 8, height: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def huge_png_header(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG file whose header claims ``width × height`` pixels (nothing to decode: costs no memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


# ------------------------------------------------------------------------------------------------ config / train
def test_yaml_syntax_error_names_the_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("trainer:\n  max_steps: [1\n")
    assert main(["config", str(bad)]) == 2
    line = error_line(capsys)
    assert str(bad) in line and "line 3" in line and "unicode string" not in line
    assert main(["train", str(bad), f"trainer.output_dir={tmp_path / 'run'}"]) == 2
    assert str(bad) in error_line(capsys)
    assert not (tmp_path / "run").exists()


@pytest.fixture
def no_model_loads(monkeypatch):
    """Fail the test if training starts or an engine is built: path checks must come first."""
    import mmagrae.rollout
    import mmagrae.trainer.loop

    def refuse(*args, **kwargs):
        raise AssertionError("a model was about to load")

    monkeypatch.setattr(mmagrae.trainer.loop, "train", refuse)
    monkeypatch.setattr(mmagrae.rollout, "build_engine", refuse)


def test_train_missing_model_path_fails_fast_and_leaves_nothing(tmp_path, capsys, no_model_loads):
    out = tmp_path / "run"
    assert main(["train", "model.path=./no/such/model", f"trainer.output_dir={out}"]) == 2
    assert "model.path ./no/such/model does not exist" in error_line(capsys)
    assert not out.exists()
    (tmp_path / "notamodel").mkdir()
    assert main(["train", f"model.path={tmp_path / 'notamodel'}", f"trainer.output_dir={out}"]) == 2
    assert "no config.json" in error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize("content, expected", [
    (b"", "is empty"),
    (b"\n\n", "has no rows"),
    (b'{"problem": "1+1?", "answer": "2"}\n{"problem": "caf\xe9", "answer": "1"}\n', "line 2: not UTF-8"),
    (b'{"problem": "1+1?", "answer": "2"}\n{"problem": oops}\n', "line 2: not valid JSON"),
])
def test_train_bad_dataset_file_is_one_line(tmp_path, capsys, content, expected, no_model_loads):
    data = tmp_path / "rows.jsonl"
    data.write_bytes(content)
    out = tmp_path / "run"
    assert main(["train", f"data.train={data}", f"trainer.output_dir={out}"]) == 2
    line = error_line(capsys)
    assert str(data) in line and expected in line
    assert not out.exists()


def test_train_missing_dataset_and_empty_json_list(tmp_path, capsys, no_model_loads):
    out = tmp_path / "run"
    assert main(["train", f"data.train={tmp_path / 'nope.parquet'}", f"trainer.output_dir={out}"]) == 2
    assert "data.train" in error_line(capsys)
    empty = tmp_path / "rows.json"
    empty.write_text("[]")
    assert main(["train", f"data.train={empty}", f"trainer.output_dir={out}"]) == 2
    assert "has no rows" in error_line(capsys)
    assert main(["train", f"data.val={tmp_path / 'val_missing'}", f"trainer.output_dir={out}"]) == 2
    assert "data.val" in error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize("data, expected", [
    ({"7": {"problem": "1+1?", "answer": "2"}}, None),  # {id: row}, MathVista-style
    ({"1": {"problem": "1+1?", "answer": "2"}, "2": "not a row"}, "expected a list of rows"),
    ({"data": [{"problem": "1+1?", "answer": "2"}, 3]}, "row 1 is not a JSON object"),
])
def test_train_preflight_reads_json_rows_as_the_loader_does(tmp_path, capsys, data, expected, no_model_loads):
    """The preflight and the loader share one reading of a .json file: what passes one reads the same way in
    the other, and what one refuses the other never reaches."""
    from mmagrae.data.loading import json_file_rows
    from mmagrae.preflight import UserError
    from mmagrae.trainer.cli import check_data_not_empty

    path = tmp_path / "rows.json"
    path.write_text(json.dumps(data))
    if expected is None:
        check_data_not_empty(str(path), "data.train")
        assert json_file_rows(path, data) == [{"id": "7", "problem": "1+1?", "answer": "2"}]
        return
    with pytest.raises(UserError, match=expected):
        check_data_not_empty(str(path), "data.train")


def test_debug_flag_and_env_show_the_traceback(tmp_path):
    cmd = [sys.executable, "-m", "mmagrae", "train", "model.path=./no/such/model",
           f"trainer.output_dir={tmp_path / 'run'}"]
    quiet = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 2 and "Traceback" not in quiet.stderr
    assert quiet.stderr.strip() == "error: model.path ./no/such/model does not exist"
    loud = subprocess.run([*cmd[:3], "--debug", *cmd[3:]], capture_output=True, text=True, timeout=120)
    assert loud.returncode != 0 and "Traceback" in loud.stderr and "UserError" in loud.stderr
    after = subprocess.run([*cmd, "--debug"], capture_output=True, text=True, timeout=120)  # after the command
    assert after.returncode != 0 and "Traceback" in after.stderr


# ------------------------------------------------------------------------------------------------- eval run
def test_eval_run_missing_model_or_data_leaves_no_folder(tmp_path, capsys, no_model_loads):
    out = tmp_path / "ev"
    assert main(["eval", "run", "--benchmark", "mathvista", "--model", str(tmp_path / "nomodel"),
                 "--out", str(out)]) == 2
    assert "--model" in error_line(capsys) and not out.exists()
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    assert main(["eval", "run", "--benchmark", "mathvista", "--model", str(model), "--data",
                 str(tmp_path / "nodata"), "--out", str(out)]) == 2
    assert "--data" in error_line(capsys) and not out.exists()
    assert main(["eval", "run", "--benchmark", "mathvista", "--model", str(model), "--mode", "judge",
                 "--out", str(out)]) == 2
    assert "--judge-url" in error_line(capsys) and not out.exists()


@pytest.mark.parametrize("benchmark", ["mathvista", "mathverse", "wemath"])
def test_eval_run_wrong_layout_is_one_line(tmp_path, capsys, no_model_loads, benchmark):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    data = tmp_path / "data"
    data.mkdir()
    (data / "testmini.json").write_text(json.dumps({"7": {"question": "no ids here"}}))  # {id: item}, wrong fields
    assert main(["eval", "run", "--benchmark", benchmark, "--model", str(model), "--data", str(data),
                 "--out", str(tmp_path / "ev")]) == 2
    assert f"not the {benchmark} layout" in error_line(capsys)
    assert not (tmp_path / "ev").exists()


# ----------------------------------------------------------------------------------------------- eval score
def _mathvista_item(pid: str, **extra):
    return {"pid": pid, "question": "q", "answer": "2", "question_type": "free_form", "answer_type": "integer",
            "precision": None, "choices": None, "response": "2", "extraction": "2", "metadata": {}, **extra}


@pytest.mark.parametrize("content, expected", [
    ("", "the file is empty"),
    ("[]", "no items to score"),
    ("{}", "no items to score"),
    ('{"1": ', "not valid JSON"),
    ('{"1": 3}', "item 1: expected a JSON object"),
    ('"text"', "expected a list of items"),
])
def test_eval_score_malformed_input(tmp_path, capsys, content, expected):
    src = tmp_path / "output.json"
    src.write_text(content)
    out = tmp_path / "scores.json"
    assert main(["eval", "score", "mathvista", "--input", str(src), "--out", str(out)]) == 2
    line = error_line(capsys)
    assert str(src) in line and expected in line
    assert not out.exists() and "accuracy" not in line


def test_eval_score_missing_field_names_the_item(tmp_path, capsys):
    item = _mathvista_item("17")
    del item["question_type"]
    src = tmp_path / "output.json"
    src.write_text(json.dumps({"1": _mathvista_item("1"), "17": item}))
    assert main(["eval", "score", "mathvista", "--input", str(src), "--out", str(tmp_path / "s.json")]) == 2
    assert "item 17: missing field 'question_type'" in error_line(capsys)
    rows = tmp_path / "rows.jsonl"  # another benchmark, JSONL: the item's id is named
    rows.write_text(json.dumps({"id": "h-3", "response": "5"}) + "\n")
    assert main(["eval", "score", "chartqa", "--input", str(rows), "--mode", "rules",
                 "--out", str(tmp_path / "c.json")]) == 2
    line = error_line(capsys)
    assert "item h-3: " in line and ("missing field" in line or "empty or malformed" in line)
    assert main(["eval", "score", "chartqa", "--input", str(rows), "--mode", "official",  # not scored as wrong
                 "--out", str(tmp_path / "c.json")]) == 2
    assert "item h-3: missing field 'answer'" in error_line(capsys) and not (tmp_path / "c.json").exists()
    rows.write_bytes(b'{"id": "a", "label": "1", "response": "1"}\n{"id": "b", "label": "\xff"}\n')
    assert main(["eval", "score", "chartqa", "--input", str(rows), "--out", str(tmp_path / "c.json")]) == 2
    assert "line 2: not UTF-8" in error_line(capsys)


def test_eval_score_of_a_file_without_responses(tmp_path, capsys):
    """The benchmark's data file given as results: one line, nothing written. Some items without a response:
    scored as wrong, counted in a warning."""
    rows = [{"id": f"q{i}", "label": str(i)} for i in range(4)]
    src = tmp_path / "data.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "c.json"
    assert main(["eval", "score", "chartqa", "--input", str(src), "--mode", "rules", "--out", str(out)]) == 2
    assert "no item has a 'response' field" in error_line(capsys) and not out.exists()
    rows[0]["response"] = "0"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["eval", "score", "chartqa", "--input", str(src), "--mode", "rules", "--out", str(out)]) == 0
    assert "3 of 4 items have no 'response' field" in capsys.readouterr().err
    assert json.loads(out.read_text())["accuracy"] == 25.0


# --------------------------------------------------------------------------------------------- data convert
def test_data_convert_wrong_layout_and_zero_rows_write_nothing(tmp_path, capsys):
    images_only = tmp_path / "pngs"
    images_only.mkdir()
    (images_only / "a.png").write_bytes(_png())
    out = tmp_path / "out"
    assert main(["data", "convert", "geometry3k", "--src", str(images_only), "--out", str(out)]) == 2
    assert str(images_only) in error_line(capsys)
    assert not out.exists()
    rows = tmp_path / "rows.jsonl"  # rows of another layout: every one is skipped
    rows.write_text(json.dumps({"text": "hello", "y": 1}) + "\n")
    assert main(["data", "convert", "chartqa", "--src", str(rows), "--out", str(out)]) == 2
    line = error_line(capsys)
    assert "no usable rows" in line and "no query" in line
    assert not out.exists() or not list(out.glob("*.parquet"))
    assert main(["data", "convert", "geoqa", "--src", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "--src" in error_line(capsys)


def test_data_convert_map_to_missing_column_names_it(tmp_path, capsys):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"question": "1+1?", "label": "2"}) + "\n")
    out = tmp_path / "out"
    assert main(["data", "convert", "local", "--src", str(rows), "--map", "problem=questoin,answer=label",
                 "--out", str(out)]) == 2
    line = error_line(capsys)
    assert "problem=questoin" in line and "no such column" in line and "question" in line
    assert not out.exists()


# ------------------------------------------------------------------------------------------ oversized images
def test_huge_image_skipped_in_data_convert_with_reason(tmp_path, capsys):
    (tmp_path / "ok.png").write_bytes(_png())
    (tmp_path / "huge.png").write_bytes(huge_png_header())
    (tmp_path / "bad.png").write_bytes(b"not a png")
    rows = [{"question": "a?", "label": "1", "img": "ok.png"}, {"question": "b?", "label": "2", "img": "huge.png"},
            {"question": "c?", "label": "3", "img": "bad.png"}]
    src = tmp_path / "rows.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out"
    assert main(["data", "convert", "local", "--src", str(src), "--map", "problem=question,answer=label,images=img",
                 "--out", str(out)]) == 0
    assert "skipped 1: image too large (20000×20000)" in capsys.readouterr().out
    conversion = json.loads((out / "mmagrae_data.json").read_text())["conversion"][0]
    assert conversion["skipped"] == {"image too large (20000×20000)": 1, "unreadable image": 1}
    unreadable = [e for e in conversion["skipped_examples"] if e["reason"] == "unreadable image"][0]
    assert unreadable["detail"].startswith("UnidentifiedImageError")  # not an empty detail
    # a lower limit on the command line skips the 8×8 image too
    assert main(["data", "convert", "local", "--src", str(src), "--map", "problem=question,answer=label,images=img",
                 "--max-image-pixels", "10", "--out", str(tmp_path / "out2")]) == 2
    assert "image too large (8×8)" in error_line(capsys)


def test_huge_image_skipped_in_training_rows(tmp_path):
    from mmagrae.data import load_rows

    (tmp_path / "huge.png").write_bytes(huge_png_header())
    (tmp_path / "ok.png").write_bytes(_png(40, 30))
    raw = [{"problem": "a?", "answer": "1", "images": ["huge.png"]},
           {"problem": "b?", "answer": "2", "images": ["ok.png"]}]
    rows, report = load_rows(raw, image_dir=tmp_path)
    assert len(rows) == 1 and dict(report.reasons) == {"image too large (20000×20000)": 1}
    rows, report = load_rows(raw, image_dir=tmp_path, max_image_pixels=1000)
    assert rows == [] and dict(report.reasons) == {"image too large (20000×20000)": 1,
                                                   "image too large (40×30)": 1}
    rows, _ = load_rows(raw[1:], image_dir=tmp_path, max_image_pixels=1200)
    assert len(rows) == 1


def test_config_pixel_limit_is_validated():
    from mmagrae.config import ConfigError, load_config

    assert load_config(None, ["data.max_image_pixels=1000"]).data.max_image_pixels == 1000
    assert load_config(None, ["data.max_image_pixels=null"]).data.max_image_pixels is None
    with pytest.raises(ConfigError, match="data.max_image_pixels"):
        load_config(None, ["data.max_image_pixels=0"])


# -------------------------------------------------------------------------------------------- mmagrae verify
def test_verify_caps_long_extraction(capsys):
    huge = "y" * 60000
    assert main(["verify", "--response", f"<answer>{huge}</answer>", "--gold", "abc"]) == 0
    printed = capsys.readouterr().out
    verdict = json.loads(printed)
    assert len(printed) < 2000 and verdict["extracted"].endswith("… [60000 chars]")


def test_verify_jsonl_bad_lines_get_1_based_line_numbers(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"response": "2", "gold": "2"}\n\nnot json\n{"response": "\xff", "gold": "1"}\n')
    out = tmp_path / "out.jsonl"
    assert main(["verify", "--jsonl", str(src), "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == [1, 3, 4]
    assert records[0]["correct"] is True
    assert "bad input line" in records[1]["reason"] and "not UTF-8" in records[2]["reason"]


def test_verify_never_writes_over_its_input_or_an_existing_file(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text('{"response": "2", "gold": "2"}\n')
    before = src.read_bytes()
    for extra in ([], ["--overwrite"]):  # the input is refused even with --overwrite
        assert main(["verify", "--jsonl", str(src), "--out", str(src), *extra]) == 2
        assert "is the --jsonl input" in capsys.readouterr().err
    assert src.read_bytes() == before
    out = tmp_path / "verdicts.jsonl"
    assert main(["verify", "--jsonl", str(src), "--out", str(out)]) == 0
    assert main(["verify", "--jsonl", str(src), "--out", str(out)]) == 2
    assert "exists; name another file, or pass --overwrite" in capsys.readouterr().err
    assert main(["verify", "--jsonl", str(src), "--out", str(out), "--overwrite"]) == 0
    assert json.loads(out.read_text())["correct"] is True
    assert main(["verify", "--jsonl", str(src), "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "verdicts.jsonl"]  # no temporary left


def test_tiny_model_never_writes_over_another_model(tmp_path, capsys):
    real = tmp_path / "checkpoint"
    real.mkdir()
    (real / "config.json").write_text('{"model_type": "llama"}')
    assert main(["tiny-model", "--arch", "qwen2", "--out", str(real)]) == 2
    assert "not empty and holds no tiny model" in error_line(capsys)
    assert sorted(p.name for p in real.iterdir()) == ["config.json"]
    assert (real / "config.json").read_text() == '{"model_type": "llama"}'
    tiny = tmp_path / "tiny"
    assert main(["tiny-model", "--arch", "qwen2", "--out", str(tiny)]) == 0
    assert main(["tiny-model", "--arch", "qwen2_5_vl", "--out", str(tiny), "--seed", "1"]) == 0  # its own: rebuilt
    assert main(["tiny-model", "--arch", "qwen2", "--out", str(tiny)]) == 0  # another arch: nothing of the last stays
    assert not (tiny / "processor_config.json").exists() and not (tiny / "preprocessor_config.json").exists()
    assert json.loads((tiny / "TINY_MODEL.json").read_text())["arch"] == "qwen2"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    link = tmp_path / "link"
    link.symlink_to(tiny, target_is_directory=True)
    assert main(["tiny-model", "--arch", "qwen2", "--out", str(link), "--seed", "2"]) == 0  # the target is rebuilt
    assert link.is_symlink() and json.loads((tiny / "TINY_MODEL.json").read_text())["seed"] == 2


def test_a_killed_tiny_model_build_leaves_no_half_model(tmp_path, monkeypatch):
    """`tiny:ARCH` builds are reused when `config.json` exists: a build killed halfway must leave nothing there."""
    import pytest as _pytest

    from mmagrae.models import tiny

    def killed(arch, out_dir, **kwargs):
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(tiny, "_build_tiny_model", killed)
    with _pytest.raises(KeyboardInterrupt):
        tiny.build_tiny_model("qwen2", tmp_path / "cache" / "tiny-qwen2-seed0")
    assert not (tmp_path / "cache" / "tiny-qwen2-seed0").exists()
    assert not [p for p in (tmp_path / "cache").iterdir()]


def test_one_line_for_missing_files_everywhere(tmp_path, capsys):
    assert main(["data", "inspect", str(tmp_path / "nothing")]) == 2
    assert str(tmp_path / "nothing") in error_line(capsys)
    assert main(["eval", "compare", str(tmp_path), str(tmp_path)]) == 2
    assert f"{tmp_path} has no eval_card.json" in error_line(capsys)
    assert main(["eval", "compare", str(tmp_path / "a"), str(tmp_path)]) == 2
    assert "is neither an eval output folder nor a scores file" in error_line(capsys)


def test_help_lists_debug_flag(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--debug" in capsys.readouterr().out


def test_train_folder_without_the_split_and_offline_hub_ids(tmp_path, capsys, monkeypatch, no_model_loads):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "test-00000-of-00001.parquet").write_bytes(b"")
    out = tmp_path / "run"
    assert main(["train", f"data.train={folder}", f"trainer.output_dir={out}"]) == 2
    assert "data.train: no split 'train'" in error_line(capsys) and not out.exists()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["train", "data.train=someorg/not-cached", f"trainer.output_dir={out}"]) == 2
    assert "Hub is offline" in error_line(capsys)
    assert main(["train", "model.path=someorg/not-cached-model", f"trainer.output_dir={out}"]) == 2
    assert "model.path someorg/not-cached-model" in error_line(capsys) and not out.exists()
    (tmp_path / "afile").write_text("x")
    assert main(["data", "make", "counting", "--n", "2", "--out", str(tmp_path / "afile")]) == 2
    assert "is a file, not a folder" in error_line(capsys)


def test_one_split_rule_for_every_local_reader(tmp_path):
    from mmagrae.data.loading import split_files

    for name in ("train-00000-of-00001.parquet", "testmini-00000.parquet", "test.jsonl", "test.parquet",
                 "val/part-0.parquet", "mmagrae_data.json", ".cache/train-x.parquet"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    names = lambda split, **kw: [p.relative_to(tmp_path).as_posix() for p in split_files(tmp_path, split, **kw)]  # noqa: E731
    assert names("train") == ["train-00000-of-00001.parquet"]
    assert names("test") == ["test.parquet"]  # not testmini; Parquet before the JSONL copy
    assert names("test", suffixes=(".jsonl",)) == ["test.jsonl"]
    assert names("testmini") == ["testmini-00000.parquet"] and names("val") == ["val/part-0.parquet"]
    with pytest.raises(FileNotFoundError, match=r"no split 'dev'.*found: \['test', 'testmini', 'train', 'val'\]"):
        split_files(tmp_path, "dev")
    unsplit = tmp_path / "unsplit"
    unsplit.mkdir()
    (unsplit / "part-0.parquet").touch()
    assert [p.name for p in split_files(unsplit, "test")] == ["part-0.parquet"]
    with pytest.raises(FileNotFoundError):
        split_files(unsplit, "test", unsplit_ok=False)


def test_doctests_of_the_user_error_modules():
    import doctest
    import importlib

    for name in ("mmagrae.preflight", "mmagrae.data.loading", "mmagrae.verifiers.cli", "eval.card"):
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, name


def test_eval_run_ctrl_c_is_one_line_and_exit_130(tmp_path, capsys, monkeypatch):
    import eval.runner

    def interrupted(cfg, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(eval.runner, "run", interrupted)
    assert main(["eval", "run", "--benchmark", "mathvista", "--model", "m", "--out", str(tmp_path / "ev")]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"[eval] interrupted; run the same command to resume from {tmp_path / 'ev' / 'responses.jsonl'}"]


def test_verify_empty_jsonl_is_an_error_not_accuracy_zero(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("\n\n")
    assert main(["verify", "--jsonl", str(src)]) == 2
    captured = capsys.readouterr()
    assert "has no lines to verify" in captured.err and "accuracy" not in captured.err + captured.out


def test_save_dataset_never_writes_an_empty_split(tmp_path, capsys):
    from data_recipes.io import save_dataset
    from data_recipes.synthetic import make_dataset
    from mmagrae.preflight import UserError

    out = tmp_path / "counting"
    assert main(["data", "make", "counting", "--n", "2", "--out", str(out)]) == 0
    before = sorted(p.name for p in out.iterdir())
    assert main(["data", "make", "counting", "--n", "0", "--out", str(out)]) == 2
    assert "holds another dataset (n: 2 → 0)" in error_line(capsys)
    assert sorted(p.name for p in out.iterdir()) == before  # the old dataset is untouched
    assert main(["data", "make", "counting", "--n", "0", "--out", str(tmp_path / "none")]) == 2
    assert "no rows in split(s) train" in error_line(capsys) and not (tmp_path / "none").exists()
    with pytest.raises(UserError, match="test"):
        save_dataset({"train": make_dataset("counting", 1, seed=0), "test": make_dataset("counting", 0, seed=0)},
                     tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_data_commands_never_replace_another_dataset_or_foreign_files(tmp_path, capsys):
    """`data make`/`data convert` write into a new or empty folder, or over their own earlier output made with
    the same settings; another dataset, a folder of other files, or Parquet files the manifest does not list
    are refused with one line and left untouched."""
    out = tmp_path / "counting"
    assert main(["data", "make", "counting", "--n", "3", "--seed", "0", "--out", str(out)]) == 0
    assert main(["data", "make", "counting", "--n", "3", "--seed", "0", "--out", str(out)]) == 0  # a re-run
    shard = next(out.glob("*.parquet")).read_bytes()
    assert main(["data", "make", "counting", "--n", "3", "--seed", "1", "--out", str(out)]) == 2
    assert "holds another dataset (seed: 0 → 1)" in error_line(capsys)
    assert next(out.glob("*.parquet")).read_bytes() == shard
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "README.md").write_text("my notes")
    (mine / "table.parquet").write_bytes(b"PAR1")
    assert main(["data", "make", "counting", "--n", "3", "--out", str(mine)]) == 2
    assert "holds no mmagrae dataset" in error_line(capsys)
    assert (mine / "README.md").read_text() == "my notes" and (mine / "table.parquet").read_bytes() == b"PAR1"
    (out / "extra-00000-of-00001.parquet").write_bytes(b"PAR1")  # a file someone put beside the dataset
    assert main(["data", "make", "counting", "--n", "3", "--seed", "0", "--out", str(out)]) == 2
    assert "does not list (extra-00000-of-00001.parquet)" in error_line(capsys)
    src = tmp_path / "rows.jsonl"
    src.write_text(json.dumps({"question": "q", "label": "1"}) + "\n")
    conv = ["data", "convert", "local", "--src", str(src), "--map", "problem=question,answer=label"]
    assert main([*conv, "--out", str(tmp_path / "conv")]) == 0
    assert main([*conv, "--limit", "1", "--out", str(tmp_path / "conv")]) == 2
    assert "holds another dataset (limit: None → 1)" in error_line(capsys)


def test_data_writes_are_whole_and_never_take_foreign_arrow_or_own_src(tmp_path, capsys, monkeypatch):
    """A killed write leaves the folder as it was (re-runnable); an Arrow copy folder that is not this
    dataset's is refused, not replaced; the same --src named two ways is one source; --out inside --src is
    refused (a re-run would read its own output)."""
    import datasets

    out = tmp_path / "k"
    calls = {"n": 0}
    real = datasets.Dataset.to_parquet

    def dies_on_second_shard(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(datasets.Dataset, "to_parquet", dies_on_second_shard)
    assert main(["data", "make", "counting", "--n", "4", "--test-n", "2", "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())  # nothing half-written
    monkeypatch.setattr(datasets.Dataset, "to_parquet", real)
    assert main(["data", "make", "counting", "--n", "4", "--test-n", "2", "--out", str(out)]) == 0
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]  # the killed write's temporary is gone
    linked = tmp_path / "linked"
    linked.symlink_to(out, target_is_directory=True)  # a symlinked --out: written through, the link kept
    assert main(["data", "make", "counting", "--n", "4", "--test-n", "2", "--out", str(linked)]) == 0
    assert linked.is_symlink() and (out / "mmagrae_data.json").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    arrow = tmp_path / "k.arrow"
    arrow.mkdir()
    (arrow / "mine.txt").write_text("precious")
    assert main(["data", "make", "counting", "--n", "4", "--test-n", "2", "--out", str(out), "--arrow-copy"]) == 2
    assert "is not the Arrow copy of the dataset" in error_line(capsys)
    assert (arrow / "mine.txt").read_text() == "precious"
    src = tmp_path / "rows.jsonl"
    src.write_text(json.dumps({"question": "q", "label": "1"}) + "\n")
    conv = ["data", "convert", "local", "--map", "problem=question,answer=label", "--out", str(tmp_path / "c")]
    monkeypatch.chdir(tmp_path)
    assert main([*conv, "--src", "rows.jsonl"]) == 0
    assert main([*conv, "--src", str(src)]) == 0  # the same file by its absolute path: a re-run, not another
    folder = tmp_path / "srcdir"
    folder.mkdir()
    (folder / "train.jsonl").write_text(json.dumps({"question": "q", "label": "1"}) + "\n")
    assert main(["data", "convert", "local", "--map", "problem=question,answer=label", "--src", str(folder),
                 "--out", str(folder / "out")]) == 2
    assert "is inside --src" in error_line(capsys)


def test_ctrl_c_and_plot_without_metrics_are_one_line(tmp_path, capsys, monkeypatch):
    import data_recipes.cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(data_recipes.cli, "run_inspect", interrupted)
    assert main(["data", "inspect", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "interrupted" and "Traceback" not in err
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.jsonl").write_text(json.dumps({"step": 1, "kind": "eval", "eval/accuracy": 0.5}) + "\n")
    assert main(["plot", str(run)]) == 2
    assert "has no training metrics to plot" in error_line(capsys)


def test_verify_writes_to_a_device_or_pipe_in_place(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text('{"response": "2", "gold": "2"}\n')
    assert main(["verify", "--jsonl", str(src), "--out", "/dev/null"]) == 0  # no --overwrite needed, not replaced
    assert Path("/dev/null").is_char_device()


def test_eval_run_silences_library_progress_bars_before_the_model_loads(tmp_path, monkeypatch):
    import transformers

    import mmagrae.rollout
    from eval.runner import RunConfig, run
    from tests.test_eval_cache import _mathvista, _model

    transformers.utils.logging.enable_progress_bar()
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # restored after the test
    monkeypatch.setenv("DS_ACCELERATOR", "cpu")
    seen = {}

    def engine_probe(*args, **kwargs):
        seen["bars"] = transformers.utils.logging.is_progress_bar_enabled()
        raise KeyboardInterrupt  # stop before any real model loads

    monkeypatch.setattr(mmagrae.rollout, "build_engine", engine_probe)
    cfg = RunConfig(benchmark="mathvista", model=str(_model(tmp_path / "model")), out=str(tmp_path / "ev"),
                    source=str(_mathvista(tmp_path / "data")))
    with pytest.raises(KeyboardInterrupt):
        run(cfg, formatter=lambda text, n: text, log=lambda s: None)
    assert seen == {"bars": False}
    transformers.utils.logging.enable_progress_bar()


@pytest.mark.parametrize("name, content, expected", [
    ("rows.csv", "problem,answer\n1+1?,2\n", "unsupported file type '.csv'"),
    ("rows.json", "[1, 2]", "row 0 is not a JSON object"),
    ("rows.json", '{"data": [{"problem": "a", "answer": "1"}, "x"]}', "row 1 is not a JSON object"),
    ("rows.jsonl", '{"problem": "a", "answer": "1"}\n[1]\n', "line 2: expected a JSON object"),
])
def test_train_rows_that_are_not_objects(tmp_path, capsys, no_model_loads, name, content, expected):
    data = tmp_path / name
    data.write_text(content)
    assert main(["train", f"data.train={data}", f"trainer.output_dir={tmp_path / 'run'}"]) == 2
    assert expected in error_line(capsys)


def test_a_file_that_is_not_parquet_is_one_line_everywhere(tmp_path, capsys, no_model_loads):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really parquet PAR1")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    assert main(["eval", "run", "--benchmark", "geometry3k", "--model", str(tmp_path / "model"), "--data", str(bad),
                 "--out", str(tmp_path / "ev")]) == 2
    assert "not a readable Parquet file" in error_line(capsys) and not (tmp_path / "ev").exists()
    rows = tmp_path / "rows.json"
    rows.write_text("[]")
    assert main(["eval", "run", "--benchmark", "chartqa", "--model", str(tmp_path / "model"), "--data", str(rows),
                 "--out", str(tmp_path / "ev")]) == 2
    assert "expected a Parquet file here" in error_line(capsys)
    assert main(["data", "convert", "local", "--src", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "not a readable Parquet file" in error_line(capsys) and not (tmp_path / "out").exists()
    assert main(["train", f"data.train={bad}", f"trainer.output_dir={tmp_path / 'run'}"]) == 2
    assert "not a readable Parquet file" in error_line(capsys)
