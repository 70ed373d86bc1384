"""Controlled experiment (a): a tabular softmax policy over trajectories, one softmax per prompt.

The setting of the paper's theory (arXiv 2602.05548 §3, Theorem 1): prompt j has K trajectories with logits
h_j ∈ R^K; a few of them (1..max_correct) are correct. Prompts differ in difficulty through a per-prompt
offset on the correct trajectories' initial logits. Each step samples ``prompts_per_step`` prompts and G
trajectories each, scores them 0/1, computes advantages with the estimator under test, and takes the exact
policy-gradient step of the objective (1/G)·Σ_i A_i ln π(b_i):
    Δh_b = (η/G) · [Σ_{i: b_i = b} A_i − C·π_b],   C = Σ_i A_i.

Simplifications: one on-policy step per batch (PPO's ratio is 1, so clipping never acts); plain SGD on the
logits; no parameter sharing between prompts (so nothing learnt on one prompt transfers to another — the
tiny-transformer experiment covers that). Metrics on all prompts every ``eval_every`` steps: pass@k for
k = 1..64 by the unbiased estimator from ``eval_samples`` samples, exact pass@1, policy entropy, and
coverage = share of correct trajectories that appear at least once among the samples.

With plain SGD the estimators also differ in overall step size (positive-dominant multiplies positive
advantages by 10; ASS multiplies them by ω ≈ 0.1 early on). ``match_grae_weight`` is the control that
removes that difference: it rescales each batch to GRAE's total weight Σ|Â| and keeps everything else.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import torch

from mmagrae.algos.advantages import compute_advantages
from mmagrae.experiments.mass import average_flows, mass_shift, policy_mass
from mmagrae.metrics import pass_at_k_curve


@dataclass
class TabularConfig:
    num_prompts: int = 512
    """number of prompts, each with its own softmax over trajectories"""
    num_trajectories: int = 128
    """K: trajectories per prompt"""
    max_correct: int = 4
    """each prompt has between 1 and this many correct trajectories"""
    offset_low: float = -2.0
    """lowest initial logit offset of the correct trajectories (hardest prompts, p ≈ 0.001)"""
    offset_high: float = 3.5
    """highest initial logit offset of the correct trajectories (easiest prompts, p ≈ 0.5)"""
    logit_noise: float = 0.5
    """std of the Gaussian noise on every initial logit"""
    group_size: int = 8
    """G: trajectories sampled per prompt per step"""
    prompts_per_step: int = 128
    """B: prompts per step (ω is this batch's mean correctness)"""
    steps: int = 300
    """training steps (the same budget for every estimator)"""
    lr: float = 1.0
    """step size on the logits (SGD: η; Adam: its learning rate)"""
    optimizer: Literal["sgd", "adam"] = "sgd"
    """"sgd": the exact step Δh = η·∇ of Theorem 1; "adam": torch Adam on the logits (issue 17's squeezing
    test: Adam rescales each logit's step by its gradient history)"""
    eval_every: int = 25
    """evaluate every this many steps (and at step 0 and the end)"""
    eval_samples: int = 128
    """samples per prompt for the unbiased pass@k estimate (>= max k)"""
    max_k: int = 64
    """pass@k is reported for k = 1..max_k"""
    match_grae_weight: bool = False
    """control: rescale each batch's advantages so Σ|A| equals GRAE's on the same batch (keeps the
    estimator's shape — asymmetry, difficulty weighting, group sums — but not its overall step size)"""


def make_problem(config: TabularConfig, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Initial logits ``[P, K]`` and the correctness table ``[P, K]`` (bool) for one seed."""
    p, k = config.num_prompts, config.num_trajectories
    logits = config.logit_noise * torch.randn(p, k, generator=generator, dtype=torch.float64)  # [P, K]
    num_correct = torch.randint(1, config.max_correct + 1, (p,), generator=generator)  # [P]
    order = torch.rand(p, k, generator=generator).argsort(dim=1)  # [P, K] random trajectory ranks
    is_correct = order < num_correct[:, None]  # [P, K]
    u = torch.rand(p, 1, generator=generator, dtype=torch.float64)
    offset = config.offset_low + (config.offset_high - config.offset_low) * u  # [P, 1]
    logits = logits + offset * is_correct  # [P, K]
    return logits, is_correct


def evaluate(logits: torch.Tensor, is_correct: torch.Tensor, config: TabularConfig, generator) -> dict:
    """pass@k curve, exact pass@1, entropy and coverage of the current tabular policy."""
    probs = torch.softmax(logits, dim=1)  # [P, K]
    samples = torch.multinomial(probs, config.eval_samples, replacement=True, generator=generator)  # [P, n]
    sample_correct = is_correct.gather(1, samples)  # [P, n]
    ks = np.arange(1, config.max_k + 1)
    curve = pass_at_k_curve(config.eval_samples, sample_correct.sum(1).numpy(), ks)  # [max_k]
    seen = torch.zeros_like(is_correct).scatter_(1, samples, True)  # [P, K]
    entropy = -(probs * torch.log(probs.clamp(min=1e-300))).sum(1)  # [P]
    return {
        "pass_at_k": curve.tolist(),
        "pass1_exact": float((probs * is_correct).sum(1).mean()),
        "entropy": float(entropy.mean()),
        "coverage": float((seen & is_correct).sum() / is_correct.sum()),
        "mass": policy_mass(probs, is_correct),
    }


def run_tabular(variant: dict, config: TabularConfig, seed: int) -> dict:
    """Train the tabular policy with one estimator (``variant``: compute_advantages kwargs); return history.

    Example::

        >>> out = run_tabular({"estimator": "grpo"}, TabularConfig(num_prompts=8, steps=2, eval_every=1,
        ...                   eval_samples=8, max_k=8, prompts_per_step=4), seed=0)
        >>> sorted(out), len(out["evals"])
        (['config', 'cpu_seconds', 'evals', 'omega', 'seed', 'variant'], 3)
    """
    if config.optimizer not in ("sgd", "adam"):
        raise ValueError(f"TabularConfig.optimizer: {config.optimizer!r}; choose 'sgd' or 'adam'")
    generator = torch.Generator().manual_seed(seed)
    logits, is_correct = make_problem(config, generator)  # [P, K], [P, K]
    parameter = torch.nn.Parameter(logits)
    adam = torch.optim.Adam([parameter], lr=config.lr) if config.optimizer == "adam" else None
    evals, omegas, flows, cpu_start = [], [], [], time.process_time()
    for step in range(config.steps + 1):
        if step % config.eval_every == 0 or step == config.steps:
            evals.append({"step": step, **evaluate(parameter.detach(), is_correct, config, generator),
                          "mass_flow": average_flows(flows)})
            flows = []
        if step == config.steps:
            break
        batch = torch.randperm(config.num_prompts, generator=generator)[: config.prompts_per_step]  # [B]
        probs = torch.softmax(parameter.detach()[batch], dim=1)  # [B, K]
        samples = torch.multinomial(probs, config.group_size, replacement=True, generator=generator)  # [B, G]
        correct = is_correct[batch].gather(1, samples)  # [B, G]
        advantages = compute_advantages(correct.double(), correct=correct, **variant)  # [B, G]
        if config.match_grae_weight:
            grae_weight = compute_advantages(correct.double(), estimator="grpo").abs().sum()
            advantages = advantages * (grae_weight / advantages.abs().sum().clamp(min=1e-12))
        omegas.append(float(correct.float().mean()))
        sampled_weight = torch.zeros_like(probs).scatter_add_(1, samples, advantages)  # [B, K]
        group_sum = advantages.sum(1, keepdim=True)  # [B, 1]  C in Theorem 1
        ascent = (sampled_weight - group_sum * probs) / config.group_size  # [B, K] ∇ of (1/G)Σ A_i ln π(b_i)
        if adam is None:
            parameter.data[batch] += config.lr * ascent  # [B, K]
        else:
            parameter.grad = torch.zeros_like(parameter).index_put_((batch,), -ascent)  # minimise −objective
            adam.step()
        probs_after = torch.softmax(parameter.detach()[batch], dim=1)  # [B, K]
        flows.append(mass_shift(probs, probs_after, samples, is_correct[batch]))
    return {"variant": variant, "seed": seed, "config": asdict(config), "evals": evals, "omega": omegas,
            "cpu_seconds": time.process_time() - cpu_start}
