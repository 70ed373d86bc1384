"""Pure algorithm functions: advantage estimators, policy losses and their diagnostics (arXiv 2602.05548)."""

from mmagrae.algos.advantages import (
    ESTIMATOR_OPTIONS,
    ESTIMATORS,
    STD_MODES,
    batch_training_state,
    compute_advantages,
    group_success_rate,
    normalised_group_advantage,
)
from mmagrae.algos.diagnostics import DIFFICULTY_BINS, advantage_metrics
from mmagrae.algos.dynamic_sampling import DYNAMIC_SAMPLING_METRICS, informative_groups
from mmagrae.algos.losses import (
    AGGREGATIONS,
    KL_CLAMP_DEFAULT,
    KL_TYPES,
    LOSS_PRESETS,
    POLICY_LOSS_DEFAULTS,
    POLICY_LOSS_FNS,
    POLICY_LOSSES,
    aggregate_tokens,
    compute_policy_loss,
    kl_penalty,
    policy_loss_parameters,
    token_entropy_from_logits,
)
from mmagrae.algos.rollout_correction import (
    CORRECTION_MODES,
    pad_logprobs,
    rollout_correction,
    rollout_gap_metrics,
)

__all__ = [
    "CORRECTION_MODES",
    "DYNAMIC_SAMPLING_METRICS",
    "AGGREGATIONS",
    "DIFFICULTY_BINS",
    "ESTIMATORS",
    "ESTIMATOR_OPTIONS",
    "KL_CLAMP_DEFAULT",
    "KL_TYPES",
    "LOSS_PRESETS",
    "POLICY_LOSSES",
    "POLICY_LOSS_DEFAULTS",
    "POLICY_LOSS_FNS",
    "STD_MODES",
    "advantage_metrics",
    "aggregate_tokens",
    "batch_training_state",
    "compute_advantages",
    "compute_policy_loss",
    "group_success_rate",
    "informative_groups",
    "kl_penalty",
    "normalised_group_advantage",
    "pad_logprobs",
    "policy_loss_parameters",
    "rollout_correction",
    "rollout_gap_metrics",
    "token_entropy_from_logits",
]
