"""A non-Qwen VLM family through the same code: Idefics3 (SmolVLM's architecture: SigLIP-style vision encoder,
pixel-shuffle connector, Llama decoder, ``<image>`` placeholders wrapped in ``<fake_token_around_image>``).
Generation with both engines and their log-prob agreement run in test_rollout_hf.py / test_rollout_vllm.py
(parametrized over the archs); here: the build, prompts, two training steps with each engine, and a checkpoint
that transformers and vLLM both load."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from PIL import Image
from test_models_qwen3_vl import (  # tests/ is on sys.path under pytest
    train_two_steps_and_reload,
    unchanged_parameters,
    vllm_checkpoint_gap,
)
from test_rollout_hf import make_prompts

from mmagrae.data.prompts import build_prompts, encode_prompts
from mmagrae.models import freeze_vision, is_vision_model, load_policy, pad_token_id, vision_token_ids
from mmagrae.models.tiny import build_tiny_model
from mmagrae.rollout import SamplingConfig, build_engine
from mmagrae.rollout.forward import build_policy_batch, compute_token_logprobs

pytestmark = pytest.mark.usefixtures("single_thread_torch")


def test_tiny_idefics3_builds_in_seconds_and_its_processor_expands_images(tmp_path: Path) -> None:
    start = time.perf_counter()
    path = build_tiny_model("idefics3", tmp_path / "idf", seed=1)
    assert time.perf_counter() - start < 60
    model, processor = load_policy(str(path))
    assert type(model).__name__ == "Idefics3ForConditionalGeneration" and is_vision_model(model)
    assert 0.5e6 < sum(p.numel() for p in model.parameters()) < 2e6
    tok = processor.tokenizer
    assert {tok.convert_tokens_to_ids(t) for t in ("<image>", "<fake_token_around_image>", "<global-img>")} <= set(
        vision_token_ids(processor))
    # one image -> <fake><global-img> + 4 image tokens (16 patches, pixel shuffle 2) + <fake>
    rows = [{"id": "a", "problem": "<image>How many circles?", "images": [Image.new("RGB", (100, 80))],
             "answer": "1"}]
    prompts, report = build_prompts(rows, processor, max_prompt_length=512)
    assert report.kept == 1 and prompts[0].text.count("<image>") == 1
    ids = encode_prompts(processor, prompts)["input_ids"][0]
    assert (ids == model.config.image_token_id).sum().item() == 4
    assert prompts[0].num_tokens == ids.shape[0]  # the processor's own count
    # vision freezing finds SigLIP's tower and the connector
    frozen = freeze_vision(model)
    assert frozen and all(not p.requires_grad for n, p in model.named_parameters()
                          if ".vision_model." in n or ".connector." in n)


def test_reforward_runs_the_vision_tower_per_sequence_with_gradients(tiny_idefics3: Path) -> None:
    model, processor = load_policy(str(tiny_idefics3))
    prompts = make_prompts(processor, vision=True)  # one image, two images, none
    engine = build_engine("hf", tiny_idefics3, model=model, processor=processor)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=5, seed=1))
    batch = build_policy_batch(processor, prompts, groups, pad_token_id=pad_token_id(processor))
    assert "model_inputs" in batch and batch["model_inputs"]["pixel_values"].shape[0] == 6  # N sequences
    logp, _ = compute_token_logprobs(model, batch)  # [N, T]
    (logp * batch["response_mask"]).sum().backward()
    vision_grad = sum(p.grad.abs().sum().item() for n, p in model.named_parameters()
                      if ".vision_model." in n and p.grad is not None)
    assert vision_grad > 0


@pytest.mark.parametrize("backend", ["hf", "vllm"])
def test_two_training_steps_and_the_checkpoint_loads_in_transformers_and_vllm(backend: str, tiny_idefics3: Path,
                                                                             tmp_path: Path) -> None:
    records, before, ckpt, after, processor = train_two_steps_and_reload(tiny_idefics3, tmp_path, backend)
    assert all(math.isfinite(r["loss/policy"]) and r["rollout/logprob_diff_max"] < 1e-4 for r in records)
    unchanged = unchanged_parameters(before, after)
    assert not unchanged, unchanged
    if backend == "vllm":
        assert vllm_checkpoint_gap(ckpt, after, processor) < 1e-4
