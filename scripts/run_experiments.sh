#!/usr/bin/env bash
# Issue 17's studies on the controlled toys, one after the other (one process at a time: a 2-core machine).
# Every output lands in docs/figures/experiments/<name>.{json,png}; the settings are those docs/EXPERIMENTS.md
# reports. The real-trainer study (c) is separate:
#   python -m mmagrae.experiments.trainer_study run --steps 60 --seeds 5 --eval-every 30 --out /tmp/trainer_study
#   bash scripts/run_experiments.sh [transformer|tabular|all]    (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
OUT=docs/figures/experiments
EXP=(.venv/bin/python -m mmagrae experiment --overwrite)  # these regenerate the committed results
which="${1:-all}"
# tiny transformer, reduced to fit a shared 2-core CPU: L in {2,3}, 16 prompts/step, 80 steps
SMALL=(--steps 80 --set lengths=2,3 --set prompts_per_step=16 --set eval_every=20 --set train_eval_per_length=0
       --set mass_max_length=2 --set mass_every=4)
if [[ "$which" == all || "$which" == transformer ]]; then
  "${EXP[@]}" transformer "${SMALL[@]}" --lrs 0.0003,0.001,0.003 --variants grpo,agrae --seeds 5 \
      --tag _lr_sweep --out "$OUT"
  "${EXP[@]}" transformer "${SMALL[@]}" --set optimizer=adam --lrs 0.001 --variants grpo,negative_only --seeds 3 \
      --tag _squeeze_adam --out "$OUT"
  "${EXP[@]}" transformer "${SMALL[@]}" --set optimizer=sgd --lrs 0.3 --variants grpo,negative_only --seeds 3 \
      --tag _squeeze_sgd --out "$OUT"
fi
if [[ "$which" == all || "$which" == tabular ]]; then
  "${EXP[@]}" tabular --set optimizer=adam --set eval_every=10 --lrs 0.03,0.1 \
      --variants grpo,negative_only,agrae --seeds 5 --tag _squeeze_adam --out "$OUT"
  "${EXP[@]}" tabular --set eval_every=10 --lrs 0.3,1,3 \
      --variants grpo,agrae,agrae_a0.5,negative_dominant,positive_dominant,negative_only --seeds 5 \
      --tag _lr_sweep --out "$OUT"
fi
