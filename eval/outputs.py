"""Writing eval outputs safely: text that any input can put in them, paths checked before anything is written,
and all files of one command written together or not at all.

- :func:`json_text` is ``json.dumps(..., ensure_ascii=False)`` with lone surrogates (``"\\ud800"`` is valid JSON,
  but has no UTF-8 form) written as JSON escapes, so the output always encodes and reads back the same;
  :func:`safe_text` does the same for Markdown (as ``\\ud800``).
- :func:`check_file_destination` / :func:`check_folder_destination` refuse, with one line naming the option,
  a path that cannot be written: a folder where a file is wanted, a file where a folder is wanted or on the
  way to it, a location that is not writable. They touch nothing.
- :class:`Outputs` collects a command's files in memory; :meth:`Outputs.commit` refuses (one line) when a folder
  stands where a file goes, then makes the folders, writes each file to a temporary file beside it and only then
  replaces them all (``os.replace``). A failure while writing
  removes the temporary files and the folders it made: a crash or a full disk never leaves half-written
  outputs that block a rerun. The eval card is renamed first, so a crash among the renames leaves a card that
  claims the files (the rerun replaces them); temporary files a killed commit left are removed by the next.
- :func:`hold_folders` keeps two commands from writing into one folder at once (two ``eval score`` runs with one
  ``--out``, an ``eval score`` into a running ``eval run``'s folder): the second stops with one line before it
  reads anything. The lock is ``fcntl.flock`` on a file in the temporary folder, released by the kernel when its
  holder exits, however it exits: a killed command never leaves a folder locked.

Example::

    >>> json_text({"response": "\\ud800 ok"})
    '{"response": "\\\\ud800 ok"}'
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mmagrae.preflight import UserError

_SURROGATE = re.compile("[\ud800-\udfff]")
TEMP_MARK = ".mmagrae-tmp-"  # temporary files of an unfinished commit: ``.NAME.mmagrae-tmp-PID``


def json_text(obj: Any, *, indent: int | None = None, default: Any = None) -> str:
    """JSON text of ``obj`` (non-ASCII kept as is) that always encodes as UTF-8: lone surrogates, which can
    only occur inside strings, become ``\\uXXXX`` escapes (read back as the same string)."""
    text = json.dumps(obj, indent=indent, ensure_ascii=False, default=default)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def append_jsonl(path: Path, entries: Any, *, sync: bool = False) -> None:
    """Append one JSON line per entry to ``path`` (made if missing). A torn last line (a crash mid-write, an entry
    never finished) is cut off first, so every line stays an entry. ``sync``: ``fsync`` before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.stat().st_size > 0:
        with path.open("r+b") as f:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.seek(0)
                f.truncate(f.read().rfind(b"\n") + 1)
    with path.open("a", encoding="utf-8") as f:
        for entry in entries:
            f.write(json_text(entry) + "\n")
        if sync:
            f.flush()
            os.fsync(f.fileno())


def safe_text(text: str) -> str:
    """``text`` with anything UTF-8 cannot encode (lone surrogates) written as a backslash escape."""
    return text.encode("utf-8", errors="backslashreplace").decode("utf-8")


def _nearest_existing(path: Path) -> Path:
    """The nearest of ``path`` and its parents that exists (as given: relative stays relative)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_parent(path: Path, what: str) -> None:
    here = _nearest_existing(path.parent)
    if not here.is_dir():
        raise UserError(f"{what} {path}: {here} is a file, not a folder")
    if not os.access(here, os.W_OK | os.X_OK):
        raise UserError(f"{what} {path}: cannot write in {here} (permission denied)")


def _check_names(path: Path, what: str, room: int) -> None:
    """Every part of ``path`` fits the file system's name limit, with ``room`` bytes to spare for the names made
    beside it (``.NAME.mmagrae-tmp-PID``, ``STEM.eval_card.json``)."""
    for i, part in enumerate(path.parts):
        size = len(os.fsencode(part)) + (room if i == len(path.parts) - 1 else 0)
        if size > _NAME_MAX:
            raise UserError(f"{what} {path}: the name {part[:40]!r}… is too long ({len(os.fsencode(part))} bytes; "
                            f"at most {_NAME_MAX - (room if i == len(path.parts) - 1 else 0)} here)")


_NAME_MAX = 255  # bytes in one file name on Linux and macOS file systems
_NAME_ROOM = 40  # for the temporary and side-card names made from an output's name


def check_file_destination(path: str | Path, what: str) -> None:
    """One line (``what`` names the option, e.g. ``--out``) when ``path`` cannot become a file."""
    path = Path(path)
    _check_names(path, what, _NAME_ROOM)
    if path.is_dir():
        raise UserError(f"{what} {path} is a folder; name a file")
    _check_parent(path, what)


def check_folder_destination(path: str | Path, what: str) -> None:
    """One line when ``path`` cannot be (or become) a folder: ``--report rp/x.json is a file, not a folder``."""
    path = Path(path)
    _check_names(path, what, 0)
    if path.exists() and not path.is_dir():
        raise UserError(f"{what} {path} is a file, not a folder")
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise UserError(f"{what} {path}: cannot write in it (permission denied)")
        return
    _check_parent(path, what)


@contextlib.contextmanager
def hold_folders(folders: Iterable[tuple[str, str | Path]]) -> Iterator[None]:
    """Hold the output folders ``(option, folder)`` of one command while it runs; a folder another mmagrae
    command holds is a one-line :class:`UserError` naming the option (nothing read or written yet)."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): the checks before writing are all there is
        yield
        return
    locks = Path(tempfile.gettempdir()) / f"mmagrae-locks-{os.getuid()}"
    held = []
    try:
        locks.mkdir(mode=0o700, exist_ok=True)
        for what, folder in folders:
            real = os.path.abspath(os.path.realpath(folder))
            name = hashlib.sha256(os.fsencode(real)).hexdigest()[:32] + ".lock"
            handle = open(locks / name, "a+")  # noqa: SIM115 (held open until the command ends)
            held.append(handle)
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UserError(f"{what} {folder}: another mmagrae command is writing into this folder now; wait "
                                "for it to finish, or name another folder") from None
        yield
    finally:
        for handle in held:
            handle.close()  # closing releases the lock


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def remove_stale_temps(path: Path) -> None:
    """Remove the temporary files of ``path`` (``.NAME.mmagrae-tmp-PID``) that an interrupted commit of another,
    finished process left."""
    folder = path.parent
    if not folder.is_dir():
        return
    for tmp in folder.glob(f".{path.name}{TEMP_MARK}*"):
        pid = tmp.name.rsplit(TEMP_MARK, 1)[-1]
        if pid.isdecimal() and pid.isascii() and int(pid) != os.getpid() and not _alive(int(pid)):
            try:
                tmp.unlink()
            except OSError:
                pass


def _card_first(path: Path) -> int:
    """Rename order: eval cards first, so a crash among the renames leaves a card that claims the files."""
    return 0 if path.name == "eval_card.json" or path.name.endswith(".eval_card.json") else 1


def is_temp(path: Path) -> bool:
    """Whether ``path`` is a temporary file an interrupted :meth:`Outputs.commit` left."""
    return TEMP_MARK in path.name


class Outputs:
    """The files of one command, written together (see the module docstring)."""

    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}

    def add_bytes(self, path: str | Path, data: bytes) -> None:
        path = Path(path)
        real = Path(os.path.abspath(path))
        if any(Path(os.path.abspath(p)) == real for p in self.files):
            raise UserError(f"{path}: two outputs of this command would be written to the same file; name them "
                            "differently")
        self.files[path] = data

    def add_text(self, path: str | Path, text: str) -> None:
        self.add_bytes(path, safe_text(text).encode("utf-8"))

    def add_json(self, path: str | Path, obj: Any, *, indent: int | None = None, default: Any = None,
                 newline: bool = False) -> None:
        self.add_bytes(path, (json_text(obj, indent=indent, default=default) + ("\n" if newline else ""))
                       .encode("utf-8"))

    def commit(self) -> list[Path]:
        """Write every file (see the module docstring); a failure is a one-line :class:`UserError` and leaves
        nothing behind. Returns the paths written."""
        made: list[Path] = []
        temps: list[tuple[Path, Path]] = []
        current = None
        for path in self.files:
            if path.is_dir():  # no rerun can replace a folder with a file
                raise UserError(f"cannot write {path}: a folder of that name is in the way; remove or rename it "
                                "(nothing was written)")
        for path in self.files:
            remove_stale_temps(path)
        try:
            for path in self.files:
                current = path
                missing = []
                folder = Path(os.path.abspath(path.parent))
                while not folder.exists():
                    missing.append(folder)
                    folder = folder.parent
                for folder in reversed(missing):
                    folder.mkdir()
                    made.append(folder)
            for path, data in self.files.items():
                current = path
                tmp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")
                temps.append((tmp, path))
                with open(tmp, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
        except OSError as err:
            for tmp, _ in temps:
                try:
                    tmp.unlink(missing_ok=True)
                except OSError:  # a name the file system refuses was never made
                    pass
            for folder in reversed(made):
                try:
                    folder.rmdir()
                except OSError:
                    pass
            reason = (err.strerror or str(err)).lower()
            raise UserError(f"cannot write {current}: {reason}; nothing was written") from err
        temps.sort(key=lambda pair: _card_first(pair[1]))
        for number, (tmp, path) in enumerate(temps):
            try:
                os.replace(tmp, path)
            except OSError as err:
                for left, _ in temps[number:]:
                    left.unlink(missing_ok=True)
                reason = (err.strerror or str(err)).lower()
                raise UserError(f"cannot write {path}: {reason}; rerun the same command") from err
        return list(self.files)
