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

__all__ = [
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
    "kl_penalty",
    "normalised_group_advantage",
    "policy_loss_parameters",
    "token_entropy_from_logits",
]
