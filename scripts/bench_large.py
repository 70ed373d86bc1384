"""The ``*_large`` benchmark shape: a random Qwen2-VL with realistic proportions, built locally (no downloads).

``bench_train.py --shape large`` and ``bench_rollout.py --shape large`` use it (``scripts/bench_all.sh`` runs
both). The model: hidden 512, 8 decoder layers (8 heads, 4 KV heads, MLP 1536), a 8-block vision tower
(embed 256, 4 heads, 14-pixel patches, 2×2 merge), BPE vocabulary 1,024 — about 29M parameters. Images are
resized to 448 × 448 (1,024 patches → 256 image tokens; ~290-token prompts). The workload: B = 8 prompts ×
G = 4 samples × up to T = 128 new tokens. Precision: bf16 on both sides where the CPU has native bf16
arithmetic (AVX-512 BF16 or AMX), else fp32 (``default_dtype``); a CUDA device always gets bf16.

    .venv/bin/python scripts/bench_large.py --out /tmp/large-qwen2_vl    # build it and print its size
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

IMAGE_SIDE = 448
IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE  # min_pixels = max_pixels: every image becomes 448 x 448
PROMPTS, SAMPLES, MAX_NEW_TOKENS = 8, 4, 128
MODEL_SHAPE = dict(hidden_size=512, num_layers=8, num_heads=8, num_kv_heads=4, intermediate_size=1536,
                   vision_depth=8, vision_embed_dim=256, vision_num_heads=4, max_position_embeddings=4096,
                   min_pixels=IMAGE_PIXELS, max_pixels=IMAGE_PIXELS)


def default_dtype() -> str:
    """bfloat16 on CUDA or on a CPU with native bf16 (avx512_bf16 / amx_bf16 in /proc/cpuinfo), else float32."""
    import torch

    if torch.cuda.is_available():
        return "bfloat16"
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "float32"
    return "bfloat16" if ("avx512_bf16" in flags or "amx_bf16" in flags) else "float32"


def build_large_model(out_dir: str | Path, *, seed: int = 0) -> Path:
    """Build the large random Qwen2-VL at ``out_dir`` (fp32 safetensors; load it in the bench dtype)."""
    from mmagrae.models.tiny import build_tiny_model

    return build_tiny_model("qwen2_vl", out_dir, seed=seed, **MODEL_SHAPE)


def count_parameters(model_dir: str | Path) -> int:
    """Parameters stored in the model directory's safetensors file."""
    from math import prod

    from safetensors import safe_open

    with safe_open(str(Path(model_dir) / "model.safetensors"), framework="pt") as f:
        return sum(prod(f.get_slice(key).get_shape()) for key in f.keys())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="model directory to create")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = build_large_model(args.out, seed=args.seed)
    print(f"{path}: {count_parameters(path) / 1e6:.1f}M parameters; bench dtype here: {default_dtype()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
