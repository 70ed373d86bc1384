"""Qwen3-VL through the same code as Qwen2/2.5-VL (tiny random model, CPU): the build, M-RoPE positions equal to
transformers' ``get_rope_index``, two training steps with each engine, and a checkpoint that transformers and
vLLM both load. (Generation with both engines and their log-prob agreement run in test_rollout_hf.py and
test_rollout_vllm.py, parametrized over the archs.)"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import pytest
import torch
from test_rollout_hf import make_prompts, max_logprob_gap  # tests/ is on sys.path under pytest

from mmagrae.models import load_policy, pad_token_id
from mmagrae.models.tiny import build_tiny_model
from mmagrae.rollout import SamplingConfig, build_engine
from mmagrae.rollout.forward import build_policy_batch

pytestmark = pytest.mark.usefixtures("single_thread_torch")
TESTS = Path(__file__).resolve().parent


def test_tiny_qwen3_vl_builds_in_seconds_with_qwen3_vl_parts(tmp_path: Path) -> None:
    start = time.perf_counter()
    path = build_tiny_model("qwen3_vl", tmp_path / "q3", seed=1)
    assert time.perf_counter() - start < 60
    model, processor = load_policy(str(path))
    assert type(model).__name__ == "Qwen3VLForConditionalGeneration"
    assert 0.5e6 < sum(p.numel() for p in model.parameters()) < 2e6
    cfg = model.config
    assert cfg.vision_config.patch_size == 16 and cfg.vision_config.deepstack_visual_indexes == [0, 1]
    assert cfg.text_config.rope_parameters["mrope_interleaved"] is True
    assert sum(cfg.text_config.rope_parameters["mrope_section"]) == cfg.text_config.head_dim // 2
    assert processor.image_processor.patch_size == 16
    # 100x80 px -> 96x96 (multiples of 32, at least 64² .. 128² px scaled) -> 6x6 patches -> 9 image tokens
    from PIL import Image

    enc = processor(text=["<|vision_start|><|image_pad|><|vision_end|>"], images=[Image.new("RGB", (100, 80))],
                    return_tensors="pt")
    t, h, w = enc["image_grid_thw"][0].tolist()
    assert (enc["input_ids"] == cfg.image_token_id).sum().item() == t * h * w // 4


@pytest.mark.parametrize("arch", ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen3_vl", "tiny_qwen3_5"])
def test_mrope_positions_equal_transformers_get_rope_index(arch: str, request: pytest.FixtureRequest) -> None:
    """The batch's positions [3, N, P+T] (prompts with 0, 1 and 2 images, left padding, responses) are the ones
    transformers' own get_rope_index gives for the same N sequences (images repeated per sequence)."""
    path: Path = request.getfixturevalue(arch)
    model, processor = load_policy(str(path))
    prompts = make_prompts(processor, vision=True)
    engine = build_engine("hf", path, model=model, processor=processor)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=5, seed=0))
    batch = build_policy_batch(processor, prompts, groups, pad_token_id=pad_token_id(processor))
    grids = batch["image_grid_thw"]  # [images of the B prompts, 3]
    counts = [len(p.images) for p in prompts]
    starts = [sum(counts[:b]) for b in range(len(prompts))]
    per_row = torch.cat([grids[starts[b]: starts[b] + counts[b]] for b in batch["prompt_index"].tolist()])
    expected, _ = model.model.get_rope_index(batch["input_ids"], mm_token_type_ids=batch["mm_token_type_ids"],
                                             image_grid_thw=per_row, attention_mask=batch["attention_mask"])
    mask = batch["attention_mask"].bool()  # [N, P+T]
    assert torch.equal(batch["position_ids"][:, mask], expected[:, mask])
    assert int(batch["position_ids"].max()) < batch["input_ids"].shape[1]  # images take fewer positions than tokens


def _train(model_dir: Path, out: Path, backend: str, *extra: str) -> dict:
    from mmagrae.config import load_config
    from mmagrae.trainer.loop import train

    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    overrides = [
        f"model.path={model_dir}", f"trainer.output_dir={out}", "trainer.max_steps=2", "trainer.prompts_per_step=2",
        "rollout.n=4", "rollout.max_new_tokens=6", f"rollout.backend={backend}", "data.train=synthetic:counting",
        "data.synthetic_n=16", "data.synthetic_val_n=4", "trainer.val_limit=4", "data.max_prompt_length=256",
        "data.min_pixels=3136", "data.max_pixels=12544", "reward.function=trainer_rewards:parity_reward",
        "optim.lr=1e-2", "algorithm.micro_batch_size=4", "logging.progress_bar=false", "trainer.save_every=0",
        "algorithm.kl_coef=0.04", *extra,
    ]
    return train(load_config(None, overrides))


def train_two_steps_and_reload(model_dir: Path, tmp_path: Path, backend: str, *extra: str):
    """Two training steps of ``model_dir`` with ``backend``; returns the metrics records, the weights before,
    the last checkpoint's path, and the policy and processor transformers loads from it."""
    from mmagrae.trainer.checkpoint import latest_checkpoint
    from mmagrae.trainer.tracking import read_metrics

    before, _ = load_policy(str(model_dir))
    out = tmp_path / "run"
    _train(model_dir, out, backend, *extra)
    records = read_metrics(out / "metrics.jsonl")
    assert [r["step"] for r in records] == [1, 2]
    ckpt = latest_checkpoint(out)
    after, processor = load_policy(str(ckpt))  # transformers loads it
    return records, before, ckpt, after, processor


def unchanged_parameters(before, after) -> list[str]:
    return [n for (n, a), (_, b) in zip(before.named_parameters(), after.named_parameters(), strict=True)
            if torch.equal(a, b.to(a.dtype))]


def vllm_checkpoint_gap(ckpt: Path, model, processor, dtype: str = "float32") -> float:
    """vLLM loads ``ckpt`` and samples; the largest gap to ``model``'s re-forward of those samples."""
    engine = build_engine("vllm", ckpt, dtype=dtype, max_model_len=512, max_num_seqs=8, seed=0)
    prompts = make_prompts(processor, vision=True)
    groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=6, seed=0))
    return max_logprob_gap(model, processor, prompts, groups)


@pytest.mark.parametrize("backend", ["hf", "vllm"])
def test_two_training_steps_and_the_checkpoint_loads_in_transformers_and_vllm(backend: str, tiny_qwen3_vl: Path,
                                                                             tmp_path: Path) -> None:
    records, before, ckpt, after, processor = train_two_steps_and_reload(tiny_qwen3_vl, tmp_path, backend)
    assert all(math.isfinite(r["loss/policy"]) and math.isfinite(r["grad_norm"]) for r in records)
    unchanged = unchanged_parameters(before, after)
    assert not unchanged, unchanged  # every parameter moved, vision tower and DeepStack mergers included
    if backend == "vllm":  # vLLM loads the checkpoint and samples what the trained weights give
        assert vllm_checkpoint_gap(ckpt, after, processor) < 1e-4
