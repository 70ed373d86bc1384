"""Controlled experiment (b): a tiny causal transformer trained from scratch with RL on a synthetic task.

Task ("same digit sum"): the prompt is ``[BOS, LEN_L, a_1 … a_L, SEP]`` with L random digits and the
response is L digits; it is correct iff its digit sum equals the prompt's, s = Σ a_i. How many of the 10^L
responses are correct depends on (L, s): one for s = 0 or 9L, up to ~10% for mid-range s — so prompts range
from hard (p ≈ 1e-4 under the initial uniform policy) to easy, with few correct trajectories among many.
Copying the prompt is one correct answer; others are just as good, so coverage shows whether the policy
keeps several. A fixed set of prompts (``held_out_per_length`` per L, the same for every seed) is never
trained on; pass@k is measured on it (generalisation through shared parameters, which the tabular
experiment lacks) and on an equal number of training prompts.

Simplifications: responses have fixed length L and are sampled only over the 10 digit tokens; one on-policy
update per batch (ratio 1, so clipping never acts) with ``compute_policy_loss`` (token-mean, no KL); Adam (``optimizer="sgd"`` for the squeezing test);
no warm start. Everything runs on CPU in seconds per run.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
import torch
from torch import nn

from mmagrae.algos.advantages import compute_advantages
from mmagrae.algos.losses import compute_policy_loss
from mmagrae.experiments.mass import average_flows, mass_shift, policy_mass
from mmagrae.metrics import pass_at_k_curve

DIGITS, BOS, SEP = 10, 10, 11  # tokens 0-9 are digits; LEN_L is token 12 + L
VOCAB = 12 + 10


@dataclass
class TransformerConfig:
    lengths: tuple[int, ...] = (2, 3, 4)
    """response lengths L in the task"""
    held_out_per_length: int = 16
    """held-out evaluation prompts per response length"""
    train_eval_per_length: int = 8
    """training-distribution evaluation prompts per response length (0: skip that evaluation)"""
    d_model: int = 64
    """transformer width"""
    layers: int = 2
    """transformer blocks"""
    heads: int = 4
    """attention heads"""
    group_size: int = 8
    """G: responses per prompt"""
    prompts_per_step: int = 32
    """B: prompts per step, drawn with replacement from the training prompts"""
    steps: int = 300
    """training steps (same budget for every estimator)"""
    lr: float = 3e-4
    """learning rate of the optimizer"""
    optimizer: Literal["adam", "sgd"] = "adam"
    """"adam" (torch defaults) or plain "sgd" (issue 17's squeezing test)"""
    mass_every: int = 3
    """every this many steps (when the step's L <= mass_max_length; with L cycling 2, 3, 4 and 3 here, every
    L = 2 step), measure where one update moves
    probability mass on ``mass_prompts`` of the batch's prompts (exact, by enumerating all 10^L responses);
    0 turns it off"""
    mass_prompts: int = 8
    """prompts of the batch whose full response distribution is enumerated for the mass measurement"""
    mass_max_length: int = 2
    """largest L whose 10^L responses are enumerated (mass measurement and the held-out mode/correct mass;
    3 is exact too but enumerates 1000 responses per prompt, ~10x the cost)"""
    eval_every: int = 75
    """evaluate every this many steps (and at step 0 and the end)"""
    eval_samples: int = 64
    """samples per held-out prompt for pass@k (>= max k)"""
    max_k: int = 64
    """pass@k for k = 1..max_k"""
    threads: int = 1
    """torch CPU threads"""
    tasks: list = field(default_factory=list)
    """filled in by the run: the held-out prompts (digit lists)"""


class TinyGPT(nn.Module):
    """Pre-norm causal transformer, learned positions, ``tokens[N, T] -> logits[N, T, V]``."""

    def __init__(self, config: TransformerConfig, max_len: int = 24):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, config.d_model)
        self.position = nn.Parameter(torch.zeros(max_len, config.d_model))
        block = nn.TransformerEncoderLayer(config.d_model, config.heads, 4 * config.d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, config.layers, enable_nested_tensor=False)
        self.head = nn.Linear(config.d_model, VOCAB)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        length = tokens.shape[1]
        hidden = self.embed(tokens) + self.position[:length]  # [N, T, D]
        causal = nn.Transformer.generate_square_subsequent_mask(length)  # [T, T]
        return self.head(self.blocks(hidden, mask=causal, is_causal=True))  # [N, T, V]


def prompt_tokens(digits: list[int]) -> list[int]:
    return [BOS, 12 + len(digits), *digits, SEP]


def count_correct(length: int, target: int) -> int:
    """Number of L-digit strings with digit sum ``target`` (the number of correct trajectories)."""
    ways = np.zeros(9 * length + 1, dtype=np.int64)
    ways[0] = 1
    for _ in range(length):
        ways = np.convolve(ways, np.ones(10, dtype=np.int64))[: 9 * length + 1]
    return int(ways[target])


def sample_responses(model: TinyGPT, prompts: torch.Tensor, length: int, generator) -> tuple:
    """Sample L digits after ``prompts[N, L+3]``; returns (tokens[N, 2L+3], logp[N, L], entropy[N, L])."""
    tokens = prompts
    with torch.no_grad():
        for _ in range(length):
            logits = model(tokens)[:, -1, :DIGITS]  # [N, 10] digits only
            next_token = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)  # [N, 1]
            tokens = torch.cat([tokens, next_token], dim=1)
    logits = model(tokens[:, :-1])[:, prompts.shape[1] - 1:, :DIGITS]  # [N, L, 10]
    log_probs = torch.log_softmax(logits, -1)  # [N, L, 10]
    logp = log_probs.gather(-1, tokens[:, prompts.shape[1]:, None]).squeeze(-1)  # [N, L]
    entropy = -(log_probs.exp() * log_probs).sum(-1)  # [N, L]
    return tokens, logp, entropy


def all_responses(length: int) -> torch.Tensor:
    """Every L-digit response in index order (index = the digits read as a base-10 number): ``[10^L, L]``."""
    return torch.tensor(list(itertools.product(range(DIGITS), repeat=length)))


@torch.no_grad()
def response_distribution(model: TinyGPT, prompts: torch.Tensor) -> torch.Tensor:
    """Exact π(y | prompt) over all 10^L responses y for ``prompts[B, L]`` (digits): ``[B, 10^L]``.

    Sampling draws each token from the softmax over the 10 digit tokens, so these probabilities sum to 1.
    """
    batch, length = prompts.shape
    responses = all_responses(length)  # [R, L]
    count = responses.shape[0]
    prefix = torch.tensor([prompt_tokens(p) for p in prompts.tolist()]).repeat_interleave(count, 0)  # [B·R, L+3]
    tokens = torch.cat([prefix, responses.repeat(batch, 1)], dim=1)  # [B·R, 2L+3]
    logits = model(tokens[:, :-1])[:, prefix.shape[1] - 1:, :DIGITS]  # [B·R, L, 10]
    logp = torch.log_softmax(logits, -1).gather(-1, tokens[:, prefix.shape[1]:, None]).squeeze(-1)  # [B·R, L]
    return logp.sum(1).exp().view(batch, count)  # [B, R]


def correct_table(prompts: torch.Tensor) -> torch.Tensor:
    """``[B, 10^L]`` bool: response y is correct for prompt j iff digit sums agree."""
    responses = all_responses(prompts.shape[1])  # [R, L]
    return responses.sum(1)[None, :] == prompts.sum(1)[:, None]  # [B, R]


def held_out_mass(model: TinyGPT, prompts: list[list[int]], max_length: int) -> dict[str, float]:
    """``policy_mass`` (mode probability, mode correct, mass on correct) over the prompts with L <= max_length."""
    parts, weights = [], []
    for length in sorted({len(p) for p in prompts if len(p) <= max_length}):
        group = torch.tensor([p for p in prompts if len(p) == length])  # [P_L, L]
        parts.append(policy_mass(response_distribution(model, group), correct_table(group)))
        weights.append(len(group))
    if not parts:
        return {}
    return {key: sum(w * part[key] for w, part in zip(weights, parts, strict=True)) / sum(weights)
            for key in parts[0]}


@torch.no_grad()
def evaluate(model, prompts: list[list[int]], config: TransformerConfig, generator) -> dict:
    """pass@k (k = 1..max_k) over held-out prompts, token entropy, coverage of correct responses."""
    n_correct, entropies, distinct, total = [], [], 0, 0
    for length in sorted({len(p) for p in prompts}):
        group = [p for p in prompts if len(p) == length]
        batch = torch.tensor([prompt_tokens(p) for p in group]).repeat_interleave(config.eval_samples, 0)
        tokens, _, entropy = sample_responses(model, batch, length, generator)  # [n·P_L, 2L+3]
        digits = tokens[:, length + 3:].view(len(group), config.eval_samples, length)  # [P_L, n, L]
        targets = torch.tensor([sum(p) for p in group])  # [P_L]
        ok = digits.sum(-1) == targets[:, None]  # [P_L, n]
        n_correct += ok.sum(1).tolist()
        entropies.append(float(entropy.mean()))
        for prompt_digits, prompt_ok, target in zip(digits, ok, targets.tolist(), strict=True):
            distinct += len({tuple(row) for row in prompt_digits[prompt_ok].tolist()})
            total += min(count_correct(length, target), config.eval_samples)
    curve = pass_at_k_curve(config.eval_samples, n_correct, np.arange(1, config.max_k + 1))
    return {"pass_at_k": curve.tolist(), "entropy": float(np.mean(entropies)), "coverage": distinct / total}


def run_transformer(variant: dict, config: TransformerConfig, seed: int) -> dict:
    """Train TinyGPT with one estimator (``variant``: compute_advantages kwargs); return its history."""
    torch.set_num_threads(config.threads)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    split = torch.Generator().manual_seed(1234)  # the same held-out prompts for every seed
    held_out = [torch.randint(10, (length,), generator=split).tolist()
                for length in config.lengths for _ in range(config.held_out_per_length)]
    excluded = {tuple(p) for p in held_out}
    train_eval = [torch.randint(10, (length,), generator=split).tolist()
                  for length in config.lengths for _ in range(config.train_eval_per_length)]
    if config.optimizer not in ("adam", "sgd"):
        raise ValueError(f"TransformerConfig.optimizer: {config.optimizer!r}; choose 'adam' or 'sgd'")
    model = TinyGPT(config)
    optimizer_class = torch.optim.Adam if config.optimizer == "adam" else torch.optim.SGD
    optimizer = optimizer_class(model.parameters(), lr=config.lr)
    evals, omegas, flows, start, cpu_start = [], [], [], time.time(), time.process_time()
    for step in range(config.steps + 1):
        if step % config.eval_every == 0 or step == config.steps:
            evals.append({"step": step, **evaluate(model, held_out, config, generator),
                          **({"train": evaluate(model, train_eval, config, generator)} if train_eval else {}),
                          "mass": held_out_mass(model, held_out, config.mass_max_length),
                          "mass_flow": average_flows(flows)})
            flows = []
        if step == config.steps:
            break
        length = config.lengths[step % len(config.lengths)]  # one response length per step (no padding)
        prompts = torch.randint(10, (config.prompts_per_step, length), generator=generator)  # [B, L]
        fresh = torch.tensor([tuple(p) not in excluded for p in prompts.tolist()])  # [B]
        prompts = prompts[fresh] if fresh.any() else prompts  # drop held-out prompts (rare)
        batch = torch.tensor([prompt_tokens(p) for p in prompts.tolist()]).repeat_interleave(
            config.group_size, 0)  # [N, L+3]
        tokens, logp, entropy = sample_responses(model, batch, length, generator)  # [N, 2L+3], [N, L]
        targets = prompts.sum(1).repeat_interleave(config.group_size)  # [N]
        correct = (tokens[:, length + 3:].sum(1) == targets).view(-1, config.group_size)  # [B, G]
        advantages = compute_advantages(correct.float(), correct=correct, **variant)  # [B, G]
        loss, _ = compute_policy_loss(logp, logp.detach(), advantages.reshape(-1), torch.ones_like(logp),
                                      agg="token-mean")
        measure = config.mass_every > 0 and step % config.mass_every == 0 and length <= config.mass_max_length
        if measure:
            probed = prompts[: config.mass_prompts]  # [b, L]
            probs_before = response_distribution(model, probed)  # [b, 10^L]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        omegas.append(float(correct.float().mean()))
        if measure:
            weights = 10 ** torch.arange(length - 1, -1, -1)  # [L] digits -> response index
            drawn = (tokens[:, length + 3:] * weights).sum(1).view(-1, config.group_size)  # [B, G]
            flows.append(mass_shift(probs_before, response_distribution(model, probed),
                                    drawn[: len(probed)], correct_table(probed)))
    config = TransformerConfig(**{**asdict(config), "tasks": held_out})
    return {"variant": variant, "seed": seed, "config": asdict(config), "evals": evals, "omega": omegas,
            "seconds": time.time() - start, "cpu_seconds": time.process_time() - cpu_start}
