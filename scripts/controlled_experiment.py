"""Controlled experiments of arXiv 2602.05548 (A-GRAE): every advantage estimator on toy policies, on CPU.

(a) tabular softmax over trajectories, many prompts of varied difficulty; (b) a tiny transformer trained with
RL on a synthetic "same digit sum" task. Writes <out>/tabular.{json,png} and <out>/transformer.{json,png} and
prints a JSON summary last. Same as ``mmagrae experiment``.

    python scripts/controlled_experiment.py --quick                      # < 2 minutes
    nice python scripts/controlled_experiment.py all --workers 2 --out docs/figures/experiments
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmagrae.experiments.cli import add_arguments, main  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    sys.exit(main(parser.parse_args()))
