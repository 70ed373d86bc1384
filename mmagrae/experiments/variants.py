"""The estimator variants the controlled experiments compare (names -> ``compute_advantages`` options)."""

from __future__ import annotations

# label -> keyword arguments of mmagrae.algos.advantages.compute_advantages
VARIANTS: dict[str, dict[str, object]] = {
    "grpo": {"estimator": "grpo"},
    "dr_grpo": {"estimator": "dr_grpo"},
    "rloo": {"estimator": "rloo"},
    "agrae": {"estimator": "agrae", "alpha": 1.0},
    "agrae_a0.5": {"estimator": "agrae", "alpha": 0.5},
    "agrae_ddas_only": {"estimator": "agrae", "use_ass": False},
    "agrae_ass_only": {"estimator": "agrae", "use_ddas": False, "alpha": 1.0},
    "positive_dominant": {"estimator": "positive_dominant", "beta": 10.0},
    "negative_dominant": {"estimator": "negative_dominant", "beta": 10.0},
    "easy_focused": {"estimator": "easy_focused"},
    "hard_focused": {"estimator": "hard_focused"},
    # issue 17's squeezing test: only the negative half of GRAE (positive advantages divided by 1e9 ≈ 0)
    "negative_only": {"estimator": "negative_dominant", "beta": 1e9},
}

# the smaller set for the (slower) tiny-transformer experiment: every estimator once
CORE_VARIANTS: tuple[str, ...] = (
    "grpo", "dr_grpo", "rloo", "agrae", "positive_dominant", "negative_dominant", "easy_focused", "hard_focused",
)
