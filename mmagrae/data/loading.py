"""Read rows ``{problem, images, answer, choices, answer_type, precision, unit, task, id}`` from anywhere.

Sources :func:`load_rows` understands:

- a Parquet file, or a folder of Parquet shards with splits (``train-00000-of-00001.parquet`` as
  ``data_recipes`` writes them, ``data/train-*.parquet`` as on the hub, or ``train/*.parquet``);
- a JSONL / JSON file (a list of rows, ``{"data": [...]}``, or MathVista's ``{pid: item}``), or a folder with
  ``train.jsonl`` / ``train.json``;
- a ``datasets.save_to_disk`` folder (``Dataset`` or ``DatasetDict``);
- a hub dataset id (``datasets.load_dataset(id, split=split)``; needs network, tested only on local copies);
- an in-memory ``datasets.Dataset`` / ``DatasetDict`` or a list of dicts.

Images may be PIL images, raw bytes, ``{"bytes": ..., "path": ...}`` structs (``datasets.Image``), or paths
(relative ones resolve against ``image_dir``, default: the source's folder). They are decoded here, so a missing
or unreadable image is found now: that row is skipped and counted, as is a row with an empty answer or
problem, or with a different number of ``<image>`` markers than images. A problem with no markers gets one per
image prepended. Videos (a ``videos`` column: each a list of frames, read like images, or a video file path) follow
the same rules with ``<video>`` markers, and a missing or unreadable video skips its row as "unreadable video".
Nothing in a row is ever executed; URLs are not fetched (such images count as unreadable).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mmagrae.data.schema import IMAGE_MARKER, VIDEO_MARKER
from mmagrae.data.skips import SkipReport

DEFAULT_MAX_IMAGE_PIXELS = 89_478_485
"""Largest image (width × height) decoded by default: PIL's own decompression-bomb threshold (about 9459²).
Larger images are skipped with the reason ``image too large (W×H)``; ``data.max_image_pixels`` changes it."""
# Common column names in public datasets, used when the row schema's own name is absent.
_ALIASES: dict[str, tuple[str, ...]] = {
    "problem": ("question", "query", "prompt"),
    "images": ("image",),
    "answer": ("solution", "label", "ground_truth"),
    "id": ("pid", "question_id", "uid"),
}


class _BadRow(Exception):
    """A row that cannot be used; the message is the skip reason."""


class ImageTooLarge(ValueError):
    """An image over the pixel limit; the message is the skip reason ``image too large (W×H)``."""


def open_image(data: bytes, max_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS):
    """Decode image bytes into a loaded PIL image, refusing one of more than ``max_pixels`` pixels.

    The size is read from the header before any pixel is decoded, so a 20000×20000 PNG costs nothing; it
    raises :class:`ImageTooLarge` (``"image too large (20000×20000)"``). PIL's own decompression-bomb check is
    replaced by this one for the call (``max_pixels=None``: no limit). Other decoding failures raise what PIL
    raises (``UnidentifiedImageError``, ``OSError``, ``ValueError``).

    >>> import io; from PIL import Image
    >>> buffer = io.BytesIO(); Image.new("RGB", (40, 30)).save(buffer, format="PNG")
    >>> open_image(buffer.getvalue(), max_pixels=1000)
    Traceback (most recent call last):
    ...
    mmagrae.data.loading.ImageTooLarge: image too large (40×30)
    """
    import warnings

    from PIL import Image

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # header only: the limit is checked just below
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    check_image_size(image, max_pixels)
    image.load()
    return image


def check_image_size(image: Any, max_pixels: int | None) -> None:
    """Raise :class:`ImageTooLarge` when ``image`` (anything with width/height) has more than ``max_pixels``."""
    if max_pixels is not None and image.width * image.height > max_pixels:
        raise ImageTooLarge(f"image too large ({image.width}×{image.height})")


def load_rows(source: Any, *, split: str = "train", image_dir: str | Path | None = None,
              column_map: Mapping[str, str] | None = None, limit: int | None = None,
              max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS) -> tuple[list[dict[str, Any]], SkipReport]:
    """Read, normalise and validate rows; returns ``(rows, report)`` (skipped rows are counted in ``report``).

    Args:
        source: path, hub id, ``datasets`` object or list of dicts (see the module docstring).
        split: which split of a multi-split source.
        image_dir: folder that relative image paths resolve against (default: the source's folder).
        column_map: ``{source_column: row_column}`` renames applied first, e.g. ``{"question": "problem"}``.
        limit: stop after this many *usable* rows.
        max_image_pixels: skip rows with an image of more pixels (reason ``image too large (W×H)``); None: no
            limit.

    Each returned row has exactly the keys of ``mmagrae.data.schema.ROW_COLUMNS``; ``images`` is a list of RGB PIL images, ``videos``
    a list of videos (each a list of RGB PIL frames or a video file path; ``[]`` when the source has none).

    >>> rows, report = load_rows([{"problem": "1+1?", "answer": 2}, {"problem": "x?", "answer": ""}])
    >>> rows[0]["answer"], rows[0]["images"], rows[0]["id"], report.summary()
    ('2', [], 'train-0', 'rows: kept 1 of 2, skipped 1 (empty answer: 1)')
    """
    raw, base_dir = _open_source(source, split)
    image_root = Path(image_dir) if image_dir is not None else base_dir
    report = SkipReport("rows")
    rows: list[dict[str, Any]] = []
    for index, raw_row in enumerate(raw):
        if limit is not None and len(rows) >= limit:
            break
        row_id = _row_id(raw_row, column_map, split, index)
        try:
            rows.append(normalize_row(raw_row, column_map=column_map, image_root=image_root, default_id=row_id,
                                      max_image_pixels=max_image_pixels))
            report.keep()
        except _BadRow as err:
            report.skip(str(err), row_id)
    report.warn()
    return rows, report


def _row_id(raw: Mapping[str, Any], column_map: Mapping[str, str] | None, split: str, index: int) -> str:
    for key in ("id", *_ALIASES["id"]):
        mapped = [src for src, dst in (column_map or {}).items() if dst == key]
        for name in (*mapped, key):
            if raw.get(name) not in (None, ""):
                return str(raw[name])
    return f"{split}-{index}"


def _with_markers(problem: str, marker: str, count: int, kind: str) -> str:
    """The problem text with one ``marker`` per media item: unmarked text gets them in front; marked text must
    already have exactly ``count`` (else the row is bad: "<kind> marker mismatch")."""
    markers = problem.count(marker)
    if markers == count:
        return problem
    if markers:
        raise _BadRow(f"{kind} marker mismatch")
    return marker * count + problem


def normalize_row(raw: Mapping[str, Any], *, column_map: Mapping[str, str] | None = None,
                  image_root: Path | None = None, default_id: str = "",
                  max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS) -> dict[str, Any]:
    """One source record → a schema row with decoded images; raises ``_BadRow(reason)``."""
    data = dict(raw)
    for src, dst in (column_map or {}).items():
        if src in data:
            data[dst] = data.pop(src)
    for column, aliases in _ALIASES.items():
        if column not in data:
            for alias in aliases:
                if alias in data:
                    data[column] = data[alias]
                    break

    problem = data.get("problem")
    if not isinstance(problem, str) or not problem.strip():
        raise _BadRow("empty problem")
    answer = data.get("answer")
    if isinstance(answer, float) and math.isnan(answer):
        answer = None
    answer = "" if answer is None else (answer if isinstance(answer, str) else _to_text(answer))
    if not answer.strip():
        raise _BadRow("empty answer")

    images = [_decode_image(item, image_root, max_image_pixels) for item in _as_list(data.get("images"))]
    problem = _with_markers(problem, IMAGE_MARKER, len(images), "image")
    videos = [_read_video(item, image_root, max_image_pixels) for item in _as_list(data.get("videos"))]
    problem = _with_markers(problem, VIDEO_MARKER, len(videos), "video")

    choices = data.get("choices")
    if isinstance(choices, str):
        try:
            choices = json.loads(choices)
        except json.JSONDecodeError:
            choices = None
    choices = [str(c) for c in choices] if isinstance(choices, (list, tuple)) and len(choices) else None
    precision = data.get("precision")
    if isinstance(precision, float):
        precision = None if math.isnan(precision) else int(precision)
    row_id = data.get("id")
    return {
        "problem": problem,
        "images": images,
        "answer": answer.strip(),
        "choices": choices,
        "answer_type": _optional_text(data.get("answer_type")),
        "precision": precision,
        "unit": _optional_text(data.get("unit")),
        "task": _optional_text(data.get("task")),
        "id": str(row_id) if row_id not in (None, "") else default_id,
        "videos": videos,
    }


def _read_video(item: Any, image_root: Path | None, max_pixels: int | None) -> list[Any] | str:
    """A video: a list of frames (each decoded like an image) or a video file path (resolved against
    ``image_root``, decoded later by the prompt builder: ``mmagrae.data.prompts.load_video``); ``_BadRow``
    ("unreadable video") for a missing file, a URL, an empty list or a frame that cannot be read."""
    if isinstance(item, Mapping) and item.get("path") and not item.get("bytes"):
        item = item["path"]
    if isinstance(item, (str, Path)):
        if "://" in str(item):
            raise _BadRow("unreadable video")  # never fetched
        file = Path(item)
        if not file.is_absolute() and image_root is not None:
            file = image_root / file
        if not file.is_file():
            raise _BadRow("unreadable video")
        return str(file)
    frames = _as_list(item)
    if not frames:
        raise _BadRow("unreadable video")
    try:
        return [_decode_image(frame, image_root, max_pixels) for frame in frames]
    except _BadRow as err:
        raise _BadRow("unreadable video") from err


def _to_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(_to_text(v) for v in value)
    return str(value)


def _optional_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, (bytes, bytearray)):  # numpy object arrays
        return list(value.tolist())
    return [value]


def _decode_image(item: Any, image_root: Path | None, max_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS):
    """PIL image / bytes / {"bytes", "path"} / path → RGB PIL image; ``_BadRow`` if missing or unreadable."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(item, Image.Image):
        image = item
        try:
            check_image_size(image, max_pixels)
        except ImageTooLarge as err:
            raise _BadRow(str(err)) from None
    else:
        data: bytes | None = None
        path: str | None = None
        if isinstance(item, (bytes, bytearray)):
            data = bytes(item)
        elif isinstance(item, Mapping):
            data = item.get("bytes")
            path = item.get("path")
        elif isinstance(item, (str, Path)):
            path = str(item)
        else:
            raise _BadRow("unreadable image")
        if data is None:
            if not path:
                raise _BadRow("missing image")
            if "://" in path:
                raise _BadRow("unreadable image")  # never fetched: a dataset must carry its images
            file = Path(path)
            if not file.is_absolute() and image_root is not None:
                file = image_root / file
            if not file.is_file():
                raise _BadRow("missing image")
            data = file.read_bytes()
        try:
            image = open_image(data, max_pixels)
        except ImageTooLarge as err:
            raise _BadRow(str(err)) from None
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
            raise _BadRow("unreadable image") from err
    if image.width < 1 or image.height < 1:
        raise _BadRow("unreadable image")
    return image.convert("RGB") if image.mode != "RGB" else image


# ----------------------------------------------------------------------------------------------- sources


def _open_source(source: Any, split: str) -> tuple[Iterable[Mapping[str, Any]], Path | None]:
    """An iterable of raw records and the folder relative image paths resolve against."""
    if isinstance(source, list):
        return source, None
    if _is_hf_dataset(source):
        return _hf_rows(_pick_split(source, split)), None
    path = Path(str(source)).expanduser()
    if path.is_file():
        return _file_rows(path), path.parent
    if path.is_dir():
        return _dir_rows(path, split), path
    if str(source).startswith((".", "/", "~")) or Path(str(source)).suffix in (".parquet", ".json", ".jsonl"):
        raise FileNotFoundError(f"data source {source} does not exist")
    import datasets  # a hub id

    return _hf_rows(datasets.load_dataset(str(source), split=split)), None


def _is_hf_dataset(obj: Any) -> bool:
    return type(obj).__name__ in ("Dataset", "DatasetDict", "IterableDataset", "IterableDatasetDict")


def _pick_split(ds: Any, split: str) -> Any:
    if type(ds).__name__.endswith("Dict"):
        if split not in ds:
            raise KeyError(f"split {split!r} not found; available: {list(ds)}")
        return ds[split]
    return ds


def _hf_rows(ds: Any) -> Iterator[Mapping[str, Any]]:
    # Decode images ourselves (so a broken image skips one row instead of raising mid-iteration).
    try:
        import datasets

        features = getattr(ds, "features", None) or {}
        undecoded = {name: _no_decode(feat) for name, feat in features.items() if _has_image(feat)}
        if undecoded:
            ds = ds.cast(datasets.Features({**features, **undecoded}))
    except (ImportError, TypeError, ValueError):  # pragma: no cover - exotic features: let datasets decode
        pass
    yield from ds


def _has_image(feature: Any) -> bool:
    name = type(feature).__name__
    if name == "Image":
        return True
    inner = getattr(feature, "feature", None)
    return inner is not None and _has_image(inner)


def _no_decode(feature: Any) -> Any:
    import datasets

    if type(feature).__name__ == "Image":
        return datasets.Image(decode=False)
    if isinstance(feature, datasets.Sequence):
        return datasets.Sequence(_no_decode(feature.feature))
    return datasets.List(_no_decode(feature.feature))


def _file_rows(path: Path) -> Iterable[Mapping[str, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet_rows([path])
    if suffix == ".jsonl":
        return _jsonl_rows(path)
    if suffix == ".json":
        from mmagrae.preflight import read_json

        return json_file_rows(path, read_json(path))
    raise ValueError(f"{path}: unsupported file type {suffix!r} (parquet, jsonl, json)")


def json_file_rows(path: Path, data: Any) -> list[Any]:
    """The rows of a parsed ``.json`` file: a list, ``{"data": [...]}``, or ``{id: row}`` (MathVista-style, the
    key becomes ``id``). Anything else is a one-line :class:`UserError`. The training preflight and the loader
    both read files through this, so what one accepts the other reads the same way.

    >>> json_file_rows(Path("x.json"), {"7": {"q": 1}}), json_file_rows(Path("x.json"), {"data": [{"q": 2}]})
    ([{'id': '7', 'q': 1}], [{'q': 2}])
    """
    from mmagrae.preflight import UserError

    if isinstance(data, Mapping) and isinstance(data.get("data"), list):
        return data["data"]
    if isinstance(data, Mapping) and data and all(isinstance(v, Mapping) for v in data.values()):
        return [{"id": key, **value} for key, value in data.items()]  # MathVista-style {pid: item}
    if isinstance(data, list):
        return data
    raise UserError(f"{path}: expected a list of rows, {{'data': [...]}} or {{id: row}}")


def _jsonl_rows(path: Path) -> Iterator[Mapping[str, Any]]:
    from mmagrae.preflight import UserError, iter_jsonl

    for number, value in iter_jsonl(path):
        if not isinstance(value, Mapping):
            raise UserError(f"{path}: line {number}: expected a JSON object (one row), got {type(value).__name__}")
        yield value


def _parquet_rows(files: list[Path]) -> Iterable[Mapping[str, Any]]:
    import datasets

    ds = datasets.load_dataset("parquet", data_files=[str(f) for f in files], split="train")
    return _hf_rows(ds)


def _dir_rows(path: Path, split: str) -> Iterable[Mapping[str, Any]]:
    if (path / "dataset_dict.json").is_file() or (path / "state.json").is_file():
        import datasets

        return _hf_rows(_pick_split(datasets.load_from_disk(str(path)), split))
    files = split_files(path, split, unsplit_ok=split == "train")
    if files[0].suffix == ".parquet":
        return _parquet_rows(files)
    return (row for file in files for row in _file_rows(file))


SPLIT_WORDS = ("train", "test", "testmini", "validation", "val", "dev")
_METADATA_FILES = frozenset({"mmagrae_data.json", "dataset_dict.json", "dataset_info.json", "state.json"})


def split_files(folder: str | Path, split: str, suffixes: tuple[str, ...] = (".parquet", ".jsonl", ".json"), *,
                unsplit_ok: bool = True) -> list[Path]:
    """The data files of ``split`` in a local folder: the one rule every local reader uses (training rows,
    ``data convert``, ``eval run --data``).

    A file belongs to ``split`` when its name starts with ``split-``, ``split.`` or ``split_``
    (``train-00000-of-00001.parquet``, ``test.jsonl``, ``test_human.json``) or a folder between ``folder`` and
    the file is named ``split`` (``train/part-0.parquet``, ``data/test/x.parquet``). Files are searched
    recursively; of the matching files, those of the first suffix in ``suffixes`` that has any are returned, in
    name order (so ``test.parquet`` and a ``test.json`` copy are not read twice). When nothing matches and no
    file is named for any split (``SPLIT_WORDS``), all files form one unsplit set, if ``unsplit_ok``.
    Raises ``FileNotFoundError`` naming the splits that are there.

    >>> import tempfile; root = Path(tempfile.mkdtemp())
    >>> for name in ("train-00000-of-00001.parquet", "test.jsonl", "mmagrae_data.json"): (root / name).touch()
    >>> [p.name for p in split_files(root, "test")]
    ['test.jsonl']
    """
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes
                   and p.name not in _METADATA_FILES and not any(part.startswith(".") for part in
                                                                  p.relative_to(folder).parts))

    def named_for(p: Path, name: str) -> bool:
        return p.name.startswith((f"{name}-", f"{name}.", f"{name}_")) or name in p.relative_to(folder).parts[:-1]

    matching = [p for p in files if named_for(p, split)]
    if not matching and unsplit_ok and not any(named_for(p, w) for p in files for w in SPLIT_WORDS):
        matching = files  # one unsplit set of files
    for suffix in suffixes:
        chosen = [p for p in matching if p.suffix == suffix]
        if chosen:
            return chosen
    found = sorted({w for p in files for w in SPLIT_WORDS if named_for(p, w)})
    raise FileNotFoundError(f"no split {split!r} in {folder} (found: {found or 'no data files'})")
