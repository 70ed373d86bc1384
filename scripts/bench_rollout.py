"""Rollout throughput: the same prompts (with images), n and lengths through vLLM and transformers generate.

Builds a tiny random model (``mmagrae.models.tiny``; no downloads), makes B counting-style prompts with one image
each, samples n completions of up to ``--max-new-tokens`` tokens per prompt with both engines (one warm-up call
each, then ``--repeats`` timed calls), and prints a few lines of detail and, last, one JSON line::

    {"name": "rollout", "ours": <vLLM tokens/s>, "peer": <HF generate tokens/s>, "ratio": ours/peer,
     "unit": "tokens/s", "vllm_startup_s": ..., "logprob_max_abs_diff": ..., ...}

``logprob_max_abs_diff`` is the largest gap between vLLM's returned log-probs and the transformers re-forward
(``compute_token_logprobs``) on the same tokens. Usage::

    .venv/bin/python scripts/bench_rollout.py                     # tiny Qwen2-VL, B=8, n=4, 48 new tokens
    .venv/bin/python scripts/bench_rollout.py --arch qwen2 --prompts 16 --n 4 --max-new-tokens 128
    .venv/bin/python scripts/bench_rollout.py --model /path/to/Qwen2-VL-2B-Instruct --dtype bfloat16   # GPU

Designed to finish in under two minutes on two CPU cores with the defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _prompts(processor, n_prompts: int, vision: bool):
    from PIL import Image, ImageDraw

    from mmagrae.data import build_prompts

    rows = []
    for i in range(n_prompts):
        images = []
        if vision:
            img = Image.new("RGB", (112, 112), "white")
            draw = ImageDraw.Draw(img)
            for k in range(1 + i % 4):
                draw.ellipse((8 + 25 * k, 40, 28 + 25 * k, 60), fill="black")
            images = [img]
        rows.append({"problem": ("<image>" if vision else "") + f"How many circles are there? ({i})",
                     "images": images, "answer": str(1 + i % 4), "choices": None, "answer_type": "integer",
                     "precision": None, "unit": None, "task": "counting", "id": str(i)})
    prompts, _ = build_prompts(rows, processor, answer_format="think_answer", max_prompt_length=None,
                               min_pixels=56 * 56, max_pixels=112 * 112)
    return prompts


def _rss_mb() -> float:
    """Current resident memory of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _timed(engine, prompts, n, sampling, repeats):
    seconds, tokens = [], 0
    for r in range(repeats):
        start = time.perf_counter()
        groups = engine.generate(prompts, n, type(sampling)(**{**sampling.__dict__, "seed": 100 + r}))
        seconds.append(time.perf_counter() - start)
        tokens += sum(len(c.token_ids) for g in groups for c in g)
    return tokens / sum(seconds), groups, sum(seconds) / repeats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", default="qwen2_vl", choices=("qwen2_vl", "qwen2_5_vl", "qwen2"),
                        help="tiny model to build (ignored with --model)")
    parser.add_argument("--model", default=None, help="an existing model directory instead of a tiny model")
    parser.add_argument("--dtype", default="float32", help="float32 | bfloat16 | float16")
    parser.add_argument("--prompts", type=int, default=8, help="B: prompts per generate call")
    parser.add_argument("--n", type=int, default=4, help="G: samples per prompt")
    parser.add_argument("--max-new-tokens", type=int, default=48, help="response length limit")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per engine (after one warm-up)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads for both engines (0 = leave torch's default). On a shared CPU "
                             "machine 2 threads are pathologically slow for tiny matmuls (OpenMP spinning)")
    args = parser.parse_args(argv)

    import torch

    if args.threads > 0:
        torch.set_num_threads(args.threads)

    from mmagrae.models import is_vision_model, load_policy, pad_token_id
    from mmagrae.rollout import SamplingConfig, build_engine, build_policy_batch, compute_token_logprobs

    tmp = None
    if args.model is None:
        from mmagrae.models.tiny import build_tiny_model

        tmp = tempfile.mkdtemp(prefix="bench_rollout_")
        model_path = str(build_tiny_model(args.arch, Path(tmp) / args.arch))
    else:
        model_path = args.model
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, processor = load_policy(model_path, dtype=args.dtype, device=device)
    vision = is_vision_model(model)
    prompts = _prompts(processor, args.prompts, vision)
    sampling = SamplingConfig(temperature=1.0, max_new_tokens=args.max_new_tokens)

    # transformers generate (the peer)
    hf = build_engine("hf", model_path, model=model, processor=processor, dtype=args.dtype)
    hf.generate(prompts[:2], 2, SamplingConfig(max_new_tokens=4, seed=0))  # warm-up
    hf_tps, _, hf_call_s = _timed(hf, prompts, args.n, sampling, args.repeats)
    print(f"hf generate: {hf_tps:,.0f} tokens/s ({hf_call_s:.2f} s per call of {args.prompts}x{args.n})")

    # vLLM (ours)
    rss_before = _rss_mb()
    start = time.perf_counter()
    engine = build_engine("vllm", model_path, dtype=args.dtype,
                          max_model_len=max(p.num_tokens for p in prompts) + args.max_new_tokens + 16,
                          max_num_seqs=max(16, args.prompts * args.n), seed=0)
    startup = time.perf_counter() - start
    rss_vllm = _rss_mb() - rss_before
    print(f"vllm start-up: {startup:.1f} s (LLM() itself {engine.startup_seconds:.1f} s, the rest is importing vllm); "
          f"+{rss_vllm:,.0f} MB resident")
    engine.generate(prompts[:2], 2, SamplingConfig(max_new_tokens=4, seed=0))  # warm-up
    vllm_tps, groups, vllm_call_s = _timed(engine, prompts, args.n, sampling, args.repeats)
    print(f"vllm generate: {vllm_tps:,.0f} tokens/s ({vllm_call_s:.2f} s per call)")

    # log-prob agreement on the last vLLM batch
    batch = build_policy_batch(processor, prompts, groups, pad_token_id=pad_token_id(processor))
    with torch.no_grad():
        logp, _ = compute_token_logprobs(model, batch)  # [N, T]
    ref = torch.zeros_like(logp)  # [N, T]
    for i, c in enumerate(c for g in groups for c in g):
        ref[i, : len(c.logprobs)] = torch.tensor(c.logprobs)
    gap = ((logp.cpu() - ref.cpu()).abs() * batch["response_mask"]).max().item()

    sync_start = time.perf_counter()
    engine.sync_weights(model)
    sync_s = time.perf_counter() - sync_start
    print(f"logprob max |vllm - transformers| = {gap:.2e}; weight sync {sync_s:.3f} s")
    result = {
        "name": "rollout",
        "ours": round(vllm_tps, 1),
        "peer": round(hf_tps, 1),
        "ratio": round(vllm_tps / hf_tps, 3),
        "unit": "tokens/s",
        "model": args.model or f"tiny:{args.arch}",
        "dtype": args.dtype,
        "device": device,
        "prompts": args.prompts,
        "n": args.n,
        "max_new_tokens": args.max_new_tokens,
        "vllm_startup_s": round(startup, 2),
        "vllm_llm_init_s": round(engine.startup_seconds, 2),
        "weight_sync_s": round(sync_s, 3),
        "vllm_rss_mb": round(rss_vllm),
        "logprob_max_abs_diff": gap,
        "cpu_threads": torch.get_num_threads(),
        "nproc": os.cpu_count(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
