"""The eval card: what produced a set of scores, so that two results can be compared and a cache is never mixed.

Every ``mmagrae eval run`` / ``eval score`` output folder holds ``eval_card.json`` (and ``scores.md`` ends with
the same card as a Markdown block):

- ``model``: ``path`` (absolute) and ``fingerprint`` (SHA-256 over the model folder's config, tokenizer,
  processor and weight files, :func:`model_fingerprint`);
- ``benchmark``, ``split`` and ``data``: ``source`` (a local copy or the hub id), ``rows`` and ``hash``
  (SHA-256 over every row's fields and image bytes, :func:`data_fingerprint`);
- ``prompt``: the ``template`` (the benchmark's official prompt and the model's chat template) and the
  ``system_prompt``; ``images``: the resizing (``min_pixels``/``max_pixels``, or the processor's own);
- ``decoding``: backend, dtype, temperature, top_p, max_new_tokens; ``n`` and ``seed``;
- ``scorer``: mode, judge model and endpoint; ``versions`` of mmagrae, transformers, vLLM, torch, Python;
- ``gold`` (``eval score`` only): the ``--data`` rows an input without gold answers was joined with
  (``source``, ``hash`` as :func:`data_hash`, ``rows``), else null.

The response cache (``responses.jsonl``) belongs to the card's :func:`cache_key` (model path and
fingerprint, benchmark, split, prompt template, system prompt, image resizing, decoding, n, seed): a run whose
key differs refuses with one line naming each differing setting (:func:`check_cache`). Each cached entry also
carries its row's key (prompt text + image bytes), so a row whose prompt changed is generated again instead of
served. A run folder's scores also belong to its data: a run on another benchmark, split, data source or data
hash is refused the same way (:func:`check_data`).

``mmagrae eval compare DIR_A DIR_B`` (:func:`compare`) prints both score tables side by side and every setting
that differs.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.outputs import Outputs
from eval.report import md_cell
from mmagrae.preflight import UserError, read_json

CARD_NAME = "eval_card.json"
CARD_VERSION = 1
# model-folder files that decide what the model says (weights, config, tokenizer, chat template, processor);
# training state (optimizer, RNG) and documentation are left out
_MODEL_SUFFIXES = (".json", ".safetensors", ".bin", ".model", ".txt", ".jinja", ".tiktoken", ".py")
_MODEL_SKIP = ("trainer_state", "training_args", "optimizer", "scheduler", "rng_state", "readme", "eval_card")
# settings that change a response: a cache written under other values is never served
CACHE_KEYS = ("model.path", "model.fingerprint", "benchmark", "split", "prompt.template", "prompt.system_prompt",
              "images.min_pixels", "images.max_pixels", "decoding.backend", "decoding.dtype",
              "decoding.temperature", "decoding.top_p", "decoding.max_new_tokens", "n", "seed")
# bookkeeping that is expected to differ between any two runs
_NOT_SETTINGS = ("created", "model.files", "outputs", "card_version")


# ---------------------------------------------------------------------------------------------- fingerprints
def _sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def model_fingerprint(path: str, previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``{"path", "fingerprint", "files"}`` of a local model folder (``files``: name -> [size, mtime_ns]).

    The fingerprint is the SHA-256 of each relevant file's name and content hash. Hashing weights takes about
    a second per GB, so when ``previous`` (the card of an earlier run) lists the same files with the same sizes
    and modification times, its fingerprint is reused. A path that is not a local folder (a hub id) is
    resolved in the local hub cache when possible; otherwise its fingerprint is None.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        folder = _hub_snapshot(path) or folder
    if not folder.is_dir():
        return {"path": str(path), "fingerprint": None, "files": {}}
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _MODEL_SUFFIXES
                   and not p.name.lower().startswith(_MODEL_SKIP))
    stats = {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in files}
    resolved = str(Path(path).expanduser().resolve()) if Path(path).expanduser().exists() else str(path)
    if previous and previous.get("path") == resolved and previous.get("files") == stats and previous.get("fingerprint"):
        fingerprint = previous["fingerprint"]
    else:
        digest = hashlib.sha256()
        for p in files:
            digest.update(f"{p.name}\0{_sha256_file(p)}\n".encode())
        fingerprint = "sha256:" + digest.hexdigest()
    return {"path": resolved, "fingerprint": fingerprint, "files": stats}


def _hub_snapshot(model_id: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model_id, local_files_only=True))
    except Exception:  # not a hub id, or not in the local cache: no fingerprint
        return None


def _image_digest(image: Any) -> str:
    """SHA-256 of an image as given: a file's bytes, a ``{bytes}`` struct, or a PIL image's pixels."""
    if isinstance(image, (str, Path)):
        p = Path(image)
        return _sha256_file(p) if p.is_file() else f"missing:{p.name}"
    if isinstance(image, Mapping) and isinstance(image.get("bytes"), (bytes, bytearray)):
        return hashlib.sha256(image["bytes"]).hexdigest()
    if isinstance(image, (bytes, bytearray)):
        return hashlib.sha256(image).hexdigest()
    if hasattr(image, "tobytes"):
        digest = hashlib.sha256(f"{image.mode}{image.size}".encode())
        digest.update(image.tobytes())
        return digest.hexdigest()
    return hashlib.sha256(repr(image).encode()).hexdigest()


def _video_digest(video: Any) -> str:
    """A video as given: a file (its bytes) or a list of frames (each frame's digest)."""
    if isinstance(video, (list, tuple)):
        return hashlib.sha256("|".join(_image_digest(frame) for frame in video).encode()).hexdigest()
    return _image_digest(video)


def row_keys(rows: Sequence[Mapping[str, Any]], prompt: Callable[[Mapping[str, Any]], str]
             ) -> tuple[dict[str, str], str]:
    """``({id: row key}, data hash)``.

    A row's key is the SHA-256 of its prompt text and image (and video) bytes: what the model sees of it. The
    data hash covers every field of every row (gold answers included) and the images and videos, in order.
    """
    keys: dict[str, str] = {}
    data = hashlib.sha256()
    for row in rows:
        images = [_image_digest(img) for img in row.get("images") or []]
        videos = [_video_digest(video) for video in row.get("videos") or []]
        seen = {"prompt": prompt(row), "images": images, **({"videos": videos} if videos else {})}
        keys[str(row["id"])] = hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:24]
        images += videos
        fields = {k: v for k, v in row.items() if k not in ("images", "videos", "decoded_image", "image")}
        data.update(json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode())
        data.update(("|".join(images) + "\n").encode())
    return keys, "sha256:" + data.hexdigest()


def data_hash(rows: Sequence[Mapping[str, Any]]) -> str:
    """The data hash of :func:`row_keys` alone (every field, images and videos): ``data.hash`` of the same rows."""
    return row_keys(rows, lambda _row: "")[1]


def file_hash(path: str | Path) -> str:
    return "sha256:" + _sha256_file(Path(path))


def versions() -> dict[str, str | None]:
    """Versions of the packages that decide a result (None: not installed)."""
    import platform
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in ("mmagrae", "transformers", "vllm", "torch"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out["python"] = platform.python_version()
    return out


# ------------------------------------------------------------------------------------------------ the card
def new_card(**sections: Any) -> dict[str, Any]:
    """A card with the fixed bookkeeping fields; ``sections`` are the settings (see the module docstring)."""
    return {"card_version": CARD_VERSION, **sections, "versions": versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def flatten(card: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (lists stay values)."""
    flat: dict[str, Any] = {}
    for key, value in card.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def cache_key(card: Mapping[str, Any]) -> dict[str, Any]:
    """The settings that decide a response (``CACHE_KEYS``) from a card."""
    flat = flatten(card)
    return {k: flat.get(k) for k in CACHE_KEYS}


def differences(a: Mapping[str, Any], b: Mapping[str, Any], keys: Sequence[str] | None = None
                ) -> list[tuple[str, Any, Any]]:
    """``[(setting, value in a, value in b)]`` for every setting that differs (bookkeeping fields ignored)."""
    fa, fb = flatten(a), flatten(b)
    names = keys if keys is not None else sorted(set(fa) | set(fb))
    out = []
    for name in names:
        if keys is None and any(name == skip or name.startswith(skip + ".") for skip in _NOT_SETTINGS):
            continue  # bookkeeping is skipped unless asked for by name
        if fa.get(name) != fb.get(name):
            out.append((name, fa.get(name), fb.get(name)))
    return out


def _listed(diff: Sequence[tuple[str, Any, Any]]) -> str:
    """``"key: a → b; ..."`` for a one-line error."""
    return "; ".join(f"{k}: {_short(a)} → {_short(b)}" for k, a, b in diff)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


# the card's sections: each is an object, or null where it does not apply (an ``eval score`` card's ``decoding``)
SECTIONS = ("model", "data", "gold", "prompt", "images", "decoding", "scorer", "outputs", "versions")


def read_card(folder: str | Path, name: str = CARD_NAME) -> dict[str, Any] | None:
    """The card ``folder/name`` (None when there is none). A file that is not a JSON object, or whose sections
    (``outputs``, ``scorer``, ...) are not objects, or a folder of that name, is a one-line UserError: such a
    folder is refused, never written into."""
    path = Path(folder) / name
    if path.is_dir():
        raise UserError(f"{path} is a folder where an eval card belongs; it is in the way: remove or rename it")
    if not path.is_file():
        return None
    card = read_json(path)
    if not isinstance(card, dict):
        raise UserError(f"{path}: not an eval card (expected a JSON object)")
    for key in SECTIONS:
        if card.get(key) is not None and not isinstance(card[key], dict):
            raise UserError(f"{path}: not an eval card ({key!r} is a {type(card[key]).__name__}, not an object)")
    return card


def write_card(folder: str | Path, card: Mapping[str, Any], name: str = CARD_NAME) -> Path:
    path = Path(folder) / name
    outputs = Outputs()
    add_card(outputs, path, card)
    outputs.commit()
    return path


def add_card(outputs: Outputs, path: Path, card: Mapping[str, Any]) -> None:
    """Stage the card ``path`` in ``outputs`` (written with the command's other files)."""
    outputs.add_json(path, card, indent=2, default=str, newline=True)


def check_cache(folder: str | Path, card: Mapping[str, Any], cache_name: str = "responses.jsonl") -> None:
    """Refuse (one-line :class:`UserError`) to use ``folder`` when its cached responses were made under other
    settings than ``card``'s, or by an unknown producer (a cache without a card). Touches nothing."""
    folder = Path(folder)
    cache = folder / cache_name
    old = read_card(folder)
    if old is None:
        if cache.is_file() and cache.stat().st_size > 0:
            raise UserError(f"{folder} holds {cache_name} but no {CARD_NAME}, so nothing says which model wrote "
                            "it; use another --out (or delete that folder)")
        return
    if not cache.is_file() or cache.stat().st_size == 0:
        return
    diff = differences(cache_key(old), cache_key(card))
    if diff:
        raise UserError(f"{folder} holds responses made with other settings ({_listed(diff)}); use another --out to "
                        "keep both, or delete that folder")


# the rows a run folder's scores are about: another data set, split or benchmark is another run
DATA_KEYS = ("benchmark", "split", "data.source", "data.hash")


def check_data(folder: str | Path, card: Mapping[str, Any], hash_at: Callable[[int | None], str]) -> None:
    """Refuse (one line naming each difference) an ``eval run`` into a folder whose card records other data:
    another benchmark, split, data source or data hash. ``hash_at(limit)`` is this run's data hash with the
    folder's ``--limit`` (called only when the limits differ), so changing ``--limit`` alone is allowed. A
    relative ``data.source`` (cards of older versions) counts as the same when the data hash is. Touches
    nothing."""
    old = read_card(folder)
    if old is None or old.get("command") != "eval run":
        return
    fo, fn = flatten(old), flatten(card)
    diff = [(k, fo.get(k), fn.get(k)) for k in ("benchmark", "split") if fo.get(k) != fn.get(k)]
    if not diff:
        new_hash = fn.get("data.hash") if fo.get("data.limit") == fn.get("data.limit") else hash_at(fo.get("data.limit"))
        if fo.get("data.hash") != new_hash:
            diff.append(("data.hash", fo.get("data.hash"), new_hash))
    old_source, new_source = fo.get("data.source"), fn.get("data.source")
    legacy = isinstance(old_source, str) and not Path(old_source).is_absolute() and not diff
    if old_source != new_source and not legacy:
        diff.append(("data.source", old_source, new_source))
    if diff:
        raise UserError(f"{folder} holds results for other data ({_listed(diff)}); use another --out to keep both, "
                        "or delete that folder")


# ------------------------------------------------------------------------------------ eval score outputs
# what makes two scorings the same: re-running one may replace its own files, nothing else
# (``gold``: the ``--data`` rows an input without gold answers was joined with, and ``split`` their split)
SCORING_KEYS = ("command", "benchmark", "split", "data.source", "data.hash", "gold.source", "gold.hash",
                "scorer.mode", "scorer.judge_model", "scorer.judge_url")


# the files an ``eval run`` writes in its folder (besides charts ``chart_*.png`` and ``output_*.json``)
RUN_FILES = ("responses.jsonl", "verdicts.jsonl", "summary.json", "scores.json", "scores.md", "run_config.json",
             "judge_cache.jsonl", CARD_NAME)


def run_writes(name: str) -> bool:
    """Whether ``eval run`` writes a file named ``name`` in its folder; letter case aside, since a case-insensitive
    file system (macOS, Windows) would make ``Summary.json`` the run's ``summary.json``."""
    name = name.casefold()
    return (name in {f.casefold() for f in RUN_FILES} or (name.startswith("chart_") and name.endswith(".png"))
            or (name.startswith("output_") and name.endswith(".json")))


def _check_not_a_run_file(path: Path) -> None:
    """An ``eval score`` output in an ``eval run`` folder: refused when the run lists it or writes a file of that
    name (``summary.json``, ``verdicts.jsonl``, ...), so that neither replaces the other's results."""
    card = read_card(path.parent)
    if not card or card.get("command") != "eval run":
        return
    listed = card.get("outputs") if isinstance(card.get("outputs"), Mapping) else {}
    if run_writes(path.name) or path.name.casefold() in {str(v).casefold() for v in listed.values()}:
        raise UserError(f"{path} is a file of the eval run in {path.parent} ({CARD_NAME}); name a file outside "
                        "that folder, or another name")


def _claims(card: Mapping[str, Any] | None, scores: Path) -> bool:
    """Whether ``card`` is an ``eval score`` card whose scores file is ``scores`` (a file in its folder)."""
    return bool(card) and card.get("command") == "eval score" and (card.get("outputs") or {}).get("scores") == scores.name


def score_card_path(scores: Path) -> Path:
    """Where ``eval score --out SCORES`` keeps its card: the folder's ``eval_card.json`` when the folder has
    none or it is this scores file's own; otherwise ``<stem>.eval_card.json`` beside it, so that a run's card
    (or another scoring's) in the same folder is never replaced. A side card that belongs to another scores
    file of the same stem (``scores.json`` then ``scores.txt``) is a one-line :class:`UserError`.

    >>> score_card_path(Path("/nonexistent/scores_rules.json")).name
    'eval_card.json'
    """
    shared = scores.parent / CARD_NAME
    old = read_card(scores.parent)
    if old is None or _claims(old, scores):
        return shared
    side = scores.parent / f"{scores.stem}.{CARD_NAME}"
    if side.is_file() and not _claims(read_card(scores.parent, side.name), scores):
        raise UserError(f"{side} is the eval card of another scores file; name --out differently")
    return side


def card_of_scores(scores: Path) -> dict[str, Any] | None:
    """The card an earlier ``eval score`` wrote for the scores file ``scores``, if any."""
    for path in (scores.parent / f"{scores.stem}.{CARD_NAME}", scores.parent / CARD_NAME):
        if _claims(card := read_card(path.parent, path.name), scores):
            return card
    return None


def check_score_outputs(card: Mapping[str, Any], files: Sequence[Path], *, source: Path | None = None) -> None:
    """Refuse (one-line :class:`UserError`) to write ``eval score`` outputs (``files``: the scores file, then
    the scored items) over anything this same scoring did not write: the ``--input`` itself (``source``), one
    output over another, a file no card claims (a results file, the published ``scores_*.json``), or one an
    earlier scoring of another input, benchmark or mode wrote. Paths are compared resolved. Touches nothing."""
    scores = files[0]
    for path in files:
        if path.name == CARD_NAME or path.name.endswith("." + CARD_NAME):
            raise UserError(f"{path}: an output cannot be named like an eval card; name it differently")
    resolved = [p.resolve() for p in files]
    if len(set(resolved)) < len(resolved):
        raise UserError(f"--results-out {files[-1]} is the same file as --out; name another file")
    for path, real in zip(files, resolved, strict=True):
        if path.is_dir():
            raise UserError(f"{path} is a folder; name a file for eval score's outputs (e.g. {path}/scores.json)")
        if source is not None and source.exists() and real == source.resolve():
            raise UserError(f"{path} is the --input file; name another file, so that the input is kept")
        _check_not_a_run_file(path)
    old = card_of_scores(scores)
    claimed = {(scores.parent / str(v)).resolve() for k, v in ((old or {}).get("outputs") or {}).items()
               if k != "judge_cache"}  # a judge cache is never an output to write over
    diff = differences(old, card, SCORING_KEYS) if old is not None else []
    for path, real in zip(files, resolved, strict=True):
        if not path.exists():
            continue
        if old is None or real not in claimed:
            raise UserError(f"{path} exists and no eval card says this scoring wrote it; use another path, or "
                            "delete it first")
        if diff:
            raise UserError(f"{path} holds the outputs of another scoring ({_listed(diff)}); use another path to "
                            "keep both, or delete it first")


def check_report_folder(folder: Path, card: Mapping[str, Any]) -> None:
    """A ``--report`` folder may hold this scoring's earlier report, or no report at all: another run's or
    scoring's report (its card differs), or report files no card claims, are refused (one line)."""
    old = read_card(folder)
    if old is None:
        if folder.is_dir() and any((folder / "scores.md").exists() or p.name.startswith("chart_")
                                   for p in folder.iterdir()):
            raise UserError(f"{folder} holds a report (scores.md, chart_*.png) that no eval card claims; use "
                            "another --report")
        return
    diff = differences(old, card, (*SCORING_KEYS, "outputs.scores"))
    if diff:
        raise UserError(f"{folder} holds the report of another run ({_listed(diff)}); use another --report, or "
                        "delete that folder")


def markdown(card: Mapping[str, Any]) -> str:
    """The card as a Markdown block (a two-column table of every setting)."""
    lines = ["## Eval card", "", "| setting | value |", "|---|---|"]
    for key, value in flatten(card).items():
        if key.startswith("model.files"):
            continue
        lines.append(f"| {md_cell(key)} | {md_cell(_short(value) if value is not None else '—')} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------- compare
def _scores(folder: Path, card: Mapping[str, Any]) -> tuple[Path, dict[str, Any]]:
    """The folder's scores file (the card's ``outputs.summary``/``outputs.scores``, else ``summary.json`` /
    ``scores.json``) and its content; the first one found must be a JSON object."""
    outputs = card.get("outputs") if isinstance(card.get("outputs"), Mapping) else {}
    for name in (outputs.get("summary"), outputs.get("scores"), "summary.json", "scores.json"):
        if isinstance(name, str) and name and (folder / name).is_file():
            data = read_json(folder / name)
            if not isinstance(data, dict):
                raise UserError(f"{folder / name}: not a scores file (expected a JSON object, got "
                                f"{type(data).__name__})")
            return folder / name, data
    raise UserError(f"{folder}: no scores file (summary.json / scores.json) next to {CARD_NAME}")


def _number(value: Any, where: Path, field: str) -> float:
    """``value`` (a number, or a string of one) as a finite float; NaN, infinities (``Infinity``, ``"inf"``,
    ``1e400``), numbers beyond a float (a 400-digit integer) and anything else are a one-line UserError."""
    number = None
    if not isinstance(value, bool) and isinstance(value, (int, float, str)):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            pass
    if number is None or not math.isfinite(number):
        raise UserError(f"{where}: not a scores file ({field} is {_short(value)}, not a number)")
    return number


def _count(value: Any, where: Path, field: str) -> int:
    """``value`` as a count: a whole number (``3`` or ``3.0``) from 0 to 10¹², else a one-line UserError."""
    number = _number(value, where, field)
    if not number.is_integer():
        raise UserError(f"{where}: not a scores file ({field} is {_short(value)}, not a whole number)")
    if not 0 <= number <= _MAX_COUNT:  # no benchmark has a negative count or a trillion items
        raise UserError(f"{where}: not a scores file ({field} is {_short(value)}, not a count of items)")
    return int(number)


_MAX_COUNT = 10**12


def _table(scores: Mapping[str, Any], where: Path) -> dict[str, str]:
    """``{row label: value}``: overall accuracy, pass@k, and every category value's accuracy. A scores file of
    another shape (a missing or ill-typed field) is a one-line :class:`UserError` naming ``where``."""
    from eval.report import category_tables

    def row_of(row: Any, field: str) -> str:
        if not isinstance(row, Mapping):
            raise UserError(f"{where}: not a scores file ({field} is {type(row).__name__}, not an object)")
        prefix = f"{field}." if field else ""
        for name in ("accuracy", "correct", "total"):
            if name not in row:
                raise UserError(f"{where}: not a scores file (no field {prefix + name!r})")
        counts = [_count(row[name], where, prefix + name) for name in ("correct", "total")]
        return f"{_number(row['accuracy'], where, prefix + 'accuracy'):.2f} ({counts[0]}/{counts[1]})"

    table = {"accuracy": row_of(scores["average"], "average") if "average" in scores else row_of(scores, "")}
    pass_at = scores.get("pass@k") or {}
    if not isinstance(pass_at, Mapping):
        raise UserError(f"{where}: not a scores file (pass@k is {type(pass_at).__name__}, not an object)")
    for k, v in pass_at.items():
        table[f"pass@{k}"] = f"{_number(v, where, f'pass@k.{k}'):.2f}"
    if "categories" in scores and not isinstance(scores["categories"], Mapping):
        raise UserError(f"{where}: not a scores file (categories is {type(scores['categories']).__name__}, not an "
                        "object)")
    for key, values in category_tables(scores).items():
        if not isinstance(values, Mapping):
            raise UserError(f"{where}: not a scores file (categories.{key} is {type(values).__name__}, not an "
                            "object)")
        for value, row in values.items():
            table[f"{key} / {value}"] = row_of(row, f"categories.{key}.{value}")
    return table


def _card_and_scores(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """An eval output folder (its card and score table) or an ``eval score`` scores file (the card written for
    it)."""
    if path.is_file():
        card = card_of_scores(path)
        if card is None:
            raise UserError(f"{path}: no eval card for this scores file (written by mmagrae eval score)")
        scores = read_json(path)
        if not isinstance(scores, dict):
            raise UserError(f"{path}: not a scores file (expected a JSON object, got {type(scores).__name__})")
        return card, _table(scores, path)
    if not path.is_dir():
        raise UserError(f"{path} is neither an eval output folder nor a scores file")
    card = read_card(path)
    if card is None:
        raise UserError(f"{path} has no {CARD_NAME} (written by mmagrae eval run / eval score)")
    where, scores = _scores(path, card)
    return card, _table(scores, where)


def compare(dir_a: str | Path, dir_b: str | Path) -> str:
    """Both score tables side by side (Markdown) and every setting that differs between the two cards.
    Each side is an eval output folder or an ``eval score`` scores file."""
    folders = [Path(dir_a), Path(dir_b)]
    both = [_card_and_scores(f) for f in folders]
    cards = [card for card, _ in both]
    tables = [table for _, table in both]
    labels = list(dict.fromkeys([*tables[0], *tables[1]]))
    # every cell and value is md_cell'd: a folder name, category or setting never ends its row or forges one
    lines = [f"| | A: {md_cell(folders[0])} | B: {md_cell(folders[1])} | B − A |", "|---|---:|---:|---:|"]
    for label in labels:
        a, b = tables[0].get(label, "—"), tables[1].get(label, "—")
        delta = "—"
        if a != "—" and b != "—" and math.isfinite(change := float(b.split()[0]) - float(a.split()[0])):
            delta = f"{change:+.2f}"
        lines.append(f"| {md_cell(label)} | {a} | {b} | {delta} |")
    diff = differences(cards[0], cards[1])
    lines += ["", f"Settings that differ ({len(diff)}):" if diff else "Settings: identical"]
    lines += [f"- {md_cell(k)}: {md_cell(_short(a))} → {md_cell(_short(b))}" for k, a, b in diff]
    return "\n".join(lines)
