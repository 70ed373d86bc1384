"""Benchmark: the policy batch of video (and Idefics3 image) prompts, whose media the model encodes itself.

Ours: ``build_policy_batch`` processes each prompt's images and videos once and repeats the processor outputs
for the G sequences of the prompt (``mmagrae.rollout.forward.per_sequence_inputs``).
Peer: the layout TRL's GRPO trainer uses, and mmagrae's before this change: the processor is called on every
one of the N = B·G sequences, so each medium is processed G times (here forced through the same function, so
the two differ only in that).

A tiny Qwen2-VL / Qwen3-VL / Idefics3 model is built locally; prompts carry ``--frames`` frames per video (or
two images for Idefics3) of ``--side`` px. Median of ``--repeats`` runs, one thread. Both batches are checked
equal, key by key. The last line is JSON:
``{"name": "media_batch", ..., "ours": s, "peer": s, "unit": "s per batch", "ratio": peer/ours}`` (a speed-up:
seconds, so the peer's over ours).

    $ .venv/bin/python scripts/bench_media_batch.py --arch qwen2_vl --n 8
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _frames(n: int, side: int, shift: int):
    from PIL import Image, ImageDraw

    out = []
    for k in range(n):
        img = Image.new("RGB", (side, side), "white")
        x = (shift + 9 * k) % max(1, side - 20)
        ImageDraw.Draw(img).ellipse((x, side // 3, x + 20, side // 3 + 20), fill="black")
        out.append(img)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", default="qwen2_vl", choices=("qwen2_vl", "qwen2_5_vl", "qwen3_vl", "idefics3"))
    parser.add_argument("--prompts", type=int, default=4, help="B prompts")
    parser.add_argument("--n", type=int, default=8, help="G sequences per prompt")
    parser.add_argument("--frames", type=int, default=8, help="frames per video")
    parser.add_argument("--side", type=int, default=224, help="frame / image side in pixels")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    import torch

    from mmagrae.console import quiet_libraries
    from mmagrae.data.prompts import build_prompts
    from mmagrae.models import load_policy, pad_token_id
    from mmagrae.models.tiny import build_tiny_model
    from mmagrae.rollout import Completion, build_policy_batch, forward

    quiet_libraries()
    torch.set_num_threads(1)
    path = build_tiny_model(args.arch, Path(tempfile.mkdtemp(prefix="bench_media_")) / "m")
    _, processor = load_policy(str(path))
    if args.arch == "idefics3":
        rows = [{"id": str(b), "problem": "<image><image>Which one has the circle further right?",
                 "images": _frames(2, args.side, 7 * b), "answer": "A"} for b in range(args.prompts)]
    else:
        rows = [{"id": str(b), "problem": "<video>In which frame is the circle at the right edge?",
                 "videos": [_frames(args.frames, args.side, 7 * b)], "answer": "1"} for b in range(args.prompts)]
    prompts, _ = build_prompts(rows, processor, min_pixels=3136, max_pixels=args.side * args.side,
                               video_max_pixels=args.side * args.side, max_prompt_length=32768)
    groups = [[Completion([300 + k, 301, 302, 303], "", [0.0] * 4, "length") for k in range(args.n)]
              for _ in prompts]

    def batch():
        return build_policy_batch(processor, prompts, groups, pad_token_id=pad_token_id(processor))

    def timed() -> float:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            batch()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    ours_batch = batch()
    ours = timed()
    repeat = forward.per_sequence_inputs
    forward.per_sequence_inputs = lambda *a: None  # the peer layout: the processor on every sequence
    try:
        peer_batch = batch()
        peer = timed()
    finally:
        forward.per_sequence_inputs = repeat
    same = all(torch.equal(ours_batch["model_inputs"][k], v) for k, v in peer_batch["model_inputs"].items())
    if not same:
        raise SystemExit("the two layouts gave different processor outputs")
    print(json.dumps({"name": "media_batch", "arch": args.arch, "prompts": len(prompts), "n": args.n,
                      "frames": args.frames if args.arch != "idefics3" else 0, "side": args.side,
                      "sequences": len(prompts) * args.n, "equal": same, "ours": round(ours, 4),
                      "peer": round(peer, 4), "unit": "s per batch", "ratio": round(peer / ours, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
