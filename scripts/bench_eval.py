"""Benchmark: scoring 1,000 MathVista items in rules mode (ours) vs math-verify on the same responses (peer).

Ours: ``eval.mathvista.score_results(mode="rules")`` on the published Bard results file (extraction with
mmagrae's verifier, MathVista's official normalisation, the verdict and the score tables).
Peer: math-verify (``parse`` the response, ``parse`` the gold, ``verify``), the rule-based checker most RL
toolkits use, on the same 1,000 responses (no tables). Also printed, for scale: official mode (normalising the
given GPT extractions only).

Single process, one thread (the work is pure Python); best of ``--repeats`` runs. The last line is JSON:
``{"name": "eval_scoring", "ours": items/s, "peer": items/s, "ratio": ours/peer, "unit": "items/s"}``.

    $ MMAGRAE_FIXTURES=../shared/fixtures .venv/bin/python scripts/bench_eval.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _best(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default=os.environ.get("MMAGRAE_FIXTURES", str(REPO.parent / "shared" / "fixtures")))
    parser.add_argument("--file", default="output_bard.json")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-peer", action="store_true", help="skip math-verify")
    args = parser.parse_args()

    from eval import mathvista

    results = mathvista.read_results(Path(args.fixtures) / "mathvista" / args.file)
    n = len(results)
    mathvista.score_results(dict(list(results.items())[:20]), mode="rules")  # warm imports and regex caches

    t_rules = _best(lambda: mathvista.score_results(results, mode="rules"), args.repeats)
    t_official = _best(lambda: mathvista.score_results(results, mode="official"), args.repeats)
    scored, _ = mathvista.score_results(results, mode="rules")
    agree = mathvista.agreement(results, scored)
    print(f"rules mode:    {n} items in {t_rules:.3f}s = {n / t_rules:,.0f} items/s "
          f"(agreement with the published verdicts {100 * agree['agreement']:.1f}%)")
    print(f"official mode: {n} items in {t_official:.3f}s = {n / t_official:,.0f} items/s")

    peer = None
    if not args.no_peer:
        try:
            from math_verify import parse, verify
        except ImportError:
            print("math-verify not installed: no peer", file=sys.stderr)
        else:
            pairs = [(it.get("response") or "", str(it["answer"])) for it in results.values()]

            def peer_run():
                return [verify(parse(g), parse(r)) for r, g in pairs]

            t_peer = _best(peer_run, 1)
            hits = peer_run()
            peer_agree = sum(bool(h) == bool(it["true_false"]) for h, it in zip(hits, results.values(), strict=True))
            peer = n / t_peer
            print(f"math-verify:   {n} items in {t_peer:.3f}s = {peer:,.0f} items/s "
                  f"(agreement with the published verdicts {100 * peer_agree / n:.1f}%)")
    ours = n / t_rules
    print(json.dumps({"name": "eval_scoring", "ours": round(ours, 1), "peer": round(peer, 1) if peer else None,
                      "ratio": round(ours / peer, 2) if peer else None, "unit": "items/s"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
