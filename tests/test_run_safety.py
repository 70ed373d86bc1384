"""A run folder belongs to one run: resume refuses a changed config (touching nothing), force records the change,
never refuses a used folder, a moved folder resumes, pruning deletes only the run's own checkpoints; a full disk,
Ctrl-C, non-terminal progress output, TensorBoard tags, file modes and local validation splits."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest
import torch
from test_trainer import run_train
from test_trainer import tiny_overrides as _tiny_overrides

from mmagrae.config import load_config
from mmagrae.trainer import checkpoint as ckpt
from mmagrae.trainer.run_folder import RunFolderError, config_changes, describe_changes
from mmagrae.trainer.tracking import Tracker, read_metrics, tag


def tiny_overrides(model_dir: Path, out: Path, *extra: str, rows: Path | None = None) -> list[str]:
    """The trainer tests' tiny run on text rows (the tiny text model is the fastest); rows beside ``out``."""
    rows = rows or out.parent / "text.jsonl"
    if not rows.exists():
        rows.parent.mkdir(parents=True, exist_ok=True)
        rows.write_text("\n".join(json.dumps({"problem": f"What is {i} + {i}?", "answer": str(2 * i)})
                                  for i in range(8)))
    return _tiny_overrides(model_dir, out, f"data.train={rows}", *extra)


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder`` with its mtime and content hash."""
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, hashlib.sha1(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_resume_checks_the_recorded_config(tiny_qwen2, tmp_path):
    out = tmp_path / "run"
    base = tiny_overrides(tiny_qwen2, out, "trainer.save_every=1", "trainer.keep_last=1")
    run_train(base)
    assert json.loads((out / "run.json").read_text())["run_id"]
    before = snapshot(out)

    # another learning rate and temperature: one line naming both, old → new; the folder is untouched
    with pytest.raises(RunFolderError) as err:
        run_train([*base, "optim.lr=5e-3", "rollout.temperature=0.9", "trainer.max_steps=3"])
    msg = str(err.value)
    assert "\n" not in msg
    assert "optim.lr 0.01 → 0.005" in msg and "rollout.temperature 1.0 → 0.9" in msg
    assert "max_steps" not in msg and "trainer.resume=force" in msg
    assert snapshot(out) == before

    # resume=never into a used folder refuses, touching nothing
    with pytest.raises(RunFolderError, match="already holds a run"):
        run_train([*base, "trainer.resume=never"])
    assert snapshot(out) == before

    # keys that may change between a run and its continuation: it resumes
    run_train([*base, "trainer.max_steps=3", "logging.tensorboard=false", "trainer.keep_last=2"])
    assert [r["step"] for r in read_metrics(out / "metrics.jsonl")] == [1, 2, 3]

    # a run folder moved elsewhere still resumes
    moved = tmp_path / "moved" / "run"
    moved.parent.mkdir()
    out.rename(moved)
    rows = tmp_path / "text.jsonl"
    result = run_train([*tiny_overrides(tiny_qwen2, moved, "trainer.save_every=1", "trainer.keep_last=2", rows=rows),
                        "trainer.max_steps=4"])
    assert result["last_step"] == 4
    records = read_metrics(moved / "metrics.jsonl")
    assert [r["step"] for r in records] == [1, 2, 3, 4]
    assert len((moved / "metrics.jsonl").read_text().splitlines()) == len(read_metrics(moved / "metrics.jsonl",
                                                                                          kind=None))
    # keep_last=2 pruned this run's older checkpoints
    assert [p.name for p in ckpt.list_checkpoints(moved)] == ["step_000003", "step_000004"]

    # force: continues with the new lr and records the change
    run_train([*tiny_overrides(tiny_qwen2, moved, "trainer.save_every=1", "trainer.keep_last=2", rows=rows),
               "trainer.max_steps=5", "optim.lr=5e-3", "trainer.resume=force"])
    history = [json.loads(line) for line in (moved / "config_history.jsonl").read_text().splitlines()]
    assert history[-1]["changes"] == [{"key": "optim.lr", "old": 0.01, "new": 0.005}]
    last = read_metrics(moved / "metrics.jsonl")[-1]
    assert last["step"] == 5 and last["lr"] == pytest.approx(5e-3)
    assert "lr: 0.005" in (moved / "config.yaml").read_text()


def test_cli_refusal_is_one_line_exit_2(tiny_qwen2, tmp_path, capsys):
    from mmagrae.cli import main

    out = tmp_path / "run"
    base = tiny_overrides(tiny_qwen2, out, "trainer.max_steps=1")
    run_train(base)
    before = snapshot(out)
    capsys.readouterr()
    assert main(["train", *base, "optim.lr=0.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "optim.lr 0.01 → 0.5" in err[0]
    assert snapshot(out) == before


@pytest.mark.parametrize("kind", ["eval folder", "model folder"])
def test_a_folder_of_other_files_is_never_a_run_folder(tiny_qwen2, tmp_path, capsys, kind):
    """trainer.output_dir naming an eval output (whose summary.json the run would replace) or a model folder is
    refused in one line before anything loads or is written; a folder a killed run left (config.yaml and
    run.json only) is still a run's."""
    from mmagrae.cli import main

    out = tiny_qwen2 if kind == "model folder" else tmp_path / "eval"
    if kind == "eval folder":
        out.mkdir()
        (out / "summary.json").write_text('{"accuracy": 0.5}')
        (out / "eval_card.json").write_text("{}")
    before = snapshot(out)
    assert main(["train", *tiny_overrides(tiny_qwen2, out, "trainer.max_steps=1")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not empty and holds no mmagrae run" in err[0]
    assert snapshot(out) == before
    from mmagrae.trainer.run_folder import check_run_folder

    killed = tmp_path / "killed"
    killed.mkdir()
    (killed / "config.yaml").write_text("trainer: {}\n")
    (killed / "run.json").write_text('{"run_id": "x"}')
    (killed / "wandb").mkdir()
    (killed / "train.log").write_text("[train] ...")  # `> killed/train.log`: a log is no result
    assert not check_run_folder(killed, load_config(None, []), "auto").used
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "summary.json").write_text("{}")  # without run.json, not a run's: it would be replaced
    with pytest.raises(RunFolderError, match="holds no mmagrae run"):
        check_run_folder(lone, load_config(None, []), "auto")


def test_ctrl_c_prints_one_line_exits_130_and_the_rerun_resumes(tiny_qwen2, tmp_path, capsys, monkeypatch):
    import mmagrae.trainer.loop as loop
    from mmagrae.cli import main

    real_update, calls = loop.update, []

    def interrupted_update(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_update(*args, **kwargs)

    monkeypatch.setattr(loop, "update", interrupted_update)
    out = tmp_path / "run"
    argv = ["train", *tiny_overrides(tiny_qwen2, out, "trainer.max_steps=3", "trainer.save_every=1")]
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    capsys.readouterr()
    assert main(argv) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "interrupted at step 2; run the same command to resume"
    assert "Traceback" not in "\n".join(err)
    monkeypatch.setattr(loop, "update", real_update)
    assert main(argv) == 0
    assert "resumed from" in capsys.readouterr().err
    assert [r["step"] for r in read_metrics(out / "metrics.jsonl")] == [1, 2, 3]
    # checkpoint files follow the umask (safetensors writes 0600 on its own)
    mask = os.umask(0)
    os.umask(mask)
    weights = ckpt.latest_checkpoint(out) / "model.safetensors"
    assert weights.stat().st_mode & 0o777 == 0o666 & ~mask


# ---------------------------------------------------------------- checkpoints without a model


class _Model(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Linear(2, 2)

    def save_pretrained(self, path, safe_serialization=True):
        target = Path(path) / "weights.pt"
        torch.save(self.state_dict(), target)
        os.chmod(target, 0o600)  # as safetensors does


def _save(tmp_path, step, run_id, keep_last=2, **kw):
    return ckpt.save_checkpoint(tmp_path, step, model=_Model(), processor=None, trainer_state={"step": step},
                                keep_last=keep_last, run_id=run_id, **kw)


def test_pruning_deletes_only_checkpoints_of_the_same_run(tmp_path):
    _save(tmp_path, 1, "old-run")
    for step in (2, 3, 4):
        _save(tmp_path, step, "new-run")
    names = [p.name for p in ckpt.list_checkpoints(tmp_path)]
    assert names == ["step_000001", "step_000003", "step_000004"]
    assert ckpt.checkpoint_run_id(tmp_path / "checkpoints" / "step_000001") == "old-run"


def test_full_disk_leaves_the_previous_checkpoint_and_no_tmp(tmp_path):
    _save(tmp_path, 1, "r")

    def full(model, path):
        (Path(path) / "partial").write_bytes(b"x" * 10)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(ckpt.CheckpointWriteError) as err:
        _save(tmp_path, 2, "r", save_model_fn=full)
    msg = str(err.value)
    assert "\n" not in msg and "No space left on device" in msg and "step_000001 is intact" in msg
    assert not list((tmp_path / "checkpoints").glob("*.tmp"))
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step_000001"]
    assert ckpt.load_trainer_state(ckpt.latest_checkpoint(tmp_path))["step"] == 1


def test_full_disk_reported_by_torch_or_safetensors_in_their_own_words(tmp_path):
    """A real full disk reaches us as safetensors' SafetensorError or torch's RuntimeError, not OSError."""
    _save(tmp_path, 1, "r")

    def full(model, path):
        raise RuntimeError("Error while serializing: I/O error: No space left on device (os error 28)")

    with pytest.raises(ckpt.CheckpointWriteError, match="No space left on device .*step_000001 is intact"):
        _save(tmp_path, 2, "r", save_model_fn=full)
    assert not list((tmp_path / "checkpoints").glob("*.tmp"))
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step_000001"]


def test_checkpoint_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = _save(tmp_path, 1, "r")
    finally:
        os.umask(old)
    assert (path / "weights.pt").stat().st_mode & 0o777 == 0o640
    assert (path / "trainer_state.pt").stat().st_mode & 0o777 == 0o640
    assert path.stat().st_mode & 0o777 == 0o750


# ---------------------------------------------------------------- config comparison, output


def test_config_changes_ignore_only_continuation_keys():
    old = {"trainer": {"max_steps": 3, "output_dir": "/a", "save_every": 1, "eval_every": 0, "keep_last": 2,
                       "seed": 0}, "logging": {"wandb": False}, "data": {"column_map": {}}, "derived": {"x": 1}}
    new = {"trainer": {"max_steps": 9, "output_dir": "/b", "save_every": 5, "eval_every": 2, "keep_last": 1,
                       "seed": 1}, "logging": {"wandb": True}, "data": {"column_map": {"q": "problem"}},
           "derived": {"x": 2}}
    changes = config_changes(old, new)
    assert changes == [("data.column_map", {}, {"q": "problem"}), ("trainer.seed", 0, 1)]
    # a key added to mmagrae after the run began counts only when set away from its default
    defaults = {"trainer.seed": 0, "data.video_fps": 2.0, "data.column_map": {}}
    newer = {"trainer": {"seed": 0}, "data": {"column_map": {}, "video_fps": 2.0}}
    assert config_changes({"trainer": {"seed": 0}, "data": {"column_map": {}}}, newer, defaults) == []
    newer["data"]["video_fps"] = 4.0
    assert config_changes({"trainer": {"seed": 0}, "data": {"column_map": {}}}, newer, defaults) == [
        ("data.video_fps", "(absent)", 4.0)]
    assert config_changes({"trainer": {"seed": 0, "gone": 1}}, {"trainer": {"seed": 0}}, defaults) == []
    assert describe_changes([("model.path", "a", "b"), ("optim.lr", 1e-6, 1e-5)]) == \
        "model.path 'a' → 'b', optim.lr 1e-06 → 1e-05"


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(tmp_path, capsys):
    cfg = load_config(None, ["logging.tensorboard=false"])
    tracker = Tracker(tmp_path, cfg, total_steps=20)
    for step in range(1, 21):
        tracker.progress(step, {"reward/mean": 0.5, "reward/accuracy": 0.25})
    tracker.close()
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = err.strip().splitlines()
    assert lines[0].startswith("[train] step 2/20") and lines[-1].startswith("[train] step 20/20")
    assert len(lines) == 10 and "reward=0.500 acc=0.250" in lines[-1]


def test_tensorboard_tags_are_not_doubled(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    assert tag("eval", "eval/accuracy") == "eval/accuracy"
    assert tag("train", "reward/mean") == "train/reward/mean"
    cfg = load_config(None, ["logging.progress_bar=false"])
    tracker = Tracker(tmp_path, cfg, total_steps=1)
    tracker.log(0, {"eval/accuracy": 0.5}, kind="eval")
    tracker.log(0, {"warm_start/loss_first": 2.0}, kind="warm_start")
    tracker.log(1, {"reward/mean": 0.1})
    tracker.close()
    events = EventAccumulator(str(tmp_path / "tb"))
    events.Reload()
    assert sorted(events.Tags()["scalars"]) == ["eval/accuracy", "train/reward/mean", "warm_start/loss_first"]


def test_local_folder_with_a_test_split_validates(tmp_path):
    from mmagrae.trainer.builders import validation_source

    rows = [{"problem": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(3)]
    folder = tmp_path / "data"
    folder.mkdir()
    for split in ("train", "test"):
        (folder / f"{split}.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    assert validation_source(load_config(None, [f"data.train={folder}"])) == (str(folder), None)
    (folder / "test.jsonl").unlink()
    source, why = validation_source(load_config(None, [f"data.train={folder}"]))
    assert source is None and "no 'test' split" in why and "data.val" in why
    source, why = validation_source(load_config(None, [f"data.train={folder / 'train.jsonl'}"]))
    assert source is None and "single file" in why
    assert validation_source(load_config(None, [f"data.train={folder}", "data.val=other"])) == ("other", None)
