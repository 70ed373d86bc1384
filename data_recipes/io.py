"""Write and read recipe datasets: one folder of Parquet shards per dataset (layout in docs/DATA.md).

::

    OUT/
      train-00000-of-00001.parquet   # split "train": rows in the schema of data_recipes.schema
      test-00000-of-00001.parquet    # optional held-out split
      README.md                      # dataset card whose YAML `configs:` names the splits' files
      mmagrae_data.json              # manifest: recipe, arguments, row counts, skipped rows and reasons

Any of these read it (images come back as PIL images)::

    datasets.load_dataset("parquet", data_dir=OUT)     # DatasetDict with "train" (and "test")
    datasets.load_dataset(OUT)                         # the same, through README.md
    data_recipes.io.load_dataset_dir(OUT, "train")     # one split as a datasets.Dataset
    datasets.load_from_disk(OUT + ".arrow")            # only when written with arrow_copy=True (--arrow-copy)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANIFEST_NAME = "mmagrae_data.json"
SCHEMA_VERSION = 1


def rows_to_dataset(rows: list[dict[str, Any]]):
    """Build a ``datasets.Dataset`` with the row features (``schema.features()``) from a list of rows."""
    import datasets

    from data_recipes.schema import COLUMNS, features

    columns = {name: [row[name] for row in rows] for name in COLUMNS}
    with_videos = any(row.get("videos") for row in rows)  # the optional column, only where rows have videos
    if with_videos:
        columns["videos"] = [row.get("videos") or [] for row in rows]
    return datasets.Dataset.from_dict(columns, features=features(with_videos))


def _card(splits: dict[str, list[str]], manifest: dict[str, Any]) -> str:
    lines = ["---", "configs:", "- config_name: default", "  data_files:"]
    for split in splits:
        lines += [f"  - split: {split}", f"    path: {split}-*.parquet"]
    lines += ["---", "", f"# {manifest.get('recipe', 'mmagrae dataset')}", ""]
    lines.append("Rows in the mmagrae row schema (data_recipes/schema.py, docs/DATA.md).")
    lines.append("")
    for split, files in splits.items():
        lines.append(f"- `{split}`: {manifest['rows'][split]} rows in {len(files)} file(s)")
    lines.append("")
    lines.append(f"Made with: `{manifest.get('command', '')}`" if manifest.get("command") else "")
    return "\n".join(lines) + "\n"


# the manifest's fields that say how a dataset was made (the rest is bookkeeping: command line, versions, counts)
_BOOKKEEPING = ("command", "versions", "files", "rows", "conversion", "schema_version", "arrow_copy")


def local_source(src: Any) -> Any:
    """A local ``--src`` as an absolute path (the same file named two ways is one source); a hub id as given."""
    if isinstance(src, str) and src and Path(src).expanduser().exists():
        return str(Path(src).expanduser().resolve())
    return src


def _read_manifest(out: Path) -> dict[str, Any] | None:
    """:func:`read_manifest`, or None when the folder has none or it cannot be read (not an mmagrae dataset)."""
    if not (out / MANIFEST_NAME).is_file():
        return None
    try:
        manifest = read_manifest(out)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _listed_shards(out: Path) -> list[Path]:
    manifest = _read_manifest(out) or {}
    names = [name for files in (manifest.get("files") or {}).values() for name in files]
    return [out / name for name in names if (out / name).is_file() and "/" not in name and "\\" not in name]


_TMP_PREFIX = ".mmagrae-tmp-"  # a write in progress, inside the dataset folder (same filesystem, hidden)


def _temporary_inside(out: Path) -> Path:
    """A new empty folder ``OUT/.mmagrae-tmp-PID``; such folders of processes no longer running (a killed
    command's) are removed first. Inside ``out``, so moving its files in is a rename on one filesystem even
    when ``out`` is a symlink or a mount point."""
    import os
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(_TMP_PREFIX + "*"):
        try:
            os.kill(int(old.name[len(_TMP_PREFIX):]), 0)
        except ProcessLookupError:
            shutil.rmtree(old, ignore_errors=True)
        except (ValueError, PermissionError):
            pass
    tmp = out / f"{_TMP_PREFIX}{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    return tmp


def _visible(out: Path) -> list[Path]:
    """The entries of ``out`` that count (hidden ones such as ``.git`` or a write in progress do not)."""
    return [p for p in out.iterdir() if not p.name.startswith(".")]


def check_replaceable(out: Path, *, settings: Mapping[str, Any] | None = None, arrow_copy: bool = False) -> None:
    """Refuse (one-line :class:`mmagrae.preflight.UserError`) to write a dataset into ``out`` unless it is new,
    empty, or an mmagrae dataset whose Parquet files are all its own; with ``settings`` (the new manifest),
    also unless that dataset was made with the same settings (a re-run replaces its own output, never another
    dataset). Touches nothing.
    """
    from mmagrae.preflight import UserError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder")
    arrow = arrow_copy_path(out)
    if arrow_copy and arrow.exists() and not ((_read_manifest(out) or {}).get("arrow_copy")
                                              and (arrow / "dataset_dict.json").is_file()):
        raise UserError(f"{arrow} already exists and is not the Arrow copy of the dataset in {out}; use another "
                        "--out, so that nothing is replaced")
    if not out.is_dir() or not _visible(out):
        return
    manifest = _read_manifest(out)
    if manifest is None:
        raise UserError(f"{out} is not empty and holds no mmagrae dataset ({MANIFEST_NAME}); use a new or empty "
                        "folder, so that nothing in it is replaced")
    listed = {p.name for p in _listed_shards(out)}
    foreign = sorted(p.name for p in out.glob("*.parquet") if p.name not in listed)
    if foreign:
        raise UserError(f"{out} holds Parquet files its {MANIFEST_NAME} does not list ({', '.join(foreign[:3])}); "
                        "use a new folder")
    if settings is not None:
        # the settings the recorded dataset names (one made before a setting was recorded is not refused for it;
        # a local src is given resolved, local_source, so an older manifest's relative src is refused)
        old = {k: v for k, v in manifest.items() if k not in _BOOKKEEPING}
        new = {k: v for k, v in json.loads(json.dumps(dict(settings), default=str)).items() if k not in _BOOKKEEPING}
        changed = sorted(k for k in old if old.get(k) != new.get(k))
        if changed:
            listed_changes = "; ".join(f"{k}: {old.get(k)!r} → {new.get(k)!r}" for k in changed[:4])
            raise UserError(f"{out} holds another dataset ({listed_changes}); use another --out to keep both, or "
                            "delete that folder")


def save_dataset(
    ds: Any,
    out_dir: str | Path,
    *,
    split: str = "train",
    manifest: Mapping[str, Any] | None = None,
    rows_per_shard: int = 5000,
    arrow_copy: bool = False,
) -> Path:
    """Write ``ds`` to ``out_dir`` as Parquet shards ``{split}-{i:05d}-of-{n:05d}.parquet`` plus a card and manifest.

    ``ds`` is a ``datasets.Dataset`` (written as ``split``) or a mapping ``{split: Dataset}`` (a
    ``DatasetDict`` works). ``out_dir`` must be new, empty, or hold an mmagrae dataset (its manifest), which is
    replaced: the shards its manifest lists are removed first, so a folder always holds exactly one dataset. A
    folder with other files, or with Parquet files its manifest does not list, is refused
    (:class:`mmagrae.preflight.UserError`) and left as it is (:func:`check_replaceable`). ``arrow_copy`` also writes the sibling folder ``{out_dir}.arrow`` with
    ``DatasetDict.save_to_disk`` for code that insists on ``datasets.load_from_disk`` (it doubles the disk
    use). A split without rows raises :class:`mmagrae.preflight.UserError` before anything is written: an
    empty Parquet file is never made. Returns the folder.

    >>> import tempfile
    >>> from data_recipes.synthetic import make_dataset
    >>> out = save_dataset({"train": make_dataset("counting", 3, seed=0)}, tempfile.mkdtemp())
    >>> sorted(p.name for p in out.iterdir())[:2]
    ['README.md', 'mmagrae_data.json']
    """
    import math

    from mmagrae.preflight import UserError

    out = Path(out_dir)
    datasets_by_split = dict(ds) if isinstance(ds, Mapping) else {split: ds}
    empty = [name for name, dataset in datasets_by_split.items() if len(dataset) == 0]
    if not datasets_by_split or empty:  # checked before anything in out_dir is touched
        raise UserError(f"no rows in split(s) {', '.join(empty) or '(none given)'}; nothing written to {out}")
    check_replaceable(out, arrow_copy=arrow_copy)
    bad = [name for name in datasets_by_split if not name.isidentifier()]
    if bad:
        raise ValueError(f"split name {bad[0]!r} must be a plain identifier (letters, digits, _)")
    # written whole into a temporary sibling first, so a killed command leaves the folder as it was
    import os
    import shutil

    tmp = _temporary_inside(out)
    try:
        files: dict[str, list[str]] = {}
        for name, dataset in datasets_by_split.items():
            n_shards = max(1, math.ceil(len(dataset) / rows_per_shard))
            files[name] = []
            for index in range(n_shards):
                shard = dataset.shard(num_shards=n_shards, index=index, contiguous=True)
                path = tmp / f"{name}-{index:05d}-of-{n_shards:05d}.parquet"
                shard.to_parquet(str(path))
                files[name].append(path.name)
        full_manifest: dict[str, Any] = {"schema_version": SCHEMA_VERSION, **dict(manifest or {})}
        full_manifest["rows"] = {name: len(d) for name, d in datasets_by_split.items()}
        full_manifest["files"] = files
        if arrow_copy:
            full_manifest["arrow_copy"] = True
        (tmp / MANIFEST_NAME).write_text(json.dumps(full_manifest, indent=2, sort_keys=True, default=str) + "\n")
        (tmp / "README.md").write_text(_card(files, full_manifest))
        # the swap: the old dataset's own shards go, the new manifest comes first (a run killed now leaves a
        # folder its re-run recognises), then the shards and the card
        had_arrow = bool((_read_manifest(out) or {}).get("arrow_copy"))
        for old in _listed_shards(out):
            old.unlink()
        os.replace(tmp / MANIFEST_NAME, out / MANIFEST_NAME)
        for path in sorted(tmp.iterdir()):
            os.replace(path, out / path.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    arrow = arrow_copy_path(out)
    if arrow_copy or (had_arrow and (arrow / "dataset_dict.json").is_file()):
        shutil.rmtree(arrow, ignore_errors=True)  # the replaced dataset's own copy (check_replaceable made sure)
    if arrow_copy:
        import datasets

        datasets.DatasetDict(datasets_by_split).save_to_disk(str(arrow))
    return out


def arrow_copy_path(out_dir: str | Path) -> Path:
    """Where ``arrow_copy`` puts the ``save_to_disk`` copy: the sibling folder ``OUT.arrow``.

    Not inside ``OUT``: its ``train/``, ``test/`` folders would be taken for splits by
    ``load_dataset("parquet", data_dir=OUT)``, which would then fail on the ``.arrow`` and ``.json`` files.
    """
    out = Path(out_dir).resolve()  # "." or "..": the folder's own name
    return out.with_name(out.name + ".arrow")


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a saved folder (``{}`` when it has none, e.g. a folder written by other tools)."""
    manifest = Path(path) / MANIFEST_NAME
    return json.loads(manifest.read_text()) if manifest.is_file() else {}


def load_dataset_dir(path: str | Path, split: str = "train"):
    """Read one split of a folder written by ``save_dataset`` as a ``datasets.Dataset`` (images decode to PIL)."""
    import datasets

    files = sorted(str(p) for p in Path(path).glob(f"{split}-*.parquet"))
    if not files:
        available = sorted({p.name.split("-")[0] for p in Path(path).glob("*.parquet")})
        raise FileNotFoundError(f"no split {split!r} in {path} (splits there: {available})")
    return datasets.load_dataset("parquet", data_files={split: files}, split=split)
