"""What the benchmark loaders share: reading a local copy (JSON or Parquet), a ``data_recipes`` dataset in the row
schema, or a Hugging Face dataset; image paths, choice letters and image markers.

Each benchmark module (``eval/mathvista.py``, ...) builds its ``load`` from these; the registry of benchmarks is
:mod:`eval.registry`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmagrae.data.schema import IMAGE_MARKER, STORED_COLUMNS
from mmagrae.preflight import UserError


def read_local_rows(source: str | Path, split: str) -> tuple[list[dict], Path | None]:
    """A benchmark's local copy: ``SPLIT.json`` in a folder or a ``.json`` file (a list of items; images are
    relative to its folder, returned as the root), else Parquet (images inline, root None). A JSON object
    ``{id: item}`` is read as the list of its items; anything else that is not a list of objects is a
    one-line :class:`UserError` naming the file."""
    from mmagrae.preflight import read_json

    path = Path(source)
    if path.is_dir() and (path / f"{split}.json").exists():
        path = path / f"{split}.json"
    if path.suffix == ".json":
        data = read_json(path)
        items = list(data.values()) if isinstance(data, dict) else data
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise UserError(f"{path}: expected a JSON list of items (objects)")
        return items, path.parent
    return read_parquet_rows(path, split), None


def read_parquet_rows(path: str | Path, split: str | None = None) -> list[dict]:
    """Rows of a Parquet file, or of the ``split``'s Parquet files in a folder (``mmagrae.data.loading.split_files``:
    named ``split-*``/``split.*``/``split_*`` or under a ``split/`` folder; an unsplit folder is read whole).

    Image columns in the Hub layout (``{"bytes": ..., "path": ...}`` structs, or lists of them) become PIL
    images; one that is too large or unreadable stays a struct (``eval run`` skips its row with the reason).
    """
    import pyarrow.parquet as pq

    from mmagrae.data.loading import split_files

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if path.is_file():
        if path.suffix.lower() != ".parquet":
            raise UserError(f"{path}: expected a Parquet file here, or a folder in the benchmark's layout "
                            "(docs/EVAL.md)")
        files = [path]
    elif split:
        files = split_files(path, split, (".parquet",))
    else:
        files = sorted(path.rglob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no Parquet files under {path}")
    rows: list[dict] = []
    for f in files:
        try:
            rows.extend(pq.read_table(f).to_pylist())
        except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
            raise UserError(f"{f}: not a readable Parquet file ({' '.join(str(err).split())[:200]})") from None
    return [{k: _maybe_image(v) for k, v in r.items()} for r in rows]


def _maybe_image(value: Any) -> Any:
    if isinstance(value, list) and value and all(_is_image_struct(v) for v in value):  # datasets List(Image)
        return [_maybe_image(v) for v in value]
    if _is_image_struct(value):
        from PIL import Image

        from mmagrae.data.loading import ImageTooLarge, open_image

        try:  # header first: a decompression bomb is never decoded
            return open_image(value["bytes"]).convert("RGB")
        except (ImageTooLarge, OSError, ValueError, Image.DecompressionBombError):
            return value  # left as bytes: eval run skips the row and counts the reason
    return value


def _is_image_struct(value: Any) -> bool:
    return isinstance(value, dict) and set(value) >= {"bytes", "path"} and isinstance(value.get("bytes"), bytes)


# the row schema's columns (mmagrae.data.schema) whose presence marks a data_recipes Parquet file
RECIPE_COLUMNS = frozenset({"problem", "images", "answer", "answer_type"})
assert RECIPE_COLUMNS <= set(STORED_COLUMNS)


def is_recipe_layout(source: str | Path) -> bool:
    """Whether ``source`` is a dataset written by ``mmagrae data make/convert`` (the row schema): a folder with
    ``mmagrae_data.json``, its ``--arrow-copy`` (a ``save_to_disk`` folder), or Parquet with the schema's
    columns."""
    path = Path(source)
    if path.is_dir() and ((path / "mmagrae_data.json").is_file() or (path / "dataset_dict.json").is_file()
                          or (path / "state.json").is_file()):
        return True
    files = [path] if path.is_file() and path.suffix == ".parquet" else (
        sorted(path.glob("*.parquet"))[:1] if path.is_dir() else [])
    if not files:
        return False
    import pyarrow.parquet as pq

    try:
        return RECIPE_COLUMNS <= set(pq.read_schema(files[0]).names)
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise UserError(f"{files[0]}: not a readable Parquet file ({' '.join(str(err).split())[:200]})") from None


def read_recipe_rows(source: str | Path, split: str, limit: int | None = None, log=print) -> list[dict] | None:
    """Rows of a ``data_recipes`` dataset in the row schema (``problem`` with ``<image>`` markers, ``images`` as
    PIL images, ``answer``, ``choices``, ``answer_type``, ``precision``, ``unit``, ``task``, ``id``), read by
    ``mmagrae.data.load_rows`` exactly as training reads them (bad rows skipped and counted); None when
    ``source`` is not such a dataset."""
    if not is_recipe_layout(source):
        return None
    from mmagrae.data import load_rows

    rows, report = load_rows(str(source), split=split, limit=limit)
    if report.skipped:
        log(f"[eval] {source}: {report.summary()}")
    return rows


def strip_image_markers(text: str) -> str:
    return str(text).replace(IMAGE_MARKER, "").strip()


def load_hub(hf_id: str, split: str, *, name: str | None = None) -> list[dict]:
    """Rows of a Hugging Face dataset (needs the Hub or its local cache)."""
    import datasets

    ds = datasets.load_dataset(hf_id, name, split=split) if name else datasets.load_dataset(hf_id, split=split)
    return [dict(r) for r in ds]


def image_paths(root: Path, names: Any) -> list[Path]:
    """Image paths under ``root`` for a name or list of names. Missing files are kept: ``eval run`` skips
    their rows and warns once with the count, instead of asking the model about an image it never saw."""
    if not names:
        return []
    items = names if isinstance(names, (list, tuple)) else [names]
    return [root / str(n) for n in items]


def choice_letters(count: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(count)]
