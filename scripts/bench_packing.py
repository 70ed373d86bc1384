"""Padded vs packed (padding-free) policy re-forward: forward + backward time and tokens as response lengths vary.

For each spread of response lengths it builds one micro-batch of B prompts × G responses (random tokens; the
prompts are the bench's counting prompts with one image each), then times ``compute_token_logprobs`` + backward
on the padded layout (``build_policy_batch``) and on the packed one (``pack_policy_batch``), interleaved, and
checks the two give the same log-probs. Lengths: response k of a group has ``T_max·(1 − spread·u)`` tokens,
u uniform in [0, 1) (spread 0: all full length; spread 0.9: from 10 % to 100 % of T_max). Prints a table and,
last, one JSON line ``{"name": "packing", ..., "ratio": padded seconds / packed seconds at the middle spread}``.

    .venv/bin/python scripts/bench_packing.py                    # tiny Qwen2-VL, B=8, G=4, T=32
    .venv/bin/python scripts/bench_packing.py --shape large      # 32M Qwen2-VL, 448² images, T=128
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", default="small", choices=("small", "large"))
    parser.add_argument("--prompts", type=int, default=None, help="B prompts in the micro-batch (small 8, large 2)")
    parser.add_argument("--n", type=int, default=4, help="G responses per prompt")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="T_max (small 32, large 128)")
    parser.add_argument("--spreads", default="0,0.5,0.9", help="comma-separated length spreads in [0, 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per layout and spread")
    parser.add_argument("--dtype", default=None, help="float32 | bfloat16 (default: as bench_rollout)")
    args = parser.parse_args(argv)

    import bench_large
    import torch
    from bench_rollout import _prompts

    from mmagrae.models import load_policy, pad_token_id, vision_token_ids
    from mmagrae.models.tiny import build_tiny_model
    from mmagrae.rollout import Completion, build_policy_batch, compute_token_logprobs
    from mmagrae.rollout.packing import mask_dtype_for, pack_policy_batch

    torch.set_num_threads(1)
    large = args.shape == "large"
    dtype = args.dtype or (bench_large.default_dtype() if large else "float32")
    B = args.prompts or (2 if large else 8)
    T = args.max_new_tokens or (bench_large.MAX_NEW_TOKENS if large else 32)
    tmp = Path(tempfile.mkdtemp(prefix="bench_packing_"))
    path = bench_large.build_large_model(tmp / "m") if large else build_tiny_model("qwen2_vl", tmp / "m")
    model, processor = load_policy(str(path), dtype=dtype)
    model.train()
    prompts = _prompts(processor, B, True, bench_large.IMAGE_SIDE if large else 112)
    banned = set(vision_token_ids(processor))
    vocab = [t for t in range(300, 1000) if t not in banned]
    gen = torch.Generator().manual_seed(0)

    def step(batch) -> tuple[float, torch.Tensor]:
        model.zero_grad(set_to_none=True)
        start = time.perf_counter()
        logp, _ = compute_token_logprobs(model, batch)  # [N, T]
        (logp * batch["response_mask"]).sum().backward()
        return time.perf_counter() - start, logp.detach().float()

    rows, result = [], {}
    spreads = [float(x) for x in args.spreads.split(",")]
    for spread in spreads:
        groups = []
        for _ in range(B):
            lengths = [max(1, round(T * (1 - spread * float(torch.rand(1, generator=gen))))) for _ in range(args.n)]
            groups.append([Completion([vocab[int(i)] for i in torch.randint(len(vocab), (k,), generator=gen)], "",
                                      [0.0] * k, "length") for k in lengths])
        padded = build_policy_batch(processor, prompts, groups, pad_token_id=pad_token_id(processor))
        packed = pack_policy_batch(padded, dtype=mask_dtype_for(model))
        step(padded), step(packed)  # warm-up
        times: dict[str, list[float]] = {"padded": [], "packed": []}
        for _ in range(args.repeats):
            t_pad, logp_pad = step(padded)
            t_pack, logp_pack = step(packed)
            times["padded"].append(t_pad)
            times["packed"].append(t_pack)
        gap = ((logp_pad - logp_pack).abs() * padded["response_mask"]).max().item()
        med = {k: statistics.median(v) for k, v in times.items()}
        row = {"spread": spread, "mean_len": round(padded["response_mask"].sum().item() / (B * args.n), 1),
               "padded_tokens": packed["padded_tokens"], "packed_tokens": packed["packed_tokens"],
               "padded_s": round(med["padded"], 4), "packed_s": round(med["packed"], 4),
               "speedup": round(med["padded"] / med["packed"], 3), "logprob_max_abs_diff": gap}
        rows.append(row)
        print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    middle = rows[len(rows) // 2]
    result = {"name": "packing_large" if large else "packing", "ours": middle["packed_s"],
              "peer": middle["padded_s"], "unit": "s per forward+backward (packed vs padded)", "dtype": dtype,
              "prompts": B, "n": args.n, "max_new_tokens": T, "rows": rows, "ratio": middle["speedup"]}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
