"""``mmagrae data``: make synthetic datasets, convert real ones, inspect a saved folder.

Examples::

    $ mmagrae data make counting --n 1000 --seed 0 --test-n 200 --out data/counting
    $ mmagrae data make geometry --n 500 --difficulty mixed --option multiple_choice=0.3 --out data/geo
    $ mmagrae data convert geometry3k --src hiyouga/geometry3k --split train --split test --out data/geo3k
    $ mmagrae data convert local --src my.jsonl --map problem=question,answer=label,images=img --out data/mine
    $ mmagrae data inspect data/counting        # summary JSON + data/counting/contact_sheet.png

Every command writes Parquet shards, a dataset card and ``mmagrae_data.json`` (layout: docs/DATA.md).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from mmagrae.data.loading import DEFAULT_MAX_IMAGE_PIXELS

SYNTHETIC_KINDS = ("counting", "geometry", "charts", "video_counting")
SOURCES = ("geometry3k", "geoqa", "chartqa", "mmk12", "thinklite", "local")


def _parse_value(text: str) -> Any:
    """``"3"`` -> 3, ``"0.5"`` -> 0.5, ``"a,b"`` -> ("a", "b"), anything else stays a string (never evaluated)."""
    if "," in text:
        return tuple(part.strip() for part in text.split(",") if part.strip())
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items or []:
        for part in item.split(","):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise SystemExit(f"error: {what} expects key=value, got {part!r}")
            pairs[key.strip()] = value.strip()
    return pairs


def _pixel_limit(text: str) -> int | None:
    """``--max-image-pixels``: a positive count, or 0 for no limit."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of pixels, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0 (0 = no limit), got {value}")
    return value or None


def _versions() -> dict[str, str]:
    import matplotlib
    import PIL

    return {"pillow": PIL.__version__, "matplotlib": matplotlib.__version__}


def _command_line() -> str:
    return "mmagrae " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _quiet() -> None:
    import datasets

    datasets.disable_progress_bars()


def run_make(args: argparse.Namespace) -> int:
    from data_recipes.io import check_replaceable, save_dataset
    from mmagrae.preflight import check_output_dir

    check_output_dir(args.out, "--out")
    _quiet()
    from data_recipes.synthetic import make_splits

    options: dict[str, Any] = {}
    for item in args.option or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"error: --option expects key=value, got {item!r}")
        options[key.strip()] = _parse_value(value.strip())
    difficulty: int | str = args.difficulty if args.difficulty == "mixed" else int(args.difficulty)
    manifest = {"recipe": f"synthetic/{args.kind}", "kind": args.kind, "n": args.n, "seed": args.seed,
                "test_n": args.test_n, "difficulty": difficulty, "options": options, "command": _command_line(),
                "versions": _versions()}
    check_replaceable(Path(args.out), settings=manifest, arrow_copy=args.arrow_copy)  # before any work
    try:
        splits = make_splits(args.kind, args.n, args.seed, test_n=args.test_n, difficulty=difficulty, **options)
    except TypeError as error:  # a misspelt --option
        raise SystemExit(f"error: {error}") from error
    out = save_dataset(splits, args.out, manifest=manifest, arrow_copy=args.arrow_copy)
    sizes = ", ".join(f"{name} {len(ds)}" for name, ds in splits.items())
    print(f"wrote {args.kind} ({sizes}) to {out}")
    return 0


def run_convert(args: argparse.Namespace) -> int:
    from data_recipes.converters import convert
    from data_recipes.io import check_replaceable, local_source, save_dataset
    from mmagrae.preflight import UserError, check_output_dir

    check_output_dir(args.out, "--out")
    _quiet()

    mapping = _pairs(args.map, "--map")
    settings = {"recipe": f"convert/{args.source}", "source": args.source, "src": local_source(args.src),
                "mapping": mapping, "multiple_choice": args.multiple_choice, "splits": args.split or ["train"],
                "limit": args.limit, "config": args.config, "task": args.task}
    if args.src and Path(settings["src"]).is_dir() and Path(args.out).resolve().is_relative_to(settings["src"]):
        raise UserError(f"--out {args.out} is inside --src {args.src}: a re-run would read its own output; "
                        "write the dataset elsewhere")
    check_replaceable(Path(args.out), settings=settings, arrow_copy=args.arrow_copy)  # before any conversion work
    datasets_by_split, reports = {}, []
    for split in args.split or ["train"]:
        dataset, report = convert(args.source, args.src, split=split, limit=args.limit, config=args.config,
                                  image_root=args.image_root, multiple_choice=args.multiple_choice,
                                  task=args.task, mapping=mapping, max_image_pixels=args.max_image_pixels)
        print(report.summary())
        if report.converted == 0:  # never write an empty split
            reasons = ", ".join(f"{reason}: {count}" for reason, count in report.skipped.most_common(3))
            hint = f" (skipped {reasons})" if reasons else " (no rows read)"
            raise UserError(f"{report.src}: no usable rows for split {split!r}{hint}; is it the {args.source} "
                            f"layout (docs/DATA.md)? nothing written to {args.out}")
        datasets_by_split[split] = dataset
        reports.append(report.to_dict())
    manifest = {**settings, "command": _command_line(), "conversion": reports}
    out = save_dataset(datasets_by_split, args.out, manifest=manifest, arrow_copy=args.arrow_copy)
    print(f"wrote {out}")
    converted = sum(r["converted"] for r in reports)
    return 0 if converted > 0 else 1


def run_inspect(args: argparse.Namespace) -> int:
    from data_recipes.inspection import contact_sheet, iter_saved_rows, summarize
    from data_recipes.io import read_manifest

    rows = list(iter_saved_rows(args.dir, args.split))
    summary = summarize(rows)
    manifest = read_manifest(args.dir)
    if manifest.get("conversion"):
        summary["conversion"] = manifest["conversion"]
    # no split name in the default file name: datasets.load_dataset("parquet", data_dir=DIR) would take a file
    # named like "*_train.png" for part of the train split and fail to read it
    sheet = args.sheet or f"{args.dir}/contact_sheet.png"
    step = max(1, len(rows) // max(args.rows, 1)) if args.spread else 1
    picked = rows[::step][: args.rows]
    contact_sheet(picked, sheet, columns=args.columns)
    summary["contact_sheet"] = str(sheet)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="make synthetic datasets, convert real ones, inspect a folder",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="data_command", metavar="{make,convert,inspect}")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    make = commands.add_parser("make", help="generate a synthetic dataset (deterministic by seed)")
    make.add_argument("kind", choices=SYNTHETIC_KINDS, help="what to draw")
    make.add_argument("--n", type=int, required=True, help="number of training rows")
    make.add_argument("--seed", type=int, default=0, help="seed; item i depends only on (kind, seed, split, i)")
    make.add_argument("--out", required=True, help="output folder (its old *.parquet files are replaced)")
    make.add_argument("--difficulty", default="1",
                      help="level (counting 1-4, geometry 1-3, charts 1-3) or 'mixed' (default: 1)")
    make.add_argument("--test-n", type=int, default=0, help="rows of a held-out 'test' split (default: none)")
    make.add_argument("--option", action="append", metavar="KEY=VALUE",
                      help="generator option, e.g. problems=circle,right_triangle or multiple_choice=0.3")
    make.add_argument("--arrow-copy", action="store_true",
                      help="also write the sibling folder DIR.arrow for datasets.load_from_disk (doubles disk use)")
    make.set_defaults(func=run_make)

    conv = commands.add_parser("convert", help="convert a real dataset (Hub id or local files) to the schema")
    conv.add_argument("source", choices=SOURCES, help="source layout")
    conv.add_argument("--src", help="local file/folder or Hub id (default: the source's Hub id)")
    conv.add_argument("--out", required=True, help="output folder")
    conv.add_argument("--split", action="append", help="split(s) to convert (repeatable; default: train)")
    conv.add_argument("--limit", type=int, help="stop after this many source rows per split")
    conv.add_argument("--config", help="Hub dataset config name")
    conv.add_argument("--image-root", help="folder that relative image paths resolve against")
    conv.add_argument("--multiple-choice", action="store_true",
                      help="geometry3k: keep the options in the problem and score by option")
    conv.add_argument("--task", help="set every row's task (default: the source's)")
    conv.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                      help="local: schema field -> source column, e.g. problem=question,answer=label,images=img")
    conv.add_argument("--arrow-copy", action="store_true",
                      help="also write the sibling folder DIR.arrow for datasets.load_from_disk (doubles disk use)")
    conv.add_argument("--max-image-pixels", type=_pixel_limit, default=DEFAULT_MAX_IMAGE_PIXELS, metavar="N",
                      help="skip images of more than N pixels (width × height) as 'image too large (W×H)' "
                           f"(default {DEFAULT_MAX_IMAGE_PIXELS}, PIL's bomb threshold; 0 = no limit)")
    conv.set_defaults(func=run_convert)

    look = commands.add_parser("inspect", help="summary statistics and a contact sheet PNG of a saved folder")
    look.add_argument("dir", help="folder written by make/convert")
    look.add_argument("--split", default="train", help="split to inspect (default: train)")
    look.add_argument("--rows", type=int, default=12, help="rows on the contact sheet (default: 12)")
    look.add_argument("--columns", type=int, default=4, help="contact sheet columns (default: 4)")
    look.add_argument("--spread", action="store_true", help="pick rows spread over the split, not the first ones")
    look.add_argument("--sheet", help="contact sheet path (default: DIR/contact_sheet.png)")
    look.set_defaults(func=run_inspect)
