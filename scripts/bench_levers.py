"""mmagrae's trainer with the two performance levers off and on, interleaved in one process (before / after).

Levers: ``rollout.shared_prefix`` (prefill each prompt once for its G samples) and ``algorithm.padding_free``
(packed re-forward). Runs ``scripts/bench_train.py``'s ``run_ours`` with both off, then both on, ``--rounds``
times (alternating the order), optionally under cProfile (``--profile-dir``: ``off.prof`` / ``on.prof`` of the
first round's timed steps), and prints per-phase medians and, last, one JSON line::

    {"name": "levers", "ours": <samples/s, levers on>, "peer": <samples/s, levers off>, ..., "ratio": on / off}

    .venv/bin/python scripts/bench_levers.py                         # small shape (8 x 4 x 32, tiny Qwen2-VL)
    .venv/bin/python scripts/bench_levers.py --shape large --rounds 1 --steps 1
    .venv/bin/python scripts/bench_levers.py --profile-dir /tmp/prof  # + cProfile of each side
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

OFF = ["rollout.shared_prefix=false", "algorithm.padding_free=false"]
ON = ["rollout.shared_prefix=true", "algorithm.padding_free=true"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", default="small", choices=("small", "large"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=None, help="T (small 32, large 128)")
    parser.add_argument("--profile-dir", default=None, help="write off.prof / on.prof (round 0) here")
    args = parser.parse_args(argv)

    import shutil

    import bench_large
    import bench_train

    from mmagrae.models.tiny import build_tiny_model

    large = args.shape == "large"
    bench_args = argparse.Namespace(
        prompts=8, n=4, max_new_tokens=args.max_new_tokens or (bench_large.MAX_NEW_TOKENS if large else 32),
        lr=1e-5, steps=args.steps, warmup=args.warmup, rows=64, device="cpu", seed=0, profile=None,
        dtype=bench_large.default_dtype() if large else "float32",
        pixels=bench_large.IMAGE_PIXELS if large else 12544, set=[])
    work = Path(tempfile.mkdtemp(prefix="bench_levers_"))
    model_dir = str(bench_large.build_large_model(work / "model") if large
                    else build_tiny_model("qwen2_vl", work / "model", seed=0))
    runs: dict[str, list] = {"off": [], "on": []}
    for r in range(args.rounds):
        for side in (("off", "on") if r % 2 == 0 else ("on", "off")):
            bench_args.set = OFF if side == "off" else ON
            bench_args.profile = (str(Path(args.profile_dir) / f"{side}.prof")
                                  if args.profile_dir and r == 0 else None)
            runs[side].append(bench_train.run_ours(bench_args, model_dir, work, "hf", f"{side}-{r}0"))
    summary = {side: bench_train._summary(rs) for side, rs in runs.items()}
    for side, row in summary.items():
        phases = " ".join(f"{k}={v:.3f}" for k, v in row["phases"].items())
        print(f"levers {side:3s}: {row['samples_per_s']:.2f} samples/s, step {row['step_s']:.3f} s, "
              f"peak {row['peak_mib']:.0f} MiB; {phases}")
    on, off = summary["on"], summary["off"]
    report = {
        "name": "levers_large" if large else "levers",
        "ours": round(on["samples_per_s"], 3),
        "peer": round(off["samples_per_s"], 3),
        "unit": "samples/s (levers on vs off)",
        "ours_phases_s": {k: round(v, 4) for k, v in on["phases"].items()},
        "peer_phases_s": {k: round(v, 4) for k, v in off["phases"].items()},
        "ours_peak_mib": round(on["peak_mib"]),
        "peer_peak_mib": round(off["peak_mib"]),
        "settings": {"B": bench_args.prompts, "G": bench_args.n, "T": bench_args.max_new_tokens,
                     "dtype": bench_args.dtype, "rounds": args.rounds, "steps": args.steps},
        "ratio": round(on["samples_per_s"] / off["samples_per_s"], 3),
    }
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
