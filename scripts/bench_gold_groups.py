"""Benchmark: verdicts for groups of G responses that share one expression gold (a training step's rewards).

Ours: ``mmagrae.verifiers.verify`` as training calls it, G responses per gold, the gold's parsed tree shared
across the group (``symbolic.parse_gold``). Also timed: ours with that memory cleared before every call (the
gold parsed anew each time, as before it existed). Peer: math-verify (``parse`` the gold and the response,
``verify``) on the same pairs, the gold parsed per call as TRL-style reward functions do.

The golds are generated (``\\frac{a\\sqrt{b}}{c} + dx^{2}``); each group holds the gold itself and the gold
plus 1, in boxes, alternating. Median of ``--repeats`` runs, one process. The last line is JSON:
``{"name": "gold_groups", "ours": verdicts/s, "peer": verdicts/s, "unit": "verdicts/s", "ratio": ours/peer}``.

    $ .venv/bin/python scripts/bench_gold_groups.py --golds 300 --group 8
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--golds", type=int, default=300)
    parser.add_argument("--group", type=int, default=8, help="G responses per gold")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from mmagrae.verifiers import verify
    from mmagrae.verifiers.symbolic import compare

    rng = random.Random(args.seed)
    golds = [f"\\frac{{{rng.randint(1, 9)}\\sqrt{{{rng.randint(2, 30)}}}}}{{{rng.randint(2, 9)}}} + "
             f"{rng.randint(1, 9)}x^{{2}}" for _ in range(args.golds)]
    pairs = [(f"The answer is \\boxed{{{g} + {k % 2}}}", g, k % 2 == 0) for g in golds for k in range(args.group)]

    def ours(clear: bool) -> tuple[float, int]:
        compare._GOLD_TREES.clear()
        start, right = time.perf_counter(), 0
        for response, gold, expected in pairs:
            if clear:
                compare._GOLD_TREES.clear()
            right += verify(response, gold).correct == expected
        return time.perf_counter() - start, right

    def peer() -> tuple[float, int]:
        from math_verify import parse
        from math_verify import verify as mv_verify

        start, right = time.perf_counter(), 0
        for response, gold, expected in pairs:
            try:
                ok = bool(mv_verify(parse(f"${gold}$"), parse(response)))
            except Exception:  # noqa: BLE001 - a crash of the peer counts as a wrong verdict
                ok = False
            right += ok == expected
        return time.perf_counter() - start, right

    runs = {name: [fn() for _ in range(args.repeats)]
            for name, fn in (("ours", lambda: ours(False)), ("ours_no_memory", lambda: ours(True)),
                             ("peer", peer))}
    n = len(pairs)
    rate = {name: n / statistics.median(t for t, _ in r) for name, r in runs.items()}
    right = {name: r[0][1] for name, r in runs.items()}
    print(json.dumps({"name": "gold_groups", "pairs": n, "group": args.group,
                      "ours_no_memory": round(rate["ours_no_memory"], 1),
                      "memory_speedup": round(rate["ours"] / rate["ours_no_memory"], 2),
                      "right": right, "ours": round(rate["ours"], 1), "peer": round(rate["peer"], 1),
                      "unit": "verdicts/s", "ratio": round(rate["ours"] / rate["peer"], 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
