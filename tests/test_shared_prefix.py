"""Shared-prefix sampling in the transformers engine: same tokens and log-probs as num_return_sequences, with
the prompt (and its images) prefilled once (CPU, fp32, every tiny architecture)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from test_rollout_hf import make_prompts

from mmagrae.models import load_policy
from mmagrae.rollout import SamplingConfig, build_engine
from mmagrae.rollout.forward import build_policy_batch, compute_token_logprobs, encode_prompts

pytestmark = pytest.mark.usefixtures("single_thread_torch")

ARCHS = ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen3_vl", "tiny_qwen2"]


@pytest.fixture(scope="module", params=ARCHS)
def policy(request: pytest.FixtureRequest):
    path: Path = request.getfixturevalue(request.param)
    model, processor = load_policy(str(path), dtype="float32")
    return path, model, processor, request.param != "tiny_qwen2"


def _generate(policy, shared: bool, n: int, sampling: SamplingConfig):
    path, model, processor, vision = policy
    engine = build_engine("hf", path, model=model, processor=processor, shared_prefix=shared)
    return engine, engine.generate(make_prompts(processor, vision), n, sampling)


def _tokens(groups):
    return [[c.token_ids for c in g] for g in groups]


def test_greedy_outputs_are_identical(policy) -> None:
    # temperature 0 decodes once and copies (n_generate = 1); top_k = 1 takes the argmax through the n-sample path
    sampling = SamplingConfig(temperature=1.0, top_k=1, max_new_tokens=12, seed=5)
    _, plain = _generate(policy, False, 3, sampling)
    _, shared = _generate(policy, True, 3, sampling)
    assert _tokens(shared) == _tokens(plain)
    for gp, gs in zip(plain, shared, strict=True):
        for cp, cs in zip(gp, gs, strict=True):
            assert cp.finish_reason == cs.finish_reason
            assert max((abs(a - b) for a, b in zip(cp.logprobs, cs.logprobs, strict=True)), default=0.0) < 1e-5
    _, greedy = _generate(policy, True, 3, SamplingConfig(temperature=0.0, max_new_tokens=12))
    assert _tokens(greedy) == [[g[0]] * 3 for g in _tokens(plain)]


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_sampled_tokens_and_logprobs_match_the_unshared_path(policy, temperature: float) -> None:
    sampling = SamplingConfig(temperature=temperature, top_p=0.9, max_new_tokens=16, seed=11)
    _, plain = _generate(policy, False, 4, sampling)
    engine, shared = _generate(policy, True, 4, sampling)
    assert _tokens(shared) == _tokens(plain)  # the sampler draws the same random numbers in the same order
    worst = max(abs(a - b) for gp, gs in zip(plain, shared, strict=True) for cp, cs in zip(gp, gs, strict=True)
                for a, b in zip(cp.logprobs, cs.logprobs, strict=True))
    assert worst < 1e-5
    # and the trainer's re-forward reproduces the shared path's log-probs
    path, model, processor, vision = policy
    prompts = make_prompts(processor, vision)
    batch = build_policy_batch(processor, prompts, shared, pad_token_id=engine.pad_id)
    with torch.no_grad():
        logp, _ = compute_token_logprobs(model, batch)  # [N, T]
    ref = torch.zeros_like(logp)
    for i, c in enumerate(c for g in shared for c in g):
        ref[i, : len(c.logprobs)] = torch.tensor(c.logprobs)
    assert ((logp - ref).abs() * batch["response_mask"]).max().item() < 1e-5


def test_prompt_and_images_are_processed_once(policy) -> None:
    """The decoder sees B·P prompt tokens plus one token per sample, not B·G·P; the vision tower the B prompts'
    images."""
    path, model, processor, vision = policy
    rows: dict[str, list[tuple[int, int]]] = {"embed": [], "vision": []}
    handles = [model.get_input_embeddings().register_forward_hook(
        lambda m, args, out: rows["embed"].append(tuple(args[0].shape)))]
    visual = getattr(getattr(model, "model", model), "visual", None)
    if visual is not None:
        handles.append(visual.register_forward_pre_hook(lambda m, args: rows["vision"].append(tuple(args[0].shape))))
    try:
        sampling = SamplingConfig(max_new_tokens=1, seed=0)
        _generate(policy, False, 4, sampling)
        plain = dict(rows)
        rows["embed"], rows["vision"] = [], []
        _generate(policy, True, 4, sampling)
    finally:
        for h in handles:
            h.remove()
    n_prompts = len(make_prompts(processor, vision))
    first_plain, first_shared = plain["embed"][0], rows["embed"][0]
    assert first_plain[0] == 4 * n_prompts and first_shared[0] == n_prompts  # prefill rows: B·G vs B
    assert first_plain[1] == first_shared[1] > 1  # the whole prompt
    assert rows["embed"][1] == (4 * n_prompts, 1)  # then the last prompt token for the B·G samples
    if vision:  # the vision tower sees each prompt's patches once (transformers >= 5.19 also does so unshared)
        patches = encode_prompts(processor, make_prompts(processor, vision))["pixel_values"].shape[0]
        assert sum(s[0] for s in rows["vision"]) == patches <= sum(s[0] for s in plain["vision"])


def test_trainer_config_switch_reaches_the_engine(tiny_qwen2_vl: Path) -> None:
    model, processor = load_policy(str(tiny_qwen2_vl), dtype="float32")
    assert build_engine("hf", tiny_qwen2_vl, model=model, processor=processor).shared_prefix is True
    off = build_engine("hf", tiny_qwen2_vl, model=model, processor=processor, shared_prefix=False)
    assert off.shared_prefix is False
