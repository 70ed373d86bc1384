"""The rollout contract: sampling settings, prompts in, completions out, and the engine protocol.

``Prompt`` (a chat-formatted prompt with its images) is defined by the data pipeline,
:mod:`mmagrae.data.prompts`, and re-exported here.

Shape names used across mmagrae: B prompts, G (= ``n``) samples per prompt, N = B·G sequences, T response
tokens. Every backend returns ``list[list[Completion]]`` of shape ``[B][n]``.

**Log-probs.** ``Completion.logprobs[t]`` is ``log_softmax(logits_t)[token_t]`` of the *unmodified* model:
raw logits at temperature 1, before temperature, top-k / top-p, and before the suppression of vision special
tokens. It is the quantity ``compute_token_logprobs(model, batch, temperature=1.0)`` recomputes, so a trainer can
use it as ``old_logp`` for an on-policy step with ``temperature == 1``; for another sampling temperature call
``compute_token_logprobs(..., temperature=T)`` instead (the sampling distribution is then ``softmax(logits/T)``).
Both backends (transformers and vLLM's ``logprobs_mode="raw_logprobs"``) return exactly this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from mmagrae.data.prompts import Prompt

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["Completion", "Engine", "FinishReason", "Prompt", "SamplingConfig"]

FinishReason = Literal["stop", "length"]


@dataclass
class SamplingConfig:
    """How to sample completions (the same meaning in every backend)."""

    temperature: float = 1.0
    """Softmax temperature; 0 means greedy decoding."""
    top_p: float = 1.0
    """Nucleus sampling mass (1.0 = off)."""
    top_k: int = -1
    """Keep the k most likely tokens (-1 = off)."""
    max_new_tokens: int = 256
    """Upper bound on generated tokens per completion (finish_reason "length" when reached)."""
    seed: int | None = None
    """Seed for this call's sampling (None: the engine's running RNG)."""
    stop: list[str] | None = None
    """Extra stop strings (the text is cut before them; EOS tokens always stop)."""


@dataclass
class Completion:
    """One sampled continuation of a prompt."""

    token_ids: list[int]
    """Generated token ids, including the EOS token that ended it (if any)."""
    text: str
    """Decoded text without special tokens, cut before a matched stop string."""
    logprobs: list[float]
    """Per generated token: log_softmax of the raw (temperature 1, unsuppressed) logits at that token."""
    finish_reason: FinishReason
    """"stop" (EOS or a stop string) or "length" (max_new_tokens reached)."""


@runtime_checkable
class Engine(Protocol):
    """A rollout backend. The trainer and the evaluator never branch on which one they hold."""

    def generate(self, prompts: list[Prompt], n: int, sampling: SamplingConfig) -> list[list[Completion]]:
        """Sample ``n`` completions per prompt; returns ``[B][n]``."""
        ...

    def sync_weights(self, model: torch.nn.Module) -> None:
        """Load the training model's current weights (no-op when the engine shares the model)."""
        ...

    def sleep(self) -> None:
        """Free the engine's memory between rollouts (no-op where unsupported)."""
        ...

    def wake_up(self) -> None:
        """Undo :meth:`sleep` (no-op where unsupported)."""
        ...
