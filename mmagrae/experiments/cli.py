"""``mmagrae experiment``: the controlled experiments of arXiv 2602.05548 (A-GRAE) on CPU.

Example::

    $ mmagrae experiment all --quick --out /tmp/exp          # both experiments, small, under 2 minutes
    $ mmagrae experiment tabular --seeds 5 --out docs/figures/experiments
    $ mmagrae experiment transformer --seeds 5 --workers 2 --out docs/figures/experiments
    $ mmagrae experiment tabular --lrs 0.5,1,2 --tag _lr_sweep --out docs/figures/experiments
    $ mmagrae experiment tabular --set optimizer=adam --lrs 0.03,0.1 --variants grpo,negative_only --tag _adam

Every JSON holds the untrained policy's pass@k (``baseline``), the final metrics with 95% intervals
(``summary``), paired differences against GRPO (``paired_vs_grpo``) and the matched-pass@1 comparison
(``matched``); see docs/EXPERIMENTS.md. Prints one JSON summary as the last line of output.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser("experiment", help="controlled experiments: estimators on toy policies",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.set_defaults(func=main)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("which", choices=("tabular", "transformer", "all"), nargs="?", default="all",
                        help="which experiment to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small settings for a smoke run (< 2 min)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="seeds per estimator (default: 5; quick: 2 tabular / 1 transformer)")
    parser.add_argument("--steps", type=int, default=None, help="override the training steps")
    parser.add_argument("--variants", default=None,
                        help="comma-separated estimator variants (default: all for the experiment)")
    parser.add_argument("--match-weight", action="store_true",
                        help="tabular control: rescale each batch to GRAE's total weight Σ|Â| "
                             "(writes tabular_matched.*)")
    parser.add_argument("--lrs", default=None,
                        help="comma-separated learning rates to sweep (results under by_lr in the JSON)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a config field (TabularConfig / TransformerConfig), e.g. optimizer=adam; "
                             "repeatable")
    parser.add_argument("--tag", default=None, help="suffix of the output names (<experiment><tag>.json)")
    parser.add_argument("--reanalyse", type=Path, default=None, metavar="JSON",
                        help="no training: recompute baseline / summary / paired / matched from the runs stored "
                             "in an experiment JSON and rewrite it (and its PNG) in place")
    parser.add_argument("--workers", type=int, default=1, help="processes to spread runs over")
    parser.add_argument("--out", type=Path, default=Path("experiment_results"),
                        help="folder for <experiment>.json and <experiment>.png")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an earlier <experiment><tag>.json/.png in --out (refused without it)")


def parse_overrides(items: list[str], kind: str) -> dict:
    """``["optimizer=adam", "steps=200"]`` -> ``{"optimizer": "adam", "steps": 200}``, typed like the field's
    default (bool from true/false); an unknown field or a malformed item is a one-line error."""
    from dataclasses import fields

    from mmagrae.experiments.runner import _configs

    config_cls = _configs(kind)[0]
    defaults = {f.name: getattr(config_cls(), f.name) for f in fields(config_cls)}
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or name not in defaults:
            raise ValueError(f"--set {item!r}: expected FIELD=VALUE with FIELD one of {sorted(defaults)}")
        default = defaults[name]
        try:
            if isinstance(default, bool):
                if text.lower() not in ("true", "false"):
                    raise ValueError(text)
                out[name] = text.lower() == "true"
            elif isinstance(default, int | float):
                out[name] = type(default)(text)
            elif isinstance(default, tuple):
                out[name] = tuple(int(v) for v in text.split(","))
            else:
                out[name] = text
        except ValueError:
            raise ValueError(f"--set {item!r}: {text!r} is not a valid {type(default).__name__}") from None
    return out


def main(args: argparse.Namespace) -> int:
    from mmagrae.experiments.runner import reanalyse, run_experiment

    command = " ".join(shlex.quote(a) for a in sys.argv)
    if args.reanalyse is not None:
        try:
            summary = reanalyse(args.reanalyse, command=command)
        except (OSError, ValueError, KeyError) as error:
            print(f"error: --reanalyse {args.reanalyse}: {error!r}", file=sys.stderr)
            return 2
        print(json.dumps(summary))
        return 0
    kinds = ("tabular", "transformer") if args.which == "all" else (args.which,)
    default_seeds = {"tabular": 2 if args.quick else 5, "transformer": 1 if args.quick else 5}
    variants = args.variants.split(",") if args.variants else None
    try:
        lrs = [float(v) for v in args.lrs.split(",")] if args.lrs else None
    except ValueError:
        print(f"error: --lrs {args.lrs!r}: expected comma-separated numbers", file=sys.stderr)
        return 2
    tags = {kind: args.tag if args.tag is not None else ("_matched" if args.match_weight and kind == "tabular" else "")
            for kind in kinds}
    taken = [args.out / f"{kind}{tags[kind]}{suffix}" for kind in kinds for suffix in (".json", ".png")
             if (args.out / f"{kind}{tags[kind]}{suffix}").exists()]
    if taken and not args.overwrite:  # checked before hours of training, not after
        print(f"error: {taken[0]} exists (an earlier experiment's result); use another --out or --tag, or pass "
              "--overwrite to replace it", file=sys.stderr)
        return 2
    results = {}
    for kind in kinds:
        try:
            overrides = parse_overrides(args.set, kind)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        matched = args.match_weight and kind == "tabular"
        if matched:
            overrides["match_grae_weight"] = True
        tag = tags[kind]
        try:
            results[kind + tag] = run_experiment(
                kind, out=args.out, seeds=args.seeds or default_seeds[kind], quick=args.quick, steps=args.steps,
                variants=variants, workers=args.workers, command=command, overrides=overrides or None, tag=tag,
                lrs=lrs)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"{kind}: wrote {args.out / (kind + tag + '.json')} and .png in "
              f"{results[kind + tag]['seconds']} s", file=sys.stderr)
    print(json.dumps(results))
    return 0
