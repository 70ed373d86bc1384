"""Time synthetic generation: ``python scripts/bench_synthetic.py --n 1000`` (pin to one core with ``taskset -c 0``).

Prints, per kind, the wall and CPU seconds to generate ``n`` mixed-difficulty rows (drawing + PNG encoding)
and to build the ``datasets.Dataset``; the machine may be shared, so CPU time is the number to compare.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="rows per kind (default: 1000)")
    parser.add_argument("--kinds", default="counting,geometry,charts", help="comma-separated kinds")
    parser.add_argument("--difficulty", default="mixed", help="level or 'mixed' (default: mixed)")
    args = parser.parse_args(argv)

    from data_recipes.io import rows_to_dataset
    from data_recipes.synthetic import make_rows

    difficulty = args.difficulty if args.difficulty == "mixed" else int(args.difficulty)
    results = {}
    for kind in args.kinds.split(","):
        make_rows(kind, 1, seed=123, difficulty=difficulty)  # imports, fonts
        wall, cpu = time.perf_counter(), time.process_time()
        rows = make_rows(kind, args.n, seed=0, difficulty=difficulty)
        rows_to_dataset(rows)
        results[kind] = {"n": args.n, "wall_s": round(time.perf_counter() - wall, 2),
                         "cpu_s": round(time.process_time() - cpu, 2)}
        print(json.dumps({kind: results[kind]}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
