"""The RL step called on its own: micro-batch weights make accumulation equal one full-batch step (loss and
gradient, every aggregation, empty responses, uneven micro-batches); ``update`` averages ``grad_norm`` over
optimizer steps; a warm start leaves no gradient behind, so zero advantages change no parameter."""

from __future__ import annotations

import random

import pytest
import torch

from mmagrae.algos.losses import AGGREGATIONS, compute_policy_loss, micro_batch_loss_weights
from mmagrae.config import load_config

LENGTHS = [6, 0, 3, 1, 0, 5, 2]  # response lengths of N = 7 rows; two are fully masked
SPLITS = [[7], [1, 1, 5], [3, 4], [2, 2, 2, 1], [1] * 7, [4, 1, 2]]


def _rows(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    n, t = len(LENGTHS), max(LENGTHS)
    mask = (torch.arange(t)[None, :] < torch.tensor(LENGTHS)[:, None]).float()  # [N, T]
    logp = -torch.rand(n, t, generator=gen) * 2  # [N, T]
    old = logp + 0.3 * torch.randn(n, t, generator=gen)  # [N, T] ratios away from 1: clipping is active
    ref = logp + 0.5 * torch.randn(n, t, generator=gen)  # [N, T]
    adv = torch.randn(n, generator=gen)  # [N]
    return logp, old, ref, adv, mask


def _loss(x, old, ref, adv, mask, agg, max_len):
    loss, _ = compute_policy_loss(x, old, adv, mask, agg=agg, max_response_length=max_len, ref_logp=ref,
                                  kl_coef=0.1, entropy=-x, entropy_coef=0.01)  # entropy depends on x: a gradient
    return loss


@pytest.mark.parametrize("sizes", SPLITS)
@pytest.mark.parametrize("max_len", [None, 8])
@pytest.mark.parametrize("agg", AGGREGATIONS)
def test_accumulated_micro_batches_equal_one_full_batch_step(agg, max_len, sizes):
    logp, old, ref, adv, mask = _rows()
    full_x = logp.clone().requires_grad_(True)
    full = _loss(full_x, old, ref, adv, mask, agg, max_len)
    full.backward()

    micro_x = logp.clone().requires_grad_(True)
    bounds = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    # each micro-batch is padded only to its own longest response, as build_policy_batch pads it
    widths = [max(1, max(LENGTHS[a:b])) for a, b in zip(bounds, bounds[1:], strict=False)]
    parts = [(slice(a, b), w) for (a, b), w in zip(zip(bounds, bounds[1:], strict=False), widths, strict=True)]
    weights = micro_batch_loss_weights([mask[s, :w] for s, w in parts], agg, max_len)
    total = torch.zeros(())
    for (s, w), weight in zip(parts, weights, strict=True):
        part = _loss(micro_x[s, :w], old[s, :w], ref[s, :w], adv[s], mask[s, :w], agg, max_len) * weight
        part.backward()
        total = total + part.detach()
    assert total.item() == pytest.approx(full.item(), rel=1e-5, abs=1e-6)
    torch.testing.assert_close(micro_x.grad, full_x.grad, rtol=1e-5, atol=1e-6)


def test_issue_example_empty_second_response_seq_mean_token_mean():
    """Two responses, the second fully masked, one per micro-batch: accumulated −1.0 like the full batch."""
    logp = torch.zeros(2, 2, requires_grad=True)
    mask = torch.tensor([[1.0, 1.0], [0.0, 0.0]])
    adv = torch.tensor([1.0, 1.0])
    full, _ = compute_policy_loss(logp, logp.detach(), adv, mask, agg="seq-mean-token-mean")
    weights = micro_batch_loss_weights([mask[:1], mask[1:]], "seq-mean-token-mean")
    parts = [compute_policy_loss(logp[i:i + 1], logp[i:i + 1].detach(), adv[i:i + 1], mask[i:i + 1],
                                 agg="seq-mean-token-mean")[0] for i in range(2)]
    assert full.item() == -1.0
    assert sum(w * p.item() for w, p in zip(weights, parts, strict=True)) == -1.0
    assert weights == [1.0, 0.0]  # by sequence share it was [0.5, 0.5]: −0.5


def test_weights_hand_computed_and_validated():
    masks = [torch.tensor([[1.0, 1.0, 0.0]]), torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])]
    assert micro_batch_loss_weights(masks, "token-mean") == [2 / 3, 1 / 3]
    assert micro_batch_loss_weights(masks, "seq-mean-token-mean") == [0.5, 0.5]
    assert micro_batch_loss_weights(masks, "seq-mean-token-sum-norm", 4) == [1 / 3, 2 / 3]
    assert micro_batch_loss_weights([torch.zeros(2, 3)], "token-mean") == [0.0]
    with pytest.raises(ValueError, match="unknown aggregation 'sum'"):
        micro_batch_loss_weights(masks, "sum")


# ---------------------------------------------------------------- update() on a tiny model


def _setup(model_dir, *overrides):
    from mmagrae.data.prompts import build_prompts
    from mmagrae.models import build_policy, pad_token_id
    from mmagrae.trainer.builders import build_optimizer
    from mmagrae.trainer.distributed import DistInfo, Updater

    cfg = load_config(None, [f"model.path={model_dir}", "rollout.n=2", "trainer.prompts_per_step=2",
                             "rollout.max_new_tokens=4", "data.min_pixels=3136", "data.max_pixels=3136",
                             "optim.lr=1e-2", *overrides])
    torch.manual_seed(0)
    model, processor = build_policy(cfg.model, str(model_dir), torch.device("cpu"))
    rows = [{"problem": f"How many circles? {i}", "answer": str(i + 1), "images": [], "id": str(i)} for i in range(2)]
    prompts, _ = build_prompts(rows, processor, answer_format="answer", max_prompt_length=256,
                               min_pixels=3136, max_pixels=3136)
    optimizer, scheduler = build_optimizer(cfg, model)
    updater = Updater(model, optimizer, scheduler, cfg, DistInfo(rank=0, world_size=1, local_rank=0,
                                                                 device=torch.device("cpu")))
    return cfg, model, processor, prompts, updater, pad_token_id(processor)


def _batch(prompts, group, lengths, seed=0):
    from mmagrae.rollout import Completion
    from mmagrae.trainer.loop import RolloutBatch

    rng = random.Random(seed)
    completions = [[Completion(token_ids=[rng.randrange(20, 200) for _ in range(lengths[b * group + g])], text="x",
                               logprobs=[-1.0] * lengths[b * group + g], finish_reason="stop")
                    for g in range(group)] for b in range(len(prompts))]
    b = len(prompts)
    return RolloutBatch(prompts=list(prompts), completions=completions, rewards=torch.zeros(b, group),
                        correct=torch.zeros(b, group, dtype=torch.bool), format=torch.zeros(b, group),
                        data_errors=0, rounds=1)


def test_grad_norm_is_the_mean_over_two_mini_batches(tiny_qwen2, monkeypatch):
    from mmagrae.trainer.loop import update

    cfg, _, processor, prompts, updater, pad = _setup(tiny_qwen2, "algorithm.mini_batch_size=1",
                                                      "algorithm.micro_batch_size=1")
    norms = iter([1.0, 3.0])
    monkeypatch.setattr(updater, "step", lambda: (updater.optimizer.zero_grad(set_to_none=True), next(norms))[1])
    batch = _batch(prompts, 2, [3, 2, 4, 1])
    metrics = update(updater, batch, torch.tensor([[1.0, -1.0], [0.5, -0.5]]), cfg, processor=processor,
                     pad_id=pad)
    assert metrics["grad_norm"] == 2.0  # (1 + 3) / 2; the old weighting by a running count gave 3.5
    assert metrics["skipped"] == 0.0


@pytest.mark.parametrize("agg", AGGREGATIONS)
def test_update_accumulation_equals_one_micro_batch(tiny_qwen2, agg, monkeypatch):
    """The same mini-batch with one micro-batch per group, or all in one, gives the same gradient — also with
    an empty response (which seq-mean-token-mean skips)."""
    from mmagrae.trainer.loop import update

    grads = {}
    for micro in (2, 4):
        cfg, model, processor, prompts, updater, pad = _setup(
            tiny_qwen2, f"algorithm.micro_batch_size={micro}", f"algorithm.loss_agg={agg}")

        def capture(updater=updater, micro=micro):
            grads[micro] = torch.cat([p.grad.flatten() for p in updater.params if p.grad is not None])
            updater.optimizer.zero_grad(set_to_none=True)
            return 0.0

        monkeypatch.setattr(updater, "step", capture)
        batch = _batch(prompts, 2, [3, 0, 4, 1])  # the second response of the first group is empty
        update(updater, batch, torch.tensor([[1.0, -1.0], [0.5, -0.5]]), cfg, processor=processor, pad_id=pad)
    torch.testing.assert_close(grads[2], grads[4], rtol=1e-4, atol=1e-7)


def test_warm_start_leaves_no_gradient_and_zero_advantages_change_nothing(tiny_qwen2):
    from mmagrae.trainer.distributed import DistInfo
    from mmagrae.trainer.loop import update
    from mmagrae.trainer.warm_start import supervised_warm_start

    cfg, model, processor, prompts, updater, pad = _setup(tiny_qwen2, "trainer.warm_start_steps=2",
                                                          "algorithm.kl_coef=0")
    info = DistInfo(rank=0, world_size=1, local_rank=0, device=torch.device("cpu"))
    supervised_warm_start(model, processor, prompts, cfg, info, pad)
    assert all(p.grad is None for p in model.parameters())
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    metrics = update(updater, _batch(prompts, 2, [3, 2, 4, 1]), torch.zeros(2, 2), cfg, processor=processor,
                     pad_id=pad)
    assert metrics["grad_norm"] == 0.0
    assert all(torch.equal(before[k], v) for k, v in model.named_parameters())
