"""transformers backend: batched ``model.generate`` on the training model itself (no weight sync needed).

- Prompts are left-padded into one batch; ``num_return_sequences = n`` gives the ``[B][n]`` samples.
- A first logits processor records ``log_softmax`` of the *raw* logits at every step (so the returned
  log-probs are the unmodified model's, as in vLLM's ``raw_logprobs`` mode) and then suppresses the vision special
  tokens (``<|image_pad|>``, ``<|vision_start|>``, ...): a random or young policy can sample them, and a response
  that contains them breaks the re-forward ("image features and image tokens do not match"). Temperature,
  top-k and top-p are applied after it by transformers' own warpers.
- Memory for the log-probs is O(N·V) for one step, not O(N·T·V) as ``output_logits=True`` would hold.
"""

from __future__ import annotations

from typing import Any

from mmagrae.models.tokens import eos_token_ids, get_tokenizer, is_vision_model, vision_token_ids
from mmagrae.rollout.forward import encode_prompts
from mmagrae.rollout.shared_prefix import generate_shared_prefix, supports_shared_prefix
from mmagrae.rollout.types import Completion, Prompt, SamplingConfig


class _RawLogprobRecorder:
    """Logits processor: remembers the raw log-softmax of each step, then masks ``suppress_ids``.

    At step t it receives the tokens chosen up to t-1, so it reads off the log-prob of step t-1's token from
    the distribution it kept; ``finish`` handles the last step.
    """

    def __init__(self, suppress_ids: list[int], prompt_length: int):
        self.suppress_ids = suppress_ids
        self.prompt_length = prompt_length
        self.last_logprobs = None  # [N, V] of the previous step
        self.picked: list[Any] = []  # per step: [N]

    def __call__(self, input_ids, scores):
        import torch

        if self.last_logprobs is not None:
            self.picked.append(self.last_logprobs.gather(-1, input_ids[:, -1:]).squeeze(-1))  # [N]
        self.last_logprobs = torch.log_softmax(scores.float(), dim=-1)  # [N, V]
        if self.suppress_ids:
            scores = scores.clone()
            scores[:, self.suppress_ids] = -float("inf")
        return scores

    def finish(self, sequences):
        import torch

        if self.last_logprobs is not None and sequences.shape[1] > self.prompt_length + len(self.picked):
            self.picked.append(self.last_logprobs.gather(-1, sequences[:, -1:]).squeeze(-1))  # [N]
        if not self.picked:
            return torch.zeros(sequences.shape[0], 0)
        return torch.stack(self.picked, dim=1)  # [N, T]


class HFEngine:
    """Rollouts with ``transformers`` ``generate`` on the policy model (shared with the trainer).

    Args:
        model: a loaded ``...ForConditionalGeneration`` / ``...ForCausalLM`` (it is switched to eval mode
            during generation and restored afterwards).
        processor: its processor (VL) or tokenizer (text).
        max_batch_size: prompts per ``generate`` call (None = all at once).
        shared_prefix: prefill each prompt (and its images) once and copy its KV cache to the n samples
            (:mod:`mmagrae.rollout.shared_prefix`; same distribution), instead of ``num_return_sequences``.
    """

    def __init__(self, model: Any, processor: Any, *, max_batch_size: int | None = None, shared_prefix: bool = True):
        self.model = model
        self.processor = processor
        self.tokenizer = get_tokenizer(processor)
        self.max_batch_size = max_batch_size
        self.shared_prefix = shared_prefix
        self.suppress_ids = vision_token_ids(processor) if is_vision_model(model) else []
        self.eos_ids = eos_token_ids(model, processor)
        pad = self.tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else self.eos_ids[0]

    # The HF engine shares the training model: nothing to sync, nothing to offload.
    def sync_weights(self, model: Any) -> None:
        if model is not self.model:
            self.model = model

    def sleep(self) -> None:
        return None

    def wake_up(self) -> None:
        return None

    def generate(self, prompts: list[Prompt], n: int, sampling: SamplingConfig) -> list[list[Completion]]:
        results: list[list[Completion]] = []
        step = self.max_batch_size or max(1, len(prompts))
        for start in range(0, len(prompts), step):
            chunk_sampling = sampling
            if sampling.seed is not None and start:
                chunk_sampling = SamplingConfig(**{**sampling.__dict__, "seed": sampling.seed + start})
            results.extend(self._generate_chunk(prompts[start: start + step], n, chunk_sampling))
        return results

    def _generate_chunk(self, prompts: list[Prompt], n: int, sampling: SamplingConfig) -> list[list[Completion]]:
        import torch
        from transformers import GenerationConfig, LogitsProcessorList

        device = next(self.model.parameters()).device
        enc = encode_prompts(self.processor, prompts, padding_side="left")
        enc = {k: v.to(device) if hasattr(v, "to") else v for k, v in enc.items()}
        prompt_length = enc["input_ids"].shape[1]
        greedy = sampling.temperature <= 0
        n_generate = 1 if greedy else n  # greedy samples are all the same: decode once, copy
        shared = self.shared_prefix and n_generate > 1 and prompt_length > 1 and supports_shared_prefix(self.model)
        n_return = n_generate
        if n_generate > 1 and not shared and ("image_grid_thw" in enc or "video_grid_thw" in enc):
            # Qwen-style flat patches [n_patches, C·p²]: generate's num_return_sequences would repeat_interleave
            # the patch rows (not the images) without a model-specific expansion (transformers 5.19's Qwen3.5),
            # so the prompts are repeated here instead, prompt-major as num_return_sequences orders its rows.
            enc = encode_prompts(self.processor, [p for p in prompts for _ in range(n_generate)], padding_side="left")
            enc = {k: v.to(device) if hasattr(v, "to") else v for k, v in enc.items()}
            n_return = 1
        gen_config = GenerationConfig(
            do_sample=not greedy,
            temperature=None if greedy else sampling.temperature,
            top_p=None if greedy else sampling.top_p,
            top_k=None if (greedy or sampling.top_k is None or sampling.top_k < 0) else sampling.top_k,
            max_new_tokens=sampling.max_new_tokens,
            num_return_sequences=n_return,
            eos_token_id=self.eos_ids,
            pad_token_id=self.pad_id,
            return_dict_in_generate=True,
            stop_strings=sampling.stop or None,
        )
        recorder = _RawLogprobRecorder(self.suppress_ids, prompt_length)
        was_training = self.model.training
        self.model.eval()
        devices = [device.index] if device.type == "cuda" and device.index is not None else []
        try:
            with torch.random.fork_rng(devices=devices, enabled=sampling.seed is not None), torch.no_grad():
                if sampling.seed is not None:
                    torch.manual_seed(sampling.seed)
                extra = {"tokenizer": self.tokenizer} if sampling.stop else {}
                if _zero3_partitioned(self.model):
                    # every rank must run the same number of forwards while ZeRO-3 gathers parameters
                    extra["synced_gpus"] = True
                extra["logits_processor"] = LogitsProcessorList([recorder])
                if shared:
                    out = generate_shared_prefix(self.model, enc, n_generate, gen_config, **extra)
                else:
                    out = self.model.generate(**enc, generation_config=gen_config, **extra)
        finally:
            self.model.train(was_training)
        sequences = out.sequences  # [B*n, P + T]
        logprobs = recorder.finish(sequences).cpu()  # [B*n, T]
        new_tokens = sequences[:, prompt_length:].cpu()  # [B*n, T]

        eos = set(self.eos_ids)
        completions: list[Completion] = []
        for row, lp in zip(new_tokens.tolist(), logprobs.tolist(), strict=True):
            end = next((i + 1 for i, t in enumerate(row) if t in eos), None)
            finish = "stop" if end is not None else "length"
            ids = row[:end] if end is not None else row
            if sampling.stop:
                # A stop string ends the text; tokens after the one that completed it are padding.
                body = ids[:-1] if finish == "stop" else ids
                cut = self._stop_cut(body, sampling.stop)
                if cut is not None:
                    ids, finish = ids[:cut[0]], "stop"
                    text = cut[1]
                else:
                    text = self.tokenizer.decode(ids, skip_special_tokens=True)
            else:
                text = self.tokenizer.decode(ids, skip_special_tokens=True)
            completions.append(Completion(token_ids=ids, text=text, logprobs=lp[: len(ids)], finish_reason=finish))
        if greedy:
            return [[Completion(list(c.token_ids), c.text, list(c.logprobs), c.finish_reason) for _ in range(n)]
                    for c in completions]
        return [completions[b * n:(b + 1) * n] for b in range(len(prompts))]

    def _stop_cut(self, ids: list[int], stop: list[str]) -> tuple[int, str] | None:
        """If a stop string occurs, the shortest token prefix containing it and the text cut before it."""
        full = self.tokenizer.decode(ids, skip_special_tokens=True)
        if not any(s in full for s in stop):
            return None
        for k in range(1, len(ids) + 1):
            text = self.tokenizer.decode(ids[:k], skip_special_tokens=True)
            if any(s in text for s in stop):
                return k, _cut_text(text, stop)
        return None  # pragma: no cover


def _zero3_partitioned(model: Any) -> bool:
    """True when DeepSpeed ZeRO-3 has partitioned the model's parameters across several processes."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
        return False
    return any(hasattr(p, "ds_id") for p in model.parameters())


def _cut_text(text: str, stop: list[str]) -> str:
    cuts = [text.find(s) for s in stop if s in text]
    return text[: min(cuts)] if cuts else text
