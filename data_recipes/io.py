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
    ``DatasetDict`` works). Existing ``*.parquet`` files in ``out_dir`` are removed first, so a folder always
    holds exactly one dataset. ``arrow_copy`` also writes the sibling folder ``{out_dir}.arrow`` with
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
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.parquet"):
        old.unlink()
    files: dict[str, list[str]] = {}
    for name, dataset in datasets_by_split.items():
        if not name.isidentifier():
            raise ValueError(f"split name {name!r} must be a plain identifier (letters, digits, _)")
        n_shards = max(1, math.ceil(len(dataset) / rows_per_shard))
        files[name] = []
        for index in range(n_shards):
            shard = dataset.shard(num_shards=n_shards, index=index, contiguous=True)
            path = out / f"{name}-{index:05d}-of-{n_shards:05d}.parquet"
            shard.to_parquet(str(path))
            files[name].append(path.name)
    full_manifest: dict[str, Any] = {"schema_version": SCHEMA_VERSION, **dict(manifest or {})}
    full_manifest["rows"] = {name: len(d) for name, d in datasets_by_split.items()}
    full_manifest["files"] = files
    (out / MANIFEST_NAME).write_text(json.dumps(full_manifest, indent=2, sort_keys=True, default=str) + "\n")
    (out / "README.md").write_text(_card(files, full_manifest))
    if arrow_copy:
        import shutil

        import datasets

        arrow = arrow_copy_path(out)
        shutil.rmtree(arrow, ignore_errors=True)
        datasets.DatasetDict(datasets_by_split).save_to_disk(str(arrow))
    return out


def arrow_copy_path(out_dir: str | Path) -> Path:
    """Where ``arrow_copy`` puts the ``save_to_disk`` copy: the sibling folder ``OUT.arrow``.

    Not inside ``OUT``: its ``train/``, ``test/`` folders would be taken for splits by
    ``load_dataset("parquet", data_dir=OUT)``, which would then fail on the ``.arrow`` and ``.json`` files.
    """
    out = Path(out_dir)
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
