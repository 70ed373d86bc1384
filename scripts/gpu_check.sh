#!/usr/bin/env bash
# The prepared GPU check (one H100, no network): mmagrae's RL step vs TRL's GRPOTrainer on a random
# Qwen2-VL-2B-shaped model in bf16; per-phase times, tokens/s, peak memory, MFU; last line JSON.
#   bash scripts/gpu_check.sh                 # on the GPU machine (about 3-4 minutes; must stay under 8)
#   bash scripts/gpu_check.sh --cpu --tiny    # the same code on the CPU with the tiny model (seconds)
# Extra arguments go to scripts/gpu_check.py (--steps, --prompts, --max-new-tokens, --no-peer, --out ...).
# Needs torch, transformers, peft, accelerate; trl, qwen-vl-utils and datasets are installed from a folder of
# carried wheels (wheels/ or $MMAGRAE_WHEELS) when they are missing. Never reaches the network.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
case " $* " in
  *" --cpu "*) ;;
  *) unset OMP_NUM_THREADS ;;  # the GPU machine has 16 cores and nothing else running on them
esac

missing=$("$PY" - <<'EOF'
import importlib.util
need = {"trl": "trl", "qwen_vl_utils": "qwen-vl-utils", "datasets": "datasets"}
print(" ".join(pkg for mod, pkg in need.items() if importlib.util.find_spec(mod) is None))
EOF
)
if [ -n "$missing" ]; then
  wheels="${MMAGRAE_WHEELS:-$root/wheels}"
  if [ -d "$wheels" ]; then
    echo "[gpu_check] installing $missing from $wheels (no index)" >&2
    "$PY" -m pip install --quiet --no-index --find-links "$wheels" $missing >&2
  else
    echo "[gpu_check] missing: $missing and no wheels folder at $wheels; the TRL row may be skipped" >&2
  fi
fi
exec timeout "${GPU_CHECK_TIMEOUT_S:-460}" "$PY" scripts/gpu_check.py "$@"
