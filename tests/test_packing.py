"""Padding-free (packed) re-forward: same log-probs and gradients as the padded layout on every tiny
architecture, and the layout itself checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from test_rollout_hf import make_prompts

from mmagrae.models import load_policy, vision_token_ids
from mmagrae.rollout import Completion
from mmagrae.rollout.forward import build_policy_batch, compute_token_logprobs
from mmagrae.rollout.packing import mask_dtype_for, pack_policy_batch, supports_packing

pytestmark = pytest.mark.usefixtures("single_thread_torch")

ARCHS = ["tiny_qwen2_vl", "tiny_qwen2_5_vl", "tiny_qwen3_vl", "tiny_qwen2"]
LENGTHS = [[7, 1, 12], [0, 5, 9], [12, 12, 3]]  # responses per prompt: uneven, one empty, one full


@pytest.fixture(scope="module", params=ARCHS)
def policy(request: pytest.FixtureRequest):
    path: Path = request.getfixturevalue(request.param)
    model, processor = load_policy(str(path), dtype="float32")
    return model, processor, request.param != "tiny_qwen2"


def _completions(processor, n_prompts: int, seed: int = 0) -> list[list[Completion]]:
    gen = torch.Generator().manual_seed(seed)
    banned = set(vision_token_ids(processor))
    vocab = [t for t in range(200, 900) if t not in banned]
    groups = []
    for b in range(n_prompts):
        group = []
        for length in LENGTHS[b % len(LENGTHS)]:
            ids = [vocab[int(i)] for i in torch.randint(len(vocab), (length,), generator=gen)]
            group.append(Completion(token_ids=ids, text="", logprobs=[0.0] * length, finish_reason="length"))
        groups.append(group)
    return groups


@pytest.mark.parametrize("mask_dtype", [None, torch.float32], ids=["bool_mask", "additive_mask"])
def test_packed_logprobs_and_gradients_equal_the_padded_path(policy, mask_dtype) -> None:
    model, processor, vision = policy
    assert supports_packing(model)
    prompts = make_prompts(processor, vision)
    groups = _completions(processor, len(prompts))
    padded = build_policy_batch(processor, prompts, groups, pad_token_id=0)
    packed = pack_policy_batch(padded, dtype=mask_dtype)
    assert packed["packed_tokens"] < packed["padded_tokens"]
    mask = padded["response_mask"]  # [N, T]

    model.zero_grad()
    logp_pad, ent_pad = compute_token_logprobs(model, padded, temperature=0.8, with_entropy=True)  # [N, T]
    (logp_pad * mask).sum().backward()
    grads_pad = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    logp_pack, ent_pack = compute_token_logprobs(model, packed, temperature=0.8, with_entropy=True)  # [N, T]
    (logp_pack * mask).sum().backward()

    assert logp_pack.shape == logp_pad.shape
    assert ((logp_pack - logp_pad).abs() * mask).max().item() < 1e-5
    assert ((ent_pack - ent_pad).abs() * mask).max().item() < 1e-4
    assert torch.isfinite(logp_pack).all()
    for name, p in model.named_parameters():
        if name in grads_pad:
            scale = grads_pad[name].abs().max().item() + 1e-6
            assert (p.grad - grads_pad[name]).abs().max().item() / scale < 1e-4, name
    model.zero_grad()


def test_layout_by_hand() -> None:
    """Two prompts (P = 4 and 3 real tokens) with responses of lengths (2, 1) and (0, 3)."""
    batch = {
        "input_ids": torch.tensor([[10, 11, 12, 13, 50, 51, 0], [10, 11, 12, 13, 60, 0, 0],
                                   [0, 20, 21, 22, 0, 0, 0], [0, 20, 21, 22, 70, 71, 72]]),
        "attention_mask": torch.tensor([[1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 0, 0],
                                        [0, 1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 1, 1, 1]]),
        "responses": torch.tensor([[50, 51, 0], [60, 0, 0], [0, 0, 0], [70, 71, 72]]),
        "response_mask": torch.tensor([[1.0, 1, 0], [1, 0, 0], [0, 0, 0], [1, 1, 1]]),
        "prompt_index": torch.tensor([0, 0, 1, 1]),
        "prompt_length": 4,
    }
    batch["position_ids"] = (batch["attention_mask"].cumsum(-1) - 1).clamp(min=0)
    packed = pack_policy_batch(batch, dtype=torch.float32)
    assert torch.equal(pack_policy_batch(batch)["attention_mask"], packed["attention_mask"] == 0)  # bool form
    # row 0: prompt 10 11 12 13 | 50 51 | 60        row 1: prompt 20 21 22 | (empty) | 70 71 72
    assert packed["input_ids"].tolist() == [[10, 11, 12, 13, 50, 51, 60], [20, 21, 22, 70, 71, 72, 0]]
    assert packed["position_ids"].tolist() == [[0, 1, 2, 3, 4, 5, 4], [0, 1, 2, 3, 4, 5, 0]]
    L = 7
    # response token t is read from the state before it: [13]->50, [50]->51, [13]->60; [22]->70, [70]->71, [71]->72
    assert packed["logit_index"].tolist() == [[3, 4, 3], [3, 3, 3], [L + 2, L + 2, L + 2], [L + 2, L + 3, L + 4]]
    allowed = (packed["attention_mask"][:, 0] == 0).int()  # [R, L, L]
    assert allowed[0].tolist() == [
        [1, 0, 0, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0, 0],
        [1, 1, 1, 0, 0, 0, 0],
        [1, 1, 1, 1, 0, 0, 0],
        [1, 1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1, 0],
        [1, 1, 1, 1, 0, 0, 1],  # the second response sees the prompt and itself, not the first response
    ]
    assert allowed[1, 6].tolist() == [0, 0, 0, 0, 0, 0, 1]  # a padding query attends only to itself
    assert packed["packed_tokens"] == 13 and packed["padded_tokens"] == 28
    assert packed["response_mask"] is batch["response_mask"]


def test_non_contiguous_groups_are_refused() -> None:
    batch = {"input_ids": torch.zeros(3, 3, dtype=torch.long), "attention_mask": torch.ones(3, 3, dtype=torch.long),
             "position_ids": torch.zeros(3, 3, dtype=torch.long), "responses": torch.zeros(3, 1, dtype=torch.long),
             "response_mask": torch.ones(3, 1), "prompt_index": torch.tensor([0, 1, 0]), "prompt_length": 2}
    with pytest.raises(ValueError, match="contiguous"):
        pack_policy_batch(batch)


def test_supports_packing_follows_the_attention_implementation(tiny_qwen2: Path) -> None:
    model, _ = load_policy(str(tiny_qwen2), dtype="float32")
    assert supports_packing(model) and mask_dtype_for(model) is None
    model.config._attn_implementation = "eager"
    assert supports_packing(model) and mask_dtype_for(model) == torch.float32
    model.config._attn_implementation = "flash_attention_2"
    assert not supports_packing(model)
