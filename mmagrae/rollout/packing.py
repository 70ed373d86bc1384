"""Padding-free (packed) layout for the trainer's re-forward: one row per prompt group, the prompt once.

``build_policy_batch`` lays the N = B·G sequences out as ``[left-padded prompt | right-padded response]``, so a
micro-batch computes every prompt G times and every response padded to the longest one. ``pack_policy_batch``
rewrites that batch so that each prompt group becomes **one row**::

    row g = [ prompt_g (P_g real tokens) | response_g1 | response_g2 | ... | response_gG ]   (right-padded to L)

with a 4-D attention mask ``[R, 1, L, L]``: prompt tokens attend causally to the prompt; response k attends to
the whole prompt and causally to itself, never to the other responses (a shared-prefix, block-diagonal mask).
Every token keeps the position it has in the padded layout — ``position_ids`` are copied from it, so Qwen-VL's
3-D M-RoPE positions (and any model's) are right by construction: each response segment starts at the
prompt's next position. The logits are read at ``logit_index`` ``[N, T]`` (flat positions into ``[R·L]``):
response k's first token is predicted by the prompt's last state (shared by the G responses), its token t by
the state of its token t − 1. The result is the padded path's ``[N, T]`` log-probs (to float rounding,
``tests/test_packing.py``). Rows of one prompt must be contiguous (the trainer's micro-batches hold whole groups).

Tokens per micro-batch, padded vs packed: ``G·(P + T_max)`` vs ``P + Σ_k T_k`` per group. Worked example
(P = 300, G = 4, response lengths 10, 50, 90, 128): padded 4·(300 + 128) = 1,712 tokens; packed
300 + 278 = 578 (−66 %). Attention here is a dense masked SDPA over the row (fine on CPU and for the
``eager`` / ``sdpa`` attention implementations); with flash-attention the padded layout is used
(``supports_packing``).
"""

from __future__ import annotations

from typing import Any

import torch

from mmagrae.rollout.forward import _unwrap


def supports_packing(model: Any) -> bool:
    """True when the model's attention takes an explicit 4-D float mask (transformers ``sdpa`` or ``eager``)."""
    config = getattr(_unwrap(model), "config", None)
    impls = {getattr(config, "_attn_implementation", None)}
    for sub in ("text_config", "vision_config"):
        impls.add(getattr(getattr(config, sub, None), "_attn_implementation", None))
    return impls <= {None, "sdpa", "eager"}


def mask_dtype_for(model: Any) -> torch.dtype | None:
    """The attention-mask form ``model`` takes: None (boolean, for ``sdpa``) or its float dtype (``eager``)."""
    model = _unwrap(model)
    impl = getattr(getattr(model, "config", None), "_attn_implementation", None)
    return None if impl in (None, "sdpa") else next(model.parameters()).dtype


def pack_policy_batch(batch: dict[str, Any], *, dtype: torch.dtype | None = None) -> dict[str, Any]:
    """The packed form of a ``build_policy_batch`` result (same keys, same ``[N, T]`` response tensors).

    Args:
        batch: ``build_policy_batch``'s dict (host tensors); rows of one prompt must be contiguous, as there.
        dtype: None = a boolean mask (True where attended; what SDPA takes, in any compute dtype); a float
            dtype = an additive mask (0 where attended, the dtype's minimum elsewhere; ``eager`` attention).
            ``mask_dtype_for(model)`` picks it.

    Returns a dict with::

        input_ids          [R, L]        R = prompt groups in the batch; L = max_g (P_g + Σ_k T_gk)
        attention_mask     [R, 1, L, L]  bool or additive float (shared prompt, one causal block per response)
        position_ids       [..., R, L]   each token's position in the padded layout (3-D M-RoPE for VLMs)
        logit_index        [N, T]        flat index into [R·L] of the state that predicts response token t
        responses, response_mask, prompt_index   [N, T], [N, T], [N] — unchanged
        image_feature_index                      features of each group's prompt, once (VLMs)
        mm_token_type_ids  [R, L]        (VLMs)
        packed_tokens, padded_tokens  ints: real tokens in this layout and tokens in the padded one
    """
    if "model_inputs" in batch:  # media per sequence (videos): the model's own forward, kept padded
        return batch
    input_ids: torch.Tensor = batch["input_ids"]  # [N, P + T]
    attention_mask: torch.Tensor = batch["attention_mask"]  # [N, P + T]
    positions: torch.Tensor = batch["position_ids"]  # [..., N, P + T]
    response_mask: torch.Tensor = batch["response_mask"]  # [N, T]
    prompt_index: torch.Tensor = batch["prompt_index"]  # [N]
    P = int(batch["prompt_length"])
    n_seq, T = response_mask.shape
    lengths = response_mask.sum(dim=1).long().tolist()  # [N]

    # rows of each prompt group, in order of first appearance
    groups: dict[int, list[int]] = {}
    for row, b in enumerate(prompt_index.tolist()):
        groups.setdefault(b, []).append(row)
    rows_per_group = list(groups.values())
    if any(rows != list(range(rows[0], rows[0] + len(rows))) for rows in rows_per_group):
        raise ValueError("pack_policy_batch: the rows of a prompt group must be contiguous")

    # per packed row: token ids, positions, segment (0 = prompt, k = response k, -1 = padding)
    token_pieces, position_pieces, segment_pieces = [], [], []
    logit_index = torch.zeros(n_seq, T, dtype=torch.long)  # [N, T]; masked entries point at 0 (finite garbage)
    R = len(rows_per_group)
    row_lengths = []
    for rows in rows_per_group:
        first = rows[0]
        valid = attention_mask[first, :P].bool()  # [P]
        prompt_len = int(valid.sum())
        ids = [input_ids[first, :P][valid]]
        pos = [positions[..., first, :P][..., valid]]
        seg = [torch.zeros(prompt_len, dtype=torch.long)]
        start = prompt_len
        for k, row in enumerate(rows, start=1):
            t_len = lengths[row]
            ids.append(input_ids[row, P:P + t_len])
            pos.append(positions[..., row, P:P + t_len])
            seg.append(torch.full((t_len,), k, dtype=torch.long))
            # token 0 from the prompt's last state (an empty response too), token t from the state of token t - 1
            logit_index[row, 0] = prompt_len - 1
            if t_len:
                logit_index[row, 1:t_len] = torch.arange(start, start + t_len - 1)
            start += t_len
        token_pieces.append(torch.cat(ids))
        position_pieces.append(torch.cat(pos, dim=-1))
        segment_pieces.append(torch.cat(seg))
        row_lengths.append(start)
    L = max(row_lengths)

    image_token_id = batch.get("image_token_id")
    pad_id = 1 if image_token_id == 0 else 0
    packed_ids = torch.full((R, L), pad_id, dtype=input_ids.dtype)  # [R, L]
    packed_pos = torch.zeros(*positions.shape[:-2], R, L, dtype=positions.dtype)  # [..., R, L]
    segment = torch.full((R, L), -1, dtype=torch.long)  # [R, L]
    for g in range(R):
        n = row_lengths[g]
        packed_ids[g, :n] = token_pieces[g]
        packed_pos[..., g, :n] = position_pieces[g]
        segment[g, :n] = segment_pieces[g]
        base = g * L
        for row in rows_per_group[g]:
            logit_index[row] += base
    logit_index = logit_index * response_mask.long() + (1 - response_mask.long()) * logit_index[:, :1]

    # allowed[r, q, k]: q and k are real, k <= q, and k is in the prompt or in q's own response
    causal = torch.ones(L, L, dtype=torch.bool).tril()  # [L, L]
    seg_q, seg_k = segment.unsqueeze(2), segment.unsqueeze(1)  # [R, L, 1], [R, 1, L]
    allowed = causal & (seg_q >= 0) & (seg_k >= 0) & ((seg_k == 0) | (seg_k == seg_q))  # [R, L, L]
    allowed |= torch.eye(L, dtype=torch.bool)  # padding queries attend to themselves (no all-masked rows)
    if dtype is None:
        mask = allowed.unsqueeze(1)  # [R, 1, L, L] bool
    else:
        mask = torch.zeros(R, 1, L, L, dtype=dtype).masked_fill(~allowed.unsqueeze(1), torch.finfo(dtype).min)

    packed: dict[str, Any] = {
        **batch,
        "input_ids": packed_ids,
        "attention_mask": mask,
        "position_ids": packed_pos,
        "logit_index": logit_index,
        "packed_tokens": int(sum(row_lengths)),
        "padded_tokens": int(attention_mask.numel()),
    }
    if "mm_token_type_ids" in batch and image_token_id is not None:
        packed["mm_token_type_ids"] = (packed_ids == image_token_id).long()  # [R, L]
    if "image_feature_index" in batch and image_token_id is not None:
        # the padded index lists each row's image features in row order; keep each group's first row
        per_row = (input_ids == image_token_id).sum(dim=1).tolist()  # [N]
        chunks = torch.split(batch["image_feature_index"], per_row)
        packed["image_feature_index"] = torch.cat([chunks[rows[0]] for rows in rows_per_group]) if chunks else (
            batch["image_feature_index"])
    return packed
