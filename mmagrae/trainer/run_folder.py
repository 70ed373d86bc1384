"""A run folder belongs to one run: what it records, and when a new command may continue in it.

``trainer.output_dir`` holds::

    config.yaml            the resolved config of the run (rewritten when a continuation changes an allowed key)
    run.json               {"run_id": ...}: written once; checkpoints carry the same id (``checkpoints/*/RUN_ID``)
    config_history.jsonl   one line per ``trainer.resume=force`` that changed the config: what changed, when
    metrics.jsonl, tb/, checkpoints/, warm_start/, cache/, summary.json

Rules (:func:`check_run_folder`, read-only; :func:`record_run`, the only writer):

- a folder is *used* when it holds metrics or a checkpoint; a folder that is not used must be empty or hold
  only what a run writes (:data:`RUN_ENTRIES`: a run killed before its first metric), never other files (a
  model, an eval or dataset folder: one line, touching nothing);
- ``resume=never`` into a used folder refuses, touching nothing;
- ``resume=auto`` (or a checkpoint path) into a used folder compares the recorded config with the new one,
  ignoring only :data:`ALLOWED_CHANGES` (keys that may differ between a run and its continuation); any other
  difference refuses with one line naming each key, old → new, touching nothing;
- ``resume=force`` continues whatever changed and appends the change to ``config_history.jsonl``.

Nothing recorded is an absolute path of the folder itself, so a run folder moved elsewhere still resumes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ALLOWED_CHANGES = ("trainer.max_steps", "trainer.output_dir", "trainer.save_every", "trainer.eval_every",
                   "trainer.keep_last", "logging.", "trainer.resume")
"""Keys (or ``section.`` prefixes) that may change between a run and its continuation (``trainer.resume`` says
how to start this command, not what the run is: a run begun with ``never`` continues with ``auto``)."""

CONFIG_FILE, RUN_FILE, HISTORY_FILE = "config.yaml", "run.json", "config_history.jsonl"


class RunFolderError(ValueError):
    """The run folder cannot be used as asked (a different run lives there); the message is one line."""


@dataclass
class RunFolder:
    """What :func:`check_run_folder` found: the run id to write under, and the config changes to record."""

    path: Path
    run_id: str
    used: bool
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


def flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    """``{"optim": {"lr": 1}}`` → ``{"optim.lr": 1}``: config sections are opened, values (lists, free-form
    mappings such as ``data.column_map``) stay whole."""
    sections = _section_paths()
    out: dict[str, Any] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted in sections:
            out.update(flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _section_paths() -> set[str]:
    """Dotted names of the config's sections (``model``, ``model.lora``, ...)."""
    import dataclasses

    from mmagrae.config import Config

    found: set[str] = set()

    def walk(obj: Any, prefix: str) -> None:
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if dataclasses.is_dataclass(value):
                found.add(prefix + f.name)
                walk(value, prefix + f.name + ".")

    walk(Config(), "")
    return found


def config_tree(cfg: Any) -> dict[str, Any]:
    """The config as the YAML round trip sees it (so old and new compare with the same types), minus derived."""
    from mmagrae.config import dump_yaml

    tree = yaml.safe_load(dump_yaml(cfg)) or {}
    tree.pop("derived", None)
    return tree


def config_changes(old: dict, new: dict, defaults: dict | None = None) -> list[tuple[str, Any, Any]]:
    """``(key, old, new)`` for every leaf that differs, except :data:`ALLOWED_CHANGES`.

    With ``defaults`` (the flattened default config), a key the recorded config does not have (it was added to
    mmagrae after the run began) counts only when the new value is not its default, and a key that no longer
    exists is not a difference: upgrading mmagrae alone never blocks a resume.

    Example::

        >>> config_changes({"optim": {"lr": 1e-6}, "trainer": {"max_steps": 3}},
        ...                {"optim": {"lr": 3e-4}, "trainer": {"max_steps": 9}})
        [('optim.lr', 1e-06, 0.0003)]
    """
    old_flat, new_flat = flatten({k: v for k, v in old.items() if k != "derived"}), flatten(
        {k: v for k, v in new.items() if k != "derived"})
    missing = object()
    changes = []
    for key in sorted(set(old_flat) | set(new_flat)):
        if any(key == a or (a.endswith(".") and key.startswith(a)) for a in ALLOWED_CHANGES):
            continue
        before, after = old_flat.get(key, missing), new_flat.get(key, missing)
        if defaults is not None and (after is missing or (before is missing and after == defaults.get(key, missing))):
            continue
        if before != after:
            changes.append((key, "(absent)" if before is missing else before, "(absent)" if after is missing else after))
    return changes


def describe_changes(changes: list[tuple[str, Any, Any]]) -> str:
    """``optim.lr 1e-06 → 0.0003, model.path 'a' → 'b'`` (one line)."""
    def show(v: Any) -> str:
        return repr(v) if isinstance(v, str) and v != "(absent)" else str(v)

    return ", ".join(f"{k} {show(a)} → {show(b)}" for k, a, b in changes)


def is_used(path: Path) -> bool:
    """True when the folder holds results: a non-empty metrics.jsonl or any checkpoint."""
    metrics = path / "metrics.jsonl"
    if metrics.is_file() and metrics.stat().st_size > 0:
        return True
    root = path / "checkpoints"
    return root.is_dir() and any(child.name.startswith("step_") for child in root.iterdir())


# what a run writes in its folder; a folder holding anything else (a model, an eval folder, a dataset) is not a
# run's, and an unused run folder (killed before its first metric) holds only these
RUN_ENTRIES = frozenset({CONFIG_FILE, RUN_FILE, HISTORY_FILE, "metrics.jsonl", "summary.json", "tb", "checkpoints",
                         "warm_start", "cache", "curves.png", "REPORT.md", "wandb"})
_LOG_SUFFIXES = (".log", ".out", ".err")  # a shell redirection into the folder (`> runs/a/train.log`) is no result
_PRESEEDED = frozenset({"cache"})  # inputs a caller may put in a new run folder before the run (a shared data cache)


def _foreign_entries(path: Path) -> list[str]:
    """The names in ``path`` that are not a run's (sorted; empty for a new, empty or run folder). A run writes
    ``run.json`` first, so without it every entry but logs and a pre-seeded ``cache/`` is foreign (a lone
    ``summary.json`` is not a run)."""
    if not path.is_dir():
        return []
    ours = RUN_ENTRIES if (path / RUN_FILE).is_file() else _PRESEEDED
    return sorted(p.name for p in path.iterdir()
                  if p.name not in ours and not p.name.startswith(".") and not p.name.endswith(_LOG_SUFFIXES))


def check_run_folder(path: str | Path, cfg: Any, resume: str) -> RunFolder:
    """Decide whether this run may write into ``path``; raises :class:`RunFolderError`. Writes nothing."""
    path = Path(path)
    used = path.is_dir() and is_used(path)
    run_id = _read_run_id(path) if used else None
    if not used:
        foreign = _foreign_entries(path)
        if foreign:
            raise RunFolderError(
                f"trainer.output_dir={path} is not empty and holds no mmagrae run ({', '.join(foreign[:3])}"
                f"{', ...' if len(foreign) > 3 else ''}); a run never writes among other files: choose a new or "
                "empty trainer.output_dir")
        return RunFolder(path=path, run_id=uuid.uuid4().hex, used=False)
    if resume == "never":
        raise RunFolderError(
            f"trainer.output_dir={path} already holds a run (metrics or checkpoints) and trainer.resume=never will "
            "not write over it: choose another trainer.output_dir, or trainer.resume=auto to continue it")
    recorded = path / CONFIG_FILE
    changes: list[tuple[str, Any, Any]] = []
    if recorded.is_file():
        try:
            old = yaml.safe_load(recorded.read_text()) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise RunFolderError(f"{recorded}: the recorded config cannot be read ({type(err).__name__}); "
                                 "choose another trainer.output_dir") from None
        from mmagrae.config import Config

        defaults = flatten(config_tree(Config()))
        changes = config_changes(old if isinstance(old, dict) else {}, config_tree(cfg), defaults)
    if changes and resume != "force":
        raise RunFolderError(
            f"trainer.output_dir={path} holds a run with a different config: {describe_changes(changes)}; "
            "choose another trainer.output_dir, or trainer.resume=force to continue it anyway")
    return RunFolder(path=path, run_id=run_id or uuid.uuid4().hex, used=True, changes=changes)


def record_run(folder: RunFolder, cfg: Any) -> None:
    """Write ``run.json`` (once), ``config.yaml`` and, for a forced change, a line of ``config_history.jsonl``."""
    from mmagrae.config import dump_yaml

    folder.path.mkdir(parents=True, exist_ok=True)
    run_file = folder.path / RUN_FILE
    if not run_file.exists():
        run_file.write_text(json.dumps({"run_id": folder.run_id, "created": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
    if folder.changes:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "resume": "force",
                 "changes": [{"key": k, "old": a, "new": b} for k, a, b in folder.changes]}
        with open(folder.path / HISTORY_FILE, "a") as fh:
            fh.write(json.dumps(entry, default=str) + "\n")
    (folder.path / CONFIG_FILE).write_text(dump_yaml(cfg))


def _read_run_id(path: Path) -> str | None:
    try:
        return str(json.loads((path / RUN_FILE).read_text())["run_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
