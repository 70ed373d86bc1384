"""A brief supervised warm start on gold answers, for tiny random models that would otherwise never emit a
correct answer (and so never see a non-zero group-relative advantage).

It reuses the RL re-forward path: the gold answer, written in the expected format and closed with the
end-of-turn token, is treated as a completion, and the mean negative log-likelihood of its tokens is
minimised with AdamW at ``trainer.warm_start_lr`` for ``trainer.warm_start_steps`` steps of B prompts.
Real checkpoints (Qwen2.5-VL-3B…) do not need it: leave ``trainer.warm_start_steps=0``.
"""

from __future__ import annotations

import random
from typing import Any

import torch

from mmagrae.config import Config


def format_gold(answer: str, style: str) -> str:
    """The response a perfect policy would give in the configured format."""
    if style == "boxed":
        return f"The answer is \\boxed{{{answer}}}."
    if style == "think_answer":
        return f"<think>Count carefully.</think><answer>{answer}</answer>"
    return f"<answer>{answer}</answer>"


def supervised_warm_start(model: torch.nn.Module, processor: Any, prompts: list, cfg: Config, info: Any,
                          pad_id: int) -> dict[str, float]:
    from mmagrae.rollout import Completion, build_policy_batch, compute_token_logprobs
    from mmagrae.trainer.distributed import average_gradients

    tok = getattr(processor, "tokenizer", processor)
    end_ids = tok.convert_tokens_to_ids(["<|im_end|>"])
    end = [end_ids[0]] if end_ids and end_ids[0] is not None and end_ids[0] != tok.unk_token_id else [tok.eos_token_id]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.trainer.warm_start_lr)
    rng = random.Random(cfg.trainer.seed + 17 + info.rank)
    b = max(1, cfg.trainer.prompts_per_step // info.world_size)
    losses = []
    model.train()
    for _ in range(cfg.trainer.warm_start_steps):
        batch = [prompts[rng.randrange(len(prompts))] for _ in range(b)]
        comps = []
        for p in batch:
            text = format_gold(str(p.row["answer"]), cfg.reward.format)
            ids = tok.encode(text, add_special_tokens=False) + end
            comps.append(Completion(token_ids=ids, text=text, logprobs=[0.0] * len(ids), finish_reason="stop"))
        pb = build_policy_batch(processor, batch, comps, pad_token_id=pad_id)
        pb = {k: (v.to(next(model.parameters()).device) if torch.is_tensor(v) else v) for k, v in pb.items()}
        logp, _ = compute_token_logprobs(model, pb)  # [b, T]
        mask = pb["response_mask"]  # [b, T]
        loss = -(logp * mask).sum() / mask.sum().clamp(min=1.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        average_gradients(params, info)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())
    # the RL update accumulates into .grad: leave nothing of the last supervised step behind
    opt.zero_grad(set_to_none=True)
    model.zero_grad(set_to_none=True)
    k = max(1, len(losses) // 5)
    return {"warm_start/loss_first": sum(losses[:k]) / k, "warm_start/loss_last": sum(losses[-k:]) / k,
            "warm_start/steps": float(len(losses))}
