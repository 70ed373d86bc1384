"""``mmagrae train CONFIG.yaml [section.key=value ...]`` — the product's main job."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from mmagrae.preflight import UserError, check_data_source, check_model_path, check_output_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train", help="RL fine-tuning with A-GRAE / GRPO / DAPO / Dr.GRPO",
        description="Train a policy: defaults ← CONFIG.yaml ← section.key=value overrides. The config is "
                    "validated before any model loads. Multi-GPU: torchrun --nproc-per-node K -m mmagrae train ... "
                    "or deepspeed --num_gpus K -m mmagrae train ... with distributed.deepspeed=configs/deepspeed/zero2.json.")
    p.add_argument("config", nargs="?", help="YAML config (optional: embedded defaults train a tiny model)")
    p.add_argument("overrides", nargs="*", help="section.key=value overrides, e.g. trainer.max_steps=20")
    p.add_argument("--local_rank", "--local-rank", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mmagrae.config import config_from_cli

    cfg = config_from_cli(args.config, args.overrides)
    if cfg is None:
        return 2
    preflight(cfg)  # paths checked before any model loads (raises UserError: one line, exit 2)
    from mmagrae.trainer.checkpoint import CheckpointWriteError
    from mmagrae.trainer.loop import TrainingAborted, TrainingInterrupted, train
    from mmagrae.trainer.run_folder import RunFolderError

    out_dir = Path(cfg.trainer.output_dir)
    created = not out_dir.exists()
    try:
        result = train(cfg)
    except TrainingAborted as err:
        print(f"error: training aborted: {err}", file=sys.stderr)
        return 3
    except RunFolderError as err:  # another run lives in output_dir: nothing was written
        print(f"error: {err}", file=sys.stderr)
        return 2
    except CheckpointWriteError as err:  # e.g. a full disk; the previous checkpoint is intact
        print(f"error: {err}", file=sys.stderr)
        return 3
    except TrainingInterrupted as err:  # Ctrl-C: "interrupted at step N; run the same command to resume"
        print(err, file=sys.stderr)
        return 130
    except (UserError, FileNotFoundError):
        if created and out_dir.is_dir() and not any((out_dir / "checkpoints").glob("step_*")):
            shutil.rmtree(out_dir, ignore_errors=True)  # made by this command and holding no result
        raise
    final = result.get("final_eval") or {}
    print(f"[train] done: {result['output_dir']}" + (f" | validation accuracy {final['eval/accuracy']:.3f}" if final else ""),
          file=sys.stderr)
    return 0


def preflight(cfg: Any) -> None:
    """Every path in ``cfg`` that must exist is checked here, before the model loads and before the output
    folder is made: the model, the training and validation data (and that a local file is not empty), the
    image folder, a prompt-template file, a DeepSpeed config."""
    check_model_path(cfg.model.path, "model.path")
    for what, source, split in (("data.train", cfg.data.train, cfg.data.split),
                                ("data.val", cfg.data.val, cfg.data.val_split)):
        check_data_source(source, what)
        check_data_not_empty(source, what)
        check_split_present(source, split, what)
    if cfg.data.image_dir and not Path(cfg.data.image_dir).expanduser().is_dir():
        raise UserError(f"data.image_dir {cfg.data.image_dir} is not a folder")
    template = cfg.data.prompt_template
    if template and template.endswith((".jinja", ".j2", ".txt")) and not Path(template).is_file():
        raise UserError(f"data.prompt_template {template} does not exist")
    deepspeed = getattr(cfg.distributed, "deepspeed", None)
    if isinstance(deepspeed, str) and deepspeed.endswith(".json") and not Path(deepspeed).is_file():
        raise UserError(f"distributed.deepspeed {deepspeed} does not exist")
    check_output_dir(cfg.trainer.output_dir, "trainer.output_dir")


def check_split_present(source: str | None, split: str, what: str) -> None:
    """A local data *folder* must hold files of ``split`` (the rule of ``mmagrae.data.loading.split_files``),
    or be a ``save_to_disk`` folder."""
    if not source or str(source).startswith("synthetic:"):
        return
    path = Path(source).expanduser()
    if path.is_dir():
        if (path / "dataset_dict.json").is_file() or (path / "state.json").is_file():
            return
        from mmagrae.data.loading import split_files

        try:
            split_files(path, split, unsplit_ok=split == "train")
        except FileNotFoundError as err:
            raise UserError(f"{what}: {err}") from None


def check_data_not_empty(source: str | None, what: str) -> None:
    """A local JSON/JSONL/Parquet *file* with no rows, or (below 64 MiB) one that is not UTF-8 or not valid JSON
    on some line, is an error now, not after the model has loaded."""
    if not source or str(source).startswith("synthetic:"):
        return
    path = Path(source).expanduser()
    if not path.is_file():
        return
    if path.stat().st_size == 0:
        raise UserError(f"{what} {path} is empty")
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".jsonl", ".json"):
        raise UserError(f"{what} {path}: unsupported file type {suffix or '(none)'!r}; expected .parquet, .jsonl "
                        "or .json (or a folder of them)")
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            rows = pq.ParquetFile(path).metadata.num_rows
        except Exception as err:  # pyarrow raises several types for a file that is not Parquet
            raise UserError(f"{what} {path} is not a readable Parquet file ({type(err).__name__})") from None
        if rows == 0:
            raise UserError(f"{what} {path} has no rows")
    elif suffix in (".jsonl", ".json") and path.stat().st_size < 64 << 20:
        from mmagrae.preflight import iter_jsonl, read_json

        if suffix == ".jsonl":
            rows = 0
            for number, row in iter_jsonl(path):  # every line parsed: a bad one is named now
                if not isinstance(row, dict):
                    raise UserError(f"{what} {path}: line {number}: expected a JSON object (one row), got "
                                    f"{type(row).__name__}")
                rows += 1
            if rows == 0:
                raise UserError(f"{what} {path} has no rows")
        else:
            from mmagrae.data.loading import json_file_rows

            data = read_json(path)
            if data in ([], {}):
                raise UserError(f"{what} {path} has no rows")
            try:
                items = json_file_rows(path, data)  # as the loader will read it
            except UserError as err:
                raise UserError(f"{what} {err}") from None
            if not items:
                raise UserError(f"{what} {path} has no rows")
            bad = next((i for i, row in enumerate(items) if not isinstance(row, dict)), None)
            if bad is not None:
                raise UserError(f"{what} {path}: row {bad} is not a JSON object")
