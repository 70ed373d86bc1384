#!/usr/bin/env bash
# Set up (idempotent), then the main job on embedded defaults: A-GRAE RL on a tiny random Qwen2-VL, on CPU,
# on synthetic shape-counting images; validation before and after, curves and a short report.
#   bash scripts/demo.sh [section.key=value ...]     e.g.  bash scripts/demo.sh trainer.max_steps=50
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
OUT=runs/demo
for arg in "$@"; do case "$arg" in trainer.output_dir=*) OUT="${arg#trainer.output_dir=}";; esac; done
# a fresh demo each time (the trainer would otherwise resume the previous run); an earlier folder is kept, renamed
if [ -e "$OUT" ]; then
  kept="$OUT.old-$(date +%Y%m%d-%H%M%S)"
  mv "$OUT" "$kept"
  echo "[demo] the earlier $OUT is kept as $kept"
fi
start=$(date +%s)
.venv/bin/mmagrae train configs/tiny_cpu_geometry.yaml "$@"
.venv/bin/mmagrae plot "$OUT"
.venv/bin/python scripts/demo_report.py "$OUT" --seconds $(( $(date +%s) - start ))
