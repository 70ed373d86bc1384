r"""Converters from real training sets to the row schema (``data_recipes.schema``), by Hub id or local files.

=============  ================================  ===========================================================
source         Hub id (default ``--src``)        layouts read
=============  ================================  ===========================================================
geometry3k     hiyouga/geometry3k                Hub/Parquet: ``images, problem, answer, choices, ground_truth``
                                                 (letter); Inter-GPS: ``<split>/<id>/data.json`` +
                                                 ``img_diagram.png`` (``problem_text, choices, answer``=letter)
geoqa          leonardPKU/GEOQA_R1V_Train_8K     R1-V: ``image, problem, solution`` ("<answer>3</answer>");
                                                 GeoQA+ style ``images, problem, answer`` too
chartqa        HuggingFaceM4/ChartQA             Hub/Parquet: ``image, query, label`` (list); original repo:
                                                 ``<split>/<split>_{human,augmented}.json`` (``imgname, query,
                                                 label``) + ``<split>/png/``
mmk12          FanqingM/MMK12                    ``id, subject, image, question, answer``
thinklite      russwang/ThinkLite-VL-70k         ThinkLite-VL-style mixes: ``image(s), problem|question,
                                                 answer`` (answers may be option letters or ``<answer>`` tags)
local          (none: ``--src`` required)        any JSON/JSONL/Parquet + image folder, with a column mapping
=============  ================================  ===========================================================

Every converter decides ``answer_type``/``choices``/``precision``/``unit`` (``data_recipes.answers``): a
letter answer whose options are written in the problem becomes ``multiple_choice`` with the option's text as
the answer; numbers keep their written decimals as ``precision``; LaTeX becomes ``expression``. Rows that
cannot be converted (no answer, missing or unreadable image, answer not among the options, ...) are skipped
and counted by reason in a :class:`ConversionReport`. Nothing in a source is executed: JSON is parsed with
``json``, Parquet with ``pyarrow``/``datasets``.

Example::

    ds, report = convert("geometry3k", "/data/geometry3k", split="train")
    print(report.summary())   # geometry3k train: 2101 rows in, 2101 converted, 0 skipped
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from data_recipes.answers import infer_answer, parse_choices, strip_math_delimiters
from data_recipes.schema import (
    CHOICE_LETTERS,
    COLUMNS,
    choices_text,
    validate_row,
    with_image_markers,
)
from mmagrae.data.layouts import chartqa_records, intergps_records
from mmagrae.data.loading import (
    DEFAULT_MAX_IMAGE_PIXELS,
    ImageTooLarge,
    check_image_size,
    open_image,
    split_files,
)

MAX_EXAMPLES = 20


class SkipRow(Exception):
    """A source row that cannot become a schema row; the message is the reason, counted in the report."""


class UnreadableImage(SkipRow):
    """An image that does not decode; the reason is ``unreadable image`` and the message the detail."""


@dataclass
class ConversionReport:
    """What happened to each source row: converted, or skipped with a reason."""

    source: str
    src: str
    split: str
    rows_in: int = 0
    converted: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    examples: list[dict[str, Any]] = field(default_factory=list)  # first skipped rows: index, id, reason

    def skip(self, index: int, row_id: Any, reason: str, detail: str = "") -> None:
        self.skipped[reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append({"index": index, "id": None if row_id is None else str(row_id),
                                  "reason": reason, "detail": detail})

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "src": self.src, "split": self.split, "rows_in": self.rows_in,
                "converted": self.converted, "skipped": dict(self.skipped), "skipped_examples": self.examples}

    def summary(self) -> str:
        lines = [f"{self.source} {self.split}: {self.rows_in} rows in, {self.converted} converted, "
                 f"{sum(self.skipped.values())} skipped"]
        lines += [f"  skipped {count}: {reason}" for reason, count in self.skipped.most_common()]
        return "\n".join(lines)


@dataclass(frozen=True)
class Options:
    """Per-conversion settings every converter may read."""

    image_root: Path | None = None  # relative image paths resolve here (default: the source file's folder)
    multiple_choice: bool = False  # geometry3k: keep the four options (problem lists them) instead of free form
    task: str | None = None  # overrides the source's task
    mapping: Mapping[str, str] = field(default_factory=dict)  # local: schema field -> source column
    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS  # larger images: "image too large (W×H)"


# ---------------------------------------------------------------- images


def _read_image_file(path: str, root: Path | None) -> bytes:
    candidate = Path(path)
    if not candidate.is_absolute() and root is not None:
        candidate = root / candidate
    if not candidate.is_file():
        raise SkipRow("missing image file")
    return candidate.read_bytes()


def image_struct(value: Any, root: Path | None,
                 max_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS) -> dict[str, Any]:
    """One image in any form a source uses -> ``{"bytes": ..., "path": None}`` after checking it decodes.

    Accepts ``{"bytes", "path"}`` structs (Parquet/Hub), raw bytes, a file path (relative to ``root``) and PIL
    images (encoded as PNG). An image of more than ``max_pixels`` pixels is skipped as ``image too large
    (W×H)`` before it is decoded.
    """
    from PIL import Image

    if isinstance(value, Mapping):
        data = value.get("bytes")
        if data is None and value.get("path"):
            data = _read_image_file(str(value["path"]), root)
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    elif isinstance(value, (str, Path)):
        data = _read_image_file(str(value), root)
    elif isinstance(value, Image.Image):
        try:
            check_image_size(value, max_pixels)
        except ImageTooLarge as error:
            raise SkipRow(str(error)) from None
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        data = buffer.getvalue()
    else:
        raise SkipRow("unsupported image value")
    if not data:
        raise SkipRow("empty image")
    try:
        open_image(data, max_pixels).close()
    except ImageTooLarge as error:
        raise SkipRow(str(error)) from None
    except Exception as error:  # PIL raises many types for corrupt data
        detail = re.sub(r"\s*<_io\.BytesIO object at 0x[0-9a-fA-F]+>", "", str(error))
        raise UnreadableImage(f"{type(error).__name__}: {detail}".rstrip(": ")) from error
    return {"bytes": data, "path": None}


def image_list(value: Any, root: Path | None,
               max_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS) -> list[dict[str, Any]]:
    """A row's images (one value or a list) as a list of structs; ``[]`` for None."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [image_struct(v, root, max_pixels) for v in value if v is not None]
    return [image_struct(value, root, max_pixels)]


# ---------------------------------------------------------------- reading sources


def _read_json_file(path: Path) -> Iterator[dict[str, Any]]:
    from mmagrae.preflight import iter_jsonl, read_json, read_text

    text = read_text(path)
    if path.suffix == ".jsonl":
        for _, value in iter_jsonl(path, text):
            yield value
        return
    data = read_json(path, text)
    if isinstance(data, Mapping):  # {"data": [...]} or {id: record}
        data = data.get("data", data.get("rows", list(data.values())))
    yield from data


def _read_parquet_file(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    from mmagrae.preflight import UserError

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise UserError(f"{path}: not a readable Parquet file ({' '.join(str(error).split())[:200]})") from None
    for batch in parquet.iter_batches(batch_size=256):
        yield from batch.to_pylist()


def read_local(path: Path, split: str) -> tuple[Iterator[dict[str, Any]], Path]:
    """Records of a local Parquet/JSON/JSONL file, or of the files of ``split`` in a folder; and the folder
    that relative image paths resolve against."""
    if path.is_file():
        files, root = [path], path.parent
    else:
        files = split_files(path, split)  # the one local split rule (mmagrae.data.loading.split_files)
        root = path

    def records() -> Iterator[dict[str, Any]]:
        for file in files:
            yield from (_read_parquet_file(file) if file.suffix == ".parquet" else _read_json_file(file))

    return records(), root


def read_hub(hf_id: str, split: str, config: str | None = None) -> Iterator[dict[str, Any]]:
    """Records of a Hub dataset with images left undecoded (``{"bytes", "path"}``), via ``datasets``."""
    import datasets

    dataset = datasets.load_dataset(hf_id, config, split=split)
    for name, feature in dataset.features.items():
        if isinstance(feature, datasets.Image):
            dataset = dataset.cast_column(name, datasets.Image(decode=False))
        elif isinstance(feature, (datasets.List, datasets.Sequence, datasets.LargeList)) and isinstance(
            getattr(feature, "feature", None), datasets.Image
        ):
            dataset = dataset.cast_column(name, datasets.List(datasets.Image(decode=False)))
    yield from dataset


# ---------------------------------------------------------------- answers


def _first(record: Mapping[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None and value != "" and value != []:
            return value
    return None


_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)


def strip_answer_tags(text: str) -> str:
    """``"<think>..</think><answer> 3 </answer>"`` -> ``"3"``; text without tags is returned stripped."""
    matches = _ANSWER_TAG.findall(text)
    return matches[-1].strip() if matches else text.strip()


def answer_fields(problem: str, gold: str, choices: list[str] | None = None) -> dict[str, Any]:
    """Schema answer fields for a free-form or letter gold.

    A single letter gold with options (given, or written in ``problem``) becomes multiple choice with the
    option's text as the answer; otherwise the gold is classified by ``infer_answer``.
    """
    gold = strip_math_delimiters(gold)
    letter = re.fullmatch(r"\(?([A-H])\)?\.?", gold.strip())
    options = choices or (parse_choices(problem) if letter else None)
    if letter and options:
        index = CHOICE_LETTERS.index(letter.group(1))
        if index >= len(options):
            raise SkipRow("answer letter beyond the options")
        return {"answer": options[index], "answer_type": "multiple_choice", "choices": list(options),
                "precision": None, "unit": None}
    if choices and gold in choices:
        return {"answer": gold, "answer_type": "multiple_choice", "choices": list(choices), "precision": None,
                "unit": None}
    inferred = infer_answer(gold)
    return {"answer": inferred.answer, "answer_type": inferred.answer_type, "choices": None,
            "precision": inferred.precision, "unit": inferred.unit}


# ---------------------------------------------------------------- converters: record -> row (without id)

Converter = Callable[[Mapping[str, Any], Options, Path | None], dict[str, Any]]


def geometry3k_row(record: Mapping[str, Any], options: Options, root: Path | None) -> dict[str, Any]:
    """hiyouga/geometry3k (``answer`` = option text, ``ground_truth`` = its letter) or Inter-GPS ``data.json``
    (``problem_text``, ``answer`` = letter). Free form by default (as EasyR1 and the A-GRAE paper train);
    ``multiple_choice`` keeps the options."""
    problem = _first(record, ("problem", "problem_text"))
    if not problem:
        raise SkipRow("no problem text")
    choices = [str(c) for c in record.get("choices") or []] or None
    letter = record.get("ground_truth")
    value = record.get("answer")
    if letter is None and isinstance(value, str) and re.fullmatch(r"[A-H]", value.strip()) and choices:
        letter, value = value.strip(), None  # Inter-GPS: the answer is the letter
    if letter is not None and choices:
        index = CHOICE_LETTERS.find(str(letter).strip().upper()[:1])
        if index < 0 or index >= len(choices):
            raise SkipRow("ground_truth letter not among the choices")
        gold = choices[index]
        if value is not None and strip_math_delimiters(str(value)) != strip_math_delimiters(gold):
            raise SkipRow("answer disagrees with the ground_truth letter")
    elif value is not None and str(value).strip():
        gold = str(value)
    else:
        raise SkipRow("no answer")
    images = image_list(_first(record, ("images", "image")), root, options.max_image_pixels)
    problem = with_image_markers(str(problem).strip(), len(images))
    if options.multiple_choice and choices:
        fields = {"answer": gold, "answer_type": "multiple_choice", "choices": choices, "precision": None,
                  "unit": None}
        problem = f"{problem} {choices_text(choices)}"
    else:
        fields = answer_fields(problem, gold)
    return {"problem": problem, "images": images, **fields, "task": "geometry"}


def geoqa_row(record: Mapping[str, Any], options: Options, root: Path | None) -> dict[str, Any]:
    """R1-V GeoQA (``solution`` = ``<answer>..</answer>``) and GeoQA+ style (``answer``) rows."""
    problem = _first(record, ("problem", "question"))
    if not problem:
        raise SkipRow("no problem text")
    solution = _first(record, ("solution",))
    if solution is not None:
        if not _ANSWER_TAG.search(str(solution)):
            raise SkipRow("no <answer> tag in solution")
        gold = strip_answer_tags(str(solution))
    else:
        gold = _first(record, ("answer", "ground_truth"))
        if gold is None:
            raise SkipRow("no answer")
        gold = strip_answer_tags(str(gold))
    if not gold:
        raise SkipRow("empty answer")
    images = image_list(_first(record, ("images", "image")), root, options.max_image_pixels)
    problem = with_image_markers(str(problem).strip(), len(images))
    return {"problem": problem, "images": images, **answer_fields(problem, gold), "task": "geometry"}


def chartqa_row(record: Mapping[str, Any], options: Options, root: Path | None) -> dict[str, Any]:
    """ChartQA: ``query`` and ``label`` (a string, or the Hub's one-element list) with the chart image. The
    label is kept verbatim (relaxed accuracy compares it as written); its type is inferred."""
    query = _first(record, ("query", "question"))
    label = record.get("label", record.get("answer"))
    if isinstance(label, (list, tuple)):
        label = label[0] if label else None
    if not query:
        raise SkipRow("no query")
    if label is None or not str(label).strip():
        raise SkipRow("no label")
    label = str(label).strip()
    images = image_list(_first(record, ("image", "images")), root, options.max_image_pixels)
    problem = with_image_markers(str(query).strip(), len(images))
    inferred = infer_answer(label)
    if inferred.answer == label:
        fields = {"answer": label, "answer_type": inferred.answer_type, "precision": inferred.precision}
    else:  # "5%", "1,200": keep as written for relaxed accuracy
        fields = {"answer": label, "answer_type": "text", "precision": None}
    return {"problem": problem, "images": images, **fields, "choices": None, "unit": None, "task": "chart"}


def mmk12_row(record: Mapping[str, Any], options: Options, root: Path | None) -> dict[str, Any]:
    """MMK12 (``question``, ``answer``, ``image``, ``subject``): task is the subject in lower case."""
    problem = _first(record, ("question", "problem"))
    gold = _first(record, ("answer", "solution"))
    if not problem:
        raise SkipRow("no problem text")
    if gold is None or not str(gold).strip():
        raise SkipRow("no answer")
    images = image_list(_first(record, ("image", "images")), root, options.max_image_pixels)
    problem = with_image_markers(str(problem).strip(), len(images))
    subject = record.get("subject")
    task = str(subject).strip().lower() if subject else "math"
    return {"problem": problem, "images": images, **answer_fields(problem, strip_answer_tags(str(gold))),
            "task": task}


def thinklite_row(record: Mapping[str, Any], options: Options, root: Path | None) -> dict[str, Any]:
    """ThinkLite-VL-style mixes: ``problem``/``question``, ``answer`` (maybe a letter or in ``<answer>``
    tags), ``image``/``images``; task from a ``task``/``category`` column when present, else ``math``."""
    problem = _first(record, ("problem", "question", "query", "prompt"))
    gold = _first(record, ("answer", "solution", "ground_truth", "label"))
    if not problem:
        raise SkipRow("no problem text")
    if gold is None or not str(gold).strip():
        raise SkipRow("no answer")
    images = image_list(_first(record, ("images", "image")), root, options.max_image_pixels)
    problem = with_image_markers(str(problem).strip(), len(images))
    task = _first(record, ("task", "category"))
    return {"problem": problem, "images": images, **answer_fields(problem, strip_answer_tags(str(gold))),
            "task": str(task).lower() if task else "math"}


LOCAL_ALIASES: dict[str, tuple[str, ...]] = {
    "problem": ("problem", "question", "query", "prompt"),
    "answer": ("answer", "solution", "label", "ground_truth", "gt"),
    "images": ("images", "image", "image_path", "imgname", "image_file"),
    "choices": ("choices", "options"),
    "answer_type": ("answer_type",),
    "precision": ("precision",),
    "unit": ("unit",),
    "task": ("task",),
    "id": ("id", "pid", "qid", "question_id"),
}


def local_row(record: Mapping[str, Any], options: Options, root: Path | None) -> dict[str, Any]:
    """Any table with a column mapping (``options.mapping``: schema field -> column; unmapped fields try
    the usual names in ``LOCAL_ALIASES``). A given ``answer_type`` column is trusted; otherwise inferred."""
    def get(name: str) -> Any:
        if name in options.mapping:
            return record.get(options.mapping[name])
        return _first(record, LOCAL_ALIASES[name])

    problem, gold = get("problem"), get("answer")
    if problem is None or not str(problem).strip():
        raise SkipRow("no problem text")
    if gold is None or not str(gold).strip():
        raise SkipRow("no answer")
    images = image_list(get("images"), root, options.max_image_pixels)
    problem = with_image_markers(str(problem).strip(), len(images))
    choices = get("choices")
    if isinstance(choices, str):  # a JSON list in a text column
        try:
            choices = json.loads(choices)
        except json.JSONDecodeError as error:
            raise SkipRow("choices column is not a list") from error
    choices = [str(c) for c in choices] if choices else None
    answer_type = get("answer_type")
    if answer_type:
        precision = get("precision")
        fields = {"answer": str(gold).strip(), "answer_type": str(answer_type), "choices": choices,
                  "precision": int(precision) if precision not in (None, "") else None, "unit": get("unit")}
    else:
        fields = answer_fields(problem, strip_answer_tags(str(gold)), choices)
    task = get("task")
    return {"problem": problem, "images": images, **fields, "task": str(task) if task else None}


# ---------------------------------------------------------------- special local layouts


def _intergps_records(path: Path, split: str) -> Iterator[dict[str, Any]] | None:
    records = intergps_records(path, split)
    if records is None:
        return None
    return ({**{k: v for k, v in r.items() if k not in ("folder", "image")}, "id": r.get("id", r["folder"]),
             "images": [str(r["image"])]} for r in records)


def _chartqa_records(path: Path, split: str) -> Iterator[dict[str, Any]] | None:
    records = chartqa_records(path, split)
    if records is None:
        return None
    return ({**{k: v for k, v in r.items() if k not in ("kind", "index")},
             "id": r.get("id", f"{r['kind']}-{r['index']}"),
             "image": str(r["image"]) if r["image"] is not None else None} for r in records)


@dataclass(frozen=True)
class Source:
    name: str
    hf_id: str | None
    convert_row: Converter
    special_layout: Callable[[Path, str], Iterator[dict[str, Any]] | None] | None = None
    id_columns: tuple[str, ...] = ("id",)


SOURCES: dict[str, Source] = {
    "geometry3k": Source("geometry3k", "hiyouga/geometry3k", geometry3k_row, _intergps_records),
    "geoqa": Source("geoqa", "leonardPKU/GEOQA_R1V_Train_8K", geoqa_row),
    "chartqa": Source("chartqa", "HuggingFaceM4/ChartQA", chartqa_row, _chartqa_records),
    "mmk12": Source("mmk12", "FanqingM/MMK12", mmk12_row),
    "thinklite": Source("thinklite", "russwang/ThinkLite-VL-70k", thinklite_row),
    "local": Source("local", None, local_row, None, ("id", "pid", "qid", "question_id")),
}


def convert(
    source: str,
    src: str | Path | None = None,
    *,
    split: str = "train",
    limit: int | None = None,
    config: str | None = None,
    image_root: str | Path | None = None,
    multiple_choice: bool = False,
    task: str | None = None,
    mapping: Mapping[str, str] | None = None,
    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS,
):
    """Convert ``split`` of ``source`` from ``src`` (a local file/folder, else a Hub id; default the source's
    Hub id) into ``(datasets.Dataset, ConversionReport)``. ``limit`` stops after that many source rows;
    images of more than ``max_image_pixels`` pixels are skipped (``image too large (W×H)``).

    A local ``src`` that does not exist, or a ``mapping`` to a column the source does not have, raises
    :class:`mmagrae.preflight.UserError` (one line naming it)."""
    from data_recipes.io import rows_to_dataset
    from mmagrae.preflight import UserError, looks_local

    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r} (allowed: {', '.join(SOURCES)})")
    spec = SOURCES[source]
    unknown = sorted(set(mapping or {}) - set(COLUMNS))
    if unknown:
        raise ValueError(f"unknown schema fields in mapping: {unknown} (allowed: {', '.join(COLUMNS)})")
    location = src if src is not None else spec.hf_id
    if location is None:
        raise ValueError(f"source {source!r} needs --src (a JSON/JSONL/Parquet file or folder)")
    options = Options(image_root=Path(image_root) if image_root else None, multiple_choice=multiple_choice,
                      task=task, mapping=dict(mapping or {}), max_image_pixels=max_image_pixels)
    if options.image_root is not None and not options.image_root.is_dir():
        raise UserError(f"--image-root {image_root} is not a folder")
    path = Path(location)
    if not path.exists() and looks_local(str(location)):
        raise UserError(f"--src {location} does not exist")
    if path.exists():
        records = spec.special_layout(path, split) if spec.special_layout and path.is_dir() else None
        root = path if path.is_dir() else path.parent
        if records is None:
            records, root = read_local(path, split)
    else:
        records, root = read_hub(str(location), split, config), None
    root = options.image_root or root

    report = ConversionReport(source=source, src=str(location), split=split)
    rows: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    seen_columns: dict[str, None] = {}  # ordered set of the source's column names
    for index, record in enumerate(records):
        if limit is not None and index >= limit:
            break
        if options.mapping:
            seen_columns.update(dict.fromkeys(record))
        report.rows_in += 1
        original_id = _first(record, spec.id_columns)
        try:
            row = spec.convert_row(record, options, root)
        except UnreadableImage as error:
            report.skip(index, original_id, "unreadable image", str(error))
            continue
        except SkipRow as error:
            report.skip(index, original_id, str(error))
            continue
        except ValueError as error:  # e.g. more <image> markers than images
            report.skip(index, original_id, "malformed row", str(error))
            continue
        if options.task:
            row["task"] = options.task
        row_id = f"{source}-{split}-{original_id if original_id is not None else index}"
        row["id"] = row_id if row_id not in seen_ids else f"{row_id}-{index}"  # repeated source ids
        seen_ids.add(row["id"])
        problem_reason = validate_row(row)
        if problem_reason:
            report.skip(index, original_id, "invalid row", problem_reason)
            continue
        rows.append(row)
        report.converted += 1
    missing = {f: c for f, c in options.mapping.items() if c not in seen_columns}
    if missing and report.rows_in:  # a sparse JSONL column counts if any row has it
        columns = ", ".join(map(str, seen_columns)) or "none"
        raise UserError(f"{location}: --map " + ", ".join(f"{f}={c}" for f, c in missing.items())
                        + f": no such column (columns: {columns})")
    return rows_to_dataset(rows), report
