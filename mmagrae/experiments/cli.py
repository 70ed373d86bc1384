"""``mmagrae experiment``: the controlled experiments of arXiv 2602.05548 (A-GRAE) on CPU.

Example::

    $ mmagrae experiment all --quick --out /tmp/exp          # both experiments, small, under 2 minutes
    $ mmagrae experiment tabular --seeds 5 --out docs/figures/experiments
    $ mmagrae experiment transformer --seeds 3 --workers 2 --out docs/figures/experiments

Prints one JSON summary (final pass@k, entropy, coverage per estimator) as the last line of output.
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
                        help="seeds per estimator (default: 5 tabular / 3 transformer; quick: 2 / 1)")
    parser.add_argument("--steps", type=int, default=None, help="override the training steps")
    parser.add_argument("--variants", default=None,
                        help="comma-separated estimator variants (default: all for the experiment)")
    parser.add_argument("--match-weight", action="store_true",
                        help="tabular control: rescale each batch to GRAE's total weight Σ|Â| "
                             "(writes tabular_matched.*)")
    parser.add_argument("--workers", type=int, default=1, help="processes to spread runs over")
    parser.add_argument("--out", type=Path, default=Path("experiment_results"),
                        help="folder for <experiment>.json and <experiment>.png")


def main(args: argparse.Namespace) -> int:
    from mmagrae.experiments.runner import run_experiment

    kinds = ("tabular", "transformer") if args.which == "all" else (args.which,)
    default_seeds = {"tabular": 2 if args.quick else 5, "transformer": 1 if args.quick else 3}
    variants = args.variants.split(",") if args.variants else None
    command = " ".join(shlex.quote(a) for a in sys.argv)
    results = {}
    for kind in kinds:
        matched = args.match_weight and kind == "tabular"
        tag = "_matched" if matched else ""
        results[kind + tag] = run_experiment(
            kind, out=args.out, seeds=args.seeds or default_seeds[kind], quick=args.quick, steps=args.steps,
            variants=variants, workers=args.workers, command=command,
            overrides={"match_grae_weight": True} if matched else None, tag=tag)
        print(f"{kind}: wrote {args.out / (kind + tag + '.json')} and .png in "
              f"{results[kind + tag]['seconds']} s", file=sys.stderr)
    print(json.dumps(results))
    return 0
