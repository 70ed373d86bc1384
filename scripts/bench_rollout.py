"""Rollout throughput: the same prompts (with images), n and lengths through vLLM and transformers generate.

Builds a random model (``mmagrae.models.tiny``; no downloads), makes B counting-style prompts with one image
each, samples n completions of up to ``--max-new-tokens`` tokens per prompt with each engine (one warm-up call
each, then ``--repeats`` timed calls), and prints a few lines of detail and, last, one JSON line::

    {"name": "rollout", "ours": <vLLM tokens/s>, "peer": <HF generate tokens/s>, ..., "ratio": ours/peer}

The peer is transformers ``generate`` as TRL calls it (``num_return_sequences``: every sample re-runs its
prompt). The JSON also carries mmagrae's transformers engine with the shared-prefix prefill
(``hf_shared_tps``, ``shared_prefix_speedup`` against the peer, same tokens for the same seed), the peak memory
of each side's timed calls (``*_peak_mib``: the process's resident high-water mark on CPU, which includes the
model and for vLLM its KV cache; the CUDA allocator's peak on GPU), and ``logprob_max_abs_diff``, the largest gap
between vLLM's returned log-probs and the transformers re-forward on the same tokens. Usage::

    .venv/bin/python scripts/bench_rollout.py                     # tiny Qwen2-VL, B=8, n=4, 48 new tokens
    .venv/bin/python scripts/bench_rollout.py --shape large       # 32M Qwen2-VL, 448² images, 8 x 4 x 128, bf16
    .venv/bin/python scripts/bench_rollout.py --arch qwen2 --prompts 16 --n 4 --max-new-tokens 128
    .venv/bin/python scripts/bench_rollout.py --model /path/to/Qwen2-VL-2B-Instruct --dtype bfloat16   # GPU

The small shape finishes in about two minutes on two CPU cores; the large one in about five.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_large


def _prompts(processor, n_prompts: int, vision: bool, side: int = 112):
    from PIL import Image, ImageDraw

    from mmagrae.data import build_prompts

    rows = []
    for i in range(n_prompts):
        images = []
        if vision:
            img = Image.new("RGB", (side, side), "white")
            draw = ImageDraw.Draw(img)
            u = side / 112
            for k in range(1 + i % 4):
                draw.ellipse((u * (8 + 25 * k), u * 40, u * (28 + 25 * k), u * 60), fill="black")
            images = [img]
        rows.append({"problem": ("<image>" if vision else "") + f"How many circles are there? ({i})",
                     "images": images, "answer": str(1 + i % 4), "choices": None, "answer_type": "integer",
                     "precision": None, "unit": None, "task": "counting", "id": str(i)})
    prompts, _ = build_prompts(rows, processor, answer_format="think_answer", max_prompt_length=None,
                               min_pixels=min(56, side) ** 2, max_pixels=side * side)
    return prompts


def _rss_mb() -> float:
    """Current resident memory of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(engine, prompts, n, sampling, repeats, device):
    """tokens/s over ``repeats`` calls, the last call's groups, seconds per call, peak memory (MiB) and CPU
    seconds per wall second (how many cores the engine kept busy)."""
    from mmagrae.trainer.peak_memory import measure_peak

    seconds, tokens = [], 0
    cpu_start = _cpu_seconds()
    with measure_peak(device) as peak:
        for r in range(repeats):
            start = time.perf_counter()
            groups = engine.generate(prompts, n, type(sampling)(**{**sampling.__dict__, "seed": 100 + r}))
            seconds.append(time.perf_counter() - start)
            tokens += sum(len(c.token_ids) for g in groups for c in g)
    cores = (_cpu_seconds() - cpu_start) / sum(seconds)
    return tokens / sum(seconds), groups, sum(seconds) / repeats, peak.mib, cores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", default="qwen2_vl", choices=("qwen2_vl", "qwen2_5_vl", "qwen2"),
                        help="tiny model to build (ignored with --model)")
    parser.add_argument("--model", default=None, help="an existing model directory instead of a tiny model")
    parser.add_argument("--shape", default="small", choices=("small", "large"),
                        help="small: a ~1M tiny model, 112² images; large: scripts/bench_large.py's 32M Qwen2-VL, "
                             "448² images, B=8, n=4, 128 new tokens, bf16 where the CPU has it")
    parser.add_argument("--dtype", default=None, help="float32 | bfloat16 | float16 (default: float32 for small, "
                                                      "bench_large.default_dtype() for large)")
    parser.add_argument("--prompts", type=int, default=8, help="B: prompts per generate call")
    parser.add_argument("--n", type=int, default=4, help="G: samples per prompt")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="response length limit (48; large: 128)")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per engine (after one warm-up)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads for both engines (0 = leave torch's default). On a shared CPU "
                             "machine 2 threads are pathologically slow for tiny matmuls (OpenMP spinning)")
    args = parser.parse_args(argv)
    large = args.shape == "large"
    if large:
        import bench_large

        args.dtype = args.dtype or bench_large.default_dtype()
        args.max_new_tokens = args.max_new_tokens or bench_large.MAX_NEW_TOKENS
    args.dtype = args.dtype or "float32"
    args.max_new_tokens = args.max_new_tokens or 48
    side = bench_large.IMAGE_SIDE if large else 112

    import torch

    if args.threads > 0:
        torch.set_num_threads(args.threads)

    from mmagrae.models import is_vision_model, load_policy, pad_token_id
    from mmagrae.rollout import SamplingConfig, build_engine, build_policy_batch, compute_token_logprobs

    tmp = None
    if args.model is None:
        from mmagrae.models.tiny import build_tiny_model

        tmp = tempfile.mkdtemp(prefix="bench_rollout_")
        model_path = str(bench_large.build_large_model(Path(tmp) / "large") if large
                         else build_tiny_model(args.arch, Path(tmp) / args.arch))
    else:
        model_path = args.model
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, processor = load_policy(model_path, dtype=args.dtype, device=device)
    vision = is_vision_model(model)
    prompts = _prompts(processor, args.prompts, vision, side)
    sampling = SamplingConfig(temperature=1.0, max_new_tokens=args.max_new_tokens)

    # transformers generate as TRL calls it (the peer), then mmagrae's engine with the shared-prefix prefill,
    # interleaved over the repeats so that load drift hits both alike
    hf = build_engine("hf", model_path, model=model, processor=processor, dtype=args.dtype, shared_prefix=False)
    shared = build_engine("hf", model_path, model=model, processor=processor, dtype=args.dtype, shared_prefix=True)
    hf.generate(prompts[:2], 2, SamplingConfig(max_new_tokens=4, seed=0))  # warm-up
    shared.generate(prompts[:2], 2, SamplingConfig(max_new_tokens=4, seed=0))
    hf_runs, shared_runs = [], []
    for _ in range(args.repeats):  # each call samples with seed 100: both engines must return the same tokens
        hf_runs.append(_timed(hf, prompts, args.n, sampling, 1, device))
        shared_runs.append(_timed(shared, prompts, args.n, sampling, 1, device))
    hf_tps = sum(x[0] for x in hf_runs) / len(hf_runs)
    hf_call_s = sum(x[2] for x in hf_runs) / len(hf_runs)
    hf_peak = max(x[3] for x in hf_runs)
    hf_cores = sum(x[4] for x in hf_runs) / len(hf_runs)
    shared_tps = sum(x[0] for x in shared_runs) / len(shared_runs)
    shared_call_s = sum(x[2] for x in shared_runs) / len(shared_runs)
    shared_peak = max(x[3] for x in shared_runs)
    same_tokens = [[c.token_ids for c in g] for g in hf_runs[-1][1]] == [[c.token_ids for c in g]
                                                                         for g in shared_runs[-1][1]]
    print(f"hf generate: {hf_tps:,.0f} tokens/s ({hf_call_s:.2f} s per call of {args.prompts}x{args.n}), "
          f"peak {hf_peak:,.0f} MiB")
    print(f"hf shared prefix: {shared_tps:,.0f} tokens/s ({shared_call_s:.2f} s per call), peak {shared_peak:,.0f} "
          f"MiB; same tokens as generate: {same_tokens}")

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
    vllm_tps, groups, vllm_call_s, vllm_peak, vllm_cores = _timed(engine, prompts, args.n, sampling, args.repeats,
                                                                  device)
    print(f"vllm generate: {vllm_tps:,.0f} tokens/s ({vllm_call_s:.2f} s per call), peak {vllm_peak:,.0f} MiB, "
          f"{vllm_cores:.2f} CPU s per s")

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
        "name": "rollout_large" if large else "rollout",
        "ours": round(vllm_tps, 1),
        "peer": round(hf_tps, 1),
        "unit": "tokens/s",
        "ours_peak_mib": round(vllm_peak),
        "peer_peak_mib": round(hf_peak),
        "ours_cpu_per_wall": round(vllm_cores, 2),
        "peer_cpu_per_wall": round(hf_cores, 2),
        "hf_shared_tps": round(shared_tps, 1),
        "hf_shared_peak_mib": round(shared_peak),
        "shared_prefix_speedup": round(shared_tps / hf_tps, 3),
        "shared_prefix_same_tokens": same_tokens,
        "model": args.model or ("large:qwen2_vl" if large else f"tiny:{args.arch}"),
        "image_side": side if vision else None,
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
        "ratio": round(vllm_tps / hf_tps, 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
