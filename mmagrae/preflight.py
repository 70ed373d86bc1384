"""User errors: one line, a non-zero exit, no traceback, and checks that run before any model loads.

A traceback is for bugs, not for a wrong path. Code that finds a mistake in what the user gave (a path, a file,
a field) raises :class:`UserError` with one line that names the file (and line, item id or field where there
is one); ``mmagrae``'s entry point prints ``error: <that line>`` and exits with status 2. ``--debug`` (or
``MMAGRAE_DEBUG=1``) shows the traceback instead.

The path checks here are cheap and run first, so that a wrong path costs no model loading and leaves no
output folder behind::

    >>> check_model_path("tiny:qwen2_vl")                # built locally: nothing to check
    >>> check_model_path("./no/such/model")
    Traceback (most recent call last):
    ...
    mmagrae.preflight.UserError: model path ./no/such/model does not exist
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXIT_USER_ERROR = 2
TOO_LONG = "a number too long to read (more than 4,300 digits)"
TOO_DEEP = "lists or objects nested too deeply to read (valid JSON, but deeper than Python's recursion limit)"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class UserError(ValueError):
    """A mistake in the user's input; its message is the one line printed (without a traceback)."""


def debug_enabled() -> bool:
    """Whether tracebacks are shown for user errors (``--debug`` sets ``MMAGRAE_DEBUG=1``)."""
    return os.environ.get("MMAGRAE_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def looks_local(path: str) -> bool:
    """Whether ``path`` names a local file or folder rather than a hub id.

    A hub id is ``owner/name`` with no folder called ``owner`` here; anything starting with ``.``, ``/`` or
    ``~``, with more than one ``/``, or with a file suffix, is local.

    >>> looks_local("Qwen/Qwen2-VL-2B-Instruct"), looks_local("./ckpt"), looks_local("runs/a/step_3")
    (False, True, True)
    """
    text = str(path)
    if text.startswith((".", "/", "~")) or os.sep == "\\" and ":" in text[:3]:
        return True
    if Path(text).suffix in (".parquet", ".json", ".jsonl", ".yaml", ".yml", ".safetensors", ".bin"):
        return True
    if not _HUB_ID.match(text):
        return True
    return Path(text.split("/", 1)[0]).expanduser().is_dir()


def check_model_path(path: str, what: str = "model path") -> None:
    """A local model folder must exist and hold a ``config.json``; ``tiny:ARCH`` passes, and a hub id passes
    unless the Hub is offline and it is not cached."""
    text = str(path)
    if text.startswith("tiny:"):
        return
    local = Path(text).expanduser()
    if not local.exists():
        if looks_local(text):
            raise UserError(f"{what} {text} does not exist")
        if hub_offline() and not hub_cached(text, "model"):
            raise UserError(f"{what} {text}: not a local folder, and the Hub is offline (HF_HUB_OFFLINE) with no "
                            "cached copy")
        return  # a hub id: transformers resolves it (or says it cannot)
    if not local.is_dir():
        raise UserError(f"{what} {text} is a file; expected a model folder (config.json, weights, tokenizer)")
    if not (local / "config.json").is_file():
        raise UserError(f"{what} {text} has no config.json; is it a model folder?")


def hub_offline() -> bool:
    """Whether the Hugging Face Hub may not be reached (``HF_HUB_OFFLINE`` / ``HF_DATASETS_OFFLINE`` /
    ``TRANSFORMERS_OFFLINE``)."""
    return any(os.environ.get(k, "").strip().lower() in ("1", "true", "yes", "on")
               for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_cached(repo_id: str, repo_type: str) -> bool:
    try:
        from huggingface_hub import snapshot_download

        snapshot_download(repo_id, repo_type=repo_type, local_files_only=True)
        return True
    except Exception:  # not cached, or not a valid id
        return False


def check_data_source(source: str | None, what: str = "data source") -> None:
    """A local data file or folder must exist; ``synthetic:KIND`` passes, and a hub id passes unless the Hub is
    offline and it is not cached."""
    if source is None:
        return
    text = str(source)
    if text.startswith("synthetic:") or Path(text).expanduser().exists():
        return
    if looks_local(text):
        raise UserError(f"{what} {text} does not exist")
    if hub_offline() and not hub_cached(text, "dataset"):
        raise UserError(f"{what} {text}: not a local path, and the Hub is offline (HF_HUB_OFFLINE / "
                        "HF_DATASETS_OFFLINE) with no cached copy")


def check_output_dir(path: str | Path, what: str = "output folder") -> None:
    """The output path must be a folder (or not exist yet), not a file."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UserError(f"{what} {p} is a file, not a folder")


# ------------------------------------------------------------------------------------------------ reading
def read_text(path: str | Path, what: str = "file") -> str:
    """A UTF-8 text file, or a one-line :class:`UserError` (missing, a folder, not UTF-8: with the byte offset)."""
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise UserError(f"{what} {p} does not exist") from None
    except OSError as err:  # a name too long, a loop of links, no permission on the way
        raise UserError(f"{what} {p}: {(err.strerror or str(err)).lower()}") from None
    if stat.S_ISDIR(mode):
        raise UserError(f"{what} {p} is a folder, not a file")
    if not stat.S_ISREG(mode):  # a FIFO would block, /dev/zero never ends
        raise UserError(f"{what} {p} is not a regular file (a pipe, socket or device)")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise UserError(f"{what} {p}: cannot read it ({(err.strerror or str(err)).lower()})") from None
    try:
        return data.decode("utf-8-sig")  # a byte-order mark (Windows editors write one) is not part of the text
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise UserError(f"{p}: line {line}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset "
                        f"{err.start})") from None


def iter_jsonl(path: str | Path, text: str | None = None) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line of a JSONL file (1-based line numbers); a line that is
    not JSON is a :class:`UserError` naming the file and line."""
    text = read_text(path) if text is None else text
    # lines end at "\n" only: U+2028, NEL or a form feed inside a JSON string is part of its line
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as err:
            raise UserError(f"{path}: line {number}: not valid JSON ({err.msg}, column {err.colno})") from None
        except RecursionError:
            raise UserError(f"{path}: line {number}: {TOO_DEEP}") from None
        except ValueError:  # an integer of more than 4,300 digits (Python's limit on int(str))
            raise UserError(f"{path}: line {number}: {TOO_LONG}") from None


def read_json(path: str | Path, text: str | None = None) -> Any:
    """A JSON file, or a one-line :class:`UserError` naming the file, line and column of the syntax error."""
    text = read_text(path) if text is None else text
    if not text.strip():
        raise UserError(f"{path}: the file is empty")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise UserError(f"{path}: line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})") from None
    except RecursionError:
        raise UserError(f"{path}: {TOO_DEEP}") from None
    except _DuplicateKey as err:
        raise UserError(f"{path}: the key {err.args[0]!r} appears twice in one object (one would replace the "
                        "other)") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's limit on int(str))
        raise UserError(f"{path}: {TOO_LONG}") from None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice: ``json.loads`` would keep the last and drop the other silently
    (two MathVista items under one pid)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key[:80])
            seen.add(key)
    return obj
