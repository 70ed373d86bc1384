"""Re-computing the log-probs of sampled completions (the trainer's forward pass).

``build_policy_batch`` lays N = B·G sequences out as ``[left-padded prompt | right-padded response]``::

    input_ids      [N, P + T]   prompt tokens end at column P-1 for every row; response token t sits at P + t
    response_mask  [N, T]       1.0 on generated tokens, 0.0 on padding
    logp[:, t] = log_softmax(logits[:, P - 1 + t] / temperature)[input_ids[:, P + t]]

For vision-language models the images are processed **once per prompt** (``pixel_values`` / ``image_grid_thw``
hold the B prompts' images, not N copies); ``compute_token_logprobs`` runs the vision tower once and gathers
the features into each of the G sequences (``image_feature_index``). M-RoPE position ids (``position_ids``
``[3, N, P + T]``) are computed here from the token layout exactly as transformers' ``get_rope_index`` does
for images, so the batch is self-contained. Text-only models get ordinary position ids ``[N, P + T]``.

Worked example (text model, B = 1, G = 2)::

    prompt "<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\n" -> 9 tokens, P = 9
    completions [5, 7, EOS] and [8]                                    -> T = 3
    response_mask = [[1, 1, 1], [1, 0, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from mmagrae.data.prompts import Prompt, encode_prompts, qwen_style
from mmagrae.models.tokens import get_tokenizer, is_vision_model
from mmagrae.rollout.types import Completion

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["build_policy_batch", "compute_token_logprobs", "encode_prompts"]


def _flatten(completions: Sequence[Completion] | Sequence[Sequence[Completion]]) -> list[Completion]:
    if completions and not isinstance(completions[0], Completion):
        return [c for group in completions for c in group]  # type: ignore[union-attr]
    return list(completions)  # type: ignore[arg-type]


def _mrope_positions(prompt_ids: torch.Tensor, image_grids: torch.Tensor, image_token_id: int,
                     merge_size: int) -> tuple[torch.Tensor, int]:
    """M-RoPE positions ``[3, P_b]`` of one unpadded prompt and the next text position after it.

    Same rule as transformers' ``Qwen2VLModel.get_rope_index`` for images (Qwen2-VL and Qwen2.5-VL): text
    tokens advance all three axes by one; an image of ``t x h x w`` merged tokens gets (start + t_idx,
    start + h_idx, start + w_idx) and the text after it starts at ``start + max(h, w)``.
    """
    import torch

    is_image = (prompt_ids == image_token_id).tolist()
    pieces: list[torch.Tensor] = []
    pos, i, image_no, length = 0, 0, 0, len(is_image)
    while i < length:
        j = i
        while j < length and is_image[j] == is_image[i]:
            j += 1
        if not is_image[i]:
            pieces.append(torch.arange(pos, pos + j - i).view(1, -1).expand(3, -1))
            pos += j - i
        else:
            t, h, w = (int(x) for x in image_grids[image_no])
            image_no += 1
            h, w = h // merge_size, w // merge_size
            tt, hh, ww = torch.meshgrid(torch.arange(t), torch.arange(h), torch.arange(w), indexing="ij")
            block = torch.stack([tt, hh, ww]).reshape(3, -1) + pos  # [3, t*h*w]
            if block.shape[1] != j - i:
                raise ValueError(f"image {image_no} has {j - i} placeholder tokens but its grid gives {block.shape[1]}")
            pieces.append(block)
            pos += max(h, w)
        i = j
    return torch.cat(pieces, dim=1), pos


def build_policy_batch(processor: Any, prompts: Sequence[Prompt],
                       completions: Sequence[Completion] | Sequence[Sequence[Completion]], *,
                       pad_token_id: int, image_token_id: int | None = None,
                       merge_size: int | None = None) -> dict[str, Any]:
    """Everything needed to recompute the log-probs of N completions in one forward pass.

    Args:
        processor: the model's processor (VL) or tokenizer (text).
        prompts: the B distinct prompts, or one prompt per completion (N).
        completions: N = B·G completions, grouped by prompt (prompt b owns rows b·G .. b·G + G - 1), either
            flat or nested ``[B][G]`` as ``Engine.generate`` returns them.
        pad_token_id: id used for padding (attention_mask is 0 there anyway).
        image_token_id, merge_size: override what is read from the processor (``<|image_pad|>``, 2).

    Returns a dict of tensors (plus ``prompt_length``, an int)::

        input_ids            [N, P + T]  long
        attention_mask       [N, P + T]  long
        position_ids         [3, N, P + T] (VL) or [N, P + T] (text)   long
        responses            [N, T]      long, the completion tokens (pad where masked)
        response_mask        [N, T]      float, 1.0 on generated tokens
        prompt_index         [N]         long, which of the B prompts each row continues
        pixel_values         [patches, D]     the B prompts' images, once each (VL with images only)
        image_grid_thw       [images, 3]
        image_feature_index  [n_image_tokens_N]  rows of the once-per-prompt image features, in the order of
                                                 the image placeholders of input_ids (row-major)
        mm_token_type_ids    [N, P + T]  1 on image placeholders (what transformers 5 expects)
        prompt_length        int P

    When any prompt has videos the media go with each sequence instead (:func:`_per_sequence_batch`):
    ``model_inputs`` holds the processor's outputs for the N sequences (``pixel_values_videos``,
    ``video_grid_thw``, ...) and ``position_ids`` is None for M-RoPE models (the model computes them).
    """
    import torch

    flat = _flatten(completions)
    n_seq, n_prompts = len(flat), len(prompts)
    if n_prompts == 0 or n_seq % n_prompts:
        raise ValueError(f"{n_seq} completions cannot be grouped over {n_prompts} prompts")
    group = n_seq // n_prompts
    prompt_index = torch.arange(n_prompts).repeat_interleave(group)  # [N]

    enc = encode_prompts(processor, prompts, padding_side="left")
    prompt_ids: torch.Tensor = enc["input_ids"]  # [B, P]
    prompt_mask: torch.Tensor = enc["attention_mask"]  # [B, P]
    P = prompt_ids.shape[1]
    T = max(1, max(len(c.token_ids) for c in flat))

    lengths = torch.tensor([len(c.token_ids) for c in flat], dtype=torch.long)  # [N]
    response_mask = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).float()  # [N, T]
    responses = torch.full((n_seq, T), pad_token_id, dtype=torch.long)  # [N, T]
    responses[response_mask.bool()] = torch.tensor([t for c in flat for t in c.token_ids], dtype=torch.long)
    input_ids = torch.cat([prompt_ids[prompt_index], responses], dim=1)  # [N, P + T]
    attention_mask = torch.cat([prompt_mask[prompt_index], response_mask.long()], dim=1)  # [N, P + T]

    batch: dict[str, Any] = {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "responses": responses,
        "response_mask": response_mask,
        "prompt_index": prompt_index,
        "prompt_length": P,
    }
    tok = get_tokenizer(processor)
    if any(p.videos for p in prompts) or (any(p.images for p in prompts) and not qwen_style(processor)):
        return _per_sequence_batch(batch, processor, prompts, prompt_index, T, enc)
    if image_token_id is None:
        image_token_id = tok.get_vocab().get("<|image_pad|>")
    is_vl = tok is not processor and image_token_id is not None
    if not is_vl:
        position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)  # [N, P + T]
        batch["position_ids"] = position_ids
        return batch

    if merge_size is None:
        merge_size = int(getattr(getattr(processor, "image_processor", None), "merge_size", 2) or 2)
    grids = enc.get("image_grid_thw")
    images_per_prompt = [len(p.images) for p in prompts]
    # Image tokens (after merging) per unique image, and where each prompt's features start.
    if grids is not None:
        tokens_per_image = (grids.prod(-1) // merge_size**2).tolist()
        batch["pixel_values"] = enc["pixel_values"]  # [patches, D]
        batch["image_grid_thw"] = grids  # [images, 3]
    else:
        tokens_per_image = []
    feature_start, image_start, f, k = [], [], 0, 0
    for count in images_per_prompt:
        feature_start.append(f)
        image_start.append(k)
        f += sum(tokens_per_image[k: k + count])
        k += count
    feature_index = []
    prompt_rows = torch.zeros(3, n_prompts, P + T, dtype=torch.long)  # [3, B, P + T], one row per prompt
    for b in range(n_prompts):
        valid = prompt_mask[b].bool()
        k0, count = image_start[b], images_per_prompt[b]
        pgrids = grids[k0: k0 + count] if count else torch.zeros(0, 3, dtype=torch.long)
        pos, next_pos = _mrope_positions(prompt_ids[b][valid], pgrids, image_token_id, merge_size)
        prompt_rows[:, b, :P][:, valid] = pos
        prompt_rows[:, b, P:] = torch.arange(next_pos, next_pos + T)
        n_feat = sum(tokens_per_image[k0: k0 + count])
        feature_index.append(torch.arange(feature_start[b], feature_start[b] + n_feat))
    position_rows = prompt_rows[:, prompt_index]  # [3, N, P + T]: the G sequences of a prompt share its row
    batch["position_ids"] = position_rows * attention_mask.unsqueeze(0)  # [3, N, P + T], 0 on padding
    batch["image_feature_index"] = (torch.cat([feature_index[int(b)] for b in prompt_index])
                                    if tokens_per_image else torch.zeros(0, dtype=torch.long))
    batch["mm_token_type_ids"] = (input_ids == image_token_id).long()  # [N, P + T]
    batch["image_token_id"] = image_token_id
    return batch


# processor outputs with one entry per token of the prompt: extended over the response with 0 ("text")
TOKEN_ALIGNED_KEYS = frozenset({"mm_token_type_ids", "token_type_ids"})


# per-item processor outputs of the Qwen family: the media tensors are the items' patches, concatenated
# (``values key -> (grid key, what a prompt holds)``); the grids and ``second_per_grid_ts`` have a row per item
_FLAT_MEDIA = {"pixel_values": ("image_grid_thw", "images"), "pixel_values_videos": ("video_grid_thw", "videos")}
_PER_ITEM = {"image_grid_thw": "images", "video_grid_thw": "videos", "second_per_grid_ts": "videos"}
# outputs with one row per prompt (a per-item key whose item count happens to equal B must not be taken for one)
_PER_PROMPT = frozenset({"input_ids", "attention_mask", "mm_token_type_ids", "token_type_ids", "pixel_values",
                         "pixel_attention_mask", "image_attention_mask"})


def per_sequence_inputs(enc: Mapping[str, Any], prompts: Sequence[Prompt],
                        prompt_index: torch.Tensor) -> dict[str, Any] | None:
    """The processor outputs of the B prompts (``enc``) repeated for the N sequences (``prompt_index`` [N]), as
    encoding the N sequences would give them, without processing any image or video again: rows per prompt
    ([B, ...]) are indexed, the Qwen family's concatenated patches ([patches, D], with a grid row per item)
    are gathered per prompt. None when ``enc`` holds an output of unknown layout (the caller encodes then).
    """
    import torch

    n_prompts = len(prompts)
    out: dict[str, Any] = {}
    for key, value in enc.items():
        what = _FLAT_MEDIA[key][1] if key in _FLAT_MEDIA and _FLAT_MEDIA[key][0] in enc else _PER_ITEM.get(key)
        if what is not None:  # rows per item (a grid row, or an item's patches): each prompt's run of rows
            counts = [len(getattr(p, what)) for p in prompts]  # items per prompt
            rows = enc[_FLAT_MEDIA[key][0]].prod(-1).tolist() if key in _FLAT_MEDIA else [1] * len(value)
            if len(rows) != sum(counts) or sum(rows) != len(value):
                return None
            row_start = [0, *accumulate(rows)]  # [items + 1]
            item_start = [0, *accumulate(counts)]  # [B + 1]
            spans = [(row_start[item_start[b]], row_start[item_start[b + 1]]) for b in range(n_prompts)]
            parts = [value[spans[int(b)][0]: spans[int(b)][1]] for b in prompt_index]
            out[key] = torch.cat(parts) if isinstance(value, torch.Tensor) else [x for part in parts for x in part]
        elif key in _PER_PROMPT and isinstance(value, torch.Tensor) and value.dim() and value.shape[0] == n_prompts:
            out[key] = value[prompt_index]  # [N, ...]: input ids, masks, Idefics3's [B, images, C, H, W]
        else:
            return None  # a layout not known here: the caller encodes every sequence
    return out


def _per_sequence_batch(batch: dict[str, Any], processor: Any, prompts: Sequence[Prompt], prompt_index: torch.Tensor,
                        T: int, prompt_enc: Mapping[str, Any]) -> dict[str, Any]:
    """The batch for the model's own forward: each of the N sequences carries its prompt's media
    (``batch["model_inputs"]``: the B prompts' processor outputs repeated per sequence by
    :func:`per_sequence_inputs`, so no medium is processed twice) and the model computes the vision features
    and positions itself.

    Used for prompts with videos (whose positions depend on the model: frame rate for Qwen2.5-VL, timestamps
    between frames for Qwen3-VL) and for the images of non-Qwen VLM families (Idefics3). ``position_ids`` is None for M-RoPE models (transformers' ``get_rope_index``
    runs inside the forward, over prompt and response) and the ordinary ``[N, P + T]`` positions otherwise.
    """
    import torch

    enc = per_sequence_inputs(prompt_enc, prompts, prompt_index)
    if enc is None:  # processor outputs this module does not know how to repeat: encode every sequence
        enc = encode_prompts(processor, [prompts[int(b)] for b in prompt_index], padding_side="left")
        if not torch.equal(enc["input_ids"], batch["input_ids"][:, : batch["prompt_length"]]):
            raise ValueError("the processor encoded the same prompt differently in a batch of a different size")
    n_seq = batch["input_ids"].shape[0]
    inputs: dict[str, Any] = {}
    for key, value in enc.items():
        if key in ("input_ids", "attention_mask"):
            continue
        if key in TOKEN_ALIGNED_KEYS:
            value = torch.cat([value, value.new_zeros(n_seq, T)], dim=1)  # [N, P + T]
        inputs[key] = value
    batch["model_inputs"] = inputs
    mrope = "image_grid_thw" in enc or "video_grid_thw" in enc
    batch["position_ids"] = None if mrope else (batch["attention_mask"].cumsum(-1) - 1).clamp(min=0)  # [N, P + T]
    return batch


def _image_features(core: Any, pixel_values: torch.Tensor,
                    grid_thw: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
    """Merged image features ``[n_image_tokens, H]`` for all images, across transformers 5.x versions, and
    Qwen3-VL's DeepStack features (one ``[n_image_tokens, H]`` per early decoder layer; None for other models)."""
    import torch

    def cat(x: Any) -> torch.Tensor:
        return torch.cat(list(x), dim=0) if isinstance(x, (tuple, list)) else x

    inner = getattr(core, "model", core)
    fn = getattr(inner, "get_image_features", None) or core.get_image_features
    out = fn(pixel_values, grid_thw)
    deepstack = getattr(out, "deepstack_features", None)
    if hasattr(out, "pooler_output") and out.pooler_output is not None:
        out = out.pooler_output
    elif isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], list):  # (embeds, deepstack) in 5.17
        out, deepstack = out
    return cat(out), ([cat(d) for d in deepstack] if deepstack else None)


def _unwrap(model: Any) -> Any:
    """The transformers model inside DDP / DeepSpeed / PEFT wrappers (LoRA layers stay in place)."""
    from transformers import PreTrainedModel

    for _ in range(4):
        # DeepSpeedEngine forwards attribute lookups to its module, so test the type, not hasattr(lm_head)
        if "module" in vars(model).get("_modules", {}) and not isinstance(model, PreTrainedModel):
            model = model.module
        elif hasattr(model, "get_base_model"):
            model = model.get_base_model()
        else:
            break
    return model


def compute_token_logprobs(model: Any, batch: dict[str, Any], *, temperature: float = 1.0,
                           with_entropy: bool = False, entropy_grad: bool = True,
                           raw: bool = False) -> tuple[torch.Tensor, ...]:
    """Log-probs ``[N, T]`` of the response tokens under ``softmax(logits / temperature)`` (and the entropy).

    Gradients flow (call under ``torch.no_grad()`` for old / reference log-probs). The logits are computed
    only at the T response positions (the LM head never sees the prompt), and the vision tower runs once per
    prompt. Masked positions hold finite garbage: multiply by ``batch["response_mask"]``.
    ``entropy_grad=False`` computes the entropy without autograd (for logging only: the ``[N, T, V]``
    probabilities are then freed at once instead of living until the backward pass). ``raw=True`` adds a third
    result from the same forward: the temperature-1 log-probs ``[N, T]`` (detached; the tensor itself when
    ``temperature`` is 1), what the engines report, so a sampling temperature costs no second forward.
    """
    import torch

    core = _unwrap(model)
    device = next(core.parameters()).device
    input_ids = batch["input_ids"].to(device)  # [N, L]
    attention_mask = batch["attention_mask"].to(device)  # [N, L]
    position_ids = batch["position_ids"]  # [3, N, L] or [N, L]; None: the model computes them
    position_ids = position_ids.to(device) if position_ids is not None else None
    P = int(batch["prompt_length"])
    T = batch["responses"].shape[1]
    inner = getattr(core, "model", core)

    if "model_inputs" in batch:  # media per sequence: the model's own forward (vision features, positions)
        extra = {k: v.to(device) if hasattr(v, "to") else v for k, v in batch["model_inputs"].items()}
        hidden = inner(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                       use_cache=False, **extra).last_hidden_state  # [N, L, H]
    elif is_vision_model(core):
        embeds = core.get_input_embeddings()(input_ids)  # [N, L, H]
        deepstack_kwargs: dict[str, Any] = {}
        if batch.get("pixel_values") is not None and batch["image_feature_index"].numel():
            feats, deepstack = _image_features(core, batch["pixel_values"].to(device),
                                               batch["image_grid_thw"].to(device))  # [n_unique_image_tokens, H]
            index = batch["image_feature_index"].to(device)  # [n_image_tokens_N]
            feats = feats[index].to(embeds.dtype)  # [n_image_tokens_N, H]
            image_mask = input_ids == batch["image_token_id"]  # [N, L]
            embeds = embeds.masked_scatter(image_mask.unsqueeze(-1), feats)  # [N, L, H]
            if deepstack is not None:  # Qwen3-VL adds vision features to the first decoder layers' outputs
                deepstack_kwargs = {"visual_pos_masks": image_mask,
                                    "deepstack_visual_embeds": [d[index].to(embeds.dtype) for d in deepstack]}
        decoder = inner.language_model if deepstack_kwargs else inner
        hidden = decoder(input_ids=None, inputs_embeds=embeds, attention_mask=attention_mask,
                         position_ids=position_ids, use_cache=False, **deepstack_kwargs).last_hidden_state  # [N, L, H]
    else:
        hidden = inner(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                       use_cache=False).last_hidden_state  # [N, L, H]

    if "logit_index" in batch:  # packed layout (mmagrae.rollout.packing): [R, L, H] rows, read where indexed
        hidden = hidden.reshape(-1, hidden.shape[-1])[batch["logit_index"].to(device)]  # [N, T, H]
    else:
        hidden = hidden[:, P - 1: P - 1 + T]  # [N, T, H] states that predict the response tokens
    logits = core.lm_head(hidden).float()  # [N, T, V]
    targets = batch["responses"].to(device)  # [N, T]
    raw_logp = None
    if raw and temperature != 1.0:
        with torch.no_grad():
            raw_logits = logits.detach()  # [N, T, V]
            raw_logp = (raw_logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
                        - torch.logsumexp(raw_logits, dim=-1))  # [N, T]
    if temperature != 1.0:
        logits = logits / temperature
    log_norm = torch.logsumexp(logits, dim=-1)  # [N, T]
    logp = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - log_norm  # [N, T]
    entropy = None
    if with_entropy:
        with torch.set_grad_enabled(torch.is_grad_enabled() and entropy_grad):
            probs = torch.softmax(logits, dim=-1)  # [N, T, V]
            entropy = log_norm - (probs * logits).sum(-1)  # [N, T]
    if raw:
        return logp, entropy, (raw_logp if raw_logp is not None else logp.detach())
    return logp, entropy
