"""One prepared GPU check: mmagrae's RL step and TRL's GRPOTrainer on a random Qwen2-VL-2B-shaped model in bf16.

Run it through ``bash scripts/gpu_check.sh`` (it installs carried wheels if needed). It needs only torch,
transformers, peft, accelerate (+ trl, qwen-vl-utils, datasets for the peer and the image path); no network,
no vLLM, no DeepSpeed.

What it does:

1. builds a tokenizer and a Qwen2-VL processor locally (``mmagrae.models.tiny``; 448² images = 256 image tokens),
   and a random-weight Qwen2-VL with Qwen2-VL-2B's shapes (hidden 1536, 28 layers, 12 heads / 2 KV heads,
   MLP 8960, vision depth 32 × 1280, tied embeddings) but a 32k vocabulary, directly on the GPU in bf16;
2. runs ``--warmup`` + ``--steps`` RL steps through the trainer's own public step functions
   (``mmagrae.trainer.loop.collect_rollouts`` → ``compute_step_advantages`` → ``update``, with the trainer's
   ``Updater`` and AdamW): the transformers rollout engine, the verifier reward, one mini-batch with gradient
   accumulation over micro-batches of ``--micro`` sequences weighted by ``micro_batch_loss_weights``; every
   phase (rollout, score, advantage, prepare, forward, backward, optimizer) is timed with
   ``torch.cuda.synchronize()`` around it through ``update``'s ``phase`` hook;
3. runs TRL's ``GRPOTrainer`` on a fresh copy of the same model with the same prompts, B, G, completion length,
   loss (GRPO, β = 0), optimizer and micro-batching (``scripts/bench_train.py``'s ``run_trl``);
4. prints per-phase medians, tokens/s, peak GPU memory and the model FLOPs utilisation
   ``6 · params · tokens / (time · peak)`` (peak 989 TFLOP/s: H100 SXM dense bf16) of the update phase and of
   the whole step, then one JSON line.

``--cpu --tiny`` runs everything with the tiny model on the CPU in a few seconds (the CI test does this).
Simplifications, stated: 6·N·T counts the vision tower's parameters against the language tokens (it sees
4× as many patches, so this undercounts its work a little); generation FLOPs are not in the MFU.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for path in (str(REPO), str(REPO / "scripts")):
    if path not in sys.path:
        sys.path.insert(0, path)

H100_BF16_FLOPS = 989e12

QWEN2_VL_2B_TEXT = dict(
    hidden_size=1536,
    num_hidden_layers=28,
    num_attention_heads=12,
    num_key_value_heads=2,
    intermediate_size=8960,
    vocab_size=32000,
    max_position_embeddings=32768,
    tie_word_embeddings=True,
)
QWEN2_VL_2B_VISION = dict(depth=32, embed_dim=1280, num_heads=16, mlp_ratio=4, hidden_size=1536)


def _sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


class Phases:
    """Wall-clock per named phase for one step, synchronising the device at both ends."""

    def __init__(self, device: str):
        self.device, self.seconds = device, {}

    def __call__(self, name: str):
        phases = self

        class _Block:
            def __enter__(self):
                _sync(phases.device)
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                _sync(phases.device)
                phases.seconds[name] = phases.seconds.get(name, 0.0) + time.perf_counter() - self.start

        return _Block()


# ==================================================================== model and data


def build_assets(args: argparse.Namespace, work: Path) -> tuple[str, Any, Any]:
    """(tokenizer/processor dir, model config, processor): the tiny model's tokenizer, the 2B shapes unless --tiny."""
    from transformers import AutoConfig, AutoProcessor

    from mmagrae.models.tiny import build_tiny_model

    pixels = args.image_size**2
    tiny_dir = str(
        build_tiny_model("qwen2_vl", work / "tiny", seed=args.seed, min_pixels=pixels, max_pixels=pixels)
    )
    processor = AutoProcessor.from_pretrained(tiny_dir)
    config = AutoConfig.from_pretrained(tiny_dir)
    if (
        not args.tiny
    ):  # rebuild the config from dicts so that derived fields (layer_types, ...) follow the shapes
        top = config.to_dict()
        text = {
            k: v
            for k, v in top["text_config"].items()
            if k not in ("layer_types", "head_dim", "max_window_layers")
        }
        text.update(QWEN2_VL_2B_TEXT)
        text["rope_parameters"] = {
            "rope_type": "default",
            "rope_theta": 1000000.0,
            "mrope_section": [16, 24, 24],
        }
        vision = {**top["vision_config"], **QWEN2_VL_2B_VISION}
        top.update(text_config=text, vision_config=vision, tie_word_embeddings=True)
        for key in ("vocab_size", "hidden_size"):
            if key in top:
                top[key] = QWEN2_VL_2B_TEXT[key]
        config = type(config).from_dict(top)
    return tiny_dir, config, processor


def make_model_factory(args: argparse.Namespace, tiny_dir: str, config: Any):
    """A function that builds the random model directly on the device, in the run's dtype (same seed each time)."""
    import torch
    from transformers import GenerationConfig, Qwen2VLForConditionalGeneration

    dtype = getattr(torch, args.dtype)

    def factory():
        torch.manual_seed(args.seed)
        with torch.device(args.device):
            model = Qwen2VLForConditionalGeneration._from_config(config, dtype=dtype)
        model.generation_config = GenerationConfig.from_pretrained(tiny_dir)
        return model

    return factory


def make_prompts(args: argparse.Namespace, processor: Any, count: int) -> list:
    """Counting prompts with one image each, resized to --image-size² (mmagrae's prompt builder)."""
    from PIL import Image

    from data_recipes.synthetic import make_rows
    from mmagrae.data.prompts import build_prompts

    rows = make_rows("counting", count, args.seed)
    for row in rows:
        row["images"] = [
            Image.open(io.BytesIO(im["bytes"])).convert("RGB") if isinstance(im, dict) else im
            for im in row["images"]
        ]
    pixels = args.image_size**2
    prompts, _ = build_prompts(
        rows, processor, answer_format="answer", max_prompt_length=None, min_pixels=pixels, max_pixels=pixels
    )
    return prompts


def overrides(args: argparse.Namespace) -> list[str]:
    return [
        "rollout.backend=hf",
        f"rollout.n={args.n}",
        f"rollout.max_new_tokens={args.max_new_tokens}",
        "rollout.temperature=1.0",
        "algorithm.estimator=grpo",
        "algorithm.std=unbiased",
        "algorithm.loss=grpo",
        "algorithm.kl_coef=0",
        f"algorithm.micro_batch_size={args.micro}",
        "reward.format=answer",
        f"optim.lr={args.lr}",
        "optim.max_grad_norm=1.0",
        f"trainer.prompts_per_step={args.prompts}",
        f"trainer.max_steps={args.warmup + args.steps}",
        f"trainer.device={args.device}",
        f"model.dtype={args.dtype}",
    ]


# ==================================================================== mmagrae


def run_ours(
    args: argparse.Namespace, tiny_dir: str, factory: Any, processor: Any, prompts: list
) -> dict[str, Any]:
    """mmagrae's step through the trainer's own public functions (``collect_rollouts``,
    ``compute_step_advantages``, ``update``), timing each phase; prompts in order, one mini-batch, μ = 1."""
    import torch

    from mmagrae.config import load_config
    from mmagrae.models import pad_token_id
    from mmagrae.rollout import SamplingConfig, build_engine
    from mmagrae.trainer.builders import PromptSampler, build_optimizer, build_scorer
    from mmagrae.trainer.distributed import DistInfo, Updater
    from mmagrae.trainer.loop import collect_rollouts, compute_step_advantages, update

    cfg = load_config(None, overrides(args))
    device = torch.device(args.device)
    info = DistInfo(rank=0, world_size=1, local_rank=0, device=device)
    if args.device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    model = factory()
    model.train()
    n_params = sum(p.numel() for p in model.parameters())
    optimizer, scheduler = build_optimizer(cfg, model)
    updater = Updater(model, optimizer, scheduler, cfg, info)
    engine = build_engine("hf", tiny_dir, model=model, processor=processor, batch_size=args.prompts)
    score = build_scorer(cfg)
    pad_id = pad_token_id(processor)
    sampling = SamplingConfig(temperature=1.0, max_new_tokens=args.max_new_tokens)
    sampler = PromptSampler(len(prompts), seed=args.seed, shuffle=False)  # step k takes prompts[k·B:(k+1)·B]
    steps = []
    for step in range(args.warmup + args.steps):
        torch.manual_seed(args.seed * 1000 + step)
        ph = Phases(args.device)
        timings: dict[str, float] = {}
        start = time.perf_counter()
        batch = collect_rollouts(engine, prompts, sampler, score, cfg, info, sampling=sampling, timings=timings)
        ph.seconds["rollout"], ph.seconds["score"] = timings["time/rollout"], timings["time/score"]
        with ph("advantage"):
            adv = compute_step_advantages(batch, cfg, info)
        update(updater, batch, adv.advantages, cfg, processor=processor, pad_id=pad_id, groups=adv.groups,
               phase=ph)  # phases: prepare (micro-batches of whole groups), forward, backward, optimizer
        _sync(args.device)
        step_s = time.perf_counter() - start
        # tokens the update's forward sees: prompt (image tokens expanded) + response, per sequence
        update_tokens = sum(p.num_tokens + len(c.token_ids) for p, cs in zip(batch.prompts, batch.completions,
                                                                                 strict=True) for c in cs)
        gen_tokens = int(batch.lengths().sum().item())
        steps.append(
            {"step_s": step_s, "phases": ph.seconds, "gen_tokens": gen_tokens, "update_tokens": update_tokens}
        )
        print(
            f"[gpu_check] mmagrae step {step + 1}: {step_s:.3f} s "
            + " ".join(f"{k}={v:.3f}" for k, v in ph.seconds.items()),
            file=sys.stderr,
            flush=True,
        )
    peak = torch.cuda.max_memory_allocated() / 2**30 if args.device == "cuda" else None
    del engine, updater, optimizer, model
    gc.collect()
    if args.device == "cuda":
        torch.cuda.empty_cache()
    timed = steps[args.warmup :]
    med = statistics.median
    phases = {k: med([s["phases"][k] for s in timed]) for k in timed[0]["phases"]}
    phases["update"] = phases["forward"] + phases["backward"] + phases["optimizer"]
    return {
        "step_s": med([s["step_s"] for s in timed]),
        "phases": phases,
        "n_params": n_params,
        "gen_tokens": med([s["gen_tokens"] for s in timed]),
        "update_tokens": med([s["update_tokens"] for s in timed]),
        "peak_gib": peak,
    }


# ==================================================================== TRL


def run_peer(
    args: argparse.Namespace, tiny_dir: str, factory: Any, processor: Any, prompts: list, work: Path
) -> dict[str, Any]:
    import torch
    from bench_train import run_trl

    ns = types.SimpleNamespace(
        prompts=args.prompts,
        n=args.n,
        max_new_tokens=args.max_new_tokens,
        lr=args.lr,
        dtype=args.dtype,
        device=args.device,
        seed=args.seed,
        warmup=args.warmup,
        steps=args.steps,
        rows=len(prompts),
    )
    if args.device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    run = run_trl(
        ns, tiny_dir, work, prompts, "gpu", model_factory=factory, processor=processor, micro=args.micro
    )
    peak = torch.cuda.max_memory_allocated() / 2**30 if args.device == "cuda" else None
    gc.collect()
    if args.device == "cuda":
        torch.cuda.empty_cache()
    step_s = statistics.median(run["step_s"])
    gen_tokens = run["tokens"][-1]
    prompt_tokens = statistics.mean(p.num_tokens for p in prompts) * args.prompts * args.n
    return {
        "step_s": step_s,
        "phases": run["phases"],
        "gen_tokens": gen_tokens,
        "update_tokens": prompt_tokens + gen_tokens,
        "peak_gib": peak,
    }


# ==================================================================== main


def _row(name: str, r: dict[str, Any], n_params: int, peak_flops: float) -> dict[str, Any]:
    flops = 6 * n_params * r["update_tokens"]
    out = {
        "step_s": round(r["step_s"], 4),
        "samples_per_s": None,
        "gen_tokens_per_s": round(r["gen_tokens"] / r["phases"]["rollout"], 1),
        "update_tokens_per_s": round(r["update_tokens"] / r["phases"]["update"], 1),
        "mfu_update": round(flops / (r["phases"]["update"] * peak_flops), 4),
        "mfu_step": round(flops / (r["step_s"] * peak_flops), 4),
        "peak_gib": None if r["peak_gib"] is None else round(r["peak_gib"], 2),
        "phases_s": {k: round(v, 4) for k, v in r["phases"].items()},
        "gen_tokens": r["gen_tokens"],
        "update_tokens": r["update_tokens"],
    }
    print(
        f"{name:10s} step {r['step_s']:7.3f} s | rollout {out['gen_tokens_per_s']:9.0f} gen tok/s | update "
        f"{out['update_tokens_per_s']:9.0f} tok/s, MFU {100 * out['mfu_update']:5.1f}% (step {100 * out['mfu_step']:5.1f}%)"
        f" | peak {'n/a' if r['peak_gib'] is None else format(r['peak_gib'], '.2f')} GiB | "
        + " ".join(f"{k}={v:.3f}" for k, v in r["phases"].items())
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", action="store_true", help="run on the CPU (float32) instead of CUDA (bf16)")
    parser.add_argument(
        "--tiny", action="store_true", help="the tiny model's shapes instead of Qwen2-VL-2B's"
    )
    parser.add_argument("--prompts", type=int, default=None, help="B (default 8; 4 with --tiny)")
    parser.add_argument("--n", type=int, default=4, help="G: completions per prompt")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="T (default 128; 8 with --tiny)")
    parser.add_argument(
        "--image-size", type=int, default=None, help="image side in pixels (default 448; 56 --tiny)"
    )
    parser.add_argument("--micro", type=int, default=8, help="sequences per forward/backward (whole groups)")
    parser.add_argument(
        "--steps", type=int, default=None, help="timed steps per side (default 3; 2 with --tiny)"
    )
    parser.add_argument("--warmup", type=int, default=1, help="untimed first steps per side")
    parser.add_argument("--lr", type=float, default=1e-6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-peer", action="store_true", help="skip TRL")
    parser.add_argument("--peak-tflops", type=float, default=H100_BF16_FLOPS / 1e12, help="for the MFU")
    parser.add_argument("--out", default=None, help="also write the JSON report here")
    args = parser.parse_args(argv)
    tiny = args.tiny
    args.prompts = args.prompts or (4 if tiny else 8)
    args.max_new_tokens = args.max_new_tokens or (8 if tiny else 128)
    args.image_size = args.image_size or (56 if tiny else 448)
    args.steps = args.steps or (2 if tiny else 3)
    args.device = "cpu" if args.cpu else "cuda"
    args.dtype = "float32" if args.cpu else "bfloat16"
    if args.micro % args.n or (args.prompts * args.n) % args.micro:
        parser.error(
            f"--micro {args.micro} must be a multiple of G={args.n} and divide B·G={args.prompts * args.n}"
        )

    t0 = time.perf_counter()
    import torch
    import transformers

    if args.device == "cuda" and not torch.cuda.is_available():
        print("[gpu_check] no CUDA device: use --cpu", file=sys.stderr)
        return 2
    env = {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
    }
    for name in ("trl", "peft", "accelerate"):
        try:
            env[name] = __import__(name).__version__
        except ImportError:
            env[name] = None
    print(f"[gpu_check] {env}", file=sys.stderr, flush=True)
    work = Path(tempfile.mkdtemp(prefix="gpu_check_"))
    tiny_dir, config, processor = build_assets(args, work)
    factory = make_model_factory(args, tiny_dir, config)
    prompts = make_prompts(args, processor, args.prompts * (args.warmup + args.steps))
    print(
        f"[gpu_check] B={args.prompts} G={args.n} T={args.max_new_tokens} micro={args.micro} "
        f"image {args.image_size}² prompt {prompts[0].num_tokens} tokens, {args.dtype} on {args.device}; "
        f"set-up {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
        flush=True,
    )

    ours = run_ours(args, tiny_dir, factory, processor, prompts)
    n_params = ours["n_params"]
    peak_flops = args.peak_tflops * 1e12
    print(f"[gpu_check] {n_params / 1e9:.3f}B parameters", file=sys.stderr)
    report: dict[str, Any] = {
        "name": "gpu_check",
        "env": env,
        "n_params": n_params,
        "settings": {
            k: getattr(args, k)
            for k in ("prompts", "n", "max_new_tokens", "micro", "image_size", "steps", "warmup", "dtype")
        },
    }
    report["ours"] = _row("mmagrae", ours, n_params, peak_flops)
    samples = args.prompts * args.n
    report["ours"]["samples_per_s"] = round(samples / ours["step_s"], 3)
    # mmagrae's figures first, in full, so that a failure or a timeout in the peer run cannot lose them
    print("[gpu_check] mmagrae: " + json.dumps(report["ours"]), file=sys.stderr, flush=True)
    if not args.no_peer:
        try:
            peer = run_peer(args, tiny_dir, factory, processor, prompts, work)
        except ImportError as err:
            print(f"[gpu_check] TRL unavailable ({err}): no peer row", file=sys.stderr)
            report["peer_error"] = repr(err)
        except Exception as err:  # noqa: BLE001 - a one-shot device run reports what it has and goes on
            import traceback

            traceback.print_exc()
            report["peer_error"] = repr(err)[:500]
        else:
            report["peer"] = _row("TRL", peer, n_params, peak_flops)
            report["peer"]["samples_per_s"] = round(samples / peer["step_s"], 3)
            report["ratio"] = round(peer["step_s"] / ours["step_s"], 3)
    report["wall_s"] = round(time.perf_counter() - t0, 1)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    if not os.environ.get("MMAGRAE_KEEP_BENCH_DIR"):
        shutil.rmtree(work, ignore_errors=True)  # the tiny model, the runs' outputs (MMAGRAE_KEEP_BENCH_DIR=1 keeps)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
